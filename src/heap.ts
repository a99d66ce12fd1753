import v8 from 'node:v8';

/**
 * How the process keeps its heap near what it holds (README, "Memory").
 *
 * With the directory index, most of the heap is the index: long-lived, some hundreds of MiB. After
 * a full collection V8 lets the heap grow by a factor it picks from how fast the program allocates,
 * up to four times what was kept when the heap limit is large (it is a quarter of the machine's
 * memory by default): a full sync allocates fast, and at 200,000 users the RSS reached 1.3 GiB after
 * the first sync and 1.8 GiB during the next, for an index of some 300 MiB. V8's
 * `--heap-growing-percent` fixes the factor instead; it is read at every collection, so the process
 * can set it for itself at start (`v8.setFlagsFromString`), whatever flags it was started with.
 * Collections come more often, each as short as before (its cost follows what is kept, not what
 * was freed); the bench measures both (`npm run bench`, the scale phase).
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * The growth `HEAP_GROWTH_PERCENT=auto` stands for with the directory index. Without the index the
 * heap stays small (some 100 MiB), where V8's own factor costs little memory and a fixed 30 % would
 * only make collections more frequent: some 5 % more CPU an operation on cold caches (`npm run bench`,
 * W1 against B2).
 */
export const INDEX_HEAP_GROWTH_PERCENT = 30;

/** What `HEAP_GROWTH_PERCENT` (`setting`) comes to under `DIRECTORY` (`directory`). */
export function heapGrowthPercentFor(setting: number | 'auto', directory: 'index' | 'live'): number {
  if (setting !== 'auto') return setting;
  return directory === 'index' ? INDEX_HEAP_GROWTH_PERCENT : 0;
}

/**
 * Turns V8's allocation-site pretenuring off unless `HEAP_PRETENURING` asks for it (README,
 * "Memory"). V8 watches where objects are allocated, and where most of those that a young-generation
 * collection finds have survived it, it allocates the rest of that site's objects straight in the
 * old generation. An operation of a hundred users keeps its requests, options and parsed answers
 * long enough for that; the same sites then serve every small operation that follows, whose
 * objects die young: they go to the old generation anyway, and each keeps the young objects it
 * points to alive through every young collection until the next full one. Cold W1-iSpring after
 * the bench's mix of workloads, with pretenuring and without (`npm run bench:compare -- --warm-mix
 * --gc`, 7 runs a side): 65 and 11 KiB promoted an operation, 143 and 65 µs of young collections an
 * operation, 0.78 and 0.91 × B2's throughput, the second measured with the flag set by the process
 * itself at start, as `limitHeapGrowth` sets its own: set that way, it takes effect.
 */
export function allowPretenuring(allowed: boolean): void {
  if (!allowed) v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
