import { describe, expect, it } from 'vitest';
import { loadConfig, REDIS_CACHE_DEFAULTS, secretsOf } from '../../src/config.ts';
import { redactedAddress } from '../../src/cache/redis.ts';
import { providersFingerprint } from '../../src/providers/registry.ts';
import { problemsOf } from '../helpers/config.ts';

describe('CACHE_REDIS_URL and its settings', () => {
  it('leaves the cache in memory when unset', () => {
    expect(loadConfig({}).cache.redis).toBeUndefined();
  });

  it('reads the URL, the prefix and the command timeout, with their defaults', () => {
    expect(loadConfig({ CACHE_REDIS_URL: 'redis://127.0.0.1:6379' }).cache.redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      prefix: REDIS_CACHE_DEFAULTS.prefix,
      timeoutMs: REDIS_CACHE_DEFAULTS.timeoutMs,
    });
    expect(
      loadConfig({
        CACHE_REDIS_URL: 'rediss://:pw@cache.internal:6380/2',
        CACHE_REDIS_PREFIX: 'tenant-a:',
        CACHE_REDIS_TIMEOUT_MS: '80',
      }).cache.redis,
    ).toEqual({ url: 'rediss://:pw@cache.internal:6380/2', prefix: 'tenant-a:', timeoutMs: 80 });
  });

  it.each([
    ['not a URL', 'not a url', 'CACHE_REDIS_URL must be a URL such as redis://127.0.0.1:6379'],
    ['another scheme', 'http://127.0.0.1:6379', 'must start with redis:// or rediss:// (TLS); got "http://"'],
    ['no host', 'redis://', 'CACHE_REDIS_URL must'],
  ])('refuses %s, saying what it expects', (_, url, message) => {
    const problems = problemsOf({ CACHE_REDIS_URL: url });
    expect(problems.join('\n')).toContain(message);
  });

  it('never repeats a URL it refuses, which may hold a password', () => {
    const problems = problemsOf({ CACHE_REDIS_URL: 'redis:/ :secret-pw-991@host' });
    expect(problems.join('\n')).not.toContain('secret-pw-991');
  });

  it('refuses a prefix with spaces or over 100 characters, and a timeout out of range', () => {
    expect(problemsOf({ CACHE_REDIS_PREFIX: 'a b' }).join('\n')).toContain('CACHE_REDIS_PREFIX');
    expect(problemsOf({ CACHE_REDIS_PREFIX: 'x'.repeat(101) }).join('\n')).toContain('CACHE_REDIS_PREFIX');
    expect(problemsOf({ CACHE_REDIS_TIMEOUT_MS: '5' }).join('\n')).toContain(
      'CACHE_REDIS_TIMEOUT_MS must be a whole number from 10 to 60000',
    );
  });

  it('counts the password among the secrets, so that logs and errors redact it', () => {
    const config = loadConfig({ CACHE_REDIS_URL: 'redis://:p%40ss-word-55@127.0.0.1:6379' });
    expect(secretsOf(config)).toEqual(expect.arrayContaining(['p@ss-word-55', 'p%40ss-word-55']));
    expect(redactedAddress(config.cache.redis!.url)).toBe('redis://:***@127.0.0.1:6379');
  });
});

describe('DIRECTORY_REDIS_URL and DIRECTORY_LEASE_SECONDS', () => {
  it('shares nothing without a Redis; with the cache Redis, shares the directory through it', () => {
    expect(loadConfig({}).directory.shared).toBeUndefined();
    expect(loadConfig({ CACHE_REDIS_URL: 'redis://127.0.0.1:6379' }).directory.shared).toEqual({
      url: 'redis://127.0.0.1:6379',
      prefix: REDIS_CACHE_DEFAULTS.prefix,
      timeoutMs: 1_000,
      leaseMs: 15_000,
    });
  });

  it('keys the directory by tenant: another tenant or URL gets its own, a rotated secret keeps it', () => {
    const tenantOf = (env: Record<string, string>) => providersFingerprint(loadConfig(env).providers);
    const thrive = { THRIVE_TENANT_ID: 'eu-west-2_AbcdEfghI', THRIVE_API_SECRET: 'first-secret' };
    expect(tenantOf(thrive)).toMatch(/^[0-9a-f]{16}$/);
    expect(tenantOf(thrive)).toBe(tenantOf({ ...thrive, THRIVE_API_SECRET: 'rotated-secret' }));
    expect(tenantOf(thrive)).not.toBe(tenantOf({ ...thrive, THRIVE_TENANT_ID: 'eu-west-2_Other' }));
    expect(tenantOf(thrive)).not.toBe(
      tenantOf({ ...thrive, THRIVE_BASE_URL: 'https://other.example/rest/v1' }),
    );
    const ispring = { ISPRING_CLIENT_ID: 'client-a', ISPRING_CLIENT_SECRET: 'ispring-secret' };
    expect(tenantOf({ ...thrive, ...ispring })).not.toBe(tenantOf(thrive));
    expect(tenantOf({ ...thrive, ...ispring })).not.toBe(
      tenantOf({ ...thrive, ...ispring, ISPRING_CLIENT_ID: 'client-b' }),
    );
  });

  it('takes its own URL and lease, over the cache Redis, and the cache prefix', () => {
    expect(
      loadConfig({
        CACHE_REDIS_URL: 'redis://cache.internal:6379',
        CACHE_REDIS_PREFIX: 'tenant-a:',
        DIRECTORY_REDIS_URL: 'rediss://:dir-pw@directory.internal:6380/1',
        DIRECTORY_LEASE_SECONDS: '5',
      }).directory.shared,
    ).toEqual({
      url: 'rediss://:dir-pw@directory.internal:6380/1',
      prefix: 'tenant-a:',
      timeoutMs: 1_000,
      leaseMs: 5_000,
    });
    const prefixOnly = loadConfig({
      DIRECTORY_REDIS_URL: 'redis://127.0.0.1:6379',
      CACHE_REDIS_PREFIX: 'b:',
    });
    expect(prefixOnly.directory.shared?.prefix).toBe('b:');
    expect(prefixOnly.cache.redis).toBeUndefined();
  });

  it('refuses a bad URL or lease, naming the variable, and redacts the password', () => {
    expect(problemsOf({ DIRECTORY_REDIS_URL: 'http://127.0.0.1:6379' })).toEqual([
      'DIRECTORY_REDIS_URL must start with redis:// or rediss:// (TLS); got "http://".',
    ]);
    expect(problemsOf({ DIRECTORY_REDIS_URL: 'redis://', DIRECTORY_LEASE_SECONDS: '0' })).toEqual([
      expect.stringMatching(/^DIRECTORY_LEASE_SECONDS must be a whole number from 1 to 300/),
      expect.stringMatching(/^DIRECTORY_REDIS_URL must name a host/),
    ]);
    const config = loadConfig({ DIRECTORY_REDIS_URL: 'redis://:s3cret%2Fpw@127.0.0.1:6379' });
    expect(secretsOf(config)).toEqual(expect.arrayContaining(['s3cret/pw', 's3cret%2Fpw']));
  });
});
