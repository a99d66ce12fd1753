import type { Load } from './load.js';
import type { Operation } from './operations.js';
import type { Options } from './options.js';
import type { Plan } from './plan.js';
import type { Processes, Shutdown } from './processes.js';
import type { Recovery } from './recovery.js';
import { kindsOf } from './schedule.js';
import {
  BREAKER_OPEN_MS,
  CLIENT_TIMEOUT_MS,
  MAX_PROBE_MS_UNDER_ATTACK,
  MONITOR_MARKER,
  ORPHAN_GUARD_BACKSTOP_MS,
  RSS_FLAT_TOLERANCE,
} from './settings.js';
import type { SubgraphWatch } from './subgraph.js';
import { fmt, signedPercent } from './format.js';
import type { WarmUp } from './warm-up.js';

/**
 * The soak's requirements, one PASS/FAIL line each, from what every step left (check.ts checks
 * each answer; these judge the run as a whole).
 */

export interface Check {
  readonly requirement: string;
  readonly pass: boolean;
  readonly detail: string;
}

/** What every step of the soak left, for the checks and the report. */
export interface SoakResults {
  readonly options: Options;
  readonly plan: Plan;
  readonly operations: readonly Operation[];
  readonly processes: Processes;
  readonly warmUp: WarmUp;
  readonly load: Load;
  readonly recovery: Recovery;
  readonly shutdown: Shutdown | undefined;
}

export function checksOf(results: SoakResults): Check[] {
  return [
    ...processChecks(results),
    ...answerChecks(results),
    ...memoryChecks(results),
    recoveryCheck(results),
    shutdownCheck(results),
    ...loadChecks(results),
  ];
}

export const failedCount = (checks: readonly Check[]) => checks.filter((check) => !check.pass).length;

/** Answers the load sent and got, or got none for. */
export const answeredTotal = ({ tally }: Load) => tally.answered + tally.transportFailures;

/** Lines of the subgraph's stderr that say it had an unhandled rejection or an uncaught exception. */
export const crashLinesOf = (subgraph: SubgraphWatch) =>
  [...subgraph.stderrLines].filter((line) =>
    /unhandledRejection|uncaughtException|UnhandledPromiseRejection/i.test(line),
  );

function processChecks({ processes, load, recovery }: SoakResults): Check[] {
  const { subgraph, pid } = processes;
  const crashLines = crashLinesOf(subgraph);
  const warningLines = subgraph.monitorLines.filter((line) => line.startsWith(`${MONITOR_MARKER} warning:`));
  return [
    {
      requirement: 'no crash',
      pass: load.aliveAtEnd && recovery.aliveAfter,
      detail: subgraph.crash
        ? `the subgraph exited at ${subgraph.crash.atSeconds.toFixed(1)} s (${subgraph.crash.signal ?? `code ${subgraph.crash.code}`})`
        : `subgraph pid ${pid} alive at the end of the load and after the recovery pass`,
    },
    {
      requirement: 'no unhandled rejection or uncaught exception',
      pass: crashLines.length === 0 && subgraph.monitorLines.every((line) => line.includes(' warning:')),
      detail:
        crashLines.length === 0
          ? `run with --unhandled-rejections=strict and an uncaughtExceptionMonitor; none on stderr (${subgraph.stderrLineCount} stderr lines in all)`
          : crashLines.slice(0, 3).join(' | '),
    },
    {
      requirement: 'no process warning',
      pass: warningLines.length === 0,
      detail: warningLines.length === 0 ? 'none emitted' : warningLines.slice(0, 3).join(' | '),
    },
  ];
}

function answerChecks({ processes, warmUp, load }: SoakResults): Check[] {
  const { tally } = load;
  return [
    {
      requirement: 'every response well-formed',
      pass: tally.malformed === 0 && warmUp.problems.length === 0,
      detail: `${tally.malformed} malformed of ${answeredTotal(load)} during the load (${tally.transportFailures} without an answer), ${warmUp.problems.length} in the warm-up`,
    },
    {
      requirement: 'nothing secret or upstream in a body',
      pass: tally.leaks === 0,
      detail:
        tally.leaks === 0
          ? `${processes.leaks.length} patterns (sandbox credentials, upstream origins, upstream bodies, stack traces) in none of ${tally.answered} bodies`
          : Object.entries(tally.leakNames)
              .map(([name, n]) => `${name} × ${n}`)
              .join(', '),
    },
    {
      requirement: 'data agrees with fault-free answers',
      pass: tally.inconsistencies === 0,
      detail: `${tally.inconsistencies} answers differ from the fault-free one other than by fields an error nulled`,
    },
    {
      requirement: 'answers with errors not cacheable',
      pass: tally.cacheableErrors === 0,
      detail: `${tally.cacheableErrors} answers with errors carried a public max-age`,
    },
    {
      requirement: 'every request answered',
      pass: tally.transportFailures === 0,
      detail: `${tally.transportFailures} connection errors or client timeouts (${CLIENT_TIMEOUT_MS / 1000} s)`,
    },
  ];
}

