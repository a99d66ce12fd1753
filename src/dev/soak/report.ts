import os from 'node:os';
import { answeredTotal, crashLinesOf, failedCount, type Check, type SoakResults } from './checks.js';
import { fmt } from './format.js';
import {
  CLIENT_TIMEOUT_MS,
  PROBE_INTERVAL_MS,
  RSS_FLAT_TOLERANCE,
  SANDBOX_DELAY_MS,
  SOAK_ENV,
} from './settings.js';
import { latencySummary } from './tally.js';
import { sum, TOKEN_ENDPOINTS } from './upstream.js';

/**
 * The soak's report: text for stdout (what ran, what came back, how fast, memory, faults and
 * upstream requests, each phase, the first problems, the checks, the verdict) and the same as JSON.
 */

const mib = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(1)} MiB`);

/** `key × n` entries, most frequent first; `none` for an empty record. */
const list = (record: Readonly<Record<string, number>>, separator = ', ') =>
  Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${key} × ${n}`)
    .join(separator) || 'none';

/** Latency and event-loop lag summaries, as the text and the JSON both give them. */
function summariesOf({ load }: SoakResults) {
  return {
    all: latencySummary(load.tally.latencies),
    good: latencySummary(load.tally.goodLatencies),
    lagDuring: latencySummary(load.lag.during.filter(Number.isFinite)),
    lagOtherwise: latencySummary(load.lag.otherwise.filter(Number.isFinite)),
  };
}

/** The report's text; `wallSeconds` is the whole run's time so far. */
export function reportText(results: SoakResults, checks: readonly Check[], wallSeconds: number): string {
  const failed = failedCount(checks);
  const lines: string[] = [
    ...headerLines(results),
    '',
    ...answerLines(results),
    ...timingLines(results),
    ...upstreamLines(results),
    '',
    ...phaseLines(results),
    ...problemLines(results),
    '',
    'Checks:',
    ...checks.map(
      (check) => `  ${check.pass ? 'PASS' : 'FAIL'}  ${check.requirement.padEnd(44)} ${check.detail}`,
    ),
    '',
    `Verdict: ${failed === 0 ? 'PASS' : 'FAIL'} (${checks.length - failed} PASS, ${failed} FAIL). Wall time ${wallSeconds.toFixed(1)} s. JSON: ${results.options.out}`,
  ];
  return `${lines.join('\n')}\n`;
}

function headerLines({ options, processes }: SoakResults): string[] {
  return [
    `Soak: ${options.durationSeconds} s${options.quick ? ' (--quick)' : ''}, ${options.connections} connections, at most ${options.maxRequests} requests, on loopback; Node ${process.version}, ${os.cpus().length} CPUs`,
    `Subgraph: dist/main.js pid ${processes.pid}, NODE_ENV=production, ${Object.entries(SOAK_ENV)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')}; sandbox delay ${SANDBOX_DELAY_MS} ms`,
  ];
}

/** What the operations got: counts by operation, status, error code and message. */
function answerLines({ load }: SoakResults): string[] {
  const { tally, run } = load;
  const lines = [
    `Operations run: ${answeredTotal(load)} (${tally.answered} answered, ${tally.transportFailures} without an answer) in ${load.seconds.toFixed(1)} s = ${(answeredTotal(load) / load.seconds).toFixed(1)} ops/s; stopped by ${run.stoppedBy}`,
    '  operation                    sent    ok  partial  refused  malformed  p50 ms  p99 ms',
  ];
  for (const op of tally.operations()) {
    lines.push(
      `  ${op.name.padEnd(26)} ${String(op.answered + op.unanswered).padStart(6)} ${String(op.ok).padStart(5)} ${String(op.partial).padStart(8)} ${String(op.refused).padStart(8)} ${String(op.malformed).padStart(10)} ${fmt(op.p50).padStart(7)} ${fmt(op.p99).padStart(7)}`,
    );
  }
  lines.push(`Responses by HTTP status: ${list(tally.byStatus)}`);
  lines.push(`Error codes seen (errors in answers): ${list(tally.codes)}`);
  lines.push(
    `  by provider: ${list(tally.codesByProvider)}; UPSTREAM_UNAVAILABLE from an open circuit (not sent): ${tally.breakerFastFails}`,
  );
  lines.push('  error messages (ids, numbers and times replaced), most frequent first:');
  for (const [shape, n] of Object.entries(tally.messages)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 25))
    lines.push(`    ${String(n).padStart(6)}  ${shape}`);
  return lines;
}

