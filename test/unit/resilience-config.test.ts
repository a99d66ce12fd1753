import { describe, expect, it } from 'vitest';
import { problemsOf } from '../helpers/config.ts';
import { loadConfig } from '../../src/config.ts';
import { defaultResilience } from '../../src/providers/resilience/config.ts';

const BOTH = {
  THRIVE_TENANT_ID: 'eu-west-2_AbcdEfghI',
  THRIVE_API_SECRET: 'thrive-secret-value',
  ISPRING_CLIENT_ID: 'client',
  ISPRING_CLIENT_SECRET: 'ispring-secret-value',
};

describe('upstream resilience configuration', () => {
  it('gives each provider the documented defaults', () => {
    const config = loadConfig(BOTH);
    expect(config.providers.thrive?.resilience).toEqual({
      retry: { retries: 2, baseDelayMs: 100, maxDelayMs: 2000, maxRetryAfterSeconds: 5 },
      breaker: { failureThreshold: 5, openMs: 10_000 },
      maxInFlight: 100,
      deadlineMs: 15_000,
      maxBodyBytes: 16 * 1024 * 1024,
    });
    expect(config.providers.ispring?.resilience).toEqual({ ...defaultResilience('ispring'), maxInFlight: 8 });
    expect(defaultResilience('thrive')).toEqual(config.providers.thrive?.resilience);
  });

  it('reads each provider’s own variables, and the shared deadline and body bound', () => {
    const config = loadConfig({
      ...BOTH,
      UPSTREAM_DEADLINE_MS: '8000',
      UPSTREAM_MAX_BODY_BYTES: '1048576',
      THRIVE_RETRIES: '4',
      THRIVE_RETRY_BASE_DELAY_MS: '50',
      THRIVE_RETRY_MAX_DELAY_MS: '800',
      THRIVE_RETRY_AFTER_MAX_SECONDS: '10',
      THRIVE_MAX_IN_FLIGHT: '32',
      THRIVE_BREAKER_FAILURES: '3',
      THRIVE_BREAKER_OPEN_MS: '30000',
      ISPRING_RETRIES: '0',
      ISPRING_MAX_IN_FLIGHT: '4',
      ISPRING_BREAKER_OPEN_MS: '2000',
    });
    expect(config.providers.thrive?.resilience).toEqual({
      retry: { retries: 4, baseDelayMs: 50, maxDelayMs: 800, maxRetryAfterSeconds: 10 },
      breaker: { failureThreshold: 3, openMs: 30_000 },
      maxInFlight: 32,
      deadlineMs: 8000,
      maxBodyBytes: 1_048_576,
    });
    expect(config.providers.ispring?.resilience).toEqual({
      retry: { retries: 0, baseDelayMs: 100, maxDelayMs: 2000, maxRetryAfterSeconds: 5 },
      breaker: { failureThreshold: 5, openMs: 2000 },
      maxInFlight: 4,
      deadlineMs: 8000,
      maxBodyBytes: 1_048_576,
    });
  });

  it('lists every bad value, a shared one once', () => {
    const problems = problemsOf({
      ...BOTH,
      UPSTREAM_DEADLINE_MS: 'soon',
      UPSTREAM_MAX_BODY_BYTES: '10',
      THRIVE_RETRIES: '11',
      ISPRING_BREAKER_FAILURES: '0',
      ISPRING_MAX_IN_FLIGHT: '-1',
    });
    expect(problems).toEqual([
      'UPSTREAM_DEADLINE_MS must be a whole number from 100 to 600000; got "soon".',
      'UPSTREAM_MAX_BODY_BYTES must be a whole number from 1024 to 1073741824; got "10".',
      'THRIVE_RETRIES must be a whole number from 0 to 10; got "11".',
      'ISPRING_BREAKER_FAILURES must be a whole number from 1 to 1000; got "0".',
      'ISPRING_MAX_IN_FLIGHT must be a whole number from 1 to 1000; got "-1".',
    ]);
  });

  it('leaves a provider without credentials out, resilience and all', () => {
    const config = loadConfig({ ISPRING_CLIENT_ID: 'client', ISPRING_CLIENT_SECRET: 'secret-value' });
    expect(config.providers.thrive).toBeUndefined();
    expect(config.providers.ispring?.resilience?.maxInFlight).toBe(8);
  });
});

describe('upstream settings without credentials (sandbox mode)', () => {
  it('are read all the same, so that the sandbox providers get them', () => {
    const config = loadConfig({
      UPSTREAM_TIMEOUT_MS: '2500',
      THRIVE_RETRIES: '0',
      ISPRING_BREAKER_FAILURES: '9',
    });
    expect(config.sandbox).toBe(true);
    expect(config.providers.thrive).toBeUndefined();
    expect(config.upstream.timeoutMs).toBe(2500);
    expect(config.upstream.resilience.thrive.retry.retries).toBe(0);
    expect(config.upstream.resilience.ispring.breaker.failureThreshold).toBe(9);
  });
});
