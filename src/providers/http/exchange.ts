import type { ProviderError } from '../../errors.js';
import type { ProviderName } from '../../models.js';
import type { SecretRedactor } from '../../redaction.js';
import {
  outcomeOfStatus,
  outcomeOfTransportError,
  type UpstreamCaller,
  type UpstreamOutcome,
} from '../observer.js';
import { TRANSIENT_ERROR_CODES, type ProviderResilience } from '../resilience/index.js';
import {
  bodyTooLargeError,
  isUnreadableBody,
  transportError,
  unreadableBodyError,
  type Answerer,
} from './errors.js';
import { BodyTooLargeError, transportCodeOf, type UpstreamAnswer } from './got.js';

/**
 * One request sent and its answer read: the one send path of data requests (`client.ts`) and
 * token requests (`auth/token-request.ts`) alike. It bounds the body, reports the request to the
 * provider's observer (logs and metrics) once it has ended, and turns a request that got no usable
 * answer into a `ProviderError`, saying whether it is worth another attempt and what it says of
 * the provider (its breaker verdict). A response of any status is the caller's to read.
 */

export interface ExchangeOptions {
  readonly provider: ProviderName;
  readonly answeredBy: Answerer;
  /** The endpoint template, for errors, logs and metrics. */
  readonly endpoint: string;
  readonly redactor: SecretRedactor;
  /** Its body bound and its observer. */
  readonly resilience: ProviderResilience;
  /** 1 for a call's first attempt, 2 for its first retry, … */
  readonly attempt: number;
  readonly caller: UpstreamCaller | undefined;
  /** The attempt's timeout is what was left of the operation's deadline, shorter than configured. */
  readonly cutShort?: boolean;
  /** How a response's status is counted (default `outcomeOfStatus`). */
  readonly outcomeOf?: (status: number) => UpstreamOutcome;
}

export type ExchangeResult =
  | { readonly ok: true; readonly response: UpstreamAnswer }
  | {
      readonly ok: false;
      readonly error: ProviderError;
      /** Worth another attempt: the request may not have arrived, or its answer was lost. */
      readonly transient: boolean;
      /** What the failure says of the provider, for its circuit breaker (none: nothing). */
      readonly verdict: 'down' | 'up' | undefined;
    };

/** How long a request has taken, reported once it has ended. */
export interface Observation {
  observe(outcome: UpstreamOutcome, status: number | undefined): void;
}

export function observation(options: ExchangeOptions): Observation {
  const startedAt = performance.now();
  return {
    observe: (outcome, status) =>
      options.resilience.observer.request({
        provider: options.provider,
        endpoint: options.endpoint,
        outcome,
        status,
        durationMs: performance.now() - startedAt,
        attempt: options.attempt,
        caller: options.caller,
      }),
  };
}

/**
 * `request`: the request sent (`got.ts send`, with the body bound of `options.resilience`), its
 * answer read whole.
 */
export async function exchange(
  request: Promise<UpstreamAnswer>,
  options: ExchangeOptions,
  watch: Observation = observation(options),
): Promise<ExchangeResult> {
  const { provider, endpoint, redactor } = options;
  let response: UpstreamAnswer;
  try {
    response = await request;
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      watch.observe('too_large', undefined);
      return {
        ok: false,
        error: bodyTooLargeError(provider, endpoint, error.maxBytes),
        transient: false,
        verdict: 'up',
      };
    }
    const code = transportCodeOf(error);
    // An answer came, but its body could not be read (a broken gzip stream, headers past the
    // parser's limit): a bad response from a provider that is up, not an unreachable one.
    if (isUnreadableBody(code)) {
      watch.observe('unreadable', undefined);
      return {
        ok: false,
        error: unreadableBodyError(provider, endpoint, code!, error, redactor),
        transient: false,
        verdict: 'up',
      };
    }
    watch.observe(outcomeOfTransportError(code), undefined);
    // A timeout the deadline cut short says nothing about the provider, and is not retried.
    const cutShort = code === 'ETIMEDOUT' && options.cutShort === true;
    return {
      ok: false,
      error: transportError({
        provider,
        answeredBy: options.answeredBy,
        endpoint,
        error,
        redactor,
        cutShortByDeadline: cutShort,
      }),
      transient: !cutShort && code !== undefined && TRANSIENT_ERROR_CODES.has(code),
      // No code: something other than the network failed (a bug), which says nothing either.
      verdict: cutShort || code === undefined ? undefined : 'down',
    };
  }
  watch.observe((options.outcomeOf ?? outcomeOfStatus)(response.statusCode), response.statusCode);
  return { ok: true, response };
}
