import { labelOf } from '../provider-facts.js';
import http from 'node:http';
import https from 'node:https';
import { got, RequestError, type CancelableRequest, type Got, type Headers, type Response } from 'got';
import { ProviderError, type PayloadShapeError } from '../errors.js';
import { type SecretRedactor } from '../redaction.js';
import type { ProviderName } from '../models.js';
import {
  outcomeOfStatus,
  outcomeOfTransportError,
  type UpstreamCaller,
  type UpstreamOutcome,
} from './observer.js';
import {
  afterAttempts,
  createResilience,
  RETRYABLE_STATUSES,
  runWithRetries,
  TRANSIENT_ERROR_CODES,
  type AttemptOutcome,
  type BreakerRejection,
  type BreakerTicket,
  type ProviderResilience,
} from './resilience/index.js';

/**
 * One configured HTTP client per provider, on got: base URL, a timeout always, keep-alive, auth
 * by a hook, and every upstream outcome turned into either a response the caller can read
 * (2xx, 404) or a `ProviderError`, here and nowhere else.
 *
 * Resilience lives here too, in our layer rather than in got's (whose own retry is off), so that
 * errors and counts stay ours: each GET is retried on a timeout, a connection failure, 429 and
 * 502/503/504 (`runWithRetries`, `retryDelayMs`), within the operation's deadline; each attempt
 * waits for a place under the provider's in-flight bound; the provider's circuit breaker fails
 * requests fast while it is down; and a body larger than the bound is refused unread.
 */

/** How a provider's credentials are put on a request. */
export interface AuthStrategy {
  /**
   * Sets the credential headers of one outgoing request. `caller` is whom the request is for: a
   * token request it leads to is made (and logged) for it.
   */
  authorize(headers: Headers, caller?: UpstreamCaller): Promise<void>;
  /**
   * Called once when the provider answers 401. Resolves true when fresh credentials were obtained
   * (a token was dropped and will be fetched again), so the request is worth sending once more.
   */
  renewAfterUnauthorized(rejectedHeaders: Headers, caller?: UpstreamCaller): Promise<boolean>;
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
  prepare(caller?: UpstreamCaller): Promise<void>;
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
  /**
   * The provider's retry policy, deadline, in-flight bound, circuit breaker and body bound, shared
   * with its token requests; without it, a fresh set with the defaults.
   */
  resilience?: ProviderResilience;
}

