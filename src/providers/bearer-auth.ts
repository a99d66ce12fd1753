import { labelOf } from '../provider-facts.js';
import { RequestError, type CancelableRequest, type Headers, type Response } from 'got';
import { PayloadShapeError, ProviderError } from '../errors.js';
import { type SecretRedactor } from '../redaction.js';
import type { ProviderName } from '../models.js';
import {
  bodyTooLargeError,
  BodyTooLargeError,
  parseRetryAfter,
  receive,
  transportFailure,
  type ProviderAuth,
} from './http.js';
import {
  outcomeOfStatus,
  outcomeOfTransportError,
  type UpstreamCaller,
  type UpstreamOutcome,
} from './observer.js';
import {
  afterAttempts,
  RETRYABLE_STATUSES,
  runWithRetries,
  TRANSIENT_ERROR_CODES,
  type ProviderResilience,
} from './resilience/index.js';
import { TokenCache, type IssuedToken, type TokenStore } from './token-cache.js';

export type { ProviderAuth } from './http.js';

/** Credentials that are the same on every request (a password, an API secret): nothing to renew. */
export function createStaticAuth(headers: Readonly<Record<string, string>>): ProviderAuth {
  return {
    async authorize(outgoing) {
      Object.assign(outgoing, headers);
    },
    renewAfterUnauthorized: async () => false,
    prepare: async () => {},
    renewalFailure: () => undefined,
  };
}

/**
 * How long a token fetched because of a 401 is not replaced because of another 401: at most one
 * such refresh per provider in this time, while the provider keeps refusing fresh tokens.
 */
export const UNAUTHORIZED_REFRESH_BACKOFF_MS = 10_000;

/**
 * How long a token request the endpoint refused (bad credentials, a bad request, a token that is
 * not usable: anything but the endpoint being down, which the circuit breaker handles) is not sent
 * again: every request in that time shares the refusal, so a tenant whose credentials are wrong
 * costs one token request per this time, not one per incoming request.
 */
export const TOKEN_REFUSAL_BACKOFF_MS = 5_000;

/** The shortest token lifetime accepted: a shorter one would be fetched again for nearly every request. */
export const MIN_TOKEN_LIFETIME_SECONDS = 30;

/**
 * RFC 6750 §2.1's b64token: the only characters a bearer token may have. Anything else (a CR/LF, a
 * space) cannot go in an `Authorization` header as it is, and a token that cannot be sent must
 * never be cached: it would fail every request until it expired.
 */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** True when `token` is one an `Authorization: Bearer` header can carry (RFC 6750 §2.1). */
export function isUsableBearerToken(token: unknown): boolean {
  return typeof token === 'string' && BEARER_TOKEN.test(token);
}

/**
 * A bearer token from a token endpoint, cached until shortly before it expires, shared by
 * concurrent requests, and fetched again exactly once when the provider answers 401 (and not again for
 * `UNAUTHORIZED_REFRESH_BACKOFF_MS` when the new token is refused too).
 */
