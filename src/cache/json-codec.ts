import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';

/**
 * A `KeyValueCache` of plain JSON values over a `KeyValueCache<string>`: how a store that holds
 * strings (Redis, Memcached) takes the place of the in-memory one, which holds the objects
 * themselves. Values are written as JSON and parsed on every read, so each read gets its own copy.
 * A stored string that is not JSON (written by something else) reads as a miss, as the caches of
 * Apollo's own packages treat a value they cannot use.
 */
export class JsonCodecCache<V> implements KeyValueCache<V> {
  constructor(private readonly strings: KeyValueCache<string>) {}

  async get(key: string): Promise<V | undefined> {
    const text = await this.strings.get(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as V;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: V, options?: KeyValueCacheSetOptions): Promise<void> {
    await this.strings.set(key, JSON.stringify(value), options);
  }

  async delete(key: string): Promise<boolean | void> {
    return this.strings.delete(key);
  }
}
