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
