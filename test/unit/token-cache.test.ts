import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isUsableBearerToken } from '../../src/providers/auth/token-request.ts';
import { STORE_CONFIRMATION_MS, TokenCache } from '../../src/providers/auth/token-cache.ts';
import { cacheView, createCacheStore } from '../../src/cache/store.ts';
import { createBearerAuth } from '../../src/providers/auth/bearer.ts';

describe('TokenCache', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function counting(lifetimeSeconds = 1800) {
    let issued = 0;
    const cache = new TokenCache({
      fetchToken: async () => ({ accessToken: `token-${++issued}`, expiresInSeconds: lifetimeSeconds }),
      refreshMarginSeconds: 60,
    });
    return { cache, issued: () => issued };
  }

  it('fetches once and reuses the token until shortly before it expires', async () => {
    const { cache, issued } = counting();
    expect(await cache.get()).toBe('token-1');
    vi.advanceTimersByTime((1800 - 61) * 1000);
    expect(await cache.get()).toBe('token-1');
    vi.advanceTimersByTime(2000);
    expect(await cache.get()).toBe('token-2');
    expect(issued()).toBe(2);
  });

  it('shares one token request between concurrent callers', async () => {
    const { cache, issued } = counting();
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual([
      'token-1',
      'token-1',
      'token-1',
    ]);
    expect(issued()).toBe(1);
  });

  it('drops only the token that was rejected', async () => {
    const { cache, issued } = counting();
    await cache.get();
    expect(cache.invalidate('some-older-token')).toBe(false);
    expect(await cache.get()).toBe('token-1');
    expect(cache.invalidate('token-1')).toBe(true);
    expect(await cache.get()).toBe('token-2');
    expect(issued()).toBe(2);
  });

  it('keeps a short-lived token for at least half its life', async () => {
    const { cache, issued } = counting(60);
    await cache.get();
    vi.advanceTimersByTime(29_000);
    await cache.get();
    expect(issued()).toBe(1);
    vi.advanceTimersByTime(2_000);
    await cache.get();
    expect(issued()).toBe(2);
  });

  it('drops a stored token it cannot use (a poisoned shared store) and fetches a new one', async () => {
    const store = new InMemoryLRUCache<string>();
    await store.set('token:x', 'bad\r\ntoken', { ttl: 600 });
    const seen: string[] = [];
    let issued = 0;
    const cache = new TokenCache({
      fetchToken: async () => ({ accessToken: `token-${++issued}`, expiresInSeconds: 1800 }),
      shared: { store, key: 'token:x' },
      isUsable: isUsableBearerToken,
      onStoredToken: (token) => seen.push(token),
    });
    expect(await cache.get()).toBe('token-1');
    expect(await store.get('token:x')).toBe('token-1');
    // The bad value reached the redactor before anything else could see it.
    expect(seen).toEqual(['bad\r\ntoken']);
  });

  it('has the token at hand, without a promise, while get would give it from memory', async () => {
    const { cache, issued } = counting();
    expect(cache.usableNow()).toBeUndefined();
    expect(await cache.get()).toBe('token-1');
    expect(cache.usableNow()).toBe('token-1');
    vi.advanceTimersByTime((1800 - 61) * 1000);
    expect(cache.usableNow()).toBe('token-1');
    // Past its usable life: only get can tell (it fetches the next one).
    vi.advanceTimersByTime(2000);
    expect(cache.usableNow()).toBeUndefined();
    expect(await cache.get()).toBe('token-2');
    expect(cache.usableNow()).toBe('token-2');
    cache.invalidate('token-2');
    expect(cache.usableNow()).toBeUndefined();
    expect(issued()).toBe(2);
  });

  it('does not cache a failed token request', async () => {
    let calls = 0;
    const cache = new TokenCache({
      fetchToken: async () => {
        calls += 1;
        if (calls === 1) throw new Error('token endpoint down');
        return { accessToken: 'ok-token', expiresInSeconds: 100 };
      },
    });
    await expect(cache.get()).rejects.toThrow('token endpoint down');
    expect(await cache.get()).toBe('ok-token');
  });
});

