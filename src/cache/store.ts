import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { LRUCache } from 'lru-cache';
import type { DepartmentModel, GroupModel, UserModel } from '../models.js';

/**
 * The one cross-request store of the process: users, departments, groups, their lists and OAuth
 * tokens, each entry with its own TTL. Callers see only Apollo's `KeyValueCache` interface, so a
 * shared store can replace the in-memory one without touching them. A store of strings (Redis
 * through `@apollo/utils.keyvadapter`, say: a `KeyValueCache<string>`) fits through
 * `JsonCodecCache` (`json-codec.ts`):
 *
 *   const store: CacheStore = new JsonCodecCache<CacheEntry>(redisStrings);
 *
 * A shared store serves several processes, perhaps several deployments: wrap it in Apollo's
 * `PrefixingKeyValueCache` with a prefix per tenant.
 *
 * Every entry says what it holds, so that a key read back as the wrong kind is a miss, never a
 * value of the wrong type, and "not found" (a null value) survives a round trip through JSON.
 */
export type CacheEntry =
  | { readonly kind: 'user'; readonly value: UserModel | null }
  | { readonly kind: 'department'; readonly value: DepartmentModel | null }
  | { readonly kind: 'group'; readonly value: GroupModel | null }
  | { readonly kind: 'departments'; readonly value: readonly DepartmentModel[] }
  | { readonly kind: 'groups'; readonly value: readonly GroupModel[] }
  | { readonly kind: 'token'; readonly value: string };

export type CacheKind = CacheEntry['kind'];
export type CacheValue<K extends CacheKind> = Extract<CacheEntry, { readonly kind: K }>['value'];

/** What callers hold. `set`'s `ttl` is in seconds, as everywhere in `KeyValueCache`. */
export type CacheStore = KeyValueCache<CacheEntry>;

/** lru-cache's clock (`performance.now()` by default), injectable so tests control time. */
export interface CacheClock {
  now(): number;
}

export interface CacheStoreOptions {
  /** Most entries held; the least recently used go first. */
  readonly maxEntries: number;
  /** Most bytes held, each entry counted as the UTF-8 length of its JSON. */
  readonly maxBytes: number;
  readonly perf?: CacheClock | undefined;
}

/**
 * A store that can also answer a read at once, without a promise. The in-memory store can; a
 * shared store cannot, and callers fall back to `get`. On the warm path a read per user is most of
 * what an operation does besides GraphQL itself, and three promise hops per read were measurable.
 */
export interface ImmediateReads<V> {
  getNow(key: string): V | undefined;
  /** As `getNow`, but a miss is not counted (the read that follows it counts it). */
  peekNow?(key: string): V | undefined;
}

export function canReadNow<V>(cache: KeyValueCache<V>): cache is KeyValueCache<V> & ImmediateReads<V> {
  return typeof (cache as Partial<ImmediateReads<V>>).getNow === 'function';
}

/**
 * The in-memory store: lru-cache bounded in entries and bytes, as Apollo's `InMemoryLRUCache` is,
 * plus `getNow`. Each value is kept as a copy made from its JSON (which also gives its size): the
 * object given may hold strings that are slices of the response body it was parsed from, and V8
 * keeps a whole body alive for one slice, so an iSpring user cached from a 100-user batch would
 * keep the batch's body, outside of `CACHE_MAX_BYTES`. The copy holds nothing but itself.
 *
 * Nothing is served past its TTL: lru-cache checks the age on every read (`allowStale: false`),
 * against the clock read at that moment (`ttlResolution: 0`; its default would reuse a reading for
 * up to 1 ms, and would keep serving an entry a fake clock has already moved past).
 */
export class InMemoryCacheStore implements KeyValueCache<CacheEntry>, ImmediateReads<CacheEntry> {
  private readonly lru: LRUCache<string, CacheEntry>;

  constructor(options: CacheStoreOptions) {
    this.lru = new LRUCache<string, CacheEntry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      allowStale: false,
      ttlResolution: 0,
      ...(options.perf ? { perf: options.perf } : {}),
    });
  }

  getNow(key: string): CacheEntry | undefined {
    return this.lru.get(key);
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.lru.get(key);
  }

  /** `ttl` in seconds, as `KeyValueCache` has it; none (or 0) keeps the entry until it is evicted. */
  async set(key: string, value: CacheEntry, options?: KeyValueCacheSetOptions): Promise<void> {
    const json = JSON.stringify(value);
    this.lru.set(key, JSON.parse(json) as CacheEntry, {
      size: sizeOfJson(json),
      ...(options?.ttl ? { ttl: options.ttl * 1000 } : {}),
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.lru.delete(key);
  }

  keys(): string[] {
    return [...this.lru.keys()];
  }

  clear(): void {
    this.lru.clear();
  }
}

export function createCacheStore(options: CacheStoreOptions): InMemoryCacheStore {
  return new InMemoryCacheStore(options);
}

/**
 * The size an entry is counted at: the length of its JSON, which is what a string store would
 * hold. It undercounts the heap an object takes, by a steady factor, so the byte bound is a bound
 * on the data, and `CACHE_MAX_BYTES` should be set to a fraction of the memory to spend on it.
 */
export function sizeOfEntry(entry: CacheEntry): number {
  return sizeOfJson(JSON.stringify(entry));
}

const sizeOfJson = (json: string) => Math.max(1, Buffer.byteLength(json, 'utf8'));

/** Hears every read of the cache: its kind, and whether it found an entry (metrics). */
export type CacheLookupObserver = (kind: CacheKind, hit: boolean) => void;

/**
 * The entries of one kind as a `KeyValueCache` of their values: what is stored is wrapped in its
 * `{ kind, value }` envelope, and an entry of another kind under the same key reads as a miss.
 */
export function cacheView<K extends CacheKind>(
  store: CacheStore,
  kind: K,
  observe: CacheLookupObserver = () => {},
): KeyValueCache<CacheValue<K>> & Partial<ImmediateReads<CacheValue<K>>> {
  // The kind is checked here: an entry that passes holds a value of kind K.
  const unwrap = (entry: CacheEntry | undefined) =>
    entry?.kind === kind ? (entry.value as CacheValue<K>) : undefined;
  const valueOf = (entry: CacheEntry | undefined) => {
    const value = unwrap(entry);
    observe(kind, value !== undefined);
    return value;
  };
  const view: KeyValueCache<CacheValue<K>> = {
    get: async (key) => valueOf(await store.get(key)),
    set: (key, value, options) => store.set(key, { kind, value } as CacheEntry, options),
    delete: (key) => store.delete(key),
  };
  if (!canReadNow(store)) return view;
  return {
    ...view,
    getNow: (key) => valueOf(store.getNow(key)),
    peekNow(key) {
      const value = unwrap(store.getNow(key));
      if (value !== undefined) observe(kind, true);
      return value;
    },
  };
}
