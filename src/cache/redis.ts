import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { Redis } from 'ioredis';
import type { RedisCacheConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { checkEntry } from './entry-guards.js';
import { JsonCodecCache } from './json-codec.js';
import type { CacheStore } from './store.js';

/**
 * The cross-request cache in Redis (`CACHE_REDIS_URL`): one cache for every worker and replica, so
 * that a user read by one process is not read again by the next, and one provider token serves
 * them all.
 *
 * A cache must never make the subgraph slower or less available than no cache:
 * - commands are not queued while Redis is unreachable (`enableOfflineQueue: false`): they fail
 *   at once and read as misses (the caching provider swallows store errors), while ioredis keeps
 *   reconnecting in the background;
 * - a command that takes longer than `timeoutMs` fails the same way;
 * - commands of one tick go in one pipeline (`enableAutoPipelining`): the hundred user reads of a
 *   batch are one round trip, not a hundred.
 *
 * Entries are JSON (`JsonCodecCache`), under `prefix`, each with its TTL in Redis itself.
 */
export interface RedisCacheStore {
  readonly store: CacheStore;
  /** Resolves once connected, or rejects with why not (start-up uses it to say so, not to stop). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export function createRedisCacheStore(
  config: RedisCacheConfig,
  options: {
    logger: Logger;
    onError?: (operation: 'get' | 'set' | 'delete') => void;
    /** Hears each entry read back that failed its checks (it was deleted, and read as a miss). */
    onInvalidEntry?: (kind: string) => void;
  },
): RedisCacheStore {
  const { logger } = options;
  const client = new Redis(config.url, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    commandTimeout: config.timeoutMs,
    connectTimeout: Math.max(1_000, config.timeoutMs),
    maxRetriesPerRequest: 0,
    // Reconnect forever, backing off to 2 s: Redis coming back is the cache coming back.
    retryStrategy: (attempt) => Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)),
  });

  // One line per change of state, not one per failed command or reconnect attempt.
  let available: boolean | undefined;
  const where = redactedAddress(config.url);
  client.on('ready', () => {
    if (available !== true) logger.info({ cache: where }, 'cache store connected');
    available = true;
  });
  client.on('error', (error: Error) => {
    if (available !== false) {
      logger.warn(
        { cache: where, reason: error.message.replaceAll(config.url, where) },
        'cache store unavailable: reads are misses and go upstream until it is back',
      );
    }
    available = false;
  });

  const ready = new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
  });
  // Nobody has to wait for it; an unhandled rejection would end the process.
  ready.catch(() => {});

  const failed = (operation: 'get' | 'set' | 'delete') => (error: unknown) => {
    options.onError?.(operation);
    throw error;
  };
  const strings: KeyValueCache<string> = {
    get: async (key) => (await client.get(config.prefix + key).catch(failed('get'))) ?? undefined,
    set: async (key: string, value: string, setOptions?: KeyValueCacheSetOptions) => {
      const ttl = setOptions?.ttl;
      if (ttl !== undefined && ttl !== null && ttl > 0) {
        await client.set(config.prefix + key, value, 'EX', Math.ceil(ttl)).catch(failed('set'));
      } else {
        await client.set(config.prefix + key, value).catch(failed('set'));
      }
    },
    delete: async (key) => (await client.del(config.prefix + key).catch(failed('delete'))) > 0,
  };

  const warnedKinds = new Set<string>();
  return {
    store: checkedEntries(new JsonCodecCache<unknown>(strings), {
      onInvalid: (kind, why) => {
        options.onInvalidEntry?.(kind);
        // Once per kind: a store full of bad entries is one problem, not thousands of lines.
        if (warnedKinds.has(kind)) return;
        warnedKinds.add(kind);
        logger.warn(
          { cache: where, kind, reason: why },
          'cache entry read back from Redis failed its checks: deleted, and read as a miss (further ones of this kind are counted, not logged)',
        );
      },
    }),
    ready,
    close: async () => {
      client.disconnect();
    },
  };
}

/**
 * A store whose reads are checked (`checkEntry`): an entry that fails is deleted and read as a
 * miss, so the next read goes upstream and writes a good one.
 */
function checkedEntries(
  store: KeyValueCache<unknown>,
  options: { onInvalid: (kind: string, why: string) => void },
): CacheStore {
  return {
    async get(key) {
      const value = await store.get(key);
      if (value === undefined) return undefined;
      const checked = checkEntry(key, value);
      if (checked.ok) return checked.entry;
      options.onInvalid(checked.kind, checked.why);
      await store.delete(key).catch(() => {});
      return undefined;
    },
    set: (key, value, setOptions) => store.set(key, value, setOptions),
    delete: (key) => store.delete(key),
  };
}

/** The Redis URL without its password, for logs. */
export function redactedAddress(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}