describe('TokenCache with a store', () => {
  const key = 'token:ispring:https://api-learn.ispringlearn.com:client-id';

  /** A store on a fake clock (started above 0: lru-cache reads a start of 0 as "no TTL"). */
  function sharedStore() {
    let now = 1_000_000;
    const store = new InMemoryLRUCache<string>({
      maxSize: 1024 * 1024,
      ttlResolution: 0,
      perf: { now: () => now },
    });
    return { store, advanceSeconds: (seconds: number) => (now += seconds * 1000) };
  }

  /** An endpoint that issues token-1, token-2, ... with `lifetimeSeconds`, counting them. */
  function endpoint(lifetimeSeconds = 1800) {
    let issued = 0;
    return {
      fetchToken: async () => ({ accessToken: `token-${++issued}`, expiresInSeconds: lifetimeSeconds }),
      issued: () => issued,
    };
  }

  const tokenCache = (
    store: KeyValueCache<string>,
    issuer: ReturnType<typeof endpoint>,
    onStoredToken?: (token: string) => void,
  ) =>
    new TokenCache({
      fetchToken: issuer.fetchToken,
      refreshMarginSeconds: 60,
      shared: { store, key },
      ...(onStoredToken ? { onStoredToken } : {}),
    });

  it('keeps the token in the store, under its key, for its usable lifetime', async () => {
    const { store, advanceSeconds } = sharedStore();
    const issuer = endpoint(1800);
    const tokens = tokenCache(store, issuer);
    expect(await tokens.get()).toBe('token-1');
    expect(await store.get(key)).toBe('token-1');
    advanceSeconds(1800 - 60);
    expect(await tokens.get()).toBe('token-1');
    advanceSeconds(0.001);
    expect(await store.get(key)).toBeUndefined();
    expect(await tokens.get()).toBe('token-2');
    expect(issuer.issued()).toBe(2);
  });

  it('hands a token another holder of the store fetched to a second cache, with no token request', async () => {
    const { store } = sharedStore();
    const issuer = endpoint();
    await tokenCache(store, issuer).get();
    const learned: string[] = [];
    expect(await tokenCache(store, issuer, (token) => learned.push(token)).get()).toBe('token-1');
    expect(issuer.issued()).toBe(1);
    // A token read from the store goes to the redactor before anything could log it.
    expect(learned).toEqual(['token-1']);
  });

  it('deletes a rejected token from the store, so that the next get fetches a new one', async () => {
    const { store } = sharedStore();
    const issuer = endpoint();
    const tokens = tokenCache(store, issuer);
    await tokens.get();
    expect(tokens.invalidate('token-1')).toBe(true);
    expect(await tokens.get()).toBe('token-2');
    expect(await store.get(key)).toBe('token-2');
    expect(issuer.issued()).toBe(2);
  });

  it('leaves a fresher token another holder already stored when an old one is rejected', async () => {
    const { store } = sharedStore();
    const issuer = endpoint();
    const first = tokenCache(store, issuer);
    const second = tokenCache(store, issuer);
    await first.get();
    await second.get();
    second.invalidate('token-1');
    expect(await second.get()).toBe('token-2');
    first.invalidate('token-1');
    expect(await first.get()).toBe('token-2');
    expect(issuer.issued()).toBe(2);
  });

  it('fetches a token, and uses it, when the store fails', async () => {
    const failing: KeyValueCache<string> = {
      get: async () => {
        throw new Error('store down');
      },
      set: async () => {
        throw new Error('store down');
      },
      delete: async () => {
        throw new Error('store down');
      },
    };
    const issuer = endpoint();
    expect(await tokenCache(failing, issuer).get()).toBe('token-1');
  });

  it('keeps using its token while the store fails, instead of fetching one per get', async () => {
    const { store } = sharedStore();
    let down = false;
    const flaky: KeyValueCache<string> = {
      get: async (key) => {
        if (down) throw new Error('store down');
        return store.get(key);
      },
      set: (key, value, options) => store.set(key, value, options),
      delete: (key) => store.delete(key),
    };
    const issuer = endpoint();
    const cache = tokenCache(flaky, issuer);
    expect(await cache.get()).toBe('token-1');
    down = true;
    expect(await cache.get()).toBe('token-1');
    expect(await cache.get()).toBe('token-1');
    expect(issuer.issued()).toBe(1);
    // A 401 still drops it, and the next get fetches a new one.
    cache.invalidate('token-1');
    expect(await cache.get()).toBe('token-2');
    expect(await cache.get()).toBe('token-2');
    expect(issuer.issued()).toBe(2);
  });
});

/** A store read only with a promise, as Redis is, on the clock `now`, counting its reads. */
function countingStore(now: () => number) {
  const lru = new InMemoryLRUCache<string>({ maxSize: 1 << 20, ttlResolution: 0, perf: { now } });
  let count = 0;
  const store: KeyValueCache<string> = {
    get: (k) => {
      count += 1;
      return lru.get(k);
    },
    set: (k, value, options) => lru.set(k, value, options),
    delete: (k) => lru.delete(k),
  };
  return { store, reads: () => count };
}

