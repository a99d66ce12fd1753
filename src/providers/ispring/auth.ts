import type { TokenKeyValueCache } from '../types.js';
import type { IspringConfig, IspringTokenAuth } from './config.js';
import { PayloadShapeError } from '../../errors.js';
import { type SecretRedactor } from '../../redaction.js';
import { createBearerAuth } from '../auth/bearer.js';
import { createStaticAuth } from '../auth/static.js';
import { readTokenResponse, sendTokenRequest } from '../auth/token-request.js';
import { type ProviderAuth } from '../auth/types.js';
import { createGot } from '../http/got.js';
import { createResilience, type ProviderResilience } from '../resilience/index.js';
import type { UpstreamCaller } from '../observer.js';
import type { IssuedToken } from '../auth/token-cache.js';
import { decodeIspringTokenResponse, parseIspringBody } from './decode.js';
import { ISPRING_ENDPOINTS } from './endpoints.js';

/**
 * iSpring credentials on requests, as iSpring's docs describe them:
 *
 * - token mode: `POST /api/v3/token` (form-encoded client id and secret) gives a bearer token that
 *   lives 1800 s; it is sent as `Authorization: Bearer <token>` (the Access Token page and every
 *   public client; the endpoint pages' bare token is what the sandbox also accepts), cached until
 *   shortly before it expires, and fetched again once on a 401.
 * - header mode: the legacy `X-Auth-Account-Url`, `X-Auth-Email` and `X-Auth-Password` on every
 *   request; a 401 there is final.
 */
export type IspringAuth = ProviderAuth;

/** iSpring's docs give a token lifetime of 1800 s ("The token's lifetime is 1800 seconds"). */
export const DOCUMENTED_TOKEN_LIFETIME_SECONDS = 1800;

/**
 * `tokenStore`, when given, keeps the token-mode token across requests (the cross-request cache),
 * under a key made of the base URL and client id: what the token is for, never the secret.
 */
export function createIspringAuth(
  config: IspringConfig,
  redactor: SecretRedactor,
  tokenStore?: TokenKeyValueCache,
  resilience: ProviderResilience = createResilience('ispring', config.resilience),
): IspringAuth {
  if (config.auth.mode === 'headers') {
    redactor.add(config.auth.password);
    return createStaticAuth({
      'x-auth-account-url': config.auth.accountUrl,
      'x-auth-email': config.auth.email,
      'x-auth-password': config.auth.password,
    });
  }
  redactor.add(config.auth.clientSecret);
  return createBearerAuth({
    provider: 'ispring',
    endpoint: ISPRING_ENDPOINTS.token,
    fetchToken: createTokenRequest(
      ispringTokenUrl(config),
      config.auth,
      config.timeoutMs,
      redactor,
      resilience,
    ),
    shared: tokenStore && {
      store: tokenStore,
      key: `token:ispring:${config.baseUrl}:${config.auth.clientId}`,
    },
    redactor,
    resilience,
  });
}

/**
 * `ISPRING_TOKEN_URL`, else `/api/v3/token` on the base URL's origin: the token lives at the root
 * of both host families, so an account-domain base URL (`https://acct.ispringlearn.com/api/v2`)
 * must not put its path in front of it.
 */
export function ispringTokenUrl(config: Pick<IspringConfig, 'baseUrl' | 'tokenUrl'>): string {
  return config.tokenUrl ?? `${new URL(config.baseUrl).origin}/api/v3/token`;
}

function createTokenRequest(
  tokenUrl: string,
  auth: IspringTokenAuth,
  timeoutMs: number,
  redactor: SecretRedactor,
  resilience: ProviderResilience,
): (timeoutMs?: number, caller?: UpstreamCaller) => Promise<IssuedToken> {
  const url = new URL(tokenUrl);
  // got's prefixUrl with an empty path would add a trailing slash to the token URL.
  const client = createGot({ baseUrl: url.origin, headers: { accept: 'application/json' } });
  const path = `${url.pathname.replace(/^\/+/, '')}${url.search}`;
  const form = {
    client_id: auth.clientId,
    client_secret: auth.clientSecret,
    grant_type: 'client_credentials',
  };

  return async (shorterTimeoutMs, caller) => {
    const request = {
      client,
      path,
      init: { method: 'POST' as const, form },
      timeoutMs: Math.min(timeoutMs, shorterTimeoutMs ?? timeoutMs),
    };
    const response = await sendTokenRequest(request, {
      provider: 'ispring',
      endpoint: ISPRING_ENDPOINTS.token,
      redactor,
      resilience,
      caller,
    });
    return readTokenResponse(response, {
      provider: 'ispring',
      endpoint: ISPRING_ENDPOINTS.token,
      redactor,
      credentialsHint: 'ISPRING_CLIENT_ID and ISPRING_CLIENT_SECRET',
      urlHint: 'ISPRING_TOKEN_URL (or ISPRING_BASE_URL, whose origin it defaults to)',
      expected: 'documented token',
      decode: async (text) => {
        const body = decodeIspringTokenResponse(await parseIspringBody(text));
        if (body.token_type.toLowerCase() !== 'bearer') {
          throw new PayloadShapeError('token_type', '"bearer"', 'another token type');
        }
        return {
          accessToken: body.access_token,
          expiresInSeconds:
            body.expires_in === undefined ? DOCUMENTED_TOKEN_LIFETIME_SECONDS : Number(body.expires_in),
        };
      },
    });
  };
}
