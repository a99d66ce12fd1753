import { ProviderError } from '../../errors.js';
import { outcomeOfStatus, type UpstreamCaller } from '../observer.js';
import {
  afterAttempts,
  createResilience,
  RETRYABLE_STATUSES,
  runWithRetries,
  type AttemptOutcome,
  type BreakerTicket,
} from '../resilience/index.js';
import {
  budgetError,
  circuitOpenError,
  deadlineError,
  parseRetryAfter,
  statusError,
  verdictOf,
} from './errors.js';
import { exchange, type ExchangeOptions } from './exchange.js';
import { createGot, send as sendRequest } from './got.js';
import type {
  CallOptions,
  UpstreamClient,
  UpstreamClientOptions,
  UpstreamRequest,
  UpstreamResponse,
} from './types.js';

/**
 * One configured HTTP client per provider, on got: base URL, a timeout always, keep-alive, auth
 * by a hook, and every upstream outcome turned into either a response the caller reads (2xx, and
 * the statuses it names) or a `ProviderError` (`errors.ts`).
 *
 * Resilience lives here, in our layer rather than in got's (whose own retry is off), so that
 * errors and counts stay ours: each call is retried on a timeout, a connection failure, 429 and
 * 502/503/504 (`runWithRetries`), within the operation's deadline; each attempt waits for a place
 * under the provider's in-flight bound and takes one request from the operation's budget; the
 * provider's circuit breaker fails calls fast while it is down.
 */

/** What a request reads besides 2xx unless it says otherwise: 404, "not found". */
const NOT_FOUND_ONLY: readonly number[] = [404];

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const { provider, auth, redactor } = options;
  const resilience = options.resilience ?? createResilience(provider);
  const { breaker, clock, limit } = resilience;
  const { retry: policy } = resilience.config;
  const client = createGot(options);
  const maxBytes = resilience.config.maxBodyBytes;

  /**
   * Puts the credentials on `headers`. Nothing when they were at hand (nearly always: no promise to
   * wait for); else a promise of the failed attempt when they cannot be had, or of nothing.
   */
  function authorize(
    headers: Record<string, string>,
    caller: UpstreamCaller | undefined,
  ): Promise<AttemptOutcome<UpstreamResponse> | undefined> | undefined {
    const failedAttempt = (error: unknown): AttemptOutcome<UpstreamResponse> => {
      if (!(error instanceof ProviderError)) throw error;
      return { ok: false, error, transient: false, verdict: verdictOf(error) };
    };
    try {
      return auth.authorize(headers, caller)?.then(() => undefined, failedAttempt);
    } catch (error) {
      return Promise.resolve(failedAttempt(error));
    }
  }

  /** One attempt: one request (and its one renewal), read as the caller asked. */
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
        error: deadlineError(provider, endpoint, resilience.config.deadlineMs),
        transient: false,
      };
    }
    const timeoutMs = Math.min(options.timeoutMs, remainingMs);
    const answers = request.answers ?? NOT_FOUND_ONLY;
    const exchangeOptions: ExchangeOptions = {
      provider,
      answeredBy: 'api' as const,
      endpoint,
      redactor,
      resilience,
      attempt: attemptNumber,
      caller,
      cutShort: timeoutMs < options.timeoutMs,
      outcomeOf: (status) =>
        answers.includes(status) && request.notFound?.includes(status)
          ? 'not_found'
          : outcomeOfStatus(status),
    };
    // Credentials go on the request here, not in a got hook: a token that cannot be had fails the
    // attempt before anything is sent.
    const headers: Record<string, string> = body ? { 'content-type': body.contentType } : {};
    // The query string is put on the path here rather than handed to got, which would copy and
    // merge it into a URL object of its own on every request.
    const query = searchParams?.toString();
    const target = query ? `${path}?${query}` : path;
    const authorizing = authorize(headers, caller);
    if (authorizing) {
      const unauthorized = await authorizing;
      if (unauthorized) return unauthorized;
    }
    const sendOnce = () =>
      exchange(
        sendRequest(
          client,
          target,
          { method: request.method ?? 'GET', headers, ...(body ? { body: body.text } : {}) },
          { timeoutMs, maxBytes },
        ),
        exchangeOptions,
      );
    let result = await sendOnce();
    // A 401 answered by a token refresh: the request is sent once more, with the new token (the
    // 401 was a request of its own, observed as such). Exactly one renewal per attempt, and the
    // retry loop never retries a 401.
    if (result.ok && result.response.statusCode === 401) {
      if (await auth.renewAfterUnauthorized(headers, caller)) {
        const failed = await authorize(headers, caller);
        if (failed) return failed;
        result = await sendOnce();
      }
    }
    if (!result.ok) return result;
    const { response } = result;
    const status = response.statusCode;
    if ((status >= 200 && status < 300) || answers.includes(status)) {
      return {
        ok: true,
        value: { status, contentType: String(response.headers['content-type'] ?? ''), body: response.body },
      };
    }
    const retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
    const error = statusError({
      provider,
      answeredBy: 'api',
      endpoint,
      status,
      detail: `HTTP ${status}; body: ${redactor.redact(response.body.slice(0, 500))}`,
      retryAfterSeconds,
    });
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
      retryAfterSeconds: status === 429 || status === 503 ? retryAfterSeconds : undefined,
      verdict: status >= 500 ? 'down' : 'up',
    };
  }

  async function send(request: UpstreamRequest, call: CallOptions = {}): Promise<UpstreamResponse> {
    const { endpoint } = request;
    const deadline = call.deadline ?? resilience.deadlineFromNow();
    const admission = breaker.admit();
    if (!admission.admitted) throw circuitOpenError(provider, endpoint, admission.rejection, clock.now());
    const { ticket } = admission;
    try {
      try {
        // Nothing to wait for when the credentials are at hand.
        const preparing = auth.prepare(call.caller);
        if (preparing) await preparing;
      } catch (error) {
        report(ticket, error instanceof ProviderError ? verdictOf(error) : undefined);
        throw error;
      }
      const run = await runWithRetries(
        (attemptNumber) => {
          // Each attempt is a request of the operation's; none is sent past its share.
          const budget = call.caller?.budget;
          if (budget && !budget.claim(provider)) {
            return Promise.resolve({
              ok: false,
              error: budgetError(provider, endpoint, budget.perProvider),
              transient: false,
            });
          }
          return limit(() => attempt(request, deadline, attemptNumber, call.caller));
        },
        { policy, deadline, clock },
      );
      if (run.outcome.ok) {
        ticket.succeeded();
        return run.outcome.value;
      }
      // An attempt the deadline cut short says nothing about the provider; the full timeouts
      // before it do. Without this, a provider that hangs never opened the circuit: with the
      // default timeout and deadline, the last attempt is always the one cut short.
      report(ticket, run.outcome.verdict ?? (run.anyFoundItDown ? 'down' : undefined));
      throw afterAttempts(run.outcome.error, run.attempts);
    } finally {
      // Whatever ended the call without a verdict (a bug, a rejection from a hook) frees the probe.
      ticket.abandoned();
    }
  }

  return {
    provider,
    send,
    get: (endpoint, path, searchParams, call) => send({ endpoint, path, searchParams }, call),

    async prepare(call = {}) {
      const rejection = breaker.check();
      if (rejection) throw circuitOpenError(provider, undefined, rejection, clock.now());
      try {
        await auth.prepare(call.caller);
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
