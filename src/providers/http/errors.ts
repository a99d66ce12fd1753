import { transportCodeOf } from './got.js';
import { ProviderError, type PayloadShapeError } from '../../errors.js';
import type { ProviderName } from '../../models.js';
import { labelOf } from '../../provider-facts.js';
import type { SecretRedactor } from '../../redaction.js';
import type { BreakerRejection } from '../resilience/index.js';
import type { UpstreamResponse } from './types.js';

/**
 * Every `ProviderError` the transport makes, for data requests and token requests alike: one
 * status switch, one mapping of a request that got no answer, and the errors of the checks around
 * them (the deadline, the circuit, the budget, the body). Messages are safe to show a client: they
 * name the provider, the endpoint template and the setting to check, never a URL, a secret or
 * text from an upstream body, which goes to `detail` (logs) redacted.
 */

/** Who answered: the provider's API, or its token endpoint. */
export type Answerer = 'api' | 'token endpoint';

export interface StatusErrorOptions {
  readonly provider: ProviderName;
  readonly answeredBy: Answerer;
  readonly endpoint: string;
  readonly status: number;
  /** For logs: the status and a redacted excerpt of the body. */
  readonly detail: string;
  /** Kept with a 429 (and said in the message of an API's). */
  readonly retryAfterSeconds?: number | undefined;
  /** The settings to check when the credentials are refused (a token endpoint's own). */
  readonly credentialsHint?: string | undefined;
  /** The setting to check when the request itself is refused (a token endpoint's URL). */
  readonly requestHint?: string | undefined;
  /** A token endpoint's OAuth `error` code (RFC 6749 §5.2), which names the refusal and holds no secret. */
  readonly oauthError?: string | undefined;
  /** How the request was sent, when that may be why it was refused (`sent as client_secret_basic`). */
  readonly sentAs?: string | undefined;
}

/**
 * The error of a status that is not an answer the caller reads: 401 and 403 (and, from a token
 * endpoint, 400: RFC 6749 §5.2 gives a bad client secret 401 `invalid_client` and a bad scope 400
 * `invalid_scope`) are the credentials refused; 429 rate limiting; 5xx unavailability; any other
 * 4xx the request refused.
 */
export function statusError(options: StatusErrorOptions): ProviderError {
  const { provider, endpoint, status, detail, answeredBy } = options;
  const label = labelOf(provider);
  const subject = answeredBy === 'api' ? label : `${label}'s token endpoint`;
  const common = { endpoint, status, detail };
  const what = `HTTP ${status}${options.oauthError ? ` ${options.oauthError}` : ''} from ${endpoint}${
    options.sentAs ? `, ${options.sentAs}` : ''
  }`;
  const credentialsRefused =
    status === 401 || status === 403 || (answeredBy === 'token endpoint' && status === 400);
  if (credentialsRefused) {
    const check =
      answeredBy === 'api'
        ? `the ${label} credentials and their permissions`
        : (options.credentialsHint ?? `the ${label} client credentials`);
    return new ProviderError(
      'UPSTREAM_AUTH',
      provider,
      `${subject} rejected the configured ${answeredBy === 'api' ? '' : 'client '}credentials (${what}). Check ${check}.`,
      common,
    );
  }
  if (status === 429) {
    const { retryAfterSeconds } = options;
    const retry =
      answeredBy === 'api' && retryAfterSeconds !== undefined ? `; retry after ${retryAfterSeconds} s` : '';
    return new ProviderError(
      'UPSTREAM_RATE_LIMITED',
      provider,
      `${subject} is rate limiting requests (${what})${retry}.`,
      { ...common, retryAfterSeconds },
    );
  }
  if (status >= 500) {
    return new ProviderError(
      'UPSTREAM_UNAVAILABLE',
      provider,
      `${subject} is unavailable (${what}).`,
      common,
    );
  }
  return new ProviderError(
    'UPSTREAM_REJECTED',
    provider,
    `${subject} refused the request (${what}).${options.requestHint ? ` Check ${options.requestHint}.` : ''}`,
    common,
  );
}