/** What one call carries from its operation. */
export interface RequestOptions {
  /**
   * When the operation's time is up, on the resilience clock (`Date.now()` time); by default the
   * configured deadline from now. No attempt or retry starts that could not finish before it.
   */
  readonly deadline?: number | undefined;
  /** Whom the request is made for, handed back in its observation. */
  readonly caller?: UpstreamCaller | undefined;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** One request as a provider client describes it. */
export interface UpstreamRequest {
  /** Default GET. Only reads are sent: a POST here is a read with a body (`POST /users/v2`). */
  readonly method?: 'GET' | 'POST';
  /** The path template used in errors and logs (`GET /user/{id}`): no id or query string leaks into them. */
  readonly endpoint: string;
  /** Relative to the base URL, ids already percent-encoded. */
  readonly path: string;
  readonly searchParams?: URLSearchParams | undefined;
  readonly body?: { readonly contentType: string; readonly text: string } | undefined;
  /**
   * Statuses besides 2xx that the caller reads itself (default: 404, "not found"); every other
   * status is a `ProviderError`. iSpring answers 400 to a by-id read of an id it does not have.
   */
  readonly answers?: readonly number[] | undefined;
  /**
   * The statuses of `answers` that mean "not found" here (default: 404), so that logs and metrics
   * count them as `not_found` rather than as failed requests: iSpring's 400 to a by-id read.
   */
  readonly notFound?: readonly number[] | undefined;
}

export interface UpstreamClient {
  readonly provider: ProviderName;
  /**
   * Sends `request`. Resolves with 2xx responses and those in `request.answers`; throws
   * `ProviderError` for everything else, after the retries the policy allows.
   */
  send(request: UpstreamRequest, options?: RequestOptions): Promise<UpstreamResponse>;
  /** `send` of a GET that reads 2xx and 404. */
  get(
    endpoint: string,
    path: string,
    searchParams?: URLSearchParams,
    options?: RequestOptions,
  ): Promise<UpstreamResponse>;
  /**
   * Makes sure credentials are ready (a token, fetched if need be), failing fast while the circuit
   * is open. A token endpoint that is down counts against the provider's circuit. A token
   * request is made for `options.caller`.
   */
  prepare(options?: RequestOptions): Promise<void>;
}

/** What one attempt's got request carries to the hooks. */
// A type, not an interface: got takes its `context` as a `Record<string, unknown>`.
type AttemptContext = {
  /** Set on the request sent again after a 401 and a token refresh: it is not renewed again. */
  renewedAuth?: boolean;
  /** Called when a 401 is answered by a refresh and the request is sent again. */
  onResentAfterUnauthorized?: () => void;
  /** Whom the request is for (a token request made in its hooks is made for it too). */
  caller?: UpstreamCaller | undefined;
};

/** What a request reads besides 2xx unless it says otherwise: 404, "not found". */
const NOT_FOUND_ONLY: readonly number[] = [404];

/**
 * Agents shared by every client: keep-alive, so each upstream request reuses a socket. The sockets
 * per host are bounded by each provider's in-flight bound (`*_MAX_IN_FLIGHT`, at most 1000), not
 * here: a lower bound here would queue requests out of sight of the deadline and the metrics.
 */
const keepAliveAgents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 1024, scheduling: 'lifo' }),
  https: new https.Agent({ keepAlive: true, maxSockets: 1024, scheduling: 'lifo' }),
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
    // Status codes are interpreted by `statusError`, in one place.
    throwHttpErrors: false,
    // Retries belong to the resilience layer; got's own would retry behind its back.
    retry: { limit: 0 },
    followRedirect: false,
    responseType: 'text',
    headers: { 'user-agent': 'learning-directory-subgraph', ...options.headers },
  });
}

/** A response body larger than the bound: the request was cancelled before it was all read. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`The response body is larger than ${maxBytes} bytes.`);
  }
}

/**
 * Awaits a got request, cancelling it as soon as its body is known to exceed `maxBytes`: from
 * `Content-Length` before any of it is read, or from the bytes read so far (after decompression)
 * when it has none. Throws `BodyTooLargeError` then.
 */
