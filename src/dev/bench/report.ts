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
  /** B2's unloaded latency: at d = 20 on cold d = 20 rows, at d = 0 on warm rows. */
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
