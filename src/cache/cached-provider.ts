import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { ProviderError } from '../errors.js';
import type { DepartmentModel, GroupModel, ProviderName, UserModel } from '../models.js';
import type { DirectoryProvider, ProviderSession } from '../providers/types.js';
import { cacheView, type CacheLookupObserver, type CacheStore, type ImmediateReads } from './store.js';

/** Seconds each kind is kept; 0 turns caching of that kind off. */
export interface CacheTtls {
  readonly users: number;
  readonly departments: number;
  readonly groups: number;
}

/**
 * A `DirectoryProvider` whose reads go through the cross-request cache first.
 *
 * - Users, by `user:<provider>:<id>`. A hit never goes upstream; "not found" is kept too (as a
 *   null entry), for the same TTL. The misses of one `fetchUsers` call go upstream in one call of
 *   the provider's, so the batching (README, "How requests are batched") is unchanged: a batch costs what its
 *   misses cost, and a batch of hits costs nothing.
 * - Departments and groups, by `department:<provider>:<id>` and `group:<provider>:<id>`, and their
 *   lists, by `departments:<provider>` and `groups:<provider>`. A cached list answers by-id reads
 *   of the ids it holds.
 * - Concurrent operations share what is in flight: an operation that needs a user, entity or list
 *   another operation is already fetching waits for that fetch instead of asking again (within one
 *   operation DataLoader already does this). Ids of one call that are not in flight are fetched
 *   together.
 * - A `ProviderError` is never kept: the next operation asks again. Operations that were waiting
 *   for the failed fetch get its error, as its own operation does.
 * - A kind whose TTL is 0 passes straight through, in-flight sharing included, so that every read
 *   of it goes upstream (a cold benchmark counts on that).
 *
 * A cache that fails (a shared store that is down) is a cache that misses: the operation goes
 * upstream as if nothing were cached, and nothing fails because of it.
 */
export function withCache(
  provider: DirectoryProvider,
  store: CacheStore,
  ttls: CacheTtls,
  observe?: CacheLookupObserver,
): DirectoryProvider {
  if (ttls.users <= 0 && ttls.departments <= 0 && ttls.groups <= 0) return provider;
  const name = provider.name;
  const users =
    ttls.users > 0 ? createUserCache(name, cacheView(store, 'user', observe), ttls.users) : undefined;
  const departments =
    ttls.departments > 0
      ? createCatalogCache<DepartmentModel>({
          one: cacheView(store, 'department', observe),
          list: cacheView(store, 'departments', observe),
          keyOf: (id) => `department:${name}:${id}`,
          listKey: `departments:${name}`,
          ttl: ttls.departments,
        })
      : undefined;
  const groups =
    ttls.groups > 0
      ? createCatalogCache<GroupModel>({
          one: cacheView(store, 'group', observe),
          list: cacheView(store, 'groups', observe),
          keyOf: (id) => `group:${name}:${id}`,
          listKey: `groups:${name}`,
          ttl: ttls.groups,
        })
      : undefined;

  return {
    name,
    userBatchSize: provider.userBatchSize,
    checkCredentials: () => provider.checkCredentials(),
    sharesOneCatalog: provider.sharesOneCatalog,
    unknownDepartment: (id) => provider.unknownDepartment(id),
    // The directory index reads the listing to keep its own replica: caching it here would only
    // hand the index an older copy of what it is refreshing.
    listing: provider.listing,
    openSession(options): ProviderSession {
      const inner = provider.openSession(options);
      const departmentReads = departments?.open({
        fetchOne: (id) => inner.fetchDepartment(id),
        listAll: () => inner.listDepartments(),
      });
      const groupReads = groups?.open({
        fetchOne: (id) => inner.fetchGroup(id),
        listAll: () => inner.listGroups(),
      });
      return {
        fetchUsers: (ids) => (users ? users.fetch(inner, ids) : inner.fetchUsers(ids)),
        fetchDepartment: (id) => (departmentReads ? departmentReads.fetchOne(id) : inner.fetchDepartment(id)),
        listDepartments: () => (departmentReads ? departmentReads.listAll() : inner.listDepartments()),
        fetchGroup: (id) => (groupReads ? groupReads.fetchOne(id) : inner.fetchGroup(id)),
        listGroups: () => (groupReads ? groupReads.listAll() : inner.listGroups()),
        peekUser: (id) => (users ? users.peek(id) : inner.peekUser?.(id)),
        peekDepartment: (id) => (departments ? departments.peek(id) : inner.peekDepartment?.(id)),
        peekGroup: (id) => (groups ? groups.peek(id) : inner.peekGroup?.(id)),
        peekDepartmentList: () => (departments ? departments.peekList() : inner.peekDepartmentList?.()),
        peekGroupList: () => (groups ? groups.peekList() : inner.peekGroupList?.()),
      };
    },
  };
}

