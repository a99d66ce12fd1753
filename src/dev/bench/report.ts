import type { Bucket, ProfileSplit } from './profile.js';
import { BUCKETS } from './profile.js';
import type { Workload } from './workloads.js';

/** The bench's results: one row per workload and condition, and how they are printed. */

export type VerdictState = 'PASS' | 'FAIL' | 'VOID';

export interface Verdict {
  /** What was checked, e.g. `amplification = 1.00`. */
  readonly target: string;
  readonly state: VerdictState;
  readonly detail: string;
}

export interface Row {
  /** `W1-ispring` … `W3` cold; `W4·W1-ispring` … warm. */
  readonly label: string;
  readonly workload: string;
  readonly cache: 'cold' | 'warm';
  readonly delayMs: number;
  /** Declared minimum data requests (0 with warm caches). */
  readonly minimum: number;
  readonly counted: number | null;
  readonly countedByEndpoint: Record<string, number> | null;
  /** Token requests seen during the counted request (not data; excluded). */
  readonly tokenRequests: number | null;
  readonly amplification: number | null;
  /** Critical path F = rounds × d, ms (null where no latency is measured). */
  readonly fMs: number | null;
  readonly latency: {
    readonly p50: number;
    readonly p99: number;
    readonly min: number;
    readonly samples: number;
  } | null;
  readonly b1Latency: {
    readonly p50: number;
    readonly p99: number;
    readonly min: number;
    readonly samples: number;
  } | null;
  readonly opsPerSecond: number | null;
  readonly b1OpsPerSecond: number | null;
  readonly cpuMsPerOp: number | null;
  readonly b1CpuMsPerOp: number | null;
  /** Data requests the sandbox counted for one B2 operation (the same delay as the row's). */
  readonly b2Counted: number | null;
  readonly b2CountedByEndpoint: Record<string, number> | null;
  /** B2's unloaded latency: at d = 20 on cold d = 20 rows, at d = 0 on cold d = 0 and warm rows. */
  readonly b2Latency: {
    readonly p50: number;
    readonly p99: number;
    readonly min: number;
    readonly samples: number;
  } | null;
  readonly b2OpsPerSecond: number | null;
  readonly b2CpuMsPerOp: number | null;
  /** Failed (non-2xx or connection error) requests during the load runs of this row. */
  readonly failures: number;
  verdicts: Verdict[];
}

export interface MemoryResult {
  readonly subgraph: 'cold' | 'warm';
  readonly workloadMix: string;
  readonly runs: ReadonlyArray<{
    readonly rssMiB: number;
    readonly peakRssMiB: number;
    readonly opsPerSecond: number;
  }>;
  readonly growth: number;
  readonly verdict: Verdict;
}

export interface ProfileResult {
  readonly subgraph: 'cold' | 'warm';
  readonly workloadMix: string;
  readonly opsPerSecond: number;
  readonly split: ProfileSplit;
}

const fixed = (value: number | null | undefined, digits: number): string =>
  value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);

const cpu = (value: number | null): string =>
  value === null || Number.isNaN(value) ? '–' : value >= 10 ? value.toFixed(1) : value.toFixed(2);

const ratio = (mine: number | null, theirs: number | null): string =>
  mine === null || theirs === null ? '–' : fixed(mine / theirs, 2);