function memoryChecks({ plan, load, recovery }: SoakResults): Check[] {
  const { rssMiddle, rssEnd } = load;
  const { rssAfter } = recovery;
  const growth = rssEnd && rssMiddle ? rssEnd.rssMiB / rssMiddle.rssMiB - 1 : Number.NaN;
  const middleNote =
    plan.cycles >= 2 && load.run.stoppedBy === 'duration'
      ? `the middle at the end of fault cycle ${plan.middlePhase / plan.cycleLength} of ${plan.cycles}, the end after cycle ${plan.cycles}`
      : 'the middle half-way through the load';
  const heapGrowth = rssEnd && rssMiddle ? rssEnd.heapUsedMiB / rssMiddle.heapUsedMiB - 1 : Number.NaN;
  return [
    {
      requirement: 'memory flat',
      pass: Number.isFinite(growth) && growth <= RSS_FLAT_TOLERANCE,
      detail: Number.isFinite(growth)
        ? `RSS at the end ${rssEnd!.rssMiB.toFixed(1)} MiB vs middle ${rssMiddle!.rssMiB.toFixed(1)} MiB: ${signedPercent(growth)} (rule: end ≤ middle + ${RSS_FLAT_TOLERANCE * 100} %, both read after a full GC, ${middleNote}; a fall passes)`
        : 'no reading (the subgraph is gone)',
    },
    {
      requirement: 'heap flat',
      pass: Number.isFinite(heapGrowth) && heapGrowth <= RSS_FLAT_TOLERANCE,
      detail: Number.isFinite(heapGrowth)
        ? `V8 heap used at the end ${rssEnd!.heapUsedMiB.toFixed(1)} MiB vs middle ${rssMiddle!.heapUsedMiB.toFixed(1)} MiB: ${signedPercent(heapGrowth)} (same rule, after a full GC; idle after recovery ${rssAfter ? `${rssAfter.heapUsedMiB.toFixed(1)} MiB` : 'n/a'})`
        : 'no reading (the subgraph is gone)',
    },
  ];
}

function recoveryCheck({ operations, recovery }: SoakResults): Check {
  const { outcome } = recovery;
  return {
    requirement: 'recovers once faults stop',
    pass: outcome.clean,
    detail: outcome.clean
      ? `every good request (${operations.filter((op) => op.cleanWithoutFaults).reduce((n, op) => n + op.requests.length, 0)}) answered as fault-free ${outcome.passes === 1 ? 'on the first pass' : `by pass ${outcome.passes} (passes 2 s apart)`}, the first ${((BREAKER_OPEN_MS + 500) / 1000).toFixed(1)} s after the faults were cleared`
      : outcome.passes === 0
        ? 'not run: the subgraph is gone'
        : `${outcome.problems.length} still failing after ${outcome.passes} passes: ${outcome.problems.slice(0, 2).join(' | ')}`,
  };
}

function shutdownCheck({ shutdown }: SoakResults): Check {
  // main.ts stops on SIGTERM by itself; harness/orphan-guard.ts, preloaded, would make it exit 0
  // 1.5 s later anyway, so an exit that took that long was the guard's, not a clean one.
  return {
    requirement: 'clean shutdown',
    pass: shutdown !== undefined && shutdown.code === 0 && shutdown.ms < ORPHAN_GUARD_BACKSTOP_MS,
    detail: shutdown
      ? `SIGTERM: exited with ${shutdown.signal ?? `code ${shutdown.code}`} after ${shutdown.ms.toFixed(0)} ms${
          shutdown.ms >= ORPHAN_GUARD_BACKSTOP_MS
            ? " (the orphan guard's backstop, not main.ts's own stop)"
            : ''
        }`
      : 'not stopped by the soak (it was gone)',
  };
}

function loadChecks({ options, plan, load }: SoakResults): Check[] {
  const { lag, run } = load;
  const ran = kindsOf(load.phaseLog.map((entry) => plan.phases[entry.index]!));
  const injectedKinds = new Set(Object.keys(load.upstream.faults));
  const missingKinds = [...ran].filter((kind) => !injectedKinds.has(kind));
  return [
    {
      // The finding this guards: one request of a few kilobytes held the event loop for 12 s.
      requirement: 'event loop responsive under attacks',
      pass: lag.during.length > 0 && Math.max(...lag.during) < MAX_PROBE_MS_UNDER_ATTACK,
      detail:
        lag.during.length === 0
          ? 'no liveness probe overlapped an attack request'
          : `/health/live while an attack was in flight: max ${fmt(Math.max(...lag.during))} ms (rule: < ${MAX_PROBE_MS_UNDER_ATTACK} ms) over ${lag.during.length} probes`,
    },
    {
      requirement: 'faults exercised',
      pass: missingKinds.length === 0,
      detail:
        missingKinds.length === 0
          ? `every scheduled kind was injected: ${[...ran].join(', ')}`
          : `never injected: ${missingKinds.join(', ')}`,
    },
    {
      requirement: 'bounded',
      pass:
        run.sent <= options.maxRequests && load.seconds <= options.durationSeconds + CLIENT_TIMEOUT_MS / 1000,
      detail: `${run.sent} requests sent (bound ${options.maxRequests}); load ${load.seconds.toFixed(1)} s (bound ${options.durationSeconds} s + ${CLIENT_TIMEOUT_MS / 1000} s for the last answers); loopback only`,
    },
  ];
}
