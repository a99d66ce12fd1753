import { appendFileSync } from 'node:fs';
import { GCProfiler, type GCProfilerResult, type HeapSpaceStatistics } from 'node:v8';

/**
 * Loaded with `--import` into a process under measurement (`npm run bench:compare -- --gc`): each
 * SIGUSR2 ends the current span of V8's GC profiler, appends its summary to `GC_PROBE_FILE` (one
 * JSON line), and starts the next span. What a scavenge costs depends on what survives it (the
 * young objects still reachable, copied once and promoted the second time), so the summary says how
 * many scavenges ran, what they cost, and what each left in the young generation and promoted.
 */

export interface GcSpan {
  readonly scavenges: number;
  /** Milliseconds, all scavenges together. */
  readonly scavengeMs: number;
  /** Bytes left in the young generation after a scavenge, on average: what survived it there. */
  readonly survivedBytes: number;
  /** Bytes the old generation grew by in a scavenge, on average: what it promoted. */
  readonly promotedBytes: number;
  /** Mark-compact collections (full ones), and their milliseconds. */
  readonly fullCollections: number;
  readonly fullCollectionMs: number;
}

const used = (spaces: readonly HeapSpaceStatistics[], name: string) =>
  spaces.find((space) => space.spaceName === name)?.spaceUsedSize ?? 0;

export function summariseGc(result: GCProfilerResult): GcSpan {
  const scavenges = result.statistics.filter((gc) => gc.gcType === 'Scavenge');
  const full = result.statistics.filter((gc) => gc.gcType === 'MarkSweepCompact');
  const average = (of: (gc: (typeof scavenges)[number]) => number) =>
    scavenges.length === 0 ? 0 : scavenges.reduce((sum, gc) => sum + of(gc), 0) / scavenges.length;
  return {
    scavenges: scavenges.length,
    // The profiler gives each collection's cost in microseconds.
    scavengeMs: scavenges.reduce((sum, gc) => sum + gc.cost, 0) / 1000,
    survivedBytes: average((gc) => used(gc.afterGC.heapSpaceStatistics, 'new_space')),
    promotedBytes: average(
      (gc) =>
        used(gc.afterGC.heapSpaceStatistics, 'old_space') -
        used(gc.beforeGC.heapSpaceStatistics, 'old_space'),
    ),
    fullCollections: full.length,
    fullCollectionMs: full.reduce((sum, gc) => sum + gc.cost, 0) / 1000,
  };
}

const file = process.env['GC_PROBE_FILE'];
if (file) {
  let profiler: GCProfiler | undefined;
  process.on('SIGUSR2', () => {
    if (profiler) appendFileSync(file, `${JSON.stringify(summariseGc(profiler.stop()))}\n`);
    profiler = new GCProfiler();
    profiler.start();
  });
}