export function formatTable(rows: readonly Row[]): string {
  const header = [
    'workload',
    'cache',
    'd ms',
    'min req',
    'counted',
    'amp',
    'F ms',
    'F+3 ms',
    'p50 ms',
    'p99 ms',
    'min ms',
    'B1 p50',
    'B2 req',
    'B2 p50',
    'ops/s sub',
    'ops/s B1',
    'ops/s B2',
    'sub/B1',
    'sub/B2',
    'CPU ms/op sub',
    'CPU ms/op B1',
    'CPU ms/op B2',
    'verdicts',
  ];
  const cells = rows.map((row) => [
    row.label,
    row.cache,
    String(row.delayMs),
    String(row.minimum),
    row.counted === null ? '–' : String(row.counted),
    fixed(row.amplification, 2),
    fixed(row.fMs, 0),
    row.fMs === null || row.delayMs === 0 ? '–' : fixed(row.fMs + 3, 0),
    fixed(row.latency?.p50, 1),
    fixed(row.latency?.p99, 1),
    fixed(row.latency?.min, 1),
    fixed(row.b1Latency?.p50, 2),
    row.b2Counted === null ? '–' : String(row.b2Counted),
    fixed(row.b2Latency?.p50, 1),
    fixed(row.opsPerSecond, 0),
    fixed(row.b1OpsPerSecond, 0),
    fixed(row.b2OpsPerSecond, 0),
    ratio(row.opsPerSecond, row.b1OpsPerSecond),
    ratio(row.opsPerSecond, row.b2OpsPerSecond),
    cpu(row.cpuMsPerOp),
    cpu(row.b1CpuMsPerOp),
    cpu(row.b2CpuMsPerOp),
    row.verdicts
      .map((verdict) =>
        verdict.state === 'PASS'
          ? `${verdict.target} PASS`
          : `${verdict.target} ${verdict.state} (${verdict.detail})`,
      )
      .join('; ') || '(info)',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => (line[column] ?? '').length)),
  );
  const numeric = (column: number) => column >= 2 && column < header.length - 1;
  const line = (values: readonly string[]) =>
    values
      .map((value, column) =>
        column === values.length - 1
          ? value
          : numeric(column)
            ? value.padStart(widths[column]!)
            : value.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width, column) => '-'.repeat(column === widths.length - 1 ? 8 : width)).join('  ');
  return [line(header), rule, ...cells.map(line)].join('\n');
}

export function formatDeclared(workloads: readonly Workload[]): string {
  return [
    'Declared minimum upstream data requests per operation (cold caches), worked out from the organisation data before measuring:',
    ...workloads.map(
      (workload) =>
        `  ${workload.id.padEnd(11)} ${String(workload.minimum.total).padStart(4)} requests (iSpring ${workload.minimum.ispring}, Thrive ${workload.minimum.thrive}), ${workload.minimum.rounds} round${workload.minimum.rounds === 1 ? '' : 's'} on the critical path — ${workload.title}\n${' '.repeat(14)}${workload.minimum.derivation}`,
    ),
    '  W4 (W1–W3 again, warm caches): 0 requests, 0 rounds.',
  ].join('\n');
}

export function formatMemory(results: readonly MemoryResult[]): string {
  if (results.length === 0) return '';
  return [
    'Memory (RSS of the subgraph process after each of two consecutive saturating runs of the same mix; peak = VmHWM):',
    ...results.map(
      (result) =>
        `  ${result.subgraph} caches, ${result.workloadMix}: run 1 RSS ${result.runs[0]?.rssMiB.toFixed(1)} MiB (peak ${result.runs[0]?.peakRssMiB.toFixed(1)}), run 2 RSS ${result.runs[1]?.rssMiB.toFixed(1)} MiB (peak ${result.runs[1]?.peakRssMiB.toFixed(1)}); growth ${(result.growth * 100).toFixed(1)} % (target ≤ 10 %) ${result.verdict.state}`,
    ),
  ].join('\n');
}

