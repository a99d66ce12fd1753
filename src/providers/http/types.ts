import type { ProviderName } from '../../models.js';
import type { SecretRedactor } from '../../redaction.js';
import type { ProviderAuth } from '../auth/types.js';
import type { UpstreamCaller } from '../observer.js';
import type { ProviderResilience } from '../resilience/index.js';

export interface UpstreamClientOptions {
  provider: ProviderName;
  /** The API root; request paths are relative to it. */
  baseUrl: string;
  timeoutMs: number;
  auth: ProviderAuth;
  redactor: SecretRedactor;
  /** Headers sent on every request (`Accept`, …). */
  headers?: Record<string, string>;
  /**
   * The provider's retry policy, deadline, in-flight bound, circuit breaker and body bound, shared
   * with its token requests; without it, a fresh set with the defaults.
   */
  resilience?: ProviderResilience;
}

/** What one call carries from its operation. */
export interface CallOptions {
  /**
   * When the operation's time is up, on the resilience clock (`Date.now()` time); by default the
   * configured deadline from now. No attempt or retry starts that could not finish before it.
   */
  readonly deadline?: number | undefined;
  /** Whom the request is made for, handed back in its observation. */
  readonly caller?: UpstreamCaller | undefined;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** One request as a provider client describes it. */
export interface UpstreamRequest {
  /** Default GET. Only reads are sent: a POST here is a read with a body (`POST /users/v2`). */
  readonly method?: 'GET' | 'POST';
  /** The path template used in errors and logs (`GET /user/{id}`): no id or query string leaks into them. */
  readonly endpoint: string;
  /** Relative to the base URL, ids already percent-encoded. */
  readonly path: string;
  readonly searchParams?: URLSearchParams | undefined;
  readonly body?: { readonly contentType: string; readonly text: string } | undefined;
  /**
   * Statuses besides 2xx that the caller reads itself (default: 404, "not found"); every other
   * status is a `ProviderError`. iSpring answers 400 to a by-id read of an id it does not have.
   */
  readonly answers?: readonly number[] | undefined;
  /**
   * The statuses of `answers` that mean "not found" here (default: 404), so that logs and metrics
   * count them as `not_found` rather than as failed requests: iSpring's 400 to a by-id read.
   */
  readonly notFound?: readonly number[] | undefined;
}

export interface UpstreamClient {
  readonly provider: ProviderName;
  /**
   * Sends `request`. Resolves with 2xx responses and those in `request.answers`; throws
   * `ProviderError` for everything else, after the retries the policy allows.
   */
  send(request: UpstreamRequest, options?: CallOptions): Promise<UpstreamResponse>;
  /** `send` of a GET that reads 2xx and 404. */
  get(
    endpoint: string,
    path: string,
    searchParams?: URLSearchParams,
    options?: CallOptions,
  ): Promise<UpstreamResponse>;
  /**
   * Makes sure credentials are ready (a token, fetched if need be), failing fast while the circuit
   * is open. A token endpoint that is down counts against the provider's circuit. A token
   * request is made for `options.caller`.
   */
  prepare(options?: CallOptions): Promise<void>;
}
