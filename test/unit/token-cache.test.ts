import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenCache } from '../../src/providers/token-cache.ts';

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