/**
 * A request that got no answer (or a cut-off one) as a `ProviderError`. The cause is rebuilt from
 * the message and code alone: got's error carries the request options, credentials included, and
 * must not travel with ours.
 */
export function transportError(options: {
  readonly provider: ProviderName;
  readonly answeredBy: Answerer;
  readonly endpoint: string;
  readonly error: unknown;
  readonly redactor: SecretRedactor;
  /** The attempt's timeout was what was left of the operation's deadline, and it ran out. */
  readonly cutShortByDeadline?: boolean;
}): ProviderError {
  const { provider, endpoint, error, redactor } = options;
  const code = transportCodeOf(error);
  const label = labelOf(provider);
  const subject = options.answeredBy === 'api' ? label : `${label}'s token endpoint`;
  const what = options.cutShortByDeadline
    ? "did not answer within what was left of the operation's deadline"
    : transportFailure(code);
  const message = error instanceof Error ? redactor.redact(error.message) : String(error);
  return new ProviderError('UPSTREAM_UNAVAILABLE', provider, `${subject} ${what} (${endpoint}).`, {
    endpoint,
    detail: `${code ?? 'error'}: ${message}`,
    cause: Object.assign(new Error(message), { code }),
  });
}

/** What a request that got no response ran into, from got's error code, for messages. */
export function transportFailure(code: string | undefined): string {
  switch (code) {
    case 'ETIMEDOUT':
      return 'did not answer in time';
    case 'ECONNREFUSED':
      return 'refused the connection';
    case 'ECONNRESET':
      return 'closed the connection';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'could not be found (DNS)';
    default:
      return 'could not be reached';
  }
}

/**
 * got's codes for an answer whose body could not be read: zlib's (`Z_DATA_ERROR`, a body sent as
 * gzip that is not) and the HTTP parser's (`HPE_HEADER_OVERFLOW`, `HPE_INVALID_CHUNK_SIZE`, …).
 */
export function isUnreadableBody(code: string | undefined): boolean {
  return code !== undefined && (code.startsWith('Z_') || code.startsWith('HPE_'));
}

/** An answer that came but could not be read: `UPSTREAM_BAD_RESPONSE`, never "could not be reached". */
export function unreadableBodyError(
  provider: ProviderName,
  endpoint: string,
  code: string,
  error: unknown,
  redactor: SecretRedactor,
): ProviderError {
  const message = error instanceof Error ? redactor.redact(error.message) : String(error);
  return new ProviderError(
    'UPSTREAM_BAD_RESPONSE',
    provider,
    `${labelOf(provider)} sent a response to ${endpoint} that could not be read (${code.startsWith('Z_') ? 'its compressed body is corrupt' : 'it is not well-formed HTTP'}).`,
    { endpoint, detail: `${code}: ${message}`, cause: Object.assign(new Error(message), { code }) },
  );
}

/**
 * A 2xx body that is not what the API documents (`documented`: "JSON", "XML or JSON"). Only the
 * shape error goes into the message and detail: the body may hold personal data.
 */
export function bodyShapeError(
  provider: ProviderName,
  endpoint: string,
  response: UpstreamResponse,
  error: PayloadShapeError,
  documented: string,
): ProviderError {
  return new ProviderError(
    'UPSTREAM_BAD_RESPONSE',
    provider,
    `${labelOf(provider)} sent a response to ${endpoint} that is not the documented ${documented}: ${error.path}: expected ${error.expected}, received ${error.received}.`,
    {
      endpoint,
      status: response.status,
      detail: `${error.message} (HTTP ${response.status}, content-type ${JSON.stringify(response.contentType)}, ${response.body.length} characters)`,
      cause: error,
    },
  );
}

/**
 * A "not found" status (404, or iSpring's 400) whose body is a web page: not the API's answer but
 * a proxy's or a web server's (a base URL that points at the wrong host or path). Read as "no such
 * entity" it would turn a misconfiguration into missing people, so it is an error naming the
 * setting to check; undefined for any other body.
 */