export function formatProfiles(results: readonly ProfileResult[]): string {
  if (results.length === 0) return '';
  const lines = [
    'CPU profile of the subgraph process (--cpu-prof), self time by bucket, share of busy (non-idle) time:',
  ];
  for (const result of results) {
    const { split } = result;
    lines.push(
      `  ${result.subgraph} caches, saturating ${result.workloadMix} at ${result.opsPerSecond.toFixed(0)} ops/s; ${split.busyMs.toFixed(0)} ms busy of ${split.windowMs.toFixed(0)} ms sampled${split.windowed ? ' during the load run' : ' (whole process: the load window held no sample)'}:`,
    );
    for (const bucket of BUCKETS as readonly Bucket[]) {
      if (bucket === 'idle') continue;
      lines.push(
        `    ${bucket.padEnd(52)} ${(split.shares[bucket] * 100).toFixed(1).padStart(5)} %  ${split.bucketsMs[bucket].toFixed(0).padStart(6)} ms`,
      );
    }
    lines.push(
      `    top: ${split.top
        .slice(0, 6)
        .map((entry) => `${entry.label} ${entry.ms.toFixed(0)} ms`)
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}

/**
 * CPU per upstream data request on a cold d = 0 row: the CPU per operation beyond B1's (which makes
 * no request: parsing, mapping, loaders and the HTTP client are all in it) ÷ the data requests one
 * operation made; for the subgraph and for B2, each with its own count.
 */
export interface UpstreamCpu {
  readonly workload: string;
  readonly requests: number;
  readonly microsecondsPerRequest: number;
  readonly b2Requests: number;
  readonly b2MicrosecondsPerRequest: number;
}

export function upstreamCpu(rows: readonly Row[]): UpstreamCpu[] {
  const perRequest = (cpuMs: number | null, b1CpuMs: number | null, requests: number | null) =>
    cpuMs === null || b1CpuMs === null || !requests ? Number.NaN : ((cpuMs - b1CpuMs) * 1000) / requests;
  return rows
    .filter((row) => row.cache === 'cold' && row.delayMs === 0)
    .map((row) => ({
      workload: row.workload,
      requests: row.counted ?? 0,
      microsecondsPerRequest: perRequest(row.cpuMsPerOp, row.b1CpuMsPerOp, row.counted),
      b2Requests: row.b2Counted ?? 0,
      b2MicrosecondsPerRequest: perRequest(row.b2CpuMsPerOp, row.b1CpuMsPerOp, row.b2Counted),
    }));
}

export function formatUpstreamCost(costs: readonly UpstreamCpu[]): string {
  if (costs.length === 0) return '';
  return [
    "CPU per upstream data request, cold, d = 0: (CPU ms/op − B1's CPU ms/op) ÷ data requests of one operation (HTTP client, parsing, mapping, loaders):",
    ...costs.map(
      (cost) =>
        `  ${cost.workload.padEnd(11)} subgraph ${fixed(cost.microsecondsPerRequest, 0).padStart(5)} µs × ${String(cost.requests).padStart(3)} requests; B2 ${fixed(cost.b2MicrosecondsPerRequest, 0).padStart(5)} µs × ${String(cost.b2Requests).padStart(3)} requests`,
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The directory's workloads (directory-phases.ts)

/** One directory workload (D1–D4) at one organisation size, against B1 answering from plain arrays. */
export interface DirectoryRow {
  readonly workload: string;
  readonly title: string;
  /** `bench`: the bench organisation; `large`: the sandbox's large organisation. */
  readonly scale: 'bench' | 'large';
  readonly usersPerProvider: number;
  /** Upstream requests the sandbox counted for one operation (data requests; tokens apart). */
  readonly counted: number;
  readonly countedByEndpoint: Record<string, number>;
  readonly tokenRequests: number;
  /** Every request the sandbox counted over the subgraph's load runs of this row, tokens included. */
  readonly requestsDuringRuns: number;
  /** Operations the subgraph answered in those runs. */
  readonly operationsDuringRuns: number;
  /** How the answer was compared with B1's, and the first difference when there was one. */
  readonly answerCheck: string;
  readonly answerDifference: string | null;
  readonly latency: {
    readonly p50: number;
    readonly p99: number;
    readonly min: number;
    readonly samples: number;
  };
  readonly b1Latency: {
    readonly p50: number;
    readonly p99: number;
    readonly min: number;
    readonly samples: number;
  };
  readonly opsPerSecond: number;
  readonly b1OpsPerSecond: number;
  readonly cpuMsPerOp: number;
  readonly b1CpuMsPerOp: number;
  /** How the saturating runs were sized (`6 s`, or a number of operations), subgraph and B1. */
  readonly sizing: { readonly subgraph: string; readonly b1: string };
  readonly failures: number;
  readonly verdicts: Verdict[];
}

/** A subgraph's first full syncs of both providers, seen through /health/ready and /metrics. */
export interface FirstSyncResult {
  /** From the subgraph's process start (fork) to the later `lastFullSyncAt` of the two providers. */
  readonly seconds: number;
  /** Each provider: its users, `lastFullSyncAt` after the start, and the sync's own duration (metric). */
  readonly providers: Record<
    string,
    { readonly users: number; readonly appliedAfterSeconds: number; readonly syncSeconds: number | null }
  >;
  readonly rssMiB: number;
  readonly peakRssMiB: number;
  /** `nodejs_heap_size_used_bytes` of the subgraph, MiB. */
  readonly heapUsedMiB: number | null;
  /** `nodejs_heap_size_total_bytes`: the heap V8 has committed, MiB. */
  readonly heapTotalMiB: number | null;
  /** Garbage collections from the start. */
  readonly gc: GcCounts;
  /** Then, after a full garbage collection (scale phase only). */
  readonly afterGc: AfterGc | null;
  /** The slowest answer of /health/live while the syncs ran (asked every 250 ms or so), ms. */
  readonly slowestProbeMs: number;
}

/** Garbage collections (prom-client's `nodejs_gc_duration_seconds`): full ones, and the seconds of every kind. */
export interface GcCounts {
  readonly full: number;
  readonly seconds: number;
}

/** RSS and heap used right after a full collection (`--expose-gc`, harness/process-monitor.ts), MiB. */
export interface AfterGc {
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
}

/** One more full sync of both providers (the subgraph started with a short DIRECTORY_FULL_SYNC_SECONDS). */
export interface ResyncResult {
  readonly rssMiB: number;
  readonly peakRssMiB: number;
  readonly heapUsedMiB: number | null;
  readonly heapTotalMiB: number | null;
  /**
   * Garbage collections since the previous reading (the bench's own full collection after that
   * reading, `afterGc`, among them when the subgraph is monitored).
   */
  readonly gc: GcCounts;
  readonly afterGc: AfterGc | null;
  /** Each provider's duration of this sync (metric), seconds. */
  readonly syncSeconds: Record<string, number | null>;
}

export interface ScaleResult {
  readonly usersPerProvider: number;
  /** The subgraph's heap: the default (no --max-old-space-size), and its limit on this machine, MiB. */
  readonly heap: { readonly flag: string | null; readonly limitMiB: number };
  /** The subgraph started with a short full-sync period: first sync, then three more. */
  readonly fullSyncSeconds: number;
  readonly firstSync: FirstSyncResult;
  readonly resyncs: readonly ResyncResult[];
  /** RSS after the last of them ÷ RSS after the first sync − 1 (the verdict's). */
  readonly growth: number;
  /** RSS after the last of them ÷ RSS after the first of them − 1. */
  readonly growthBetweenResyncs: number;
  /** The subgraph the workloads ran on (long periods): its own first sync, and RSS after the rows. */
  readonly workloadSubgraph: { readonly firstSync: FirstSyncResult; readonly rssAfterRowsMiB: number };
  readonly verdicts: Verdict[];
}

const verdictText = (verdicts: readonly Verdict[]) =>
  verdicts
    .map((verdict) =>
      verdict.state === 'PASS'
        ? `${verdict.target} PASS`
        : `${verdict.target} ${verdict.state} (${verdict.detail})`,
    )
    .join('; ') || '(info)';

export function formatDirectoryTable(rows: readonly DirectoryRow[]): string {
  if (rows.length === 0) return '';
  const header = [
    'workload',
    'users/provider',
    'counted',
    'req in runs',
    'p50 ms',
    'p99 ms',
    'B1 p50',
    'B1 p99',
    'B1 n',
    'p50−B1',
    'ops/s sub',
    'ops/s B1',
    'sub/B1',
    'CPU ms/op sub',
    'CPU ms/op B1',
    'verdicts',
  ];
  const cells = rows.map((row) => [
    row.workload,
    String(row.usersPerProvider),
    String(row.counted + row.tokenRequests),
    `${row.requestsDuringRuns}/${row.operationsDuringRuns}`,
    fixed(row.latency.p50, 2),
    fixed(row.latency.p99, 2),
    fixed(row.b1Latency.p50, 2),
    fixed(row.b1Latency.p99, 2),
    String(row.b1Latency.samples),
    `${row.latency.p50 - row.b1Latency.p50 < 0 ? '−' : '+'}${fixed(Math.abs(row.latency.p50 - row.b1Latency.p50), 2)}`,
    fixed(row.opsPerSecond, 0),
    fixed(row.b1OpsPerSecond, row.b1OpsPerSecond < 10 ? 1 : 0),
    ratio(row.opsPerSecond, row.b1OpsPerSecond),
    cpu(row.cpuMsPerOp),
    cpu(row.b1CpuMsPerOp),
    verdictText(row.verdicts),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => (line[column] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, column) =>
        column === values.length - 1
          ? value
          : column >= 1
            ? value.padStart(widths[column]!)
            : value.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width, column) => '-'.repeat(column === widths.length - 1 ? 8 : width)).join('  ');
  return [
    'Directory workloads (DIRECTORY=index, warm TTLs, after the first full syncs; d = 0; B1 answers them by scanning plain arrays):',
    line(header),
    rule,
    ...cells.map(line),
  ].join('\n');
}

const mib = (value: number | null) => (value === null ? '–' : `${value.toFixed(0)} MiB`);

function syncLine(result: FirstSyncResult): string {
  const providers = Object.entries(result.providers)
    .map(
      ([provider, facts]) =>
        `${provider} ${facts.users} users, applied ${facts.appliedAfterSeconds.toFixed(1)} s after the start (its sync ${facts.syncSeconds === null ? '–' : `${facts.syncSeconds.toFixed(1)} s`})`,
    )
    .join('; ');
  return `${result.seconds.toFixed(1)} s after the process started (${providers}); the slowest /health/live meanwhile ${result.slowestProbeMs.toFixed(0)} ms; then RSS ${mib(result.rssMiB)} (peak ${mib(result.peakRssMiB)}), ${heapText(result)} since the start${afterGcText(result.afterGc)}`;
}

const heapText = (reading: Pick<ResyncResult, 'heapUsedMiB' | 'heapTotalMiB' | 'gc'>) =>
  `heap used ${mib(reading.heapUsedMiB)} of ${mib(reading.heapTotalMiB)} committed, ${reading.gc.full} full collections (${reading.gc.seconds.toFixed(1)} s in GC of every kind)`;

const afterGcText = (afterGc: AfterGc | null) =>
  afterGc ? `; after a full GC: RSS ${mib(afterGc.rssMiB)}, heap used ${mib(afterGc.heapUsedMiB)}` : '';

export function formatScale(result: ScaleResult | null, benchFirstSync: FirstSyncResult | null): string {
  const lines = ['Directory index, first full syncs and memory:'];
  if (benchFirstSync)
    lines.push(`  bench organisation: first full syncs of both providers ${syncLine(benchFirstSync)}`);
  if (!result) {
    lines.push('  scale phase skipped (--scale-users 0)');
    return lines.join('\n');
  }
  const heap =
    result.heap.flag === null
      ? `the default heap (no --max-old-space-size; ${result.heap.limitMiB.toFixed(0)} MiB on this machine)`
      : `${result.heap.flag} (heap limit ${result.heap.limitMiB.toFixed(0)} MiB)`;
  lines.push(
    `  ${result.usersPerProvider} users per provider (${result.usersPerProvider * 2} in all), subgraph with ${heap}:`,
    `    first full syncs of both: ${syncLine(result.firstSync)}`,
    ...result.resyncs.map(
      (resync, index) =>
        `    full sync ${index + 2} of both (DIRECTORY_FULL_SYNC_SECONDS=${result.fullSyncSeconds}): RSS ${mib(resync.rssMiB)} (peak ${mib(resync.peakRssMiB)}), ${heapText(resync)} since the previous reading${afterGcText(resync.afterGc)}; syncs took ${Object.entries(
          resync.syncSeconds,
        )
          .map(([provider, seconds]) => `${provider} ${seconds === null ? '–' : `${seconds.toFixed(1)} s`}`)
          .join(', ')}`,
    ),
    `    RSS growth over the three: ${(result.growth * 100).toFixed(1)} % from after the first sync; ${(result.growthBetweenResyncs * 100).toFixed(1)} % from after the first of them to after the last`,
    `    the subgraph the workloads ran on (long periods): first full syncs ${syncLine(result.workloadSubgraph.firstSync)}; RSS after its rows ${mib(result.workloadSubgraph.rssAfterRowsMiB)}`,
    `    verdicts: ${verdictText(result.verdicts)}`,
  );
  return lines.join('\n');
}
