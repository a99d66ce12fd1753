import { describe, expect, it } from 'vitest';
import { problemsOf } from '../helpers/config.ts';
import { LIMIT_DEFAULTS, loadConfig, secretsOf } from '../../src/config.ts';

describe('inbound limits and introspection in the configuration', () => {
  it('defaults: depth 20, 30 aliases, 2000 fields, 1000 ids and representations (each and in all), 2000 upstream requests, 1 MiB bodies', () => {
    expect(loadConfig({}).limits).toEqual({
      maxQueryDepth: 20,
      maxAliases: 30,
      maxFields: 2000,
      maxUsersIds: 1000,
      maxRepresentations: 1000,
      maxIdsPerOperation: 1000,
      maxUpstreamRequestsPerOperation: 2000,
      maxBodyBytes: 1_048_576,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 75_000,
    });
    expect(LIMIT_DEFAULTS).toEqual(loadConfig({}).limits);
  });

  it('reads every MAX_* variable', () => {
    const config = loadConfig({
      MAX_QUERY_DEPTH: '20',
      MAX_ALIASES: '0',
      MAX_FIELDS: '500',
      MAX_USERS_IDS: '100',
      MAX_REPRESENTATIONS: '5000',
      MAX_IDS_PER_OPERATION: '3000',
      MAX_UPSTREAM_REQUESTS_PER_OPERATION: '50',
      MAX_BODY_BYTES: '2097152',
      SERVER_HEADERS_TIMEOUT_MS: '5000',
      SERVER_REQUEST_TIMEOUT_MS: '20000',
      SERVER_KEEP_ALIVE_TIMEOUT_MS: '61000',
    });
    expect(config.limits).toEqual({
      maxQueryDepth: 20,
      maxAliases: 0,
      maxFields: 500,
      maxUsersIds: 100,
      maxRepresentations: 5000,
      maxIdsPerOperation: 3000,
      maxUpstreamRequestsPerOperation: 50,
      maxBodyBytes: 2_097_152,
      headersTimeoutMs: 5000,
      requestTimeoutMs: 20_000,
      keepAliveTimeoutMs: 61_000,
    });
  });

  it('lists every bad limit in one error', () => {
    expect(
      problemsOf({ MAX_QUERY_DEPTH: '1', MAX_FIELDS: 'lots', MAX_USERS_IDS: '0', MAX_BODY_BYTES: '100' }),
    ).toEqual([
      expect.stringMatching(/^MAX_QUERY_DEPTH must be a whole number from 2 to 1000; got "1"/),
      expect.stringMatching(/^MAX_FIELDS must be a whole number/),
      expect.stringMatching(/^MAX_USERS_IDS must be a whole number from 1 /),
      expect.stringMatching(/^MAX_BODY_BYTES must be a whole number from 1024 /),
    ]);
  });

  it('introspection is on by default, off by default in production, and INTROSPECTION decides', () => {
    expect(loadConfig({}).introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', SANDBOX: '1' }).introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', SANDBOX: '1', INTROSPECTION: 'true' }).introspection).toBe(
      true,
    );
    expect(loadConfig({ INTROSPECTION: 'false' }).introspection).toBe(false);
    expect(loadConfig({ INTROSPECTION: '0' }).introspection).toBe(false);
    expect(problemsOf({ INTROSPECTION: 'maybe' })).toEqual([
      'INTROSPECTION must be true or false; got "maybe".',
    ]);
  });

  it('ROUTER_SECRET is read as given and is one of the secrets to redact', () => {
    expect(loadConfig({ ROUTER_SECRET: 's3cret' }).routerSecret).toBe('s3cret');
    expect(loadConfig({}).routerSecret).toBeUndefined();
    const config = loadConfig({ ROUTER_SECRET: 's3cret' });
    expect(secretsOf(config)).toContain('s3cret');
  });
});
