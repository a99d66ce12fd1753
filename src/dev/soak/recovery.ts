import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { SandboxDrain } from '../harness/sandbox-process.js';
import { checkResponse } from './check.js';
import { send } from './clients.js';
import type { Operation } from './operations.js';
import type { Processes } from './processes.js';
import { inParallel, jobsOf, safeParse, type Job, type References } from './replay.js';
import { BREAKER_OPEN_MS, CLIENT_TIMEOUT_MS, REPLAY_WIDTH } from './settings.js';
import { alive, readMemory, type MemoryReading } from './subgraph.js';
import { addDrain, emptyTotals, type UpstreamTotals } from './upstream.js';

/**
 * Once the faults are cleared and the breaker's open time has passed, every good request must get
 * its fault-free answer again: up to three passes, 2 s apart. Then, idle, the last memory reading.
 */

/** The `recovery` of the report's JSON. */
export interface RecoveryOutcome {
  passes: number;
  clean: boolean;
  problems: string[];
  /** Per pass: answers that were not the fault-free one, by error message shape. */
  failuresByPass: Array<Record<string, number>>;
}

export interface Recovery {
  readonly outcome: RecoveryOutcome;
  readonly upstream: UpstreamTotals;
  /** Whether the subgraph was still running a second after the recovery. */
  readonly aliveAfter: boolean;
  /** Its memory then, idle, after a full GC. */
  readonly rssAfter: MemoryReading | undefined;
}

export interface RecoveryInput {
  readonly operations: readonly Operation[];
  readonly references: References;
  readonly processes: Processes;
  /** Whether the subgraph was alive as the load ended: if not, there is nothing to recover. */
  readonly aliveAtEnd: boolean;
  /** `performance.now()` at the start of the load, which dates the memory reading. */
  readonly loadStart: number;
  readonly progress: (message: string) => void;
}

export async function recover(input: RecoveryInput): Promise<Recovery> {
  const { processes, progress } = input;
  const { sandbox, subgraph } = processes;
  const outcome: RecoveryOutcome = { passes: 0, clean: false, problems: [], failuresByPass: [] };
  const upstream = emptyTotals();
  if (input.aliveAtEnd) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: REPLAY_WIDTH });
    try {
      const good = jobsOf(input.operations.filter((operation) => operation.cleanWithoutFaults));
      for (let pass = 1; pass <= 3 && !outcome.clean && alive(subgraph); pass += 1) {
        await sleep(pass === 1 ? BREAKER_OPEN_MS + 500 : 2000);
        outcome.passes = pass;
        outcome.problems = [];
        const failures: Record<string, number> = {};
        outcome.failuresByPass.push(failures);
        await recoveryPass(good, agent, input, outcome.problems, failures);
        outcome.clean = outcome.problems.length === 0;
        progress(
          `recovery pass ${pass}: ${good.length - outcome.problems.length}/${good.length} answers clean`,
        );
      }
    } finally {
      agent.destroy();
    }
    addDrain(upstream, await sandbox.call<SandboxDrain>('drain'));
  }
  await sleep(1000);
  const aliveAfter = alive(subgraph);
  const rssAfter = aliveAfter
    ? await readMemory(subgraph, (performance.now() - input.loadStart) / 1000)
    : undefined;
  return { outcome, upstream, aliveAfter, rssAfter };
}

/** Every good request once; what did not come back as the fault-free answer goes into `problems` and `failures`. */
async function recoveryPass(
  good: readonly Job[],
  agent: http.Agent,
  { processes, references }: RecoveryInput,
  problems: string[],
  failures: Record<string, number>,
): Promise<void> {
  const url = new URL(processes.subgraph.url);
  await inParallel(good, REPLAY_WIDTH, async ({ operation, index }) => {
    const reply = await send(agent, url, operation.requests[index]!, CLIENT_TIMEOUT_MS);
    const reference = references.get(operation)?.[index];
    const parsed = safeParse(reply.body);
    if (reply.transportError === undefined && isDeepStrictEqual(parsed, reference)) return;
    problems.push(
      `${operation.name} #${index}: ${reply.transportError ?? `HTTP ${reply.status} ${reply.body.slice(0, 300)}`}`,
    );
    const check = checkResponse({ operation, ...reply, reference }, processes.leaks);
    const shapes = check.errors.map((error) => `${error.code}: ${error.message}`);
    for (const shape of shapes.length > 0 ? shapes : [reply.transportError ?? 'differs, no error'])
      failures[shape] = (failures[shape] ?? 0) + 1;
  });
}