export function createBearerAuth(options: {
  provider: ProviderName;
  /** The token endpoint's template, for errors. */
  endpoint: string;
  /** One token request; `timeoutMs`, when given, is shorter than the configured timeout. */
  fetchToken: (timeoutMs?: number, caller?: UpstreamCaller) => Promise<IssuedToken>;
  /** Where the token is kept across requests (the cross-request cache), if not in this object. */
  shared?: TokenStore | undefined;
  /** Learns a token read from `shared`, which another process may have fetched. */
  redactor?: SecretRedactor | undefined;
  /** The provider's retry policy and clock: token requests are retried as GETs are. */
  resilience?: ProviderResilience | undefined;
}): ProviderAuth {
  let lastRenewalFailure: ProviderError | undefined;
  let renewedAfter401: { readonly token: string; readonly at: number } | undefined;
  let refusal: { readonly error: ProviderError; readonly until: number } | undefined;
  const now = () => options.resilience?.clock.now() ?? Date.now();
  const fetchToken = options.resilience
    ? retryingTokenRequest(options.fetchToken, options.resilience)
    : options.fetchToken;
  const tokens = new TokenCache({
    fetchToken: async (caller) => {
      if (refusal !== undefined && now() < refusal.until) throw refusal.error;
      try {
        const issued = await fetchToken(undefined, caller);
        lastRenewalFailure = undefined;
        refusal = undefined;
        return issued;
      } catch (error) {
        if (error instanceof ProviderError && error.code !== 'UPSTREAM_UNAVAILABLE') {
          refusal = { error, until: now() + TOKEN_REFUSAL_BACKOFF_MS };
        }
        throw error;
      }
    },
    isUsable: isUsableBearerToken,
    shared: options.shared,
    onStoredToken: (token) => options.redactor?.add(token),
  });

  return {
    async authorize(headers, caller) {
      headers.authorization = `Bearer ${await tokens.get(caller)}`;
    },
    async renewAfterUnauthorized(rejectedHeaders: Headers, caller?: UpstreamCaller) {
      const sent = bearerTokenOf(rejectedHeaders.authorization);
      if (sent === undefined) return false;
      // A token that a 401 made us fetch, refused in its turn: the provider refuses our
      // credentials (or their permissions), not an expired token, and another token would be
      // refused too. Without this, every request of a tenant in that state cost a token request.
      if (sent === renewedAfter401?.token && now() - renewedAfter401.at < UNAUTHORIZED_REFRESH_BACKOFF_MS) {
        return false;
      }
      // Drops the rejected token only if it is still current: when many requests carried the same
      // stale token, the first 401 triggers the one refresh and the others reuse its result.
      tokens.invalidate(sent);
      try {
        renewedAfter401 = { token: await tokens.get(caller), at: now() };
        return true;
      } catch (error) {
        lastRenewalFailure = asProviderError(error, options.provider, options.endpoint);
        return false;
      }
    },
    async prepare(caller) {
      await tokens.get(caller);
    },
    renewalFailure: () => lastRenewalFailure,
  };
}

/**
 * The token request, retried as a GET is, on a timeout, a connection failure, 429 and 502/503/504:
 * a client-credentials grant is safe to send again (at worst the provider issues a token that is
 * never used). It is held to the configured deadline from its own start rather than to one
 * operation's, since concurrent operations share it; and it takes no place under the in-flight
 * bound, because a request that holds one may be the one waiting for it (after a 401).
 */
function retryingTokenRequest(
  fetchToken: (timeoutMs?: number, caller?: UpstreamCaller) => Promise<IssuedToken>,
  resilience: ProviderResilience,
): (timeoutMs?: number, caller?: UpstreamCaller) => Promise<IssuedToken> {
  const { clock } = resilience;
  return async (_timeoutMs, caller) => {
    const deadline = resilience.deadlineFromNow();
    const run = await runWithRetries(
      async () => {
        try {
          // A retry starts only with time left; it gets no more than that.
          return { ok: true, value: await fetchToken(Math.max(1, deadline - clock.now()), caller) } as const;
        } catch (error) {
          if (!(error instanceof ProviderError)) throw error;
          return {
            ok: false,
            error,
            transient: isTransientTokenFailure(error),
            retryAfterSeconds: error.retryAfterSeconds,
          } as const;
        }
      },
      { policy: resilience.config.retry, deadline, clock },
    );
    if (run.outcome.ok) return run.outcome.value;
    throw afterAttempts(run.outcome.error, run.attempts);
  };
}

/** Token errors are made by `tokenStatusError` and `tokenTransportError` below (or are bad bodies). */
function isTransientTokenFailure(error: ProviderError): boolean {
  if (error.status !== undefined) return RETRYABLE_STATUSES.has(error.status);
  if (error.code !== 'UPSTREAM_UNAVAILABLE') return false;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && TRANSIENT_ERROR_CODES.has(code);
}

function bearerTokenOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer (.+)$/i.exec(value ?? '');
  return match?.[1];
}

