import type { Operation } from './operations.js';

/**
 * What the warm-up and the recovery passes share: each sends a list of requests of the soak's
 * operations, a few at a time, and compares the parsed answers with the fault-free ones.
 */

/** One request: `operation.requests[index]`. */
export interface Job {
  readonly operation: Operation;
  readonly index: number;
}

/** The fault-free answer (parsed) to each request of each operation, from the warm-up. */
export type References = ReadonlyMap<Operation, readonly unknown[]>;

export const jobsOf = (operations: readonly Operation[]): Job[] =>
  operations.flatMap((operation) => operation.requests.map((_, index) => ({ operation, index })));

export async function inParallel<T>(
  items: readonly T[],
  width: number,
  each: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await each(items[next++]!);
    }),
  );
}

/** The body as JSON, or the text itself when it is not JSON (so that two answers still compare). */
export function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
