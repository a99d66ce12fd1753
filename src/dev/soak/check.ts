import { isDeepStrictEqual } from 'node:util';
import { KNOWN_CODES, UPSTREAM_CODES, type Operation } from './operations.js';

/**
 * The check every soak response goes through. A response is well-formed when:
 * - its HTTP status is one the operation may be answered with;
 * - it is `application/json` and its body parses as a JSON object;
 * - it has `data` and/or a non-empty `errors` array (a refused request, 4xx, has no `data`);
 * - each error has a non-empty message and an `extensions.code` that the README documents and the
 *   operation may get, an `UPSTREAM_*` error names its provider, and no error carries a stack trace;
 * - its body holds no secret, upstream URL, upstream body or stack trace (`LEAK_PATTERNS`);
 * - its `data` agrees with the fault-free answer to the same request: equal when it has no error,
 *   and equal but for fields an error nulled when it has some;
 * - an answer with errors is not marked cacheable for the router (`Cache-Control`).
 */

export interface Leak {
  readonly name: string;
  readonly test: (body: string) => boolean;
}

/** What must never be in a response body: the sandbox's secrets and origins, upstream bodies, stack traces. */
export function leakPatterns(secrets: readonly string[], upstreamOrigins: readonly string[]): Leak[] {
  const literal = (name: string, text: string): Leak => ({ name, test: (body) => body.includes(text) });
  return [
    ...secrets.map((secret, index) => literal(`secret #${index + 1}`, secret)),
    ...upstreamOrigins.map((origin) =>
      literal(`upstream origin ${origin}`, origin.replace(/^https?:\/\//, '')),
    ),
    literal('bearer token', 'Bearer '),
    literal("the sandbox's error message (an upstream body)", 'injected into the sandbox'),
    literal('an HTML page', '<html'),
    literal('nginx', 'nginx'),
    literal('a DOCTYPE', '<!DOCTYPE'),
    literal('an entity declaration', '<!ENTITY'),
    literal('expanded entities', 'lollollol'),
    literal('/etc/passwd content', 'root:x:0:0'),
    literal('oversized padding', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'),
    literal('a source path', 'node_modules'),
    { name: 'a file URL or path', test: (body) => /file:\/\/|\/dist\/|\/src\/|node:internal/.test(body) },
    {
      // `at fn (/path/file.js:1:2)`, `at file:///path/file.js:1:2`, `at node:internal/…:1:2`
      name: 'a stack frame',
      test: (body) =>
        /\bat (?:async )?[^\s()"]+ \((?:file:|node:|\/)[^)"]*:\d+:\d+\)|\bat (?:file:|node:|\/)[^\s()"]+:\d+:\d+/.test(
          body,
        ),
    },
    { name: 'a stacktrace extension', test: (body) => body.includes('"stacktrace"') },
  ];
}

export interface CheckInput {
  readonly operation: Operation;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly cacheControl: string | undefined;
  readonly body: string;
  /** The fault-free answer to the same request (parsed), when the warm-up took one. */
  readonly reference: unknown;
}

export interface ErrorSeen {
  readonly code: string;
  readonly provider?: string;
  /** The message, with ids, numbers and times replaced, to count failure modes. */
  readonly message: string;
  /** The provider's circuit was open: the request failed at once, without being sent. */
  readonly breaker: boolean;
}

/** A message with what varies (times, numbers, quoted values, ids) replaced. */
export function messageShape(message: string): string {
  return message
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\b(?:thrive|ispring):[^\s,;)]+/g, '<id>')
    .replace(/\d+/g, 'N')
    .slice(0, 240);
}

export interface CheckResult {
  /** Empty when the response is well-formed. */
  readonly problems: string[];
  /** Leak names found (also in `problems`). */
  readonly leaks: string[];
  /** Set when `data` disagrees with the fault-free answer (also in `problems`). */
  readonly inconsistency?: string;
  /** Set when an answer with errors was marked cacheable (also in `problems`). */
  readonly cacheable?: string;
  readonly errors: ErrorSeen[];
  /** `ok`: data, no error; `partial`: data and errors; `refused`: errors only (or data null). */
  readonly outcome: 'ok' | 'partial' | 'refused' | 'unreadable';
}

const UPSTREAM = new Set<string>(UPSTREAM_CODES);
const PROVIDERS = new Set(['THRIVE', 'ISPRING']);

