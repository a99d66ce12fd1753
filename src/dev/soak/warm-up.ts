import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { SandboxDrain } from '../harness/sandbox-process.js';
import { checkResponse } from './check.js';
import { send } from './clients.js';
import type { Operation } from './operations.js';
import type { Processes } from './processes.js';
import { inParallel, jobsOf, safeParse, type References } from './replay.js';
import { CLIENT_TIMEOUT_MS, REPLAY_WIDTH } from './settings.js';
import { readMemory, SoakAbort, type MemoryReading } from './subgraph.js';
import { addDrain, emptyTotals, sum, type UpstreamTotals } from './upstream.js';

/** What the warm-up leaves for the load, the recovery and the report. */
export interface WarmUp {
  /** The fault-free answers the load's and the recovery's answers are compared with. */
  readonly references: References;
  readonly problems: readonly string[];
  readonly upstream: UpstreamTotals;
  /** The subgraph's memory before the load, after a full GC. */
  readonly rssBefore: MemoryReading;
}

/**
 * The fault-free answer to every request, twice (the second must be the same); a request that
 * should be clean and is not, or gets no answer, ends the soak: nothing after would mean anything.
 */
export async function warmUp(
  operations: readonly Operation[],
  { sandbox, subgraph, leaks }: Processes,
  progress: (message: string) => void,
): Promise<WarmUp> {
  progress(
    `warm-up: every request of every operation (${operations.reduce((n, op) => n + op.requests.length, 0)}), twice, no faults`,
  );
  const references = new Map<Operation, unknown[]>();
  const problems: string[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: REPLAY_WIDTH });
  const url = new URL(subgraph.url);
  try {
    const jobs = jobsOf(operations);
    for (const pass of [0, 1]) {
      await inParallel(jobs, REPLAY_WIDTH, async ({ operation, index }) => {
        const reply = await send(agent, url, operation.requests[index]!, CLIENT_TIMEOUT_MS);
        const where = `${operation.name} #${index}`;
        if (reply.transportError !== undefined)
          throw new SoakAbort(`warm-up: ${where}: ${reply.transportError}\n${subgraph.child.tail()}`);
        const parsed = safeParse(reply.body);
        if (pass === 0) {
          const check = checkResponse({ operation, ...reply, reference: undefined }, leaks);
          if (operation.cleanWithoutFaults && (reply.status !== 200 || check.errors.length > 0))
            throw new SoakAbort(
              `warm-up: ${where} answered HTTP ${reply.status} with errors and no fault injected: ${reply.body.slice(0, 800)}`,
            );
          for (const problem of check.problems) problems.push(`${where}: ${problem}`);
          let list = references.get(operation);
          if (!list) references.set(operation, (list = []));
          list[index] = parsed;
        } else if (!isDeepStrictEqual(parsed, references.get(operation)?.[index])) {
          problems.push(`${where}: two fault-free answers differ`);
        }
      });
    }
  } finally {
    agent.destroy();
  }
  await sleep(300);
  const upstream = emptyTotals();
  addDrain(upstream, await sandbox.call<SandboxDrain>('drain'));
  const rssBefore = await readMemory(subgraph, 0);
  if (!rssBefore)
    throw new SoakAbort(`the subgraph did not report its memory. Its last output:\n${subgraph.child.tail()}`);
  return { references, problems, upstream, rssBefore };
}

/** The first half of the progress line between the warm-up and the load. */
export function describeWarmUp({ upstream, rssBefore }: WarmUp): string {
  return `warm-up done (${sum(upstream.counts)} upstream requests); RSS ${rssBefore.rssMiB.toFixed(1)} MiB, heap used ${rssBefore.heapUsedMiB.toFixed(1)} MiB.`;
}
