import type { ProviderName } from '../models.js';
import type { BreakerState } from './resilience/breaker.js';

/**
 * What the provider layer tells whoever watches it (logs and metrics, `src/observability/`),
 * without knowing who that is: providers never import the observability layer.
 */

/** How one upstream request ended, as a metric label: a small fixed set, never a message. */
export type UpstreamOutcome =
  | 'ok'
  | 'not_found'
  | 'unauthorized'
  | 'rate_limited'
  | 'client_error'
  | 'server_error'
  | 'timeout'
  | 'network_error'
  | 'too_large';

/**
 * Whom upstream requests are made for: one GraphQL request, passed down through its provider
 * sessions (`SessionOptions.caller`) and handed back in each event, so that its log lines carry
 * its id. Requests made for no one request (token requests, which operations share; readiness
 * checks) have none.
 */
export interface UpstreamCaller {
  readonly requestId: string;
  /** Upstream requests sent for this caller so far (each attempt). */
  upstreamRequests: number;
}

export interface UpstreamRequestEvent {
  readonly provider: ProviderName;
  /** The path template (`GET /user/{id}`), never the path with ids or the query string. */
  readonly endpoint: string;
  readonly outcome: UpstreamOutcome;
  /** The HTTP status, when a response came. */
  readonly status: number | undefined;
  readonly durationMs: number;
  /** 1 for the first attempt of a call, 2 for its first retry, …; undefined for token requests. */
  readonly attempt: number | undefined;
  readonly caller: UpstreamCaller | undefined;
}

export interface UpstreamObserver {
  /** One request that was sent (each attempt, token requests included), when it has ended. */
  request(event: UpstreamRequestEvent): void;
  /** The provider's circuit breaker changed state (`half-open` is reported when a probe is let through). */
  breakerTransition(provider: ProviderName, from: BreakerState, to: BreakerState): void;
}

export const SILENT_UPSTREAM_OBSERVER: UpstreamObserver = Object.freeze({
  request: () => {},
  breakerTransition: () => {},
});

/** The outcome label of a response's status. */
export function outcomeOfStatus(status: number): UpstreamOutcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 404) return 'not_found';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'client_error';
}

/** The outcome label of a request that got no response, from got's error code. */
export function outcomeOfTransportError(code: string | undefined): UpstreamOutcome {
  return code === 'ETIMEDOUT' ? 'timeout' : 'network_error';
}
