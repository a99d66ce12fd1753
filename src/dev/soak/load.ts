import { setTimeout as sleep } from 'node:timers/promises';
import { memory, type BenchChild } from '../harness/children.js';
import type { SandboxDrain } from '../harness/sandbox-process.js';
import { checkResponse } from './check.js';
import { runClients, type ClientResult, type ClientRun } from './clients.js';
import { createPicker, type Operation } from './operations.js';
import type { Options } from './options.js';
import type { Plan } from './plan.js';
import type { Processes } from './processes.js';
import { startLivenessProbe, splitByWindows } from './prober.js';
import type { References } from './replay.js';
import { CLIENT_TIMEOUT_MS, PROBE_INTERVAL_MS } from './settings.js';
import { alive, readMemory, type MemoryReading, type SubgraphWatch } from './subgraph.js';
import { Tally } from './tally.js';
import { addDrain, emptyTotals, type UpstreamTotals } from './upstream.js';

/**
 * The soak itself: the clients send the operations for `--duration` (or until `--max-requests`)
 * while the fault phases rotate, every answer is checked against its fault-free reference, a
 * liveness probe measures the event-loop lag, and the subgraph's RSS is sampled every second.
 */

/** Each phase started, with the upstream requests the sandboxes counted while it lasted. */
export interface PhaseEntry {
  index: number;
  label: string;
  startedAtSeconds: number;
  upstream: UpstreamTotals;
}

export interface RssSample {
  atSeconds: number;
  rssMiB: number;
}

/** What the load leaves for the recovery, the checks and the report. */
export interface Load {
  readonly tally: Tally;
  /** The upstream requests during the load. */
  readonly upstream: UpstreamTotals;
  readonly phaseLog: readonly PhaseEntry[];
  readonly rssSeries: readonly RssSample[];
  /** Half-way (see `Plan.middlePhase`); the end reading when none was taken then. */
  readonly rssMiddle: MemoryReading | undefined;
  /** As the load ended, while the subgraph was alive. */
  readonly rssEnd: MemoryReading | undefined;
  readonly run: ClientRun;
  /** `performance.now()` at the start of the load: memory readings are dated from it. */
  readonly start: number;
  readonly seconds: number;
  /** Liveness probe times, ms: while an attack request was in flight, and otherwise. */
  readonly lag: { readonly during: number[]; readonly otherwise: number[] };
  /** When each attack request was in flight (start, end). */
  readonly attackWindows: ReadonlyArray<readonly [number, number]>;
  readonly aliveAtEnd: boolean;
}

export interface LoadInput {
  readonly options: Options;
  readonly plan: Plan;
  readonly operations: readonly Operation[];
  readonly processes: Processes;
  readonly references: References;
  readonly progress: (message: string) => void;
}