/** What one id came to: the user, null when there is none, or the failure of that id. */
type UserOutcome = UserModel | ProviderError | null;

/** The cache key of a user (global id `<provider>:<id>`). */
const userKeyOf = (provider: ProviderName, externalId: string) => `user:${provider}:${externalId}`;

/**
 * Drops the cached entries of these users (global ids), so that their next read goes upstream: a
 * change webhook named them. A store that fails to drop one is logged by the store, not thrown.
 */
export async function invalidateUsers(store: CacheStore, globalIds: readonly string[]): Promise<void> {
  await Promise.all(
    globalIds.map(async (id) => {
      const separator = id.indexOf(':');
      const key = userKeyOf(id.slice(0, separator) as ProviderName, id.slice(separator + 1));
      await Promise.resolve(store.delete(key)).catch(() => undefined);
    }),
  );
}

function createUserCache(
  provider: ProviderName,
  users: KeyValueCache<UserModel | null> & Partial<ImmediateReads<UserModel | null>>,
  ttl: number,
) {
  // Process-wide: every operation's session sees the fetches of every other.
  const inFlight = new Map<string, Promise<UserOutcome>>();
  const keyOf = (id: string) => userKeyOf(provider, id);

  /**
   * Fetches `ids` in one call of `session`'s, keeps what came back (before the ids leave
   * `inFlight`, so that a later operation finds them in one place or the other), and registers
   * each id as in flight until then.
   */
  const fetchMisses = (session: ProviderSession, ids: readonly string[]) => {
    const call = session.fetchUsers(ids).then(async (found) => {
      await Promise.all(
        ids.map((id) => {
          const outcome = found.get(id);
          return outcome instanceof ProviderError
            ? undefined
            : writeQuietly(users, keyOf(id), outcome ?? null, ttl);
        }),
      );
      return found;
    });
    for (const id of ids) {
      const outcome = call.then((found) => found.get(id) ?? null);
      inFlight.set(id, outcome);
      // Handles the rejection here too: it reaches this operation through `call`, and any other
      // through the handlers it attaches.
      const settle = () => {
        if (inFlight.get(id) === outcome) inFlight.delete(id);
      };
      outcome.then(settle, settle);
    }
    return call;
  };

  return {
    /** The user as `fetch` would answer it from the cache, now (undefined: a miss). */
    peek(id: string): UserModel | null | undefined {
      return users.peekNow ? readNowQuietly(users.peekNow, keyOf(id)) : undefined;
    },

    async fetch(
      session: ProviderSession,
      ids: readonly string[],
    ): Promise<ReadonlyMap<string, UserModel | ProviderError>> {
      const result = new Map<string, UserModel | ProviderError>();
      const record = (id: string, outcome: UserOutcome | undefined) => {
        if (outcome !== null && outcome !== undefined) result.set(id, outcome);
      };
      const shared: Array<Promise<void>> = [];
      const share = (id: string, pending: Promise<UserOutcome>) =>
        shared.push(
          pending.then(
            (outcome) => record(id, outcome),
            (error: unknown) => {
              // The other operation's call failed as a whole: for this one it is these ids' failure.
              if (!(error instanceof ProviderError)) throw error;
              record(id, error);
            },
          ),
        );

      // In flight first, then the cache, then in flight again. A fetch leaves `inFlight` only
      // after its result is stored, so an id is never missed in both: one not in flight now is
      // either stored already or not fetched yet. And a fetch that started while the cache was
      // being read is shared, not repeated.
      const toRead: string[] = [];
      for (const id of new Set(ids)) {
        const pending = inFlight.get(id);
        if (pending === undefined) toRead.push(id);
        else share(id, pending);
      }
      const { getNow } = users;
      const cached = getNow
        ? toRead.map((id) => readNowQuietly(getNow, keyOf(id)))
        : await Promise.all(toRead.map((id) => readQuietly(users, keyOf(id))));
      const misses: string[] = [];
      for (const [index, id] of toRead.entries()) {
        const hit = cached[index];
        const pending = hit === undefined ? inFlight.get(id) : undefined;
        if (hit !== undefined) record(id, hit);
        else if (pending !== undefined) share(id, pending);
        else misses.push(id);
      }

      const own =
        misses.length === 0
          ? undefined
          : fetchMisses(session, misses).then((found) => {
              for (const id of misses) record(id, found.get(id));
            });
      await Promise.all([own, ...shared]);
      return result;
    },
  };
}

interface CatalogCacheOptions<T> {
  readonly one: KeyValueCache<T | null> & Partial<ImmediateReads<T | null>>;
  readonly list: KeyValueCache<readonly T[]> & Partial<ImmediateReads<readonly T[]>>;
  readonly keyOf: (id: string) => string;
  readonly listKey: string;
  readonly ttl: number;
}

interface CatalogReads<T> {
  fetchOne(id: string): Promise<T | null>;
  listAll(): Promise<readonly T[]>;
}

