import { RequestError, type Headers } from 'got';
import { PROVIDER_LABELS, ProviderError, type SecretRedactor } from '../errors.js';
import type { ProviderName } from '../models.js';
import type { ProviderAuth } from './http.js';
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
 * A bearer token from a token endpoint, cached until shortly before it expires, shared by
 * concurrent requests, and fetched again exactly once when the provider answers 401.
 */
export function createBearerAuth(options: {
  provider: ProviderName;
  /** The token endpoint's template, for errors. */
  endpoint: string;
  fetchToken: () => Promise<IssuedToken>;
  /** Where the token is kept across requests (the cross-request cache), if not in this object. */
  shared?: TokenStore | undefined;
  /** Learns a token read from `shared`, which another process may have fetched. */
  redactor?: SecretRedactor | undefined;
}): ProviderAuth {
  let lastRenewalFailure: ProviderError | undefined;
  const tokens = new TokenCache({
    fetchToken: async () => {
      const issued = await options.fetchToken();
      lastRenewalFailure = undefined;
      return issued;
    },
    shared: options.shared,
    onStoredToken: (token) => options.redactor?.add(token),
  });

  return {
    async authorize(headers) {
      headers.authorization = `Bearer ${await tokens.get()}`;
    },
    async renewAfterUnauthorized(rejectedHeaders: Headers) {
      const sent = bearerTokenOf(rejectedHeaders.authorization);
      if (sent === undefined) return false;
      // Drops the rejected token only if it is still current: when many requests carried the same
      // stale token, the first 401 triggers the one refresh and the others reuse its result.
      tokens.invalidate(sent);
      try {
        await tokens.get();
        return true;
      } catch (error) {
        lastRenewalFailure = asProviderError(error, options.provider, options.endpoint);
        return false;
      }
    },
    async prepare() {
      await tokens.get();
    },
    renewalFailure: () => lastRenewalFailure,
  };
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
    `${PROVIDER_LABELS[provider]}'s token request failed (${endpoint}).`,
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
}): ProviderError {
  const { provider, endpoint, status, detail } = options;
  const label = PROVIDER_LABELS[provider];
  const common = { endpoint, status, detail };
  if (status === 400 || status === 401 || status === 403) {
    // RFC 6749 §5.2: a bad client secret is 401 `invalid_client`, a bad scope 400 `invalid_scope`.
    return new ProviderError(
      'UPSTREAM_AUTH',
      provider,
      `${label}'s token endpoint rejected the configured client credentials (HTTP ${status} from ${endpoint}). Check ${options.credentialsHint}.`,
      common,
    );
  }
  if (status === 429) {
    return new ProviderError(
      'UPSTREAM_RATE_LIMITED',
      provider,
      `${label}'s token endpoint is rate limiting requests (HTTP 429 from ${endpoint}).`,
      common,
    );
  }
  if (status >= 500) {
    return new ProviderError(
      'UPSTREAM_UNAVAILABLE',
      provider,
      `${label}'s token endpoint is unavailable (HTTP ${status} from ${endpoint}).`,
      common,
    );
  }
  return new ProviderError(
    'UPSTREAM_REJECTED',
    provider,
    `${label}'s token endpoint refused the request (HTTP ${status} from ${endpoint}). Check ${options.urlHint}.`,
    common,
  );
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
    `${PROVIDER_LABELS[provider]}'s token endpoint could not be reached (${endpoint}).`,
    {
      endpoint,
      detail: `${code ?? 'error'}: ${message}`,
      // Rebuilt from the message and code alone: got's error carries the request, secret included.
      cause: Object.assign(new Error(message), { code }),
    },
  );
}
