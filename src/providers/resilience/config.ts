import type { EnvReader } from '../../env.js';
import type { ProviderName } from '../../models.js';

/**
 * The resilience settings of a provider (`THRIVE_*`, `ISPRING_*`, and the `UPSTREAM_*` both share):
 * its retries, circuit breaker and in-flight bound, and the operation deadline and body bound.
 */

/** When a failed upstream request is sent again, as data (see `retryDelayMs`). */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 sends each request once. */
  readonly retries: number;
  /** The cap of the first retry's jittered delay, doubled for each retry after it. */
  readonly baseDelayMs: number;
  /** No jittered delay is longer than this. */
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error is returned, with it. */
  readonly maxRetryAfterSeconds: number;
}

/** When a provider's circuit opens, and for how long (see `CircuitBreaker`). */
export interface BreakerPolicy {
  /** Consecutive failures (timeout, connection failure, 5xx, after retries) that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one request probes the provider. */
  readonly openMs: number;
}

export interface ResilienceConfig {
  readonly retry: RetryPolicy;
  readonly breaker: BreakerPolicy;
  /** Requests to this provider in flight at once, process-wide (token requests aside). */
  readonly maxInFlight: number;
  /** How long one GraphQL operation may spend on this provider's requests, retries included. */
  readonly deadlineMs: number;
  /** The largest response body read; a larger one is refused without reading the rest. */
  readonly maxBodyBytes: number;
}

export const RESILIENCE_DEFAULTS = Object.freeze({
  retries: 2,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 2000,
  maxRetryAfterSeconds: 5,
  breakerFailures: 5,
  breakerOpenMs: 10_000,
  deadlineMs: 15_000,
  maxBodyBytes: 16 * 1024 * 1024,
  // Thrive has no bulk read: the 100 reads of a page go out together (it publishes no rate limit,
  // and a 429 is retried with backoff). iSpring's reads are batches and whole-account lists.
  maxInFlight: { thrive: 100, ispring: 8 } satisfies Record<ProviderName, number>,
});

/** The resilience a provider config without one gets (the sandbox's configs, tests). */
export function defaultResilience(provider: ProviderName): ResilienceConfig {
  return {
    retry: {
      retries: RESILIENCE_DEFAULTS.retries,
      baseDelayMs: RESILIENCE_DEFAULTS.retryBaseDelayMs,
      maxDelayMs: RESILIENCE_DEFAULTS.retryMaxDelayMs,
      maxRetryAfterSeconds: RESILIENCE_DEFAULTS.maxRetryAfterSeconds,
    },
    breaker: {
      failureThreshold: RESILIENCE_DEFAULTS.breakerFailures,
      openMs: RESILIENCE_DEFAULTS.breakerOpenMs,
    },
    maxInFlight: RESILIENCE_DEFAULTS.maxInFlight[provider],
    deadlineMs: RESILIENCE_DEFAULTS.deadlineMs,
    maxBodyBytes: RESILIENCE_DEFAULTS.maxBodyBytes,
  };
}

/** What every provider's requests share: the operation deadline and the body bound. */
export interface UpstreamLimits {
  readonly deadlineMs: number;
  readonly maxBodyBytes: number;
}

/** `UPSTREAM_DEADLINE_MS`, `UPSTREAM_MAX_BODY_BYTES`; read once, so a bad value is reported once. */
export function readUpstreamLimits(env: EnvReader): UpstreamLimits {
  return {
    deadlineMs: env.integer('UPSTREAM_DEADLINE_MS', RESILIENCE_DEFAULTS.deadlineMs, 100, 600_000),
    maxBodyBytes: env.integer('UPSTREAM_MAX_BODY_BYTES', RESILIENCE_DEFAULTS.maxBodyBytes, 1024, 1024 ** 3),
  };
}

/** `<PROVIDER>_RETRIES`, `…_RETRY_*`, `…_BREAKER_*`, `…_MAX_IN_FLIGHT` of one provider. */
export function readResilience(
  provider: ProviderName,
  env: EnvReader,
  upstream: UpstreamLimits,
): ResilienceConfig {
  const prefix = provider.toUpperCase();
  const defaults = defaultResilience(provider);
  return {
    retry: {
      retries: env.integer(`${prefix}_RETRIES`, defaults.retry.retries, 0, 10),
      baseDelayMs: env.integer(`${prefix}_RETRY_BASE_DELAY_MS`, defaults.retry.baseDelayMs, 0, 60_000),
      maxDelayMs: env.integer(`${prefix}_RETRY_MAX_DELAY_MS`, defaults.retry.maxDelayMs, 0, 300_000),
      maxRetryAfterSeconds: env.integer(
        `${prefix}_RETRY_AFTER_MAX_SECONDS`,
        defaults.retry.maxRetryAfterSeconds,
        0,
        3600,
      ),
    },
    breaker: {
      failureThreshold: env.integer(`${prefix}_BREAKER_FAILURES`, defaults.breaker.failureThreshold, 1, 1000),
      openMs: env.integer(`${prefix}_BREAKER_OPEN_MS`, defaults.breaker.openMs, 100, 3_600_000),
    },
    maxInFlight: env.integer(`${prefix}_MAX_IN_FLIGHT`, defaults.maxInFlight, 1, 1000),
    deadlineMs: upstream.deadlineMs,
    maxBodyBytes: upstream.maxBodyBytes,
  };
}
