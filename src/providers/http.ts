import http from 'node:http';
import https from 'node:https';
import { got, RequestError, type Got, type Headers, type Response } from 'got';
import { PROVIDER_LABELS, ProviderError, type SecretRedactor } from '../errors.js';
import type { ProviderName } from '../models.js';

/**
 * One configured HTTP client per provider, on got: base URL, a timeout always, keep-alive, auth
 * by a hook, and every upstream outcome turned into either a response the caller can read
 * (2xx, 404) or a `ProviderError`, here and nowhere else.
 */

/** How a provider's credentials are put on a request. */
export interface AuthStrategy {
  /** Sets the credential headers of one outgoing request. */
  authorize(headers: Headers): Promise<void>;
  /**
   * Called once when the provider answers 401. Resolves true when fresh credentials were obtained
   * (a token was dropped and will be fetched again), so the request is worth sending once more.
   */
  renewAfterUnauthorized(rejectedHeaders: Headers): Promise<boolean>;
}

/**
 * An `AuthStrategy` with what the provider clients need beyond it: getting a token before a
 * request is sent, and the token endpoint's own error when a refresh failed.
 */
export interface ProviderAuth extends AuthStrategy {
  /**
   * Makes sure credentials are ready before a request is sent, throwing the token endpoint's
   * `ProviderError` as it is (rather than from inside got's request hook, where got wraps it).
   */
  prepare(): Promise<void>;
  /**
   * The token endpoint's failure when a token refresh after a 401 failed and the request therefore
   * ended as a plain 401. Cleared when a token is issued again.
   */
  renewalFailure(): ProviderError | undefined;
}

export interface UpstreamClientOptions {
  provider: ProviderName;
  /** The API root; request paths are relative to it. */
  baseUrl: string;
  timeoutMs: number;
  auth: ProviderAuth;
  redactor: SecretRedactor;
  /** Headers sent on every request (`Accept`, …). */
  headers?: Record<string, string>;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface UpstreamClient {
  readonly provider: ProviderName;
  /**
   * GETs `path` (relative to the base URL, ids already percent-encoded). Resolves with 2xx and 404
   * responses; throws `ProviderError` for everything else. `endpoint` is the path template used
   * in errors and logs (`GET /user/{id}`), so no id or query string leaks into them.
   */
  get(endpoint: string, path: string, searchParams?: URLSearchParams): Promise<UpstreamResponse>;
}

/** Agents shared by every client: keep-alive, so each upstream request reuses a socket. */
const keepAliveAgents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64, scheduling: 'lifo' }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64, scheduling: 'lifo' }),
};

/** Base options for every got instance of this project (token endpoints included). */
export function createGot(options: {
  baseUrl: string;
  timeoutMs: number;
  headers?: Record<string, string>;
}): Got {
  return got.extend({
    prefixUrl: options.baseUrl.replace(/\/+$/, ''),
    timeout: { request: options.timeoutMs },
    agent: keepAliveAgents,
    // Status codes are interpreted by `classifyResponse`, in one place.
    throwHttpErrors: false,
    // Retries belong to the resilience layer; got's own would retry behind its back.
    retry: { limit: 0 },
    followRedirect: false,
    responseType: 'text',
    headers: { 'user-agent': 'learning-directory-subgraph', ...options.headers },
  });
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const { provider, auth, redactor } = options;
  const label = PROVIDER_LABELS[provider];
  const client = createGot(options).extend({
    hooks: {
      beforeRequest: [
        async (requestOptions) => {
          await auth.authorize(requestOptions.headers);
        },
      ],
      afterResponse: [
        async (response, retryWithMergedOptions) => {
          const context = response.request.options.context as { renewedAuth?: boolean };
          if (response.statusCode !== 401 || context.renewedAuth) return response;
          const renewed = await auth.renewAfterUnauthorized(response.request.options.headers);
          if (!renewed) return response;
          // Exactly one renewal per request: the retried request carries the flag.
          return retryWithMergedOptions({ context: { renewedAuth: true } });
        },
      ],
    },
  });

  return {
    provider,
    async get(endpoint, path, searchParams) {
      await auth.prepare();
      let response: Response<string>;
      try {
        response = await client.get(path, searchParams ? { searchParams } : {});
      } catch (error) {
        throw toTransportError(provider, label, endpoint, error, redactor);
      }
      try {
        return classifyResponse(provider, label, endpoint, response, redactor);
      } catch (error) {
        // A 401 whose token refresh failed: the token endpoint's error says what really went wrong.
        if (error instanceof ProviderError && error.code === 'UPSTREAM_AUTH' && error.status === 401) {
          throw auth.renewalFailure() ?? error;
        }
        throw error;
      }
    },
  };
}

function classifyResponse(
  provider: ProviderName,
  label: string,
  endpoint: string,
  response: Response<string>,
  redactor: SecretRedactor,
): UpstreamResponse {
  const status = response.statusCode;
  const contentType = String(response.headers['content-type'] ?? '');
  if ((status >= 200 && status < 300) || status === 404) {
    return { status, contentType, body: response.body };
  }
  const detail = `HTTP ${status}; body: ${redactor.redact(response.body.slice(0, 500))}`;
  const common = { endpoint, status, detail };
  if (status === 401 || status === 403) {
    return fail(
      new ProviderError(
        'UPSTREAM_AUTH',
        provider,
        `${label} rejected the configured credentials (HTTP ${status} from ${endpoint}). Check the ${label} credentials and their permissions.`,
        common,
      ),
    );
  }
  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
    return fail(
      new ProviderError(
        'UPSTREAM_RATE_LIMITED',
        provider,
        `${label} is rate limiting requests (HTTP 429 from ${endpoint})${
          retryAfterSeconds === undefined ? '' : `; retry after ${retryAfterSeconds} s`
        }.`,
        { ...common, retryAfterSeconds },
      ),
    );
  }
  if (status >= 500) {
    return fail(
      new ProviderError(
        'UPSTREAM_UNAVAILABLE',
        provider,
        `${label} is unavailable (HTTP ${status} from ${endpoint}).`,
        common,
      ),
    );
  }
  return fail(
    new ProviderError(
      'UPSTREAM_REJECTED',
      provider,
      `${label} refused the request (HTTP ${status} from ${endpoint}).`,
      common,
    ),
  );
}

function fail(error: ProviderError): never {
  throw error;
}

function toTransportError(
  provider: ProviderName,
  label: string,
  endpoint: string,
  error: unknown,
  redactor: SecretRedactor,
): ProviderError {
  if (error instanceof ProviderError) return error;
  // A ProviderError thrown by a hook (the auth hook's token request) arrives wrapped by got.
  if (error instanceof RequestError && error.cause instanceof ProviderError) return error.cause;
  const code = error instanceof RequestError ? error.code : undefined;
  const what =
    code === 'ETIMEDOUT'
      ? 'did not answer in time'
      : code === 'ECONNREFUSED'
        ? 'refused the connection'
        : code === 'ECONNRESET'
          ? 'closed the connection'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'could not be found (DNS)'
            : 'could not be reached';
  const message = error instanceof Error ? redactor.redact(error.message) : String(error);
  // The cause is rebuilt from the message and code alone: got's error carries the request
  // options, credentials included, and must not travel with ours.
  const cause = Object.assign(new Error(message), { code });
  return new ProviderError('UPSTREAM_UNAVAILABLE', provider, `${label} ${what} (${endpoint}).`, {
    endpoint,
    detail: `${code ?? 'error'}: ${message}`,
    cause,
  });
}

/** `Retry-After` as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(
  header: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
