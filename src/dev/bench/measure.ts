import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { cpuMilliseconds, type BenchChild } from '../harness/children.js';
import type { SandboxCounts } from '../harness/sandbox-process.js';
import type { LoadRequest, LoadSummary } from './load.js';
import type { Verdict } from './report.js';

/**
 * The measurements every phase of the bench makes (run.ts for W1–W4, directory-phases.ts for the
 * directory's workloads): load runs through the load generator, CPU time of the process under load,
 * the sandbox's request counters, and answers compared with B1's.
 */

/** How long and how wide the load runs are (run.ts reads them from the command line). */
export interface MeasureOptions {
  readonly saturatingSeconds: number;
  readonly unloadedSeconds: number;
  readonly minSamples: number;
  /** A saturating run sends at least this many operations per connection. */
  readonly minWaves: number;
  readonly connections: number;
}

/** What a measurement runs on: the load generator, and the sandbox whose counters it reads. */
export interface Rig {
  readonly options: MeasureOptions;
  readonly load: BenchChild;
  readonly sandbox: BenchChild;
}

const TOKEN_ENDPOINTS = new Set(['POST /oauth2/token/{tenantId}', 'POST /api/v3/token']);

export function dataRequests(counts: SandboxCounts): {
  total: number;
  tokens: number;
  byEndpoint: Record<string, number>;
} {
  let total = 0;
  let tokens = 0;
  const byEndpoint: Record<string, number> = {};
  for (const [provider, endpoints] of Object.entries(counts) as Array<[string, Record<string, number>]>) {
    for (const [endpoint, count] of Object.entries(endpoints)) {
      if (TOKEN_ENDPOINTS.has(endpoint)) {
        tokens += count;
        continue;
      }
      total += count;
      byEndpoint[`${provider} ${endpoint}`] = count;
    }
  }
  return { total, tokens, byEndpoint };
}

export function firstDifference(actual: unknown, expected: unknown, at = '$'): string | undefined {
  if (isDeepStrictEqual(actual, expected)) return undefined;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null)
    return `${at}: got ${JSON.stringify(actual)?.slice(0, 200)}, B1 ${JSON.stringify(expected)?.slice(0, 200)}`;
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  for (const key of keys) {
    const difference = firstDifference(
      (actual as Record<string, unknown>)[key],
      (expected as Record<string, unknown>)[key],
      Array.isArray(actual) ? `${at}[${key}]` : `${at}.${key}`,
    );
    if (difference) return difference;
  }
  return `${at}: different shapes`;
}

export async function runLoad(rig: Rig, request: LoadRequest): Promise<LoadSummary> {
  return rig.load.call<LoadSummary>('run', request);
}

/**
 * One connection, enough requests for about `unloadedSeconds` (at least `minSamples`, or the
 * `minSamples` given; `timeoutSeconds` for operations that may take longer than the load
 * generator's default 30 s).
 */
export async function unloaded(
  rig: Rig,
  url: string,
  workload: { readonly body: string },
  estimateMs: number,
  {
    minSamples = rig.options.minSamples,
    timeoutSeconds,
  }: { minSamples?: number; timeoutSeconds?: number } = {},
) {
  const { unloadedSeconds } = rig.options;
  const amount = Math.min(
    20_000,
    Math.max(minSamples, Math.round((unloadedSeconds * 1000) / Math.max(estimateMs, 0.2))),
  );
  return runLoad(rig, {
    url,
    bodies: [workload.body],
    connections: 1,
    amount,
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
  });
}

/**
 * A saturating run: fixed connections, CPU time of `pid` over the run per 2xx response.
 *
 * Fast operations run for `saturatingSeconds` of wall time. Slow ones (when one wave, every
 * connection doing one operation, takes more than 5 % of that) run a fixed number of operations
 * instead, all of which complete: a run cut off by the clock would leave their operations in flight,
 * whose upstream work goes on after it (skewing the CPU per operation and the next measurement),
 * and the slowest cold workloads would complete none at all. That number is sized from one
 * operation's unloaded time `singleMs` (summed over the bodies of a mix) to take about
 * `saturatingSeconds`, and is at least `minWaves` operations per connection. `fixedDuration` forces
 * the clock (profiling); `upstream: false` skips waiting for the sandbox to go quiet (B1).
 *
 * `operations` fixes the number of operations instead, for operations so slow (seconds each) that
 * even one wave would take minutes: a process answering on one thread is saturated by two in
 * flight, and the load generator then waits as long as they can take.
 */
