import type { Headers } from 'got';
import { ProviderError } from '../../errors.js';
import type { ProviderName } from '../../models.js';
import { labelOf } from '../../provider-facts.js';
import type { SecretRedactor } from '../../redaction.js';
import type { UpstreamCaller } from '../observer.js';
import {
  afterAttempts,
  RETRYABLE_STATUSES,
  runWithRetries,
  TRANSIENT_ERROR_CODES,
  type ProviderResilience,
} from '../resilience/index.js';
import { TokenCache, type IssuedToken, type TokenStore } from './token-cache.js';
import { isUsableBearerToken } from './token-request.js';
import type { ProviderAuth } from './types.js';

/** One token request: `timeoutMs` when shorter than the configured one, for `caller`, try `attempt`. */
export type TokenRequest = (
  timeoutMs?: number,
  caller?: UpstreamCaller,
  attempt?: number,
) => Promise<IssuedToken>;

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

/**
 * A bearer token from a token endpoint, cached until shortly before it expires, shared by
 * concurrent requests, and fetched again exactly once when the provider answers 401 (and not again for
 * `UNAUTHORIZED_REFRESH_BACKOFF_MS` when the new token is refused too).
 */
export function createBearerAuth(options: {
  provider: ProviderName;
  /** The token endpoint's template, for errors. */
  endpoint: string;
  /**
   * One token request; `timeoutMs`, when given, is shorter than the configured timeout; `attempt`
   * is which try of it this is.
   */
  fetchToken: TokenRequest;
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
    authorize(headers, caller) {
      const token = tokens.usableNow();
      if (token !== undefined) {
        headers.authorization = `Bearer ${token}`;
        return;
      }
      return tokens.get(caller).then((fetched) => {
        headers.authorization = `Bearer ${fetched}`;
      });
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
    prepare(caller) {
      if (tokens.usableNow() !== undefined) return;
      return tokens.get(caller).then(() => {});
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
function retryingTokenRequest(fetchToken: TokenRequest, resilience: ProviderResilience): TokenRequest {
  const { clock } = resilience;
  return async (_timeoutMs, caller) => {
    const deadline = resilience.deadlineFromNow();
    const run = await runWithRetries(
      async (attempt) => {
        try {
          // A retry starts only with time left; it gets no more than that.
          const value = await fetchToken(Math.max(1, deadline - clock.now()), caller, attempt);
          return { ok: true, value } as const;
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

/** Token errors are made by `statusError` and `transportError` (`http/errors.ts`), or are bad bodies. */
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
