/**
 * A bound on calls in flight: at most `concurrency` run at once, the rest wait in order. Leaner
 * than p-limit on the common path: a call that finds a free place runs at once, with no queue entry
 * and no extra promise, which matters on the send path, where every upstream request passes one
 * or two of these.
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
  return async <T>(run: () => Promise<T>): Promise<T> => {
    if (active < concurrency) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await run();
    } finally {
      release();
    }
  };
}