/** Latency, event-loop lag and memory. */
function timingLines(results: SoakResults): string[] {
  const { warmUp, load, recovery } = results;
  const { all, good, lagDuring, lagOtherwise } = summariesOf(results);
  const { lag, rssMiddle, rssEnd } = load;
  const { rssBefore } = warmUp;
  const { rssAfter } = recovery;
  return [
    `Latency (ms), every answer: p50 ${fmt(all.p50)}, p90 ${fmt(all.p90)}, p99 ${fmt(all.p99)}, max ${fmt(all.max)}; good operations only: p50 ${fmt(good.p50)}, p99 ${fmt(good.p99)}, max ${fmt(good.max)}`,
    `Event-loop lag, as a liveness probe sees it (GET /health/live on its own connection every ${PROBE_INTERVAL_MS} ms, ms): while an attack request was in flight p50 ${fmt(lagDuring.p50)}, p99 ${fmt(lagDuring.p99)}, max ${fmt(lagDuring.max)} (${lag.during.length} probes, ${load.attackWindows.length} attack requests); otherwise p50 ${fmt(lagOtherwise.p50)}, p99 ${fmt(lagOtherwise.p99)}, max ${fmt(lagOtherwise.max)} (${lag.otherwise.length} probes)`,
    `Subgraph memory, each read after a full GC (RSS / V8 heap used): before ${mib(rssBefore.rssMiB)} / ${mib(rssBefore.heapUsedMiB)} (after warm-up), middle ${mib(rssMiddle?.rssMiB)} / ${mib(rssMiddle?.heapUsedMiB)} (at ${rssMiddle ? rssMiddle.atSeconds.toFixed(0) : '-'} s), end ${mib(rssEnd?.rssMiB)} / ${mib(rssEnd?.heapUsedMiB)} (at ${load.seconds.toFixed(0)} s, as the load ended), after ${mib(rssAfter?.rssMiB)} / ${mib(rssAfter?.heapUsedMiB)} (idle, after recovery); peak RSS ${mib(rssAfter?.peakRssMiB ?? rssEnd?.peakRssMiB)}`,
    `  RSS every second, as it comes (MiB): ${load.rssSeries.map((sample) => sample.rssMiB.toFixed(0)).join(' ')}`,
  ];
}

/** Faults injected, upstream requests, and the subgraph's own log. */
function upstreamLines({ processes, warmUp, load, recovery }: SoakResults): string[] {
  const { upstream } = load;
  const { subgraph } = processes;
  return [
    `Faults injected (upstream requests answered with a fault), by kind: ${list(upstream.faults)}`,
    `  by endpoint: ${list(upstream.faultsByEndpoint)}`,
    `Upstream requests during the load (sandbox counts), ${sum(upstream.counts)} in all: ${list(upstream.counts)}`,
    `  by status sent (0 = connection reset): ${list(upstream.statuses)}`,
    `  warm-up: ${sum(warmUp.upstream.counts)}; recovery: ${sum(recovery.upstream.counts)} (${list(recovery.upstream.counts)})`,
    `Subgraph log lines by pino level (30 info, 40 warn, 50 error, 60 fatal): ${list(subgraph.logLevels)}${
      Object.keys(subgraph.errorLogMessages).length > 0
        ? `; error messages: ${list(subgraph.errorLogMessages)}`
        : ''
    }`,
  ];
}

/** Each fault phase: the upstream requests in it and the answers to the requests sent in it. */
function phaseLines({ plan, load }: SoakResults): string[] {
  const lines = [
    `Fault phases (${plan.phaseSeconds} s each): the upstream requests the sandboxes counted in each, and the answers to the requests sent in it (ok / partial / refused / malformed) with their error codes`,
  ];
  for (const entry of load.phaseLog) {
    const counts = load.tally.byPhase.get(entry.index);
    const requests = sum(entry.upstream.counts);
    const tokens = Object.entries(entry.upstream.counts)
      .filter(([endpoint]) => TOKEN_ENDPOINTS.has(endpoint))
      .reduce((n, [, count]) => n + count, 0);
    lines.push(`  ${String(entry.index + 1).padStart(2)} ${entry.label}`);
    lines.push(
      `       upstream ${requests} requests (${tokens} for tokens), ${sum(entry.upstream.faults)} faulted; answers ${
        counts
          ? `${counts.ok}/${counts.partial}/${counts.refused}/${counts.malformed}: ${list(counts.codes, ' ')}`
          : 'none: no request was sent in this phase, every connection was still waiting on an earlier one'
      }`,
    );
  }
  return lines;
}

