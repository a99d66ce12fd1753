import { parseGlobalId } from '../ids.js';

/**
 * Validates an id argument and returns it in canonical form (the global id). Throws
 * `InvalidIdError`, which the error formatter turns into `BAD_USER_INPUT`, before any upstream call.
 */
export function validId(value: unknown, argumentName: string): string {
  const { provider, externalId } = parseGlobalId(value, argumentName);
  return `${provider}:${externalId}`;
}

/** Loads every id, dropping the ones that do not exist, keeping order and dropping repeats. */
export async function loadPresent<T>(
  ids: readonly string[],
  load: (id: string) => Promise<T | null>,
): Promise<T[]> {
  const loaded = await Promise.all([...new Set(ids)].map(load));
  return loaded.filter((entity): entity is Awaited<T> => entity !== null) as T[];
}
