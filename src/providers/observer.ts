import type { ProviderName } from '../models.js';
import type { PayloadIssue } from '../payload.js';
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
  | 'too_large'
  /** An answer came whose body could not be read (corrupt compression, malformed HTTP). */
  | 'unreadable';

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
  /** What this caller may still send to each provider; no bound without it. */
  readonly budget?: UpstreamBudget | undefined;
}

/**
 * How many upstream requests one caller (one GraphQL operation) may send to each provider: each
 * attempt counts, retries included; token requests, which operations share, do not. An operation
 * that has used up a provider's share gets that provider's remaining reads refused at once
 * (`MAX_UPSTREAM_REQUESTS_PER_OPERATION`).
 */
export class UpstreamBudget {
  readonly #sent = new Map<ProviderName, number>();

  constructor(readonly perProvider: number) {}

  /** Takes one request to `provider` from the budget: false, and nothing taken, when none is left. */
  claim(provider: ProviderName): boolean {
    const sent = this.#sent.get(provider) ?? 0;
    if (sent >= this.perProvider) return false;
    this.#sent.set(provider, sent + 1);
    return true;
  }
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

/** What a lenient decode of one payload left out (see `PayloadIssues`). */
export interface PayloadIssuesEvent {
  readonly provider: ProviderName;
  readonly endpoint: string;
  /** Each value left out: its path, what was expected, the kind that came (never the value). */
  readonly issues: readonly PayloadIssue[];
  readonly caller: UpstreamCaller | undefined;
}

/**
 * Something a provider client learned that an operator should know, once: which of several
 * documented request forms a tenant accepts, or why a read came back empty.
 */
export interface ProviderNotice {
  readonly provider: ProviderName;
  readonly level: 'debug' | 'info' | 'warn';
  readonly message: string;
  /** Short, safe values (endpoint templates, forms, counts), never ids, bodies or secrets. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  readonly caller?: UpstreamCaller | undefined;
}

export interface UpstreamObserver {
  /** One request that was sent (each attempt, token requests included), when it has ended. */
  request(event: UpstreamRequestEvent): void;
  /** The provider's circuit breaker changed state (`half-open` is reported when a probe is let through). */
  breakerTransition(provider: ProviderName, from: BreakerState, to: BreakerState): void;
  /** One payload whose odd values were left out, the records kept (one event per payload). */
  payloadIssues(event: PayloadIssuesEvent): void;
  notice(notice: ProviderNotice): void;
}

export const SILENT_UPSTREAM_OBSERVER: UpstreamObserver = Object.freeze({
  request: () => {},
  breakerTransition: () => {},
  payloadIssues: () => {},
  notice: () => {},
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
