import type { CheckResult } from './check.js';
import type { ClientResult } from './clients.js';

/**
 * Everything the soak counts about the answers it got: by operation, HTTP status, error code and
 * fault phase, latencies, and the first few of each kind of problem (for the report and the JSON).
 */

const SAMPLES = 12;

export interface ProblemSample {
  readonly operation: string;
  readonly status: number;
  readonly phase: string;
  readonly problems: readonly string[];
  readonly body: string;
}

interface OperationCounts {
  answered: number;
  /** Sent, but no complete answer came back. */
  unanswered: number;
  ok: number;
  partial: number;
  refused: number;
  malformed: number;
  latencies: number[];
}

interface PhaseCounts {
  answered: number;
  ok: number;
  partial: number;
  refused: number;
  malformed: number;
  codes: Record<string, number>;
}

export class Tally {
  answered = 0;
  malformed = 0;
  transportFailures = 0;
  leaks = 0;
  inconsistencies = 0;
  cacheableErrors = 0;
  readonly byStatus: Record<string, number> = {};
  /** `extensions.code` → count; `code provider` → count. */
  readonly codes: Record<string, number> = {};
  readonly codesByProvider: Record<string, number> = {};
  readonly leakNames: Record<string, number> = {};
  /** Error messages, shaped (`messageShape`) → count. */
  readonly messages: Record<string, number> = {};
  /** `UPSTREAM_UNAVAILABLE` errors of requests the open circuit did not send. */
  breakerFastFails = 0;
  readonly byOperation = new Map<string, OperationCounts>();
  readonly byPhase = new Map<number, PhaseCounts>();
  readonly latencies: number[] = [];
  readonly goodLatencies: number[] = [];
  readonly samples = {
    malformed: [] as ProblemSample[],
    transport: [] as ProblemSample[],
    inconsistent: [] as ProblemSample[],
  };

  record(
    result: ClientResult,
    check: CheckResult | undefined,
    phase: { index: number; label: string },
  ): void {
    const name = result.operation.name;
    let counts = this.byOperation.get(name);
    if (!counts) {
      counts = { answered: 0, unanswered: 0, ok: 0, partial: 0, refused: 0, malformed: 0, latencies: [] };
      this.byOperation.set(name, counts);
    }
    let phaseCounts = this.byPhase.get(phase.index);
    if (!phaseCounts) {
      phaseCounts = { answered: 0, ok: 0, partial: 0, refused: 0, malformed: 0, codes: {} };
      this.byPhase.set(phase.index, phaseCounts);
    }
    if (result.transportError !== undefined || !check) {
      this.transportFailures += 1;
      this.malformed += 1;
      counts.unanswered += 1;
      counts.malformed += 1;
      phaseCounts.malformed += 1;
      push(this.samples.transport, {
        operation: name,
        status: result.status,
        phase: phase.label,
        problems: [result.transportError ?? 'no answer'],
        body: '',
      });
      return;
    }
    this.answered += 1;
    counts.answered += 1;
    phaseCounts.answered += 1;
    counts.latencies.push(result.ms);
    this.latencies.push(result.ms);
    if (result.operation.family === 'good') this.goodLatencies.push(result.ms);
    bump(this.byStatus, String(result.status));
    for (const error of check.errors) {
      bump(this.codes, error.code);
      bump(this.messages, `${error.code}: ${error.message}`);
      if (error.breaker) this.breakerFastFails += 1;
      bump(phaseCounts.codes, error.breaker ? `${error.code}(circuit open)` : error.code);
      if (error.provider) bump(this.codesByProvider, `${error.code} ${error.provider}`);
    }
    if (check.outcome === 'ok') {
      counts.ok += 1;
      phaseCounts.ok += 1;
    } else if (check.outcome === 'partial') {
      counts.partial += 1;
      phaseCounts.partial += 1;
    } else {
      counts.refused += 1;
      phaseCounts.refused += 1;
    }
    if (check.problems.length === 0) return;
    this.malformed += 1;
    counts.malformed += 1;
    phaseCounts.malformed += 1;
    if (check.leaks.length > 0) this.leaks += 1;
    for (const leak of check.leaks) bump(this.leakNames, leak);
    if (check.cacheable !== undefined) this.cacheableErrors += 1;
    const sample: ProblemSample = {
      operation: name,
      status: result.status,
      phase: phase.label,
      problems: check.problems,
      body: result.body.slice(0, 1500),
    };
    if (check.inconsistency !== undefined) {
      this.inconsistencies += 1;
      push(this.samples.inconsistent, sample);
    }
    push(this.samples.malformed, sample);
  }

  operations(): Array<{ name: string } & Omit<OperationCounts, 'latencies'> & { p50: number; p99: number }> {
    return [...this.byOperation].map(([name, { latencies, ...counts }]) => {
      const sorted = [...latencies].sort((a, b) => a - b);
      return { name, ...counts, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    });
  }
}

function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

function push<T>(list: T[], item: T): void {
  if (list.length < SAMPLES) list.push(item);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function latencySummary(values: readonly number[]): {
  p50: number;
  p90: number;
  p99: number;
  max: number;
} {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function addInto(
  target: Record<string, number>,
  source: Readonly<Record<string, number>>,
  prefix = '',
): void {
  for (const [key, value] of Object.entries(source)) bump(target, `${prefix}${key}`, value);
}