describe('TokenCache.usableNow with a store', () => {
  const key = 'token:thrive:https://public.api.learn.link/rest/v1:client-id';
  const issuer = () => {
    let issued = 0;
    return {
      fetchToken: async () => ({ accessToken: `token-${++issued}`, expiresInSeconds: 1800 }),
      issued: () => issued,
    };
  };

  it("reads a store that answers at once (the in-memory cache) on every call, so another holder's change shows at once", async () => {
    const store = cacheView(createCacheStore({ maxEntries: 100, maxBytes: 1 << 20 }), 'token');
    const endpoint = issuer();
    const first = new TokenCache({ fetchToken: endpoint.fetchToken, shared: { store, key } });
    const second = new TokenCache({ fetchToken: endpoint.fetchToken, shared: { store, key } });
    expect(await first.get()).toBe('token-1');
    expect(first.usableNow()).toBe('token-1');
    // Not yet read by the second holder: only get can tell it.
    expect(second.usableNow()).toBeUndefined();
    expect(await second.get()).toBe('token-1');
    expect(second.usableNow()).toBe('token-1');
    // The second holder's 401 replaces the token in the store: the first no longer has it at hand.
    second.invalidate('token-1');
    expect(second.usableNow()).toBeUndefined();
    expect(await second.get()).toBe('token-2');
    expect(first.usableNow()).toBeUndefined();
    expect(await first.get()).toBe('token-2');
    expect(first.usableNow()).toBe('token-2');
    // Gone from the store (its TTL, an eviction): get decides.
    await store.delete(key);
    expect(first.usableNow()).toBeUndefined();
    expect(endpoint.issued()).toBe(2);
  });

  it('trusts a store read only with a promise (Redis) for STORE_CONFIRMATION_MS after finding the token there, without reading it', async () => {
    let now = 1_000_000;
    const { store, reads } = countingStore(() => now);
    const endpoint = issuer();
    const tokens = new TokenCache({
      fetchToken: endpoint.fetchToken,
      shared: { store, key },
      now: () => now,
    });
    expect(tokens.usableNow()).toBeUndefined();
    // Not there: fetched, and written, which counts as finding it there.
    expect(await tokens.get()).toBe('token-1');
    const readsAfterIssue = reads();
    expect(tokens.usableNow()).toBe('token-1');
    now += STORE_CONFIRMATION_MS - 1;
    expect(tokens.usableNow()).toBe('token-1');
    expect(reads()).toBe(readsAfterIssue);
    now += 1;
    expect(tokens.usableNow()).toBeUndefined();
    // get reads the store again, and finds it: another STORE_CONFIRMATION_MS.
    expect(await tokens.get()).toBe('token-1');
    expect(reads()).toBe(readsAfterIssue + 1);
    expect(tokens.usableNow()).toBe('token-1');
    // A 401 drops it at once, whatever the time since.
    tokens.invalidate('token-1');
    expect(tokens.usableNow()).toBeUndefined();
    expect(await tokens.get()).toBe('token-2');
    expect(tokens.usableNow()).toBe('token-2');
    expect(endpoint.issued()).toBe(2);
  });

  it('has nothing at hand after a write the store refused: get decides each time', async () => {
    const lru = new InMemoryLRUCache<string>({ maxSize: 1 << 20 });
    const store: KeyValueCache<string> = {
      get: (k) => lru.get(k),
      set: async () => {
        throw new Error('store down');
      },
      delete: (k) => lru.delete(k),
    };
    const endpoint = issuer();
    const tokens = new TokenCache({ fetchToken: endpoint.fetchToken, shared: { store, key } });
    expect(await tokens.get()).toBe('token-1');
    expect(tokens.usableNow()).toBeUndefined();
    expect(endpoint.issued()).toBe(1);
  });
});

describe('bearer credentials on each request', () => {
  it('are set without a promise, and without reading a Redis-like store, once the token is at hand', async () => {
    let now = 1_000_000;
    const { store, reads } = countingStore(() => now);
    let issued = 0;
    // Before the auth is made: its token cache takes `Date.now` as its clock.
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const auth = createBearerAuth({
      provider: 'ispring',
      endpoint: 'POST /api/v3/token',
      fetchToken: async () => ({ accessToken: `token-${++issued}`, expiresInSeconds: 1800 }),
      shared: { store, key: 'token:ispring:test' },
      resilience: undefined,
    });
    try {
      const first: Record<string, string> = {};
      // The first request waits for the token request.
      await expect(Promise.resolve(auth.authorize(first))).resolves.toBeUndefined();
      expect(first.authorization).toBe('Bearer token-1');
      const readsBefore = reads();
      for (let request = 0; request < 50; request += 1) {
        const headers: Record<string, string> = {};
        expect(auth.prepare()).toBeUndefined();
        expect(auth.authorize(headers)).toBeUndefined();
        expect(headers.authorization).toBe('Bearer token-1');
      }
      expect(reads()).toBe(readsBefore);
      // After STORE_CONFIRMATION_MS the store is read again, once, by the request that found it stale.
      now += STORE_CONFIRMATION_MS;
      const later: Record<string, string> = {};
      const pending = auth.authorize(later);
      expect(pending).toBeInstanceOf(Promise);
      await pending;
      expect(later.authorization).toBe('Bearer token-1');
      expect(reads()).toBe(readsBefore + 1);
      expect(auth.authorize({})).toBeUndefined();
      expect(issued).toBe(1);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
