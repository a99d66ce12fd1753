import { describe, expect, it } from 'vitest';
import { problemsOf } from '../helpers/config.ts';
import { loadConfig } from '../../src/config.ts';
import { DEFAULT_ISPRING_BASE_URL } from '../../src/providers/ispring/config.ts';
import { DEFAULT_THRIVE_BASE_URL } from '../../src/providers/thrive/config.ts';

describe('loadConfig', () => {
  it('with no provider outside production, runs the sandbox on port 4001', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4001,
      host: '0.0.0.0',
      sandbox: true,
      providers: {},
    });
  });

  it('refuses to start in production with no provider, and says why', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/No provider is configured.*production/);
  });

  it('serves the sandbox in production only when SANDBOX=1 says so', () => {
    expect(loadConfig({ NODE_ENV: 'production', SANDBOX: '1' }).sandbox).toBe(true);
  });

  it('reads Thrive Basic mode with the documented defaults', () => {
    const config = loadConfig({ THRIVE_TENANT_ID: 'eu-west-2_AbcdEfghI', THRIVE_API_SECRET: 's3cret-value' });
    expect(config.sandbox).toBe(false);
    expect(config.providers.thrive).toMatchObject({
      baseUrl: DEFAULT_THRIVE_BASE_URL,
      auth: { mode: 'basic', tenantId: 'eu-west-2_AbcdEfghI', apiSecret: 's3cret-value' },
      timeoutMs: 10_000,
    });
  });

  it('prefers Thrive OAuth when client credentials are set, with the token URL derived from the base URL', () => {
    const config = loadConfig({
      THRIVE_TENANT_ID: 'eu-west-2_AbcdEfghI',
      THRIVE_API_SECRET: 'basic-secret',
      THRIVE_CLIENT_ID: 'client',
      THRIVE_CLIENT_SECRET: 'client-secret',
      THRIVE_BASE_URL: 'https://public.api.mea.learn.tech/rest/v1',
    });
    expect(config.providers.thrive?.auth).toEqual({
      mode: 'oauth',
      tenantId: 'eu-west-2_AbcdEfghI',
      clientId: 'client',
      clientSecret: 'client-secret',
      tokenUrl: 'https://public.api.mea.learn.tech/oauth2/token/eu-west-2_AbcdEfghI',
      scope: 'api/read',
    });
  });

  it('reads iSpring token mode, which wins over header mode', () => {
    const config = loadConfig({
      ISPRING_CLIENT_ID: 'id',
      ISPRING_CLIENT_SECRET: 'secret',
      ISPRING_ACCOUNT_URL: 'https://myaccount.ispringlearn.com',
      ISPRING_EMAIL: 'a@b.c',
      ISPRING_PASSWORD: 'pw-value',
    });
    expect(config.providers.ispring).toMatchObject({
      baseUrl: DEFAULT_ISPRING_BASE_URL,
      auth: { mode: 'token' },
    });
  });

  it('reads iSpring header mode', () => {
    const config = loadConfig({
      ISPRING_ACCOUNT_URL: 'https://myaccount.ispringlearn.com',
      ISPRING_EMAIL: 'admin@example.com',
      ISPRING_PASSWORD: 'pw-value',
    });
    expect(config.providers.ispring?.auth).toEqual({
      mode: 'headers',
      accountUrl: 'https://myaccount.ispringlearn.com',
      email: 'admin@example.com',
      password: 'pw-value',
    });
  });

  it('lists every problem at once, naming variables but never secret values', () => {
    const problems = problemsOf({
      THRIVE_API_SECRET: 'do-not-print-me',
      ISPRING_CLIENT_ID: 'only-the-id',
      ISPRING_EMAIL: 'a@b.c',
      PORT: 'eighty',
      ISPRING_BASE_URL: 'http://ispring.example.com',
    });
    expect(problems.join('\n')).not.toContain('do-not-print-me');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('THRIVE_TENANT_ID is required'),
        expect.stringContaining('ISPRING_CLIENT_ID and ISPRING_CLIENT_SECRET must be set together'),
        expect.stringContaining('PORT must be a whole number'),
        expect.stringContaining('ISPRING_BASE_URL must use https'),
      ]),
    );
  });

  it('accepts plain http only for loopback (the sandboxes)', () => {
    const config = loadConfig({
      THRIVE_TENANT_ID: 't',
      THRIVE_API_SECRET: 'secret',
      THRIVE_BASE_URL: 'http://127.0.0.1:4010/rest/v1/',
    });
    expect(config.providers.thrive?.baseUrl).toBe('http://127.0.0.1:4010/rest/v1');
  });

  it('rejects credentials embedded in a base URL', () => {
    expect(
      problemsOf({
        THRIVE_TENANT_ID: 't',
        THRIVE_API_SECRET: 'x1234',
        THRIVE_BASE_URL: 'https://u:p@example.com/rest/v1',
      }),
    ).toEqual([expect.stringContaining('must not carry credentials')]);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({ THRIVE_TENANT_ID: 't', THRIVE_API_SECRET: 'secret' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.providers.thrive?.auth)).toBe(true);
  });

  it('gives the cache its documented defaults', () => {
    expect(loadConfig({}).cache).toEqual({
      ttlSeconds: { users: 60, departments: 300, groups: 300 },
      maxEntries: 100_000,
      maxBytes: 134_217_728,
    });
  });

  it('reads the cache variables, with 0 turning a kind off', () => {
    const config = loadConfig({
      CACHE_TTL_USERS_SECONDS: '0',
      CACHE_TTL_DEPARTMENTS_SECONDS: '600',
      CACHE_TTL_GROUPS_SECONDS: '30',
      CACHE_MAX_ENTRIES: '5000',
      CACHE_MAX_BYTES: '16777216',
    });
    expect(config.cache).toEqual({
      ttlSeconds: { users: 0, departments: 600, groups: 30 },
      maxEntries: 5000,
      maxBytes: 16_777_216,
    });
    expect(Object.isFrozen(config.cache.ttlSeconds)).toBe(true);
  });

  it('lists every bad cache variable in the one error, with the value it got', () => {
    const problems = problemsOf({
      CACHE_TTL_USERS_SECONDS: '-1',
      CACHE_TTL_DEPARTMENTS_SECONDS: '1.5',
      CACHE_TTL_GROUPS_SECONDS: '86401',
      CACHE_MAX_ENTRIES: '0',
      CACHE_MAX_BYTES: 'lots',
    });
    expect(problems).toEqual([
      'CACHE_TTL_USERS_SECONDS must be a whole number from 0 to 86400; got "-1".',
      'CACHE_TTL_DEPARTMENTS_SECONDS must be a whole number from 0 to 86400; got "1.5".',
      'CACHE_TTL_GROUPS_SECONDS must be a whole number from 0 to 86400; got "86401".',
      'CACHE_MAX_ENTRIES must be a whole number from 1 to 1000000; got "0".',
      'CACHE_MAX_BYTES must be a whole number from 1048576 to 68719476736; got "lots".',
    ]);
  });

  it('lists cache problems beside the others', () => {
    const problems = problemsOf({ PORT: 'eighty', CACHE_MAX_BYTES: '1024' });
    expect(problems).toEqual([
      expect.stringContaining('PORT must be a whole number'),
      expect.stringContaining('CACHE_MAX_BYTES must be a whole number from 1048576'),
    ]);
  });
});