export function notFoundPageError(
  provider: ProviderName,
  endpoint: string,
  response: UpstreamResponse,
  setting: string,
): ProviderError | undefined {
  const start = response.body.trimStart().slice(0, 15).toLowerCase();
  const page =
    /text\/html/i.test(response.contentType) ||
    start.startsWith('<!doctype html') ||
    start.startsWith('<html');
  if (!page) return undefined;
  return new ProviderError(
    'UPSTREAM_BAD_RESPONSE',
    provider,
    `${labelOf(provider)} answered ${endpoint} with HTTP ${response.status} and a web page, not the API's "not found" answer. Check ${setting}.`,
    {
      endpoint,
      status: response.status,
      detail: `content-type ${JSON.stringify(response.contentType)}, ${response.body.length} characters`,
    },
  );
}

/** 404 to a list every account has: the base URL is wrong (`hint` names the setting and an example). */
export function listNotFoundError(provider: ProviderName, endpoint: string, hint: string): ProviderError {
  return new ProviderError(
    'UPSTREAM_BAD_RESPONSE',
    provider,
    `${labelOf(provider)} answered 404 Not Found to ${endpoint}, which every ${hint}.`,
    { endpoint, status: 404 },
  );
}

/** A response refused for its size (`UPSTREAM_MAX_BODY_BYTES`), from the API or a token endpoint. */
export function bodyTooLargeError(provider: ProviderName, endpoint: string, maxBytes: number): ProviderError {
  return new ProviderError(
    'UPSTREAM_BAD_RESPONSE',
    provider,
    `${labelOf(provider)} sent a response to ${endpoint} larger than ${maxBytes} bytes (UPSTREAM_MAX_BODY_BYTES); it was not read.`,
    { endpoint, detail: `body over ${maxBytes} bytes; request cancelled` },
  );
}

/** The operation has sent its share of requests to this provider (`MAX_UPSTREAM_REQUESTS_PER_OPERATION`). */
export function budgetError(provider: ProviderName, endpoint: string, perProvider: number): ProviderError {
  const label = labelOf(provider);
  return new ProviderError(
    'QUERY_LIMIT_EXCEEDED',
    provider,
    `${label} was not asked (${endpoint}): the operation has used up its ${perProvider} requests to ${label} (MAX_UPSTREAM_REQUESTS_PER_OPERATION). Ask for fewer users or levels at once.`,
    { endpoint, detail: 'upstream request budget of the operation used up' },
  );
}

/** The operation's time for upstream requests is up (`UPSTREAM_DEADLINE_MS`). */
export function deadlineError(provider: ProviderName, endpoint: string, deadlineMs: number): ProviderError {
  return new ProviderError(
    'UPSTREAM_UNAVAILABLE',
    provider,
    `${labelOf(provider)} was not asked (${endpoint}): the operation had used up its time for upstream requests (UPSTREAM_DEADLINE_MS, ${deadlineMs} ms).`,
    { endpoint, detail: 'deadline passed before the request could be sent' },
  );
}

/** The fail-fast answer while a provider's circuit is open: what happened and when it is probed. */
export function circuitOpenError(
  provider: ProviderName,
  endpoint: string | undefined,
  rejection: BreakerRejection,
  now: number,
): ProviderError {
  const why = `${labelOf(provider)} is unavailable: its circuit is open after ${rejection.failures} consecutive failures, so requests to it fail at once`;
  const inSeconds = Math.max(0, Math.ceil((rejection.probeAt - now) / 1000));
  const when =
    rejection.reason === 'probing'
      ? 'one request is probing whether it has recovered'
      : `one request will probe whether it has recovered at ${new Date(rejection.probeAt).toISOString()} (in ${inSeconds} s)`;
  const sent = endpoint === undefined ? 'no request was sent' : `${endpoint} was not sent`;
  return new ProviderError('UPSTREAM_UNAVAILABLE', provider, `${why}; ${when} (${sent}).`, {
    endpoint,
    detail: `circuit ${rejection.reason}`,
  });
}

/** What an error says of the provider: unavailable is down; any other answer means it is up. */
export function verdictOf(error: ProviderError): 'down' | 'up' {
  return error.code === 'UPSTREAM_UNAVAILABLE' ? 'down' : 'up';
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