export async function receive(
  request: CancelableRequest<Response<string>>,
  maxBytes: number,
): Promise<Response<string>> {
  let tooLarge = false;
  request.on('downloadProgress', (progress) => {
    if (!tooLarge && (progress.transferred > maxBytes || (progress.total ?? 0) > maxBytes)) {
      tooLarge = true;
      request.cancel();
    }
  });
  try {
    return await request;
  } catch (error) {
    if (tooLarge) throw new BodyTooLargeError(maxBytes);
    throw error;
  }
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const { provider, auth, redactor } = options;
  const resilience = options.resilience ?? createResilience(provider);
  const { breaker, clock, limit, observer } = resilience;
  const { retry: policy, maxBodyBytes } = resilience.config;
  const label = labelOf(provider);
  const client = createGot(options).extend({
    hooks: {
      beforeRequest: [
        async (requestOptions) => {
          await auth.authorize(requestOptions.headers, (requestOptions.context as AttemptContext).caller);
        },
      ],
      afterResponse: [
        async (response, retryWithMergedOptions) => {
          const context = response.request.options.context as AttemptContext;
          if (response.statusCode !== 401 || context.renewedAuth) return response;
          const renewed = await auth.renewAfterUnauthorized(response.request.options.headers, context.caller);
          if (!renewed) return response;
          // The 401 was a request of its own, and the one sent again is another.
          context.onResentAfterUnauthorized?.();
          // Exactly one renewal per request: the request sent again carries the flag, and the
          // retry loop never retries a 401.
          return retryWithMergedOptions({ context: { renewedAuth: true } });
        },
      ],
    },
  });

  /** One attempt: a place under the in-flight bound, then one request (and its one renewal). */
  async function attempt(
    request: UpstreamRequest,
    deadline: number,
    attemptNumber: number,
    caller: UpstreamCaller | undefined,
  ): Promise<AttemptOutcome<UpstreamResponse>> {
    const { endpoint, path, searchParams, body } = request;
    // Time spent waiting for a place counts against the deadline.
    const remainingMs = deadline - clock.now();
    if (remainingMs <= 0) {
      return {
        ok: false,
        error: deadlineError(provider, label, endpoint, resilience.config.deadlineMs),
        transient: false,
      };
    }
    const timeoutMs = Math.min(options.timeoutMs, remainingMs);
    let startedAt = performance.now();
    const observe = (outcome: UpstreamOutcome, status: number | undefined) =>
      observer.request({
        provider,
        endpoint,
        outcome,
        status,
        durationMs: performance.now() - startedAt,
        attempt: attemptNumber,
        caller,
      });
    const context: AttemptContext = {
      caller,
      onResentAfterUnauthorized: () => {
        observe('unauthorized', 401);
        startedAt = performance.now();
      },
    };
    let response: Response<string>;
    try {
      response = await receive(
        client(path, {
          method: request.method ?? 'GET',
          ...(searchParams ? { searchParams } : {}),
          ...(body ? { body: body.text, headers: { 'content-type': body.contentType } } : {}),
          timeout: { request: timeoutMs },
          context,
        }),
        maxBodyBytes,
      );
    } catch (error) {
      const code = error instanceof RequestError ? error.code : undefined;
      // A token request that failed in the auth hook: this request was never sent.
      if (hookError(error) === undefined) {
        observe(
          error instanceof BodyTooLargeError
            ? 'too_large'
            : isUnreadableBody(code)
              ? 'unreadable'
              : outcomeOfTransportError(code),
          undefined,
        );
      }
      if (error instanceof BodyTooLargeError) {
        return {
          ok: false,
          error: bodyTooLargeError(provider, endpoint, error.maxBytes),
          transient: false,
          verdict: 'up',
        };
      }
      // The token endpoint's error, from the auth hook: retried there already.
      const fromHook = hookError(error);
      if (fromHook) return { ok: false, error: fromHook, transient: false, verdict: verdictOf(fromHook) };
      // An answer came, but its body could not be read (a broken gzip stream, headers past the
      // parser's limit): a bad response from a provider that is up, not an unreachable one.
      if (isUnreadableBody(code)) {
        return {
          ok: false,
          error: unreadableBodyError(provider, label, endpoint, code!, error, redactor),
          transient: false,
          verdict: 'up',
        };
      }
      // A timeout the deadline cut short says nothing about the provider, and is not retried.
      const cutShort = code === 'ETIMEDOUT' && timeoutMs < options.timeoutMs;
      return {
        ok: false,
        error: toTransportError(provider, label, endpoint, error, redactor, cutShort),
        transient: !cutShort && code !== undefined && TRANSIENT_ERROR_CODES.has(code),
        // No code: something other than the network failed (a bug), which says nothing either.
        verdict: cutShort || code === undefined ? undefined : 'down',
      };
    }
    const status = response.statusCode;
    const answered = (request.answers ?? NOT_FOUND_ONLY).includes(status);
    observe(answered && request.notFound?.includes(status) ? 'not_found' : outcomeOfStatus(status), status);
    if ((status >= 200 && status < 300) || answered) {
      return {
        ok: true,
        value: { status, contentType: String(response.headers['content-type'] ?? ''), body: response.body },
      };
    }
    const error = statusError(provider, label, endpoint, response, redactor);
    // A 401 whose token refresh failed: the token endpoint's error says what really went wrong.
    if (error.code === 'UPSTREAM_AUTH' && status === 401) {
      const renewal = auth.renewalFailure();
      if (renewal) return { ok: false, error: renewal, transient: false, verdict: verdictOf(renewal) };
    }
    return {
      ok: false,
      error,
      transient: RETRYABLE_STATUSES.has(status),
      // A 503 may say when to come back, as a 429 does.
      retryAfterSeconds:
        status === 429 || status === 503 ? parseRetryAfter(response.headers['retry-after']) : undefined,
      verdict: status >= 500 ? 'down' : 'up',
    };
  }

  async function send(
    request: UpstreamRequest,
    requestOptions: RequestOptions = {},
  ): Promise<UpstreamResponse> {
    const { endpoint } = request;
    const deadline = requestOptions.deadline ?? resilience.deadlineFromNow();
    const admission = breaker.admit();
    if (!admission.admitted) {
      throw circuitOpenError(provider, label, endpoint, admission.rejection, clock.now());
    }
    const { ticket } = admission;
    try {
      try {
        await auth.prepare(requestOptions.caller);
      } catch (error) {
        report(ticket, error instanceof ProviderError ? verdictOf(error) : undefined);
        throw error;
      }
      // An attempt the deadline cut short says nothing about the provider; the full timeouts
      // before it do. Without this, a provider that hangs never opened the circuit: with the
      // default timeout and deadline, the last attempt is always the one cut short.
      let anAttemptFoundItDown = false;
      const run = await runWithRetries(
        async (attemptNumber) => {
          // Each attempt is a request of the operation's; none is sent past its share.
          const caller = requestOptions.caller;
          if (caller?.budget && !caller.budget.claim(provider)) {
            const error = budgetError(provider, label, endpoint, caller.budget.perProvider);
            return { ok: false, error, transient: false };
          }
          const outcome = await limit(() => attempt(request, deadline, attemptNumber, requestOptions.caller));
          if (!outcome.ok && outcome.verdict === 'down') anAttemptFoundItDown = true;
          return outcome;
        },
        { policy, deadline, clock },
      );
      if (run.outcome.ok) {
        ticket.succeeded();
        return run.outcome.value;
      }
      report(ticket, run.outcome.verdict ?? (anAttemptFoundItDown ? 'down' : undefined));
      throw afterAttempts(run.outcome.error, run.attempts);
    } finally {
      // Whatever ended the call without a verdict (a bug, a rejection from a hook) frees the probe.
      ticket.abandoned();
    }
  }

  return {
    provider,
    send,
    get: (endpoint, path, searchParams, options) => send({ endpoint, path, searchParams }, options),

    async prepare(requestOptions = {}) {
      const rejection = breaker.check();
      if (rejection) throw circuitOpenError(provider, label, undefined, rejection, clock.now());
      try {
        await auth.prepare(requestOptions.caller);
      } catch (error) {
        if (error instanceof ProviderError && verdictOf(error) === 'down') breaker.recordFailure();
        throw error;
      }
    },
  };
}

