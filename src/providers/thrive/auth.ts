import type { TokenKeyValueCache } from '../types.js';
import type { ThriveConfig, ThriveOAuth } from './config.js';
import { PayloadShapeError } from '../../errors.js';
import { type SecretRedactor } from '../../redaction.js';
import { createBearerAuth } from '../auth/bearer.js';
import { createStaticAuth } from '../auth/static.js';
import { oauthErrorOf, readTokenResponse, sendTokenRequest } from '../auth/token-request.js';
import { type ProviderAuth } from '../auth/types.js';
import { createGot } from '../http/got.js';
import { createResilience, type ProviderResilience } from '../resilience/index.js';
import type { UpstreamCaller } from '../observer.js';
import type { IssuedToken } from '../auth/token-cache.js';
import { decodeThriveTokenResponse, parseThriveJson } from './decode.js';
import { THRIVE_ENDPOINTS } from './endpoints.js';

/**
 * Thrive credentials on requests, as Thrive's docs describe them: HTTP Basic with the tenant id
 * and API secret, or an OAuth 2.0 client-credentials token as a Bearer.
 */
export type ThriveAuth = ProviderAuth;

/** Thrive's OAuth docs give tokens a lifetime of 3600 s; used when the response leaves `expires_in` out. */
const DOCUMENTED_TOKEN_LIFETIME_SECONDS = 3600;

export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * `tokenStore`, when given, keeps the OAuth token across requests (the cross-request cache), under
 * a key made of the token URL, client id and scope: what the token is for, never the secret.
 */
export function createThriveAuth(
  config: ThriveConfig,
  redactor: SecretRedactor,
  tokenStore?: TokenKeyValueCache,
  resilience: ProviderResilience = createResilience('thrive', config.resilience),
): ThriveAuth {
  if (config.auth.mode === 'basic') {
    const header = basicAuthorization(config.auth.tenantId, config.auth.apiSecret);
    redactor.add(config.auth.apiSecret);
    redactor.add(header.slice('Basic '.length));
    // A rejected API secret stays rejected: nothing to renew.
    return createStaticAuth({ authorization: header });
  }
  const auth = config.auth;
  const clientAuthorization = basicAuthorization(auth.clientId, auth.clientSecret);
  redactor.add(auth.clientSecret);
  redactor.add(clientAuthorization.slice('Basic '.length));
  return createBearerAuth({
    provider: 'thrive',
    endpoint: THRIVE_ENDPOINTS.token,
    fetchToken: createTokenRequest(auth, config.timeoutMs, clientAuthorization, redactor, resilience),
    shared: tokenStore && {
      store: tokenStore,
      key: `token:thrive:${auth.tokenUrl}:${auth.clientId}:${auth.scope}`,
    },
    redactor,
    resilience,
  });
}

/**
 * How the client id and secret go with the token request (RFC 6749 §2.3.1): in a Basic header
 * (`client_secret_basic`, what a Cognito-style endpoint expects and the first one tried), or as
 * `client_id` and `client_secret` form fields (`client_secret_post`).
 */
export type ClientAuthentication = 'client_secret_basic' | 'client_secret_post';

/**
 * `POST <tokenUrl>` with `grant_type=client_credentials` (and `scope` unless it is empty, i.e.
 * `THRIVE_SCOPE=none`). The client authenticates with `client_secret_basic`; when the endpoint
 * answers 400 or 401 `invalid_client` to that, the same request is sent once as
 * `client_secret_post`, and the form that got a token is kept for every later token request (and
 * said once in the log). The id and secret are not form-encoded before base64: Cognito does not
 * expect it, and the characters that would be encoded do not occur in its client ids and secrets.
 */
function createTokenRequest(
  auth: ThriveOAuth,
  timeoutMs: number,
  clientAuthorization: string,
  redactor: SecretRedactor,
  resilience: ProviderResilience,
): (timeoutMs?: number, caller?: UpstreamCaller) => Promise<IssuedToken> {
  const url = new URL(auth.tokenUrl);
  // got's prefixUrl with an empty path would add a trailing slash to the token URL.
  const client = createGot({ baseUrl: url.origin, headers: { accept: 'application/json' } });
  const path = `${url.pathname.replace(/^\/+/, '')}${url.search}`;
  const grant: Record<string, string> = { grant_type: 'client_credentials' };
  if (auth.scope !== '') grant.scope = auth.scope;
  /** The form that got a token; until one has, `client_secret_basic` first. */
  let settled: ClientAuthentication | undefined;

  const send = async (form: ClientAuthentication, timeout: number, caller?: UpstreamCaller) => {
    const init =
      form === 'client_secret_basic'
        ? { method: 'POST' as const, form: grant, headers: { authorization: clientAuthorization } }
        : {
            method: 'POST' as const,
            form: { ...grant, client_id: auth.clientId, client_secret: auth.clientSecret },
          };
    return sendTokenRequest(
      { client, path, init, timeoutMs: timeout },
      {
        provider: 'thrive',
        endpoint: THRIVE_ENDPOINTS.token,
        redactor,
        resilience,
        caller,
      },
    );
  };

  const read = (response: Awaited<ReturnType<typeof send>>, sentAs: string) =>
    readTokenResponse(response, {
      provider: 'thrive',
      endpoint: THRIVE_ENDPOINTS.token,
      redactor,
      credentialsHint: 'THRIVE_CLIENT_ID, THRIVE_CLIENT_SECRET, THRIVE_SCOPE and THRIVE_TENANT_ID',
      urlHint: 'THRIVE_TOKEN_URL',
      expected: 'expected token JSON',
      sentAs,
      decode: (text) => {
        const body = decodeThriveTokenResponse(parseThriveJson(text));
        if (body.token_type !== undefined && body.token_type.toLowerCase() !== 'bearer') {
          throw new PayloadShapeError('token_type', '"Bearer"', 'another token type');
        }
        return {
          accessToken: body.access_token,
          expiresInSeconds: body.expires_in ?? DOCUMENTED_TOKEN_LIFETIME_SECONDS,
        };
      },
    });

  const settle = (form: ClientAuthentication, caller?: UpstreamCaller) => {
    if (settled === form) return;
    settled = form;
    resilience.observer.notice({
      provider: 'thrive',
      level: form === 'client_secret_basic' ? 'info' : 'warn',
      message:
        form === 'client_secret_basic'
          ? "Thrive's token endpoint takes the client credentials in a Basic header (client_secret_basic)"
          : "Thrive's token endpoint refused the client credentials in a Basic header and took them in the form body (client_secret_post); it is asked that way from now on",
      details: { endpoint: THRIVE_ENDPOINTS.token, clientAuthentication: form },
      caller,
    });
  };

  return async (shorterTimeoutMs, caller) => {
    const timeout = Math.min(timeoutMs, shorterTimeoutMs ?? timeoutMs);
    const first = settled ?? 'client_secret_basic';
    const response = await send(first, timeout, caller);
    const refusedClient =
      settled === undefined &&
      (response.statusCode === 400 || response.statusCode === 401) &&
      oauthErrorOf(response.body) === 'invalid_client';
    if (!refusedClient) {
      const issued = await read(response, `sent as ${first}`);
      settle(first, caller);
      return issued;
    }
    const second = await send('client_secret_post', timeout, caller);
    const issued = await read(second, 'sent as client_secret_basic and as client_secret_post');
    settle('client_secret_post', caller);
    return issued;
  };
}
