import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { describe, expect, it } from 'vitest';
import { JsonCodecCache } from '../../src/cache/json-codec.ts';
import { cacheView, createCacheStore, sizeOfEntry, type CacheEntry } from '../../src/cache/store.ts';
import type { GroupModel } from '../../src/models.ts';
import { heapAfterCollection } from '../helpers/heap.ts';

/**
 * The store behind the cross-request cache: hits, misses, expiry on a fake clock (lru-cache's
 * `perf`), eviction by entries and by bytes, and the JSON adapter a string store would use.
 */

/** lru-cache's clock, moved by hand. It starts well above 0: lru-cache takes a start time of 0 for "no TTL". */
function fakeClock(start = 1_000_000) {
  let now = start;
  return {
    perf: { now: () => now },
    advanceSeconds: (seconds: number) => {
      now += seconds * 1000;
    },
    advanceMs: (ms: number) => {
      now += ms;
    },
  };
}

function group(id: string, name = `Group ${id}`): GroupModel {
  return { id: `ispring:${id}`, provider: 'ispring', externalId: id, name, isSmart: false, parentId: null };
}

const groupEntry = (id: string): CacheEntry => ({ kind: 'group', value: group(id) });

function store(options: { maxEntries?: number; maxBytes?: number } = {}) {
  const clock = fakeClock();
  const cache = createCacheStore({
    maxEntries: options.maxEntries ?? 1000,
    maxBytes: options.maxBytes ?? 1024 * 1024,
    perf: clock.perf,
  });
  return { cache, clock };
}

describe('the cache store', () => {
  it('keeps a copy of its own, equal to the entry given, and answers every hit with that one copy', async () => {
    const { cache } = store();
    const entry = groupEntry('g1');
    await cache.set('group:ispring:g1', entry, { ttl: 60 });
    const hit = await cache.get('group:ispring:g1');
    expect(hit).toStrictEqual(entry);
    expect(hit).not.toBe(entry);
    expect(await cache.get('group:ispring:g1')).toBe(hit);
  });

  it('keeps no response body alive for a string of an entry cut out of it', async () => {
    const { cache } = store({ maxBytes: 64 * 1024 * 1024 });
    const before = heapAfterCollection();
    const bodyBytes = 4_000_000;
    for (let n = 0; n < 5; n += 1) {
      // As a parser cuts a value out of a body: a slice of it, which V8 keeps the body for.
      let body: string | undefined = `${n}`.repeat(bodyBytes);
      const name = body.slice(1000, 1040);
      body = undefined;
      await cache.set(`group:ispring:g${n}`, { kind: 'group', value: group(`g${n}`, name) }, { ttl: 60 });
    }
    // Kept, the five bodies would be 20 MB; the heap after a collection moves by a few MB of its own.
    expect(heapAfterCollection() - before).toBeLessThan(2 * bodyBytes);
  });

  it('answers a key it does not hold with undefined', async () => {
    const { cache } = store();
    await cache.set('group:ispring:g1', groupEntry('g1'), { ttl: 60 });
    expect(await cache.get('group:ispring:g2')).toBeUndefined();
  });

  it('serves an entry up to its TTL and never after it', async () => {
    const { cache, clock } = store();
    const entry = groupEntry('g1');
    await cache.set('group:ispring:g1', entry, { ttl: 60 });
    clock.advanceMs(60_000);
    expect(await cache.get('group:ispring:g1')).toStrictEqual(entry);
    clock.advanceMs(1);
    expect(await cache.get('group:ispring:g1')).toBeUndefined();
  });

  it('reads the clock on every get, so an entry is gone the moment its TTL has passed', async () => {
    const { cache, clock } = store();
    const entry = groupEntry('a');
    await cache.set('a', entry, { ttl: 1 });
    // Read just before expiry, then at once just after: a reading of the clock reused between the
    // two gets (lru-cache's default `ttlResolution`) would serve the entry a second time.
    clock.advanceMs(999);
    expect(await cache.get('a')).toStrictEqual(entry);
    clock.advanceMs(2);
    expect(await cache.get('a')).toBeUndefined();
  });

  it('gives each entry its own TTL', async () => {
    const { cache, clock } = store();
    const long = groupEntry('l');
    await cache.set('short', groupEntry('s'), { ttl: 10 });
    await cache.set('long', long, { ttl: 300 });
    clock.advanceSeconds(11);
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.get('long')).toStrictEqual(long);
  });

  it('evicts the least recently used entry beyond its entry bound', async () => {
    const { cache } = store({ maxEntries: 2 });
    const [a, b, c] = [groupEntry('a'), groupEntry('b'), groupEntry('c')];
    await cache.set('a', a, { ttl: 60 });
    await cache.set('b', b, { ttl: 60 });
    await cache.get('a');
    await cache.set('c', c, { ttl: 60 });
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toStrictEqual(a);
    expect(await cache.get('c')).toStrictEqual(c);
  });

  it('evicts the least recently used entries beyond its byte bound, counting each as its JSON', async () => {
    const size = sizeOfEntry(groupEntry('a'));
    expect(size).toBe(Buffer.byteLength(JSON.stringify(groupEntry('a'))));
    // Room for two entries of this size, not three.
    const { cache } = store({ maxBytes: size * 2 + 1 });
    const [a, b, c] = [groupEntry('a'), groupEntry('b'), groupEntry('c')];
    await cache.set('a', a, { ttl: 60 });
    await cache.set('b', b, { ttl: 60 });
    await cache.set('c', c, { ttl: 60 });
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toStrictEqual(b);
    expect(await cache.get('c')).toStrictEqual(c);
    expect(cache.keys()).toHaveLength(2);
  });

  it('does not keep an entry larger than its byte bound', async () => {
    const { cache } = store({ maxBytes: 64 });
    await cache.set('big', { kind: 'group', value: group('big', 'x'.repeat(100)) }, { ttl: 60 });
    expect(await cache.get('big')).toBeUndefined();
  });
});