function report(ticket: BreakerTicket, verdict: 'down' | 'up' | undefined): void {
  if (verdict === 'down') ticket.failed();
  else if (verdict === 'up') ticket.succeeded();
  else ticket.abandoned();
}

/** What an error says of the provider: unavailable is down; any other answer means it is up. */
function verdictOf(error: ProviderError): 'down' | 'up' {
  return error.code === 'UPSTREAM_UNAVAILABLE' ? 'down' : 'up';
}

/** The error of a status other than 2xx and 404 (those are the caller's to read). */
function statusError(
  provider: ProviderName,
  label: string,
  endpoint: string,
  response: Response<string>,
  redactor: SecretRedactor,
): ProviderError {
  const status = response.statusCode;
  const detail = `HTTP ${status}; body: ${redactor.redact(response.body.slice(0, 500))}`;
  const common = { endpoint, status, detail };
  if (status === 401 || status === 403) {
    return new ProviderError(
      'UPSTREAM_AUTH',
      provider,
      `${label} rejected the configured credentials (HTTP ${status} from ${endpoint}). Check the ${label} credentials and their permissions.`,
      common,
    );
  }
  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
    return new ProviderError(
      'UPSTREAM_RATE_LIMITED',
      provider,
      `${label} is rate limiting requests (HTTP 429 from ${endpoint})${
        retryAfterSeconds === undefined ? '' : `; retry after ${retryAfterSeconds} s`
      }.`,
      { ...common, retryAfterSeconds },
    );
  }
  if (status >= 500) {
    return new ProviderError(
      'UPSTREAM_UNAVAILABLE',
      provider,
      `${label} is unavailable (HTTP ${status} from ${endpoint}).`,
      common,
    );
  }
  return new ProviderError(
    'UPSTREAM_REJECTED',
    provider,
    `${label} refused the request (HTTP ${status} from ${endpoint}).`,
    common,
  );
}

