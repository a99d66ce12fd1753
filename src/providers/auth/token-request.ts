import type { Got, OptionsInit } from 'got';
import { PayloadShapeError, ProviderError } from '../../errors.js';
import type { ProviderName } from '../../models.js';
import { labelOf } from '../../provider-facts.js';
import type { SecretRedactor } from '../../redaction.js';
import { parseRetryAfter, statusError } from '../http/errors.js';
import { exchange } from '../http/exchange.js';
import { send, type UpstreamAnswer } from '../http/got.js';
import type { UpstreamCaller } from '../observer.js';
import type { ProviderResilience } from '../resilience/index.js';
import type { IssuedToken } from './token-cache.js';

/**
 * A token request and its answer: sent through the same exchange as data requests
 * (`http/exchange.ts`: the body bound, the observation, the errors of a request that got no
 * answer), and read into an issued token, every refusal a `ProviderError` of the one status switch
 * (`http/errors.ts statusError`, as a token endpoint).
 */

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

/** A token request as its endpoint's client sends it: `client` with `init` to `path`, within `timeoutMs`. */
export interface TokenRequestSpec {
  readonly client: Got;
  readonly path: string;
  readonly init: Omit<OptionsInit, 'isStream' | 'timeout'>;
  readonly timeoutMs: number;
}

/**
 * Sends a token request: its response, whatever its status (`readTokenResponse` reads it), or the
 * `ProviderError` of a request that got no usable answer.
 */
export async function sendTokenRequest(
  request: TokenRequestSpec,
  options: {
    provider: ProviderName;
    endpoint: string;
    redactor: SecretRedactor;
    /** Its body bound, and the observer that hears of the request. */
    resilience: ProviderResilience;
    /** The request that needed the token, if one did. */
    caller?: UpstreamCaller | undefined;
    /** Which try of the token request this is (token requests are retried around this function). */
    attempt?: number | undefined;
  },
): Promise<UpstreamAnswer> {
  const { client, path, init, timeoutMs } = request;
  const sent = send(client, path, init, { timeoutMs, maxBytes: options.resilience.config.maxBodyBytes });
  const result = await exchange(sent, {
    provider: options.provider,
    answeredBy: 'token endpoint',
    endpoint: options.endpoint,
    redactor: options.redactor,
    resilience: options.resilience,
    attempt: options.attempt ?? 1,
    caller: options.caller,
  });
  if (!result.ok) throw result.error;
  return result.response;
}

/**
 * A token endpoint's answer as an issued token: a status other than 2xx becomes `statusError`,
 * a body `decode` refuses becomes UPSTREAM_BAD_RESPONSE (saying it is not the `expected` body), and
 * the token is added to the redactor before anything could log it.
 */
export async function readTokenResponse(
  response: UpstreamAnswer,
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
    throw statusError({
      provider,
      answeredBy: 'token endpoint',
      endpoint,
      status,
      detail: `HTTP ${status}; body: ${redactor.redact(response.body.slice(0, 500))}`,
      credentialsHint: options.credentialsHint,
      requestHint: options.urlHint,
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