function asProviderError(error: unknown, provider: ProviderName, endpoint: string): ProviderError {
  if (error instanceof ProviderError) return error;
  return new ProviderError(
    'UPSTREAM_UNAVAILABLE',
    provider,
    `${labelOf(provider)}'s token request failed (${endpoint}).`,
    { endpoint, detail: error instanceof Error ? error.name : typeof error },
  );
}

/**
 * A token endpoint's non-2xx answer as a `ProviderError`. `credentialsHint` names the settings to
 * check when the credentials were refused; `urlHint` the one to check when the request was.
 */
export function tokenStatusError(options: {
  provider: ProviderName;
  endpoint: string;
  status: number;
  detail: string;
  credentialsHint: string;
  urlHint: string;
  /** The endpoint's `Retry-After`, kept with a 429. */
  retryAfterSeconds?: number | undefined;
  /** The OAuth `error` code of the body (RFC 6749 §5.2), when it had one: safe to show. */
  oauthError?: string | undefined;
  /** How the request was sent, for the message (`sent as client_secret_basic and as …`). */
  sentAs?: string | undefined;
}): ProviderError {
  const { provider, endpoint, status, detail } = options;
  const label = labelOf(provider);
  const common = { endpoint, status, detail };
  const what = `HTTP ${status}${options.oauthError ? ` ${options.oauthError}` : ''} from ${endpoint}${
    options.sentAs ? `, ${options.sentAs}` : ''
  }`;
  if (status === 400 || status === 401 || status === 403) {
    // RFC 6749 §5.2: a bad client secret is 401 `invalid_client`, a bad scope 400 `invalid_scope`.
    return new ProviderError(
      'UPSTREAM_AUTH',
      provider,
      `${label}'s token endpoint rejected the configured client credentials (${what}). Check ${options.credentialsHint}.`,
      common,
    );
  }
  if (status === 429) {
    return new ProviderError(
      'UPSTREAM_RATE_LIMITED',
      provider,
      `${label}'s token endpoint is rate limiting requests (${what}).`,
      { ...common, retryAfterSeconds: options.retryAfterSeconds },
    );
  }
  if (status >= 500) {
    return new ProviderError(
      'UPSTREAM_UNAVAILABLE',
      provider,
      `${label}'s token endpoint is unavailable (${what}).`,
      common,
    );
  }
  return new ProviderError(
    'UPSTREAM_REJECTED',
    provider,
    `${label}'s token endpoint refused the request (${what}). Check ${options.urlHint}.`,
    common,
  );
}

/**
 * The OAuth `error` code of a token endpoint's error body (`{"error":"invalid_client"}`), when the
 * body is JSON with one in the RFC's shape (a short lower-case word): the code names what went
 * wrong and holds no secret, so it may go in messages. Anything else gives undefined.
 */
export function oauthErrorOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const error = (parsed as { error?: unknown } | null)?.error;
    return typeof error === 'string' && /^[a-z_]{1,64}$/.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}

/** A token request that got no answer (connection refused, timeout, DNS) as a `ProviderError`. */
export function tokenTransportError(
  provider: ProviderName,
  endpoint: string,
  error: unknown,
  redactor: SecretRedactor,
): ProviderError {
  const code = error instanceof RequestError ? error.code : undefined;
  const message = error instanceof Error ? redactor.redact(error.message) : 'unknown error';
  return new ProviderError(
    'UPSTREAM_UNAVAILABLE',
    provider,
    `${labelOf(provider)}'s token endpoint ${transportFailure(code)} (${endpoint}).`,
    {
      endpoint,
      detail: `${code ?? 'error'}: ${message}`,
      // Rebuilt from the message and code alone: got's error carries the request, secret included.
      cause: Object.assign(new Error(message), { code }),
    },
  );
}

/**
 * Sends a token request: its response, or the `ProviderError` of a request that got none (see
 * `tokenTransportError`) or whose body is larger than `maxBodyBytes`.
 */
