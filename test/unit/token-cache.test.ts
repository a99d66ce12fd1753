import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isUsableBearerToken } from '../../src/providers/auth/token-request.ts';
import { TokenCache } from '../../src/providers/auth/token-cache.ts';

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