describe('cacheView', () => {
  it('keeps "not found" (null) apart from a miss (undefined)', async () => {
    const { cache } = store();
    const users = cacheView(cache, 'user');
    await users.set('user:ispring:gone', null, { ttl: 60 });
    expect(await users.get('user:ispring:gone')).toBeNull();
    expect(await users.get('user:ispring:never-asked')).toBeUndefined();
  });

  it('wraps values in their kind and reads an entry of another kind as a miss', async () => {
    const { cache } = store();
    await cacheView(cache, 'token').set('k', 'a-token', { ttl: 60 });
    expect(await cache.get('k')).toEqual({ kind: 'token', value: 'a-token' });
    expect(await cacheView(cache, 'token').get('k')).toBe('a-token');
    expect(await cacheView(cache, 'group').get('k')).toBeUndefined();
  });

  it('deletes through to the store', async () => {
    const { cache } = store();
    const tokens = cacheView(cache, 'token');
    await tokens.set('k', 'a-token', { ttl: 60 });
    await tokens.delete('k');
    expect(await cache.get('k')).toBeUndefined();
  });
});

describe('JsonCodecCache over a string store', () => {
  function stringStore() {
    const clock = fakeClock();
    const strings = new InMemoryLRUCache<string>({
      maxSize: 1024 * 1024,
      ttlResolution: 0,
      perf: clock.perf,
    });
    return { strings, clock, entries: new JsonCodecCache<CacheEntry>(strings) };
  }

  it('writes JSON and reads back an equal value, a copy of its own', async () => {
    const { strings, entries } = stringStore();
    const entry = groupEntry('g1');
    await entries.set('group:ispring:g1', entry, { ttl: 60 });
    expect(await strings.get('group:ispring:g1')).toBe(JSON.stringify(entry));
    const read = await entries.get('group:ispring:g1');
    expect(read).toEqual(entry);
    expect(read).not.toBe(entry);
  });

  it('keeps "not found" through the round trip', async () => {
    const { entries } = stringStore();
    await entries.set('user:ispring:gone', { kind: 'user', value: null }, { ttl: 60 });
    expect(await cacheView(entries, 'user').get('user:ispring:gone')).toBeNull();
  });

  it('passes the TTL to the string store', async () => {
    const { entries, clock } = stringStore();
    const entry = groupEntry('a');
    await entries.set('a', entry, { ttl: 5 });
    clock.advanceSeconds(4);
    // A copy read back from JSON: equal, not the same object.
    expect(await entries.get('a')).toEqual(entry);
    clock.advanceSeconds(2);
    expect(await entries.get('a')).toBeUndefined();
  });

  it('reads a string that is not JSON as a miss', async () => {
    const { strings, entries } = stringStore();
    await strings.set('a', 'not json {', { ttl: 60 });
    expect(await entries.get('a')).toBeUndefined();
  });

  it('deletes through to the string store', async () => {
    const { strings, entries } = stringStore();
    await entries.set('a', groupEntry('a'), { ttl: 60 });
    await entries.delete('a');
    expect(await strings.get('a')).toBeUndefined();
  });
});
