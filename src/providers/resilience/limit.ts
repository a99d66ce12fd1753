/**
 * A bound on calls in flight: at most `concurrency` run at once, the rest wait in order. Leaner
 * than p-limit on the common path: a call that finds a free place runs at once, with no queue entry
 * and no promise of its own (the caller gets `run`'s), which matters on the send path, where every
 * upstream request passes one or two of these.
 */
export type Limit = <T>(run: () => Promise<T>) => Promise<T>;

export function createLimit(concurrency: number): Limit {
  if (!(concurrency >= 1)) throw new RangeError(`concurrency must be at least 1, not ${concurrency}`);
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    // The place passes straight to the next caller in line: `active` stays as it is.
    if (next) next();
    else active -= 1;
  };
  /** Runs `run` in a place already taken, and frees the place once its promise has settled. */
  const runHolding = <T>(run: () => Promise<T>): Promise<T> => {
    let running: Promise<T>;
    try {
      running = run();
    } catch (error) {
      release();
      return Promise.reject(error as Error);
    }
    // The caller gets `running` itself; this branch only frees the place, and settles either way.
    running.then(release, release);
    return running;
  };
  return <T>(run: () => Promise<T>): Promise<T> => {
    if (active < concurrency) {
      active += 1;
      return runHolding(run);
    }
    return new Promise<void>((resolve) => waiting.push(resolve)).then(() => runHolding(run));
  };
}