/** The first problems, the monitor's stderr lines, and the recovery passes that were not clean; each only when there is any. */
function problemLines({ processes, warmUp, load, recovery }: SoakResults): string[] {
  const { tally } = load;
  const { subgraph } = processes;
  const crashLines = crashLinesOf(subgraph);
  const lines: string[] = [];
  const problems = [
    ...warmUp.problems.slice(0, 5).map((problem) => `warm-up: ${problem}`),
    ...tally.samples.transport
      .slice(0, 5)
      .map((s) => `${s.operation} in phase ${s.phase}: ${s.problems.join('; ')}`),
    ...tally.samples.malformed
      .slice(0, 8)
      .map(
        (s) =>
          `${s.operation}, HTTP ${s.status}, in phase ${s.phase}: ${s.problems.join('; ')}\n      body: ${s.body.slice(0, 400)}`,
      ),
  ];
  if (problems.length > 0) {
    lines.push('');
    lines.push('First problems:');
    for (const line of problems) lines.push(`  - ${line}`);
  }
  if (subgraph.monitorLines.length > 0 || crashLines.length > 0) {
    lines.push('');
    lines.push('Subgraph stderr (monitor):');
    for (const line of [...subgraph.monitorLines, ...crashLines].slice(0, 20)) lines.push(`  | ${line}`);
  }
  const { failuresByPass } = recovery.outcome;
  if (failuresByPass.some((failures) => Object.keys(failures).length > 0)) {
    lines.push('');
    lines.push('Recovery passes after the faults were cleared (answers not the fault-free one, by error):');
    failuresByPass.forEach((failures, i) => lines.push(`  pass ${i + 1}: ${list(failures, '; ')}`));
  }
  return lines;
}

/** The report as JSON (`--out`): the same figures, and the raw samples the text leaves out. */
export function reportJson(results: SoakResults, checks: readonly Check[], generatedAt: Date) {
  const { options, plan, processes, warmUp, load, recovery, shutdown } = results;
  const { tally, run, rssMiddle, rssEnd } = load;
  const { rssAfter } = recovery;
  const { subgraph } = processes;
  const { all, good, lagDuring, lagOtherwise } = summariesOf(results);
  const failed = failedCount(checks);
  return {
    generatedAt: generatedAt.toISOString(),
    verdict: failed === 0 ? 'PASS' : 'FAIL',
    settings: {
      quick: options.quick,
      durationSeconds: options.durationSeconds,
      connections: options.connections,
      maxRequests: options.maxRequests,
      clientTimeoutMs: CLIENT_TIMEOUT_MS,
      sandboxDelayMs: SANDBOX_DELAY_MS,
      phaseSeconds: plan.phaseSeconds,
      subgraphEnv: SOAK_ENV,
      rssFlatTolerance: RSS_FLAT_TOLERANCE,
    },
    machine: { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length },
    operations: {
      sent: run.sent,
      answered: tally.answered,
      withoutAnswer: tally.transportFailures,
      seconds: load.seconds,
      opsPerSecond: answeredTotal(load) / load.seconds,
      stoppedBy: run.stoppedBy,
      byOperation: tally.operations(),
      byStatus: tally.byStatus,
      errorCodes: tally.codes,
      errorCodesByProvider: tally.codesByProvider,
      breakerFastFails: tally.breakerFastFails,
      errorMessages: tally.messages,
      latencyMs: { all, good },
    },
    eventLoopLagMs: {
      probeIntervalMs: PROBE_INTERVAL_MS,
      attackRequests: load.attackWindows.length,
      duringAttacks: lagDuring,
      otherwise: lagOtherwise,
    },
    rss: {
      readingsAfterFullGc: {
        before: warmUp.rssBefore,
        middle: rssMiddle ?? null,
        end: rssEnd ?? null,
        after: rssAfter ?? null,
      },
      peakMiB: rssAfter?.peakRssMiB ?? rssEnd?.peakRssMiB ?? null,
      series: load.rssSeries,
    },
    faults: { byKind: load.upstream.faults, byEndpoint: load.upstream.faultsByEndpoint },
    phases: load.phaseLog.map((entry) => ({ ...entry, answers: tally.byPhase.get(entry.index) ?? null })),
    upstream: {
      load: load.upstream,
      warmup: warmUp.upstream,
      recovery: recovery.upstream,
    },
    subgraph: {
      pid: processes.pid,
      crash: subgraph.crash ?? null,
      shutdown: shutdown ?? null,
      logLevels: subgraph.logLevels,
      errorLogMessages: subgraph.errorLogMessages,
      stderr: subgraph.stderrLines,
    },
    recovery: recovery.outcome,
    problems: { warmup: warmUp.problems, ...tally.samples },
    checks,
  };
}