export function checkResponse(input: CheckInput, leaks: readonly Leak[]): CheckResult {
  const { operation, status, body } = input;
  const problems: string[] = [];
  const errors: ErrorSeen[] = [];
  const leaked = leaks.filter((leak) => leak.test(body)).map((leak) => leak.name);
  for (const name of leaked) problems.push(`body holds ${name}`);

  if (!operation.statuses.has(status))
    problems.push(`HTTP ${status} (expected ${[...operation.statuses].join(' or ')})`);
  if (!/^application\/(?:graphql-response\+)?json\b/i.test(input.contentType ?? ''))
    problems.push(`content-type ${JSON.stringify(input.contentType ?? null)}`);

  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    problems.push('body is not JSON');
    return { problems, leaks: leaked, errors, outcome: 'unreadable' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push('body is not a JSON object');
    return { problems, leaks: leaked, errors, outcome: 'unreadable' };
  }
  const response = parsed as Record<string, unknown>;
  const extra = Object.keys(response).filter((key) => !['data', 'errors', 'extensions'].includes(key));
  if (extra.length > 0) problems.push(`unexpected top-level keys ${extra.join(', ')}`);
  const hasData = 'data' in response;
  const hasErrors = 'errors' in response;
  if (!hasData && !hasErrors) problems.push('neither data nor errors');
  if (status >= 400 && hasData) problems.push(`HTTP ${status} with data`);

  if (hasErrors) {
    if (!Array.isArray(response['errors']) || response['errors'].length === 0) {
      problems.push('errors is not a non-empty array');
    } else {
      response['errors'].forEach((raw: unknown, index) => {
        const at = `errors[${index}]`;
        if (typeof raw !== 'object' || raw === null) {
          problems.push(`${at} is not an object`);
          return;
        }
        const error = raw as { message?: unknown; extensions?: unknown; path?: unknown };
        const shape = typeof error.message === 'string' ? messageShape(error.message) : '(no message)';
        if (typeof error.message !== 'string' || error.message.trim() === '')
          problems.push(`${at} has no message`);
        if (
          error.path !== undefined &&
          !(
            Array.isArray(error.path) &&
            error.path.every((p) => typeof p === 'string' || typeof p === 'number')
          )
        )
          problems.push(`${at}.path is malformed`);
        const extensions = error.extensions as Record<string, unknown> | undefined;
        const code = extensions?.['code'];
        if (typeof code !== 'string') {
          problems.push(`${at} has no extensions.code`);
          errors.push({ code: '(none)', message: shape, breaker: false });
          return;
        }
        const provider = typeof extensions?.['provider'] === 'string' ? extensions['provider'] : undefined;
        const breaker = code === 'UPSTREAM_UNAVAILABLE' && shape.includes('its circuit is open');
        errors.push({ code, message: shape, breaker, ...(provider === undefined ? {} : { provider }) });
        if (!KNOWN_CODES.has(code)) problems.push(`${at} has an undocumented code ${code}`);
        else if (!operation.codes.has(code))
          problems.push(`${at} has code ${code}, unexpected for ${operation.name}`);
        if (UPSTREAM.has(code) && !PROVIDERS.has(provider ?? ''))
          problems.push(`${at} (${code}) names no provider`);
        const retryAfter = extensions?.['retryAfterSeconds'];
        if (retryAfter !== undefined && !(typeof retryAfter === 'number' && retryAfter >= 0))
          problems.push(`${at}.extensions.retryAfterSeconds is ${JSON.stringify(retryAfter)}`);
        if (extensions && ('stacktrace' in extensions || 'exception' in extensions))
          problems.push(`${at} carries a stack trace`);
      });
    }
  }

  const data = response['data'];
  if (hasData && data !== null && (typeof data !== 'object' || Array.isArray(data)))
    problems.push('data is not an object');
  if (
    operation.field !== undefined &&
    data !== null &&
    typeof data === 'object' &&
    !(operation.field in data)
  )
    problems.push(`data has no ${operation.field}`);

  const errorCount = errors.length;
  let inconsistency: string | undefined;
  const referenceData = (input.reference as { data?: unknown } | undefined)?.data;
  if (hasData && referenceData !== undefined) {
    inconsistency = difference(data, referenceData, errorCount > 0, '$');
    if (inconsistency !== undefined)
      problems.push(`data disagrees with the fault-free answer: ${inconsistency}`);
  }

  let cacheable: string | undefined;
  if (
    errorCount > 0 &&
    /max-age=[1-9]|s-maxage=[1-9]/.test(input.cacheControl ?? '') &&
    !/no-store/.test(input.cacheControl ?? '')
  ) {
    cacheable = input.cacheControl;
    problems.push(`an answer with errors carries Cache-Control: ${input.cacheControl}`);
  }

  const outcome = !hasData || data === null ? 'refused' : errorCount > 0 ? 'partial' : 'ok';
  return {
    problems,
    leaks: leaked,
    errors,
    outcome,
    ...(inconsistency === undefined ? {} : { inconsistency }),
    ...(cacheable === undefined ? {} : { cacheable }),
  };
}

/**
 * Where `actual` departs from `expected`; undefined when it does not. With `nullsAllowed` (the
 * answer has errors), a null where the fault-free answer has a value is an error's doing, not a
 * difference; anything else (another value, a list of another length) is.
 */
export function difference(
  actual: unknown,
  expected: unknown,
  nullsAllowed: boolean,
  at: string,
): string | undefined {
  if (isDeepStrictEqual(actual, expected)) return undefined;
  if (actual === null && nullsAllowed) return undefined;
  const show = (value: unknown) => (JSON.stringify(value) ?? 'undefined').slice(0, 160);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${at}: ${show(actual)} where the answer is a list`;
    if (actual.length !== expected.length)
      return `${at}: ${actual.length} items where the fault-free answer has ${expected.length}`;
    for (let i = 0; i < expected.length; i += 1) {
      const inner = difference(actual[i], expected[i], nullsAllowed, `${at}[${i}]`);
      if (inner) return inner;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
      return `${at}: ${show(actual)} where the answer is an object`;
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) {
      const inner = difference(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        nullsAllowed,
        `${at}.${key}`,
      );
      if (inner) return inner;
    }
    return undefined;
  }
  return `${at}: ${show(actual)}, fault-free ${show(expected)}`;
}
