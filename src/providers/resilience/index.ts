import { defaultResilience, type ResilienceConfig } from './config.js';
import type { ProviderName } from '../../models.js';
import { SILENT_UPSTREAM_OBSERVER, type UpstreamObserver } from '../observer.js';
import { CircuitBreaker } from './breaker.js';
import { createLimit, type Limit } from './limit.js';
import { systemClock, type ResilienceClock } from './retry.js';

export { createLimit, type Limit } from './limit.js';
export {
  CircuitBreaker,
  type Admission,
  type BreakerRejection,
  type BreakerState,
  type BreakerTicket,
} from './breaker.js';
export {
  afterAttempts,
  retryDelayMs,
  runWithRetries,
  systemClock,
  RETRYABLE_STATUSES,
  TRANSIENT_ERROR_CODES,
  type AttemptOutcome,
  type ResilienceClock,
  type RetryRun,
} from './retry.js';

/**
 * What one provider's requests share, process-wide: its policies, its circuit breaker, the bound
 * on its requests in flight, and the clock. Made once per provider (per `createThriveProvider` or
 * `createIspringProvider` call), so every operation, session and token request of that provider
 * sees the same breaker and the same bound.
 */
export interface ProviderResilience {
  readonly provider: ProviderName;
  readonly config: ResilienceConfig;
  readonly breaker: CircuitBreaker;
  /** Wraps each request sent (each attempt, not the waits between them). */
  readonly limit: Limit;
  readonly clock: ResilienceClock;
  /** Hears every request sent and every change of the breaker's state (logs and metrics). */
  readonly observer: UpstreamObserver;
  /** The deadline of an operation that starts now. */
  deadlineFromNow(): number;
}

export function createResilience(
  provider: ProviderName,
  config: ResilienceConfig = defaultResilience(provider),
  clock: ResilienceClock = systemClock,
  observer: UpstreamObserver = SILENT_UPSTREAM_OBSERVER,
): ProviderResilience {
  return {
    provider,
    config,
    breaker: new CircuitBreaker(
      config.breaker,
      () => clock.now(),
      (from, to) => observer.breakerTransition(provider, from, to),
    ),
    limit: createLimit(config.maxInFlight),
    clock,
    observer,
    deadlineFromNow: () => clock.now() + config.deadlineMs,
  };
}
