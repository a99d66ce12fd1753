import { RequestError, type Headers, type Response } from 'got';
import type { ThriveConfig, ThriveOAuth } from '../../config.js';
import { PayloadShapeError, ProviderError, type SecretRedactor } from '../../errors.js';
import { createGot, type AuthStrategy } from '../http.js';
import { TokenCache, type IssuedToken } from '../token-cache.js';
import { decodeThriveTokenResponse, parseThriveJson } from './decode.js';

/**
 * Thrive credentials on requests (`shared/providers/thrive.md` §2): HTTP Basic with the tenant id
 * and API secret, or an OAuth 2.0 client-credentials token as a Bearer.
 */
export interface ThriveAuth extends AuthStrategy {
  /**
   * Makes sure credentials are ready before a request is sent, throwing the token endpoint's
   * `ProviderError` as it is. (An error thrown inside got's request hook reaches the HTTP layer
   * wrapped in got's `RequestError`, where it would read as a transport failure.)
   */
  prepare(): Promise<void>;
  /**
   * The token endpoint's failure when a token refresh after a 401 failed and the request therefore
   * ended as a plain 401. Cleared when a token is issued again.
   */
  renewalFailure(): ProviderError | undefined;
}

export const TOKEN_ENDPOINT = 'POST /oauth2/token/{tenantId}';

/** Tokens live 3600 s [DOC D-oauth]; used when the response leaves `expires_in` out. */
const DOCUMENTED_TOKEN_LIFETIME_SECONDS = 3600;

export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export function createThriveAuth(config: ThriveConfig, redactor: SecretRedactor): ThriveAuth {
  return config.auth.mode === 'basic'
    ? createBasicAuth(config.auth.tenantId, config.auth.apiSecret, redactor)
    : createOAuth(config.auth, config.timeoutMs, redactor);
}

function createBasicAuth(tenantId: string, apiSecret: string, redactor: SecretRedactor): ThriveAuth {
  const header = basicAuthorization(tenantId, apiSecret);
  redactor.add(apiSecret);
  redactor.add(header.slice('Basic '.length));
  return {
    async authorize(headers) {
      headers.authorization = header;
    },
    // A rejected API secret stays rejected: nothing to renew.
    renewAfterUnauthorized: async () => false,
    prepare: async () => {},
    renewalFailure: () => undefined,
  };
}

function createOAuth(auth: ThriveOAuth, timeoutMs: number, redactor: SecretRedactor): ThriveAuth {
  const clientAuthorization = basicAuthorization(auth.clientId, auth.clientSecret);
  redactor.add(auth.clientSecret);
  redactor.add(clientAuthorization.slice('Basic '.length));
  const fetchToken = createTokenRequest(auth, timeoutMs, clientAuthorization, redactor);
  let lastRenewalFailure: ProviderError | undefined;
  const tokens = new TokenCache({
    fetchToken: async () => {
      const issued = await fetchToken();
      lastRenewalFailure = undefined;
      return issued;
    },
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
        lastRenewalFailure = asProviderError(error);
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

/**
 * `POST <tokenUrl>` with `grant_type=client_credentials&scope=…`, the client id and secret in a
 * Basic header (RFC 6749 §2.3.1; the Cognito-style endpoint the docs point at takes this form).
 * The id and secret are not form-encoded before base64: Cognito does not expect it, and the
 * characters that would be encoded do not occur in its client ids and secrets.
 */
function createTokenRequest(
  auth: ThriveOAuth,
  timeoutMs: number,
  clientAuthorization: string,
  redactor: SecretRedactor,
): () => Promise<IssuedToken> {
  const url = new URL(auth.tokenUrl);
  // got's prefixUrl with an empty path would add a trailing slash to the token URL.
  const client = createGot({ baseUrl: url.origin, timeoutMs, headers: { accept: 'application/json' } });
  const path = `${url.pathname.replace(/^\/+/, '')}${url.search}`;
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (auth.scope !== '') form.scope = auth.scope;

  return async () => {
    let response: Response<string>;
    try {
      response = await client.post(path, { form, headers: { authorization: clientAuthorization } });
    } catch (error) {
      const code = error instanceof RequestError ? error.code : undefined;
      const message = error instanceof Error ? redactor.redact(error.message) : 'unknown error';
      throw new ProviderError(
        'UPSTREAM_UNAVAILABLE',
        'thrive',
        `Thrive's token endpoint could not be reached (${TOKEN_ENDPOINT}).`,
        {
          endpoint: TOKEN_ENDPOINT,
          detail: `${code ?? 'error'}: ${message}`,
          cause: Object.assign(new Error(message), { code }),
        },
      );
    }
    const status = response.statusCode;
    const detail = `HTTP ${status}; body: ${redactor.redact(response.body.slice(0, 500))}`;
    if (status < 200 || status >= 300) throw tokenStatusError(status, detail);
    let issued: IssuedToken;
    try {
      const body = decodeThriveTokenResponse(parseThriveJson(response.body));
      if (body.token_type !== undefined && body.token_type.toLowerCase() !== 'bearer') {
        throw new PayloadShapeError('token_type', '"Bearer"', 'another token type');
      }
      issued = {
        accessToken: body.access_token,
        expiresInSeconds: body.expires_in ?? DOCUMENTED_TOKEN_LIFETIME_SECONDS,
      };
    } catch (error) {
      if (!(error instanceof PayloadShapeError)) throw error;
      throw new ProviderError(
        'UPSTREAM_BAD_RESPONSE',
        'thrive',
        `Thrive's token endpoint sent a response that is not the expected token JSON (${TOKEN_ENDPOINT}: ${error.message}).`,
        { endpoint: TOKEN_ENDPOINT, status, detail: error.message },
      );
    }
    // Added before anything could log it.
    redactor.add(issued.accessToken);
    return issued;
  };
}

function tokenStatusError(status: number, detail: string): ProviderError {
  const common = { endpoint: TOKEN_ENDPOINT, status, detail };
  if (status === 400 || status === 401 || status === 403) {
    // RFC 6749 §5.2: a bad client secret is 401 `invalid_client`, a bad scope 400 `invalid_scope`.
    return new ProviderError(
      'UPSTREAM_AUTH',
      'thrive',
      `Thrive's token endpoint rejected the configured OAuth client credentials (HTTP ${status} from ${TOKEN_ENDPOINT}). Check THRIVE_CLIENT_ID, THRIVE_CLIENT_SECRET, THRIVE_SCOPE and THRIVE_TENANT_ID.`,
      common,
    );
  }
  if (status === 429) {
    return new ProviderError(
      'UPSTREAM_RATE_LIMITED',
      'thrive',
      `Thrive's token endpoint is rate limiting requests (HTTP 429 from ${TOKEN_ENDPOINT}).`,
      common,
    );
  }
  if (status >= 500) {
    return new ProviderError(
      'UPSTREAM_UNAVAILABLE',
      'thrive',
      `Thrive's token endpoint is unavailable (HTTP ${status} from ${TOKEN_ENDPOINT}).`,
      common,
    );
  }
  return new ProviderError(
    'UPSTREAM_REJECTED',
    'thrive',
    `Thrive's token endpoint refused the request (HTTP ${status} from ${TOKEN_ENDPOINT}). Check THRIVE_TOKEN_URL.`,
    common,
  );
}

function asProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  return new ProviderError(
    'UPSTREAM_UNAVAILABLE',
    'thrive',
    `Thrive's token request failed (${TOKEN_ENDPOINT}).`,
    {
      endpoint: TOKEN_ENDPOINT,
      detail: error instanceof Error ? error.name : typeof error,
    },
  );
}
