import type { RequestContext } from '../context.js';
import { parseGlobalId } from '../ids.js';
import type { UserModel } from '../models.js';

/**
 * Validates an id argument and returns it in canonical form (the global id). Throws
 * `InvalidIdError`, which the error formatter turns into `BAD_USER_INPUT`, before any upstream call.
 */
export function validId(value: unknown, argumentName: string): string {
  const { provider, externalId } = parseGlobalId(value, argumentName);
  return `${provider}:${externalId}`;
}

/**
 * As `loadPresent`, from what is at hand: the entities when every id is (`Loaders.peek…`), else
 * undefined (and the caller loads them).
 */
export function peekPresent<T>(
  ids: readonly string[],
  peek: (id: string) => T | null | undefined,
): T[] | undefined {
  const found: T[] = [];
  const seen = ids.length > 1 ? new Set<string>() : undefined;
  for (const id of ids) {
    if (seen) {
      if (seen.has(id)) continue;
      seen.add(id);
    }
    const entity = peek(id);
    if (entity === undefined) return undefined;
    if (entity !== null) found.push(entity);
  }
  return found;
}

/** A user by a valid global id: at once when it is at hand (`Loaders.peekUser`), else loaded. */
export function userById(
  loaders: RequestContext['loaders'],
  id: string,
): UserModel | null | Promise<UserModel | null> {
  const atHand = loaders.peekUser(id);
  return atHand !== undefined ? atHand : loaders.user(id);
}

/**
 * As `userById`, for an id that is one item of several (a list argument's, a representation's): a
 * malformed one is a rejected promise, that item's error alone. Thrown, it would fail them all
 * (graphql-js and @apollo/subgraph call the resolver for every item before any settles).
 */
export function userByIdItem(
  loaders: RequestContext['loaders'],
  value: unknown,
  argumentName: string,
): UserModel | null | Promise<UserModel | null> {
  let id: string;
  try {
    id = validId(value, argumentName);
  } catch (error) {
    return Promise.reject(error);
  }
  return userById(loaders, id);
}

/** Loads every id, dropping the ones that do not exist, keeping order and dropping repeats. */
export async function loadPresent<T>(
  ids: readonly string[],
  load: (id: string) => Promise<T | null>,
): Promise<T[]> {
  const loaded = await Promise.all([...new Set(ids)].map(load));
  return loaded.filter((entity): entity is Awaited<T> => entity !== null) as T[];
}