/** A `ProviderError` thrown by a hook (the auth hook's token request), which got wraps. */
function hookError(error: unknown): ProviderError | undefined {
  if (error instanceof ProviderError) return error;
  if (error instanceof RequestError && error.cause instanceof ProviderError) return error.cause;
  return undefined;
}

/** A request that got no answer (or a cut-off one) as a `ProviderError`. */
function toTransportError(
  provider: ProviderName,
  label: string,
  endpoint: string,
  error: unknown,
  redactor: SecretRedactor,
  cutShortByDeadline = false,
): ProviderError {
  const code = error instanceof RequestError ? error.code : undefined;
  const what = cutShortByDeadline
    ? "did not answer within what was left of the operation's deadline"
    : transportFailure(code);
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

/**
 * got's codes for an answer whose body could not be read: zlib's (`Z_DATA_ERROR`, a body sent as
 * gzip that is not) and the HTTP parser's (`HPE_HEADER_OVERFLOW`, `HPE_INVALID_CHUNK_SIZE`, …).
 */
export function isUnreadableBody(code: string | undefined): boolean {
  return code !== undefined && (code.startsWith('Z_') || code.startsWith('HPE_'));
}

/** An answer that came but could not be read: `UPSTREAM_BAD_RESPONSE`, never "could not be reached". */
function unreadableBodyError(
  provider: ProviderName,
  label: string,
  endpoint: string,
  code: string,
  error: unknown,
  redactor: SecretRedactor,
): ProviderError {
  const message = error instanceof Error ? redactor.redact(error.message) : String(error);
  return new ProviderError(
    'UPSTREAM_BAD_RESPONSE',
    provider,
    `${label} sent a response to ${endpoint} that could not be read (${code.startsWith('Z_') ? 'its compressed body is corrupt' : 'it is not well-formed HTTP'}).`,
    { endpoint, detail: `${code}: ${message}`, cause: Object.assign(new Error(message), { code }) },
  );
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

/** A response refused for its size (`UPSTREAM_MAX_BODY_BYTES`); also used for token endpoints. */
export function bodyTooLargeError(provider: ProviderName, endpoint: string, maxBytes: number): ProviderError {
  return new ProviderError(
    'UPSTREAM_BAD_RESPONSE',
    provider,
    `${labelOf(provider)} sent a response to ${endpoint} larger than ${maxBytes} bytes (UPSTREAM_MAX_BODY_BYTES); it was not read.`,
    { endpoint, detail: `body over ${maxBytes} bytes; request cancelled` },
  );
}

function budgetError(
  provider: ProviderName,
  label: string,
  endpoint: string,
  perProvider: number,
): ProviderError {
  return new ProviderError(
    'QUERY_LIMIT_EXCEEDED',
    provider,
    `${label} was not asked (${endpoint}): the operation has used up its ${perProvider} requests to ${label} (MAX_UPSTREAM_REQUESTS_PER_OPERATION). Ask for fewer users or levels at once.`,
    { endpoint, detail: 'upstream request budget of the operation used up' },
  );
}

function deadlineError(
  provider: ProviderName,
  label: string,
  endpoint: string,
  deadlineMs: number,
): ProviderError {
  return new ProviderError(
    'UPSTREAM_UNAVAILABLE',
    provider,
    `${label} was not asked (${endpoint}): the operation had used up its time for upstream requests (UPSTREAM_DEADLINE_MS, ${deadlineMs} ms).`,
    { endpoint, detail: 'deadline passed before the request could be sent' },
  );
}

/** The fail-fast answer while a provider's circuit is open: what happened and when it is probed. */
function circuitOpenError(
  provider: ProviderName,
  label: string,
  endpoint: string | undefined,
  rejection: BreakerRejection,
  now: number,
): ProviderError {
  const why = `${label} is unavailable: its circuit is open after ${rejection.failures} consecutive failures, so requests to it fail at once`;
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
