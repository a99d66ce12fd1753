import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { ThriveConfig, ThriveOAuth } from '../../config.js';
import { PayloadShapeError, type SecretRedactor } from '../../errors.js';
import {
  createBearerAuth,
  createStaticAuth,
  readTokenResponse,
  sendTokenRequest,
  type ProviderAuth,
} from '../bearer-auth.js';
import { createGot } from '../http.js';
import { createResilience, type ProviderResilience } from '../resilience/index.js';
import type { UpstreamCaller } from '../observer.js';
import type { IssuedToken } from '../token-cache.js';
import { decodeThriveTokenResponse, parseThriveJson } from './decode.js';

/**
 * Thrive credentials on requests (`shared/providers/thrive.md` §2): HTTP Basic with the tenant id
 * and API secret, or an OAuth 2.0 client-credentials token as a Bearer.
 */
export type ThriveAuth = ProviderAuth;

export const TOKEN_ENDPOINT = 'POST /oauth2/token/{tenantId}';

/** Tokens live 3600 s [DOC D-oauth]; used when the response leaves `expires_in` out. */
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
  tokenStore?: KeyValueCache<string>,
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
    endpoint: TOKEN_ENDPOINT,
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
  resilience: ProviderResilience,
): (timeoutMs?: number, caller?: UpstreamCaller) => Promise<IssuedToken> {
  const url = new URL(auth.tokenUrl);
  // got's prefixUrl with an empty path would add a trailing slash to the token URL.
  const client = createGot({ baseUrl: url.origin, timeoutMs, headers: { accept: 'application/json' } });
  const path = `${url.pathname.replace(/^\/+/, '')}${url.search}`;
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (auth.scope !== '') form.scope = auth.scope;

  return async (shorterTimeoutMs, caller) => {
    const response = await sendTokenRequest(
      client.post(path, {
        form,
        headers: { authorization: clientAuthorization },
        timeout: { request: Math.min(timeoutMs, shorterTimeoutMs ?? timeoutMs) },
      }),
      { provider: 'thrive', endpoint: TOKEN_ENDPOINT, redactor, resilience, caller },
    );
    return readTokenResponse(response, {
      provider: 'thrive',
      endpoint: TOKEN_ENDPOINT,
      redactor,
      credentialsHint: 'THRIVE_CLIENT_ID, THRIVE_CLIENT_SECRET, THRIVE_SCOPE and THRIVE_TENANT_ID',
      urlHint: 'THRIVE_TOKEN_URL',
      expected: 'expected token JSON',
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
  };
}