export async function sendTokenRequest(
  request: CancelableRequest<Response<string>>,
  options: {
    provider: ProviderName;
    endpoint: string;
    redactor: SecretRedactor;
    /** Its body bound, and the observer that hears of the request. */
    resilience: ProviderResilience;
    /** The request that needed the token, if one did. */
    caller?: UpstreamCaller | undefined;
  },
): Promise<Response<string>> {
  const { provider, endpoint, resilience } = options;
  const startedAt = performance.now();
  const observe = (outcome: UpstreamOutcome, status: number | undefined) =>
    resilience.observer.request({
      provider,
      endpoint,
      outcome,
      status,
      durationMs: performance.now() - startedAt,
      // Token requests are retried around this function; which try this was is not known here.
      attempt: undefined,
      caller: options.caller,
    });
  try {
    const response = await receive(request, resilience.config.maxBodyBytes);
    observe(outcomeOfStatus(response.statusCode), response.statusCode);
    return response;
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      observe('too_large', undefined);
      throw bodyTooLargeError(provider, endpoint, error.maxBytes);
    }
    observe(outcomeOfTransportError(error instanceof RequestError ? error.code : undefined), undefined);
    throw tokenTransportError(provider, endpoint, error, options.redactor);
  }
}

/**
 * A token endpoint's answer as an issued token: a status other than 2xx becomes `tokenStatusError`,
 * a body `decode` refuses becomes UPSTREAM_BAD_RESPONSE (saying it is not the `expected` body), and
 * the token is added to the redactor before anything could log it.
 */
export async function readTokenResponse(
  response: Response<string>,
  options: {
    provider: ProviderName;
    endpoint: string;
    redactor: SecretRedactor;
    credentialsHint: string;
    urlHint: string;
    expected: string;
    decode: (body: string) => IssuedToken | Promise<IssuedToken>;
    /** How the request was sent, for the message of a refusal. */
    sentAs?: string | undefined;
  },
): Promise<IssuedToken> {
  const { provider, endpoint, redactor } = options;
  const status = response.statusCode;
  if (status < 200 || status >= 300) {
    throw tokenStatusError({
      provider,
      endpoint,
      status,
      detail: `HTTP ${status}; body: ${redactor.redact(response.body.slice(0, 500))}`,
      credentialsHint: options.credentialsHint,
      urlHint: options.urlHint,
      retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
      oauthError: oauthErrorOf(response.body),
      sentAs: options.sentAs,
    });
  }
  let issued: IssuedToken;
  try {
    issued = await options.decode(response.body);
  } catch (error) {
    if (!(error instanceof PayloadShapeError)) throw error;
    throw new ProviderError(
      'UPSTREAM_BAD_RESPONSE',
      provider,
      `${labelOf(provider)}'s token endpoint sent a response that is not the ${options.expected} (${endpoint}: ${error.message}).`,
      { endpoint, status, detail: error.message },
    );
  }
  // Before anything could log it, even a token refused below.
  redactor.add(issued.accessToken);
  const unusable = !isUsableBearerToken(issued.accessToken)
    ? {
        expected: "RFC 6750's token characters (letters, digits, -._~+/ and trailing =)",
        received: 'other characters',
      }
    : !(issued.expiresInSeconds >= MIN_TOKEN_LIFETIME_SECONDS)
      ? {
          expected: `a lifetime of at least ${MIN_TOKEN_LIFETIME_SECONDS} s`,
          received: `${issued.expiresInSeconds} s`,
        }
      : undefined;
  if (unusable) {
    // Never handed out, so never cached, in memory or in a shared store.
    throw new ProviderError(
      'UPSTREAM_BAD_RESPONSE',
      provider,
      `${labelOf(provider)}'s token endpoint issued a token that cannot be used (${endpoint}: expected ${unusable.expected}, received ${unusable.received}).`,
      { endpoint, status, detail: `unusable token: ${unusable.received}` },
    );
  }
  return issued;
}