export async function saturating(
  rig: Rig,
  url: string,
  pid: number,
  bodies: readonly string[],
  singleMs: number,
  {
    fixedDuration = false,
    upstream = true,
    operations,
  }: { fixedDuration?: boolean; upstream?: boolean; operations?: number } = {},
) {
  const { connections, saturatingSeconds, minWaves } = rig.options;
  const cycle = connections * bodies.length;
  // Estimates: about one operation's worth of CPU at a time (two cores, shared with the sandbox
  // and the load generator), each taking its unloaded time.
  const waveMs = connections * Math.max(singleMs, 0.05);
  const byClock = operations === undefined && (fixedDuration || waveMs <= (saturatingSeconds * 1000) / 20);
  const estimatedOpsPerSecond = (1000 * bodies.length) / Math.max(singleMs, 0.05);
  const wanted = Math.max(minWaves * connections, estimatedOpsPerSecond * saturatingSeconds);
  const amount = operations ?? Math.min(500_000, Math.ceil(wanted / cycle) * cycle);
  if (upstream) await quiesce(rig);
  const cpuBefore = cpuMilliseconds(pid);
  const summary = await runLoad(
    rig,
    byClock
      ? { url, bodies, connections, durationSeconds: saturatingSeconds }
      : operations === undefined
        ? { url, bodies, connections, amount }
        : {
            url,
            bodies,
            // autocannon refuses more connections than operations.
            connections: Math.min(connections, amount),
            amount,
            // All of them in flight at once may take as long as all of them one after the other.
            timeoutSeconds: Math.max(30, (4 * amount * singleMs) / 1000),
          },
  );
  const cpuMs = cpuMilliseconds(pid) - cpuBefore;
  return {
    summary,
    cpuMsPerOp: summary.ok > 0 ? cpuMs / summary.ok : Number.NaN,
    sizing: byClock
      ? `${saturatingSeconds} s`
      : operations === undefined
        ? `${amount} operations`
        : `${amount} operations on ${Math.min(connections, amount)} connections`,
  };
}

export type Saturated = Awaited<ReturnType<typeof saturating>>;

/** Every request the sandbox counted since its last reset, token requests included. */
export async function sandboxTotal(rig: Pick<Rig, 'sandbox'>): Promise<number> {
  const counts = await rig.sandbox.call<SandboxCounts>('counts');
  return [counts.thrive, counts.ispring].reduce(
    (sum, endpoints) => sum + Object.values(endpoints).reduce((a, b) => a + b, 0),
    0,
  );
}

/** Waits until the sandbox counters stop moving (no upstream work left from a previous step). */
export async function quiesce(rig: Pick<Rig, 'sandbox'>): Promise<void> {
  let previous = await sandboxTotal(rig);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    await sleep(30);
    const now = await sandboxTotal(rig);
    if (now === previous) return;
    previous = now;
  }
}

export const latencyOf = (summary: LoadSummary) => ({
  p50: summary.latency.p50,
  p99: summary.latency.p99,
  min: summary.latency.min,
  samples: summary.ok,
});

/**
 * The item of median `key` (of an odd number, the middle one; of an even one, the lower middle):
 * an item of `items` itself, so that a run's other figures come with it. `items` must not be empty.
 */
export function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export const failuresOf = (...summaries: LoadSummary[]) =>
  summaries.reduce((sum, summary) => sum + summary.non2xx + summary.errors, 0);

export function pass(target: string, ok: boolean, detail: string): Verdict {
  return { target, state: ok ? 'PASS' : 'FAIL', detail };
}
