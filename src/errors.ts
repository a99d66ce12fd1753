import type { ProviderName } from './models.js';
import { labelOf } from './provider-facts.js';

/**
 * The one error type of the data layer (providers and loaders). Its `message` is safe to show a
 * client: it never holds a secret, a credential-bearing URL or text copied from an upstream body.
 * What came from upstream goes in `detail`, which is for logs only.
 */

export type ProviderErrorCode =
  /** The provider rejected our credentials (401/403), after one token refresh. */
  | 'UPSTREAM_AUTH'
  /** 429 after the retries allowed. */
  | 'UPSTREAM_RATE_LIMITED'
  /** Timeout, connection failure or 5xx after the retries allowed. */
  | 'UPSTREAM_UNAVAILABLE'
  /** A body that is not the documented JSON or XML. */
  | 'UPSTREAM_BAD_RESPONSE'
  /** The provider refused the request itself (a 4xx other than 401, 403, 404 and 429). */
  | 'UPSTREAM_REJECTED'
  /** The operation used up its upstream requests to this provider; the request was not sent. */
  | 'QUERY_LIMIT_EXCEEDED';

export interface ProviderErrorOptions {
  /** The upstream endpoint as a template, e.g. `GET /user/{id}`: never a full URL. */
  endpoint?: string | undefined;
  status?: number | undefined;
  retryAfterSeconds?: number | undefined;
  /** For logs only: what came back (a redacted excerpt of the body, a parser message). */
  detail?: string | undefined;
  cause?: unknown;
}

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly endpoint: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly detail: string | undefined;

  constructor(
    readonly code: ProviderErrorCode,
    readonly provider: ProviderName,
    message: string,
    options: ProviderErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.endpoint = options.endpoint;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.detail = options.detail;
  }
}

export function isProviderError(value: unknown): value is ProviderError {
  return value instanceof ProviderError;
}

/**
 * Thrown by decoders when an upstream payload does not have the documented shape. The provider
 * client turns it into an `UPSTREAM_BAD_RESPONSE` ProviderError naming the endpoint.
 * `path` says where in the payload (`userProfiles[3].status`); `expected` and `received` say what
 * was expected and what kind of value came (never the value itself: it may be personal data).
 */
export class PayloadShapeError extends Error {
  override readonly name = 'PayloadShapeError';
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`${path}: expected ${expected}, received ${received}`);
  }
}

/** Names the kind of a value for error messages, without showing the value. */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string')
    return value === '' ? 'an empty string' : `a string of ${value.length} characters`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** An id names a provider this subgraph has no credentials for. */
export class ProviderNotConfiguredError extends Error {
  override readonly name = 'ProviderNotConfiguredError';
  constructor(readonly provider: ProviderName) {
    super(
      `${labelOf(provider)} is not configured on this subgraph, so ${provider}: ids cannot be resolved. Set its credentials (see the README's configuration table).`,
    );
  }
}

/**
 * A directory query (README, "The directory") that the index cannot answer: `DIRECTORY=live`
 * (`DIRECTORY_DISABLED`), or a provider whose first full sync has not finished
 * (`DIRECTORY_NOT_READY`, with the provider).
 */
export class DirectoryUnavailableError extends Error {
  override readonly name = 'DirectoryUnavailableError';
  constructor(
    readonly code: 'DIRECTORY_NOT_READY' | 'DIRECTORY_DISABLED',
    message: string,
    readonly provider?: ProviderName,
  ) {
    super(message);
  }
}
