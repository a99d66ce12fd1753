import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../../src/providers/resilience/config.ts';
import { ProviderError } from '../../src/errors.ts';
import {
  afterAttempts,
  retryDelayMs,
  runWithRetries,
  type AttemptOutcome,
  type ResilienceClock,
} from '../../src/providers/resilience/index.ts';

const policy: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 250, maxRetryAfterSeconds: 5 };

describe('retryDelayMs', () => {
  it('draws below a cap that doubles with each retry (full jitter)', () => {
    expect([1, 2].map((retry) => retryDelayMs(retry, policy, undefined, 0.5))).toEqual([50, 100]);
    expect(retryDelayMs(1, policy, undefined, 0)).toBe(0);
    expect(retryDelayMs(1, policy, undefined, 0.999)).toBe(99);
    expect(retryDelayMs(2, policy, undefined, 0.999)).toBe(199);
  });

  it('never waits longer than maxDelayMs', () => {
    expect(retryDelayMs(3, policy, undefined, 0.999)).toBe(249);
    expect(retryDelayMs(3, { ...policy, retries: 60 }, undefined, 0.999)).toBe(249);
    expect(retryDelayMs(60, { ...policy, retries: 60 }, undefined, 0.999)).toBe(249);
  });

  it('gives no delay once the retries are used up, or with none allowed', () => {
    expect(retryDelayMs(4, policy, undefined, 0.5)).toBeUndefined();
    expect(retryDelayMs(1, { ...policy, retries: 0 }, undefined, 0.5)).toBeUndefined();
    expect(retryDelayMs(0, policy, undefined, 0.5)).toBeUndefined();
  });

  it('waits what Retry-After says when it is within bounds, whatever the jitter', () => {
    expect(retryDelayMs(1, policy, 1, 0.1)).toBe(1000);
    expect(retryDelayMs(2, policy, 5, 0.9)).toBe(5000);
    expect(retryDelayMs(1, policy, 0, 0.9)).toBe(0);
  });

  it('does not wait for a Retry-After longer than maxRetryAfterSeconds, nor past the retries', () => {
    expect(retryDelayMs(1, policy, 6, 0.5)).toBeUndefined();
    expect(retryDelayMs(4, policy, 1, 0.5)).toBeUndefined();
  });
});

/** A clock whose sleeps move time at once and are written down. */
function fakeClock(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  const clock: ResilienceClock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
  };
  return { clock, sleeps, at: () => now };
}

const unavailable = () => new ProviderError('UPSTREAM_UNAVAILABLE', 'thrive', 'Thrive is unavailable.');
const transient = (retryAfterSeconds?: number): AttemptOutcome<string> => ({
  ok: false,
  error: unavailable(),
  transient: true,
  retryAfterSeconds,
});

describe('runWithRetries', () => {
  it('retries a transient failure until it succeeds, waiting the jittered delays', async () => {
    const { clock, sleeps } = fakeClock();
    const outcomes = [transient(), transient(), { ok: true, value: 'done' } as const];
    const run = await runWithRetries(async (n) => outcomes[n - 1]!, { policy, deadline: Infinity, clock });
    expect(run).toMatchObject({ attempts: 3, outcome: { ok: true, value: 'done' } });
    expect(sleeps).toEqual([50, 100]);
  });

  it('stops at a failure that is not transient', async () => {
    const { clock, sleeps } = fakeClock();
    const run = await runWithRetries(async () => ({ ok: false, error: unavailable(), transient: false }), {
      policy,
      deadline: Infinity,
      clock,
    });
    expect(run.attempts).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('makes 1 + retries attempts at most, and returns the last failure', async () => {
    const { clock, sleeps } = fakeClock();
    const run = await runWithRetries(async () => transient(), { policy, deadline: Infinity, clock });
    expect(run.attempts).toBe(4);
    expect(run.outcome.ok).toBe(false);
    expect(sleeps).toEqual([50, 100, 125]);
  });

  it('does not start a retry whose wait would reach the deadline', async () => {
    const { clock, sleeps, at } = fakeClock();
    const run = await runWithRetries(async () => transient(2), { policy, deadline: at() + 3000, clock });
    // The first wait (2 s) ends before the deadline; the second would end after it.
    expect(run.attempts).toBe(2);
    expect(sleeps).toEqual([2000]);
  });
});

describe('afterAttempts', () => {
  it('says how many attempts an error took, keeping everything else', () => {
    const error = new ProviderError(
      'UPSTREAM_RATE_LIMITED',
      'ispring',
      'iSpring is rate limiting requests.',
      {
        endpoint: 'GET /users/v2',
        status: 429,
        retryAfterSeconds: 9,
        detail: 'HTTP 429',
      },
    );
    expect(afterAttempts(error, 1)).toBe(error);
    const after = afterAttempts(error, 3);
    expect(after).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      provider: 'ispring',
      endpoint: 'GET /users/v2',
      status: 429,
      retryAfterSeconds: 9,
      message: 'iSpring is rate limiting requests. Gave up after 3 attempts.',
      detail: 'HTTP 429 (after 3 attempts)',
    });
  });
});