function createCatalogCache<T extends { readonly externalId: string; readonly parentUnknown?: boolean }>(
  options: CatalogCacheOptions<T>,
) {
  const { one, list, keyOf, listKey, ttl } = options;
  const oneInFlight = new Map<string, Promise<T | null>>();
  let listInFlight: Promise<readonly T[]> | undefined;
  // A cached list is looked up by id many times; its index is built once per list object.
  const indexes = new WeakMap<readonly T[], ReadonlyMap<string, T>>();
  const indexOf = (entities: readonly T[]) => {
    let index = indexes.get(entities);
    if (index === undefined) {
      index = new Map(entities.map((entity) => [entity.externalId, entity]));
      indexes.set(entities, index);
    }
    return index;
  };

  return {
    /** The entity as `fetchOne` would answer it from the cache, now (undefined: it would ask). */
    peek(id: string): T | null | undefined {
      if (!one.peekNow || !list.peekNow) return undefined;
      const cached = readNowQuietly(one.peekNow, keyOf(id));
      if (cached !== undefined) return cached;
      const listed = readNowQuietly(list.peekNow, listKey);
      const fromList = listed && indexOf(listed).get(id);
      return fromList && fromList.parentUnknown !== true ? fromList : undefined;
    },

    /** The list as `listAll` would answer it from the cache, now (undefined: it would ask). */
    peekList(): readonly T[] | undefined {
      return list.peekNow ? readNowQuietly(list.peekNow, listKey) : undefined;
    },

    /** The reads of one operation, over that operation's session of the provider. */
    open(inner: CatalogReads<T>): CatalogReads<T> {
      // The list is read at most once per operation, as the session it replaces promises.
      let sessionList: Promise<readonly T[]> | undefined;

      const readList = async (): Promise<readonly T[]> => {
        if (listInFlight !== undefined) return listInFlight;
        const cached = await readQuietly(list, listKey);
        if (cached !== undefined) return cached;
        if (listInFlight !== undefined) return listInFlight;
        const pending = inner.listAll().then(async (entities) => {
          await writeQuietly(list, listKey, entities, ttl);
          return entities;
        });
        listInFlight = pending;
        const settle = () => {
          if (listInFlight === pending) listInFlight = undefined;
        };
        pending.then(settle, settle);
        return pending;
      };

      return {
        listAll: () => (sessionList ??= readList()),

        async fetchOne(id) {
          // In flight, then the cache, then in flight again, as for users.
          const before = oneInFlight.get(id);
          if (before !== undefined) return before;
          const key = keyOf(id);
          const cached = await readQuietly(one, key);
          if (cached !== undefined) return cached;
          const listed = await readQuietly(list, listKey);
          const fromList = listed && indexOf(listed).get(id);
          // A by-id read is whole: a list entry that does not know its parent does not answer it.
          if (fromList && fromList.parentUnknown !== true) return fromList;
          // An id a cached list does not hold is asked for by id: it may be newer than the list
          // (and a Thrive organisational unit is readable by id without being in the list).
          const inFlight = oneInFlight.get(id);
          if (inFlight !== undefined) return inFlight;
          const pending = inner.fetchOne(id).then(async (entity) => {
            await writeQuietly(one, key, entity, ttl);
            return entity;
          });
          oneInFlight.set(id, pending);
          const settle = () => {
            if (oneInFlight.get(id) === pending) oneInFlight.delete(id);
          };
          pending.then(settle, settle);
          return pending;
        },
      };
    },
  };
}

/** A read the store fails is a miss. */
function readNowQuietly<V>(getNow: ImmediateReads<V>['getNow'], key: string): V | undefined {
  try {
    return getNow(key);
  } catch {
    return undefined;
  }
}

async function readQuietly<V>(cache: KeyValueCache<V>, key: string): Promise<V | undefined> {
  try {
    return await cache.get(key);
  } catch {
    return undefined;
  }
}

/** A write the store fails is a value not kept; the operation has it either way. */
async function writeQuietly<V>(cache: KeyValueCache<V>, key: string, value: V, ttl: number): Promise<void> {
  try {
    await cache.set(key, value, { ttl });
  } catch {
    // Nothing to do: the next operation misses and asks upstream.
  }
}

/**
 * The `maxAge` of the cache hint the subgraph gives the router (Apollo's cache control): the
 * shortest TTL, and none (0) as soon as any kind is not cached.
 *
 * A response the router keeps for `maxAge` may hold data this cache had already kept for up to
 * its TTL, so what a client sees is at most TTL + maxAge old; bounding maxAge by the shortest TTL
 * bounds that by twice the TTL, whatever kinds the response holds. A kind an operator turned off
 * is meant to be read fresh every time, which a router cache would defeat: then there is no hint.
 */
export function cacheHintMaxAgeSeconds(ttls: CacheTtls): number {
  return Math.max(0, Math.min(ttls.users, ttls.departments, ttls.groups));
}