/** The part of the load the concurrent loops (clients, fault rotation, memory sampling) share. */
interface LoadState {
  readonly tally: Tally;
  readonly upstream: UpstreamTotals;
  readonly phaseLog: PhaseEntry[];
  readonly rssSeries: RssSample[];
  rssMiddle: MemoryReading | undefined;
  readonly attackWindows: Array<[number, number]>;
  readonly start: number;
  /** Aborted once the clients are done: the fault rotation and the memory sampling stop. */
  readonly done: AbortController;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

const sinceStart = (state: LoadState) => (performance.now() - state.start) / 1000;

/** The second half of the progress line between the warm-up and the load. */
export function describeLoad(options: Options, { phases, phaseSeconds }: Plan): string {
  return (
    `Load: ${options.durationSeconds} s, ${options.connections} connections, at most ${options.maxRequests} requests; ` +
    `${phases.length} fault phases of ${phaseSeconds} s`
  );
}

export async function runLoad(input: LoadInput): Promise<Load> {
  const { options, operations, processes, progress } = input;
  const subgraph = processes.subgraph;
  const state: LoadState = {
    tally: new Tally(),
    upstream: emptyTotals(),
    phaseLog: [],
    rssSeries: [],
    rssMiddle: undefined,
    attackWindows: [],
    start: performance.now(),
    done: new AbortController(),
  };
  const endAt = state.start + options.durationSeconds * 1000;
  const prober = startLivenessProbe(new URL('/health/live', subgraph.url).toString(), PROBE_INTERVAL_MS);
  const rotation = rotateFaults(state, input);
  const sampling = sampleMemory(state, subgraph, processes.pid, options.maxRequests);

  const run = await runClients({
    url: subgraph.url,
    connections: options.connections,
    endAt,
    maxRequests: options.maxRequests,
    timeoutMs: CLIENT_TIMEOUT_MS,
    next: createPicker(operations, 0x50a4_2024),
    onResult: resultRecorder(state, input),
    aborted: () => !alive(subgraph),
  });
  const seconds = sinceStart(state);
  const probes = await prober.stop();
  const lag = splitByWindows(probes, state.attackWindows);
  const aliveAtEnd = alive(subgraph);
  const rssEnd = aliveAtEnd ? await readMemory(subgraph, seconds) : undefined;
  state.done.abort();
  await Promise.all([rotation, sampling]);
  if (state.rssMiddle === undefined && rssEnd) state.rssMiddle = rssEnd;
  await drainInto(state, processes.sandbox);
  progress(
    `load done: ${run.sent} requests in ${seconds.toFixed(1)} s (stopped by ${run.stoppedBy}); malformed ${state.tally.malformed}`,
  );
  return {
    tally: state.tally,
    upstream: state.upstream,
    phaseLog: state.phaseLog,
    rssSeries: state.rssSeries,
    rssMiddle: state.rssMiddle,
    rssEnd,
    run,
    start: state.start,
    seconds,
    lag,
    attackWindows: state.attackWindows,
    aliveAtEnd,
  };
}

/** The phase a request sent at `time` (a `performance.now()`) belongs to. */
function phaseAt(state: LoadState, { phases, phaseSeconds }: Plan, time: number): number {
  return Math.min(phases.length - 1, Math.max(0, Math.floor((time - state.start) / (phaseSeconds * 1000))));
}

/** Checks every answer against its fault-free reference and counts it in the phase it was sent in. */
function resultRecorder(
  state: LoadState,
  { plan, processes, references }: LoadInput,
): (result: ClientResult) => void {
  return (result) => {
    if (result.operation.family === 'attack') {
      const end = performance.now();
      state.attackWindows.push([end - result.ms, end]);
    }
    const index = phaseAt(state, plan, performance.now() - result.ms);
    const phase = { index, label: `${index + 1}: ${plan.phases[index]!.label}` };
    if (result.transportError !== undefined) {
      state.tally.record(result, undefined, phase);
      return;
    }
    const reference = references.get(result.operation)?.[result.index];
    state.tally.record(result, checkResponse({ ...result, reference }, processes.leaks), phase);
  };
}

/** The sandboxes' counts since the last drain, into the load's totals and the current phase's. */
async function drainInto(state: LoadState, sandbox: BenchChild): Promise<void> {
  const drain = await sandbox.call<SandboxDrain>('drain');
  addDrain(state.upstream, drain);
  const current = state.phaseLog[state.phaseLog.length - 1];
  if (current) addDrain(current.upstream, drain);
}

/**
 * One phase after the other, on time: the previous phase's faults cleared, this one's injected;
 * the middle memory reading at the start of `plan.middlePhase`. The faults are cleared at the end.
 */
async function rotateFaults(state: LoadState, { plan, processes, progress }: LoadInput): Promise<void> {
  const { sandbox, subgraph } = processes;
  const { phases } = plan;
  const phaseMs = plan.phaseSeconds * 1000;
  for (let i = 0; i < phases.length && !state.done.signal.aborted; i += 1) {
    const phase = phases[i]!;
    await drainInto(state, sandbox);
    await sandbox.call('clearFaults');
    for (const provider of phase.expireTokens ?? []) await sandbox.call('expireTokens', { provider });
    for (const injection of phase.injections) await sandbox.call('inject', injection);
    state.phaseLog.push({
      index: i,
      label: phase.label,
      startedAtSeconds: sinceStart(state),
      upstream: emptyTotals(),
    });
    progress(
      `phase ${i + 1}/${phases.length}: ${phase.label} (answers so far ${state.tally.answered}, malformed ${state.tally.malformed})`,
    );
    if (i === plan.middlePhase && state.rssMiddle === undefined && alive(subgraph))
      state.rssMiddle = await readMemory(subgraph, sinceStart(state));
    const wait = state.start + (i + 1) * phaseMs - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal: state.done.signal }).catch(() => {});
  }
  await sandbox.call('clearFaults');
}

/** The subgraph's RSS every second, from /proc; and the middle reading should `--max-requests` stop the load early. */
async function sampleMemory(
  state: LoadState,
  subgraph: SubgraphWatch,
  pid: number,
  maxRequests: number,
): Promise<void> {
  while (!state.done.signal.aborted) {
    await sleep(1000, undefined, { signal: state.done.signal }).catch(() => {});
    if (!alive(subgraph)) return;
    const at = sinceStart(state);
    try {
      state.rssSeries.push({ atSeconds: Math.round(at * 10) / 10, rssMiB: round1(memory(pid).rssMiB) });
    } catch {
      return; // it has just exited
    }
    // Stopped by --max-requests well before the time is up: half-way through the requests.
    if (state.rssMiddle === undefined && state.tally.answered >= maxRequests / 2)
      state.rssMiddle = await readMemory(subgraph, at);
  }
}
