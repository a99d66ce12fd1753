import type { RetryPolicy } from './config.js';
import { ProviderError } from '../../errors.js';

/**
 * Retries as data (`RetryPolicy`) and one pure function that says how long to wait before a retry,
 * after got's `calculateRetryDelay` and octokit's plugin-retry. The loop that uses them is
 * `runWithRetries`; what is worth retrying is decided where the outcome is known (`http.ts` for
 * data requests, `bearer-auth.ts` for token requests) and handed to it as `transient`.
 */

/** Statuses worth sending the same request again for: the provider may answer it in a moment. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Transport error codes worth a retry: the request may not have reached the provider, or its
 * answer was lost. `ENOTFOUND` is not one: a name that does not resolve is a configuration error.
 */
export const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/**
 * How long to wait before retry number `retry` (1 for the first), in ms, or `undefined` when there
 * is to be none: the policy's retries are used up, or the provider asked for a wait
 * (`Retry-After`) longer than `maxRetryAfterSeconds`.
 *
 * `Retry-After` wins when the provider sent one within bounds: the provider knows best. Otherwise
 * full jitter (AWS's "Exponential Backoff and Jitter"): a uniform draw below an exponentially
 * growing cap, `min(maxDelayMs, baseDelayMs × 2^(retry−1))`, which spreads the retries of many
 * clients that failed together. `random` is a draw from [0, 1), passed in so that this is pure.
 */
export function retryDelayMs(
  retry: number,
  policy: RetryPolicy,
  retryAfterSeconds: number | undefined,
  random: number,
): number | undefined {
  if (retry < 1 || retry > policy.retries) return undefined;
  if (retryAfterSeconds !== undefined) {
    return retryAfterSeconds <= policy.maxRetryAfterSeconds ? retryAfterSeconds * 1000 : undefined;
  }
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(Math.min(Math.max(random, 0), 1) * cap);
}

/** Time as the retry loop and the breaker see it; tests replace it (no real sleeps in tests). */
export interface ResilienceClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** A draw from [0, 1). */
  random(): number;
}

/**
 * The real clock. `setTimeout` and `Date.now` are looked up at each call, so vitest's fake timers
 * apply to it too.
 */
export const systemClock: ResilienceClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** What one attempt came to. */
export type AttemptOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly error: ProviderError;
      /** Worth another attempt (a timeout, a connection failure, 429, 502/503/504). */
      readonly transient: boolean;
      /** The provider's `Retry-After`, which decides the wait when present. */
      readonly retryAfterSeconds?: number | undefined;
      /**
       * What it says of the provider, for the circuit breaker: `down` (a timeout, a connection
       * failure, a 5xx), `up` (it answered: 4xx, a body too large); absent, nothing (not sent).
       */
      readonly verdict?: 'down' | 'up' | undefined;
    };

export interface RetryRun<T> {
  /** The last attempt's outcome. */
  readonly outcome: AttemptOutcome<T>;
  readonly attempts: number;
  /**
   * Whether any attempt's verdict was `down`. The last one's may be none when the deadline cut it
   * short, and the full failures before it still say the provider is down.
   */
  readonly anyFoundItDown: boolean;
}

/**
 * Runs `attempt` until it succeeds, fails for good, the policy has no retry left, or the wait
 * before the next one would reach `deadline` (a time of `clock.now()`): a retry that could not
 * finish in time is not started, and the last failure is what the caller gets.
 */
export async function runWithRetries<T>(
  attempt: (attemptNumber: number) => Promise<AttemptOutcome<T>>,
  options: { readonly policy: RetryPolicy; readonly deadline: number; readonly clock: ResilienceClock },
): Promise<RetryRun<T>> {
  const { policy, deadline, clock } = options;
  let anyFoundItDown = false;
  for (let attempts = 1; ; attempts += 1) {
    const outcome = await attempt(attempts);
    if (outcome.ok) return { outcome, attempts, anyFoundItDown };
    if (outcome.verdict === 'down') anyFoundItDown = true;
    if (!outcome.transient) return { outcome, attempts, anyFoundItDown };
    const delay = retryDelayMs(attempts, policy, outcome.retryAfterSeconds, clock.random());
    if (delay === undefined || clock.now() + delay >= deadline) return { outcome, attempts, anyFoundItDown };
    await clock.sleep(delay);
  }
}

/**
 * `error` with how many attempts it took, when more than one: in the message (it explains the
 * time the operation took) and in the detail, for logs.
 */
export function afterAttempts(error: ProviderError, attempts: number): ProviderError {
  if (attempts <= 1) return error;
  return new ProviderError(
    error.code,
    error.provider,
    `${error.message} Gave up after ${attempts} attempts.`,
    {
      endpoint: error.endpoint,
      status: error.status,
      retryAfterSeconds: error.retryAfterSeconds,
      detail: `${error.detail ?? error.message} (after ${attempts} attempts)`,
      cause: error.cause,
    },
  );
}
