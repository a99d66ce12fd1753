import { STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http';
import type { RouteReply, RouteRequest, SandboxApi } from './routes.js';

/**
 * Faults a sandbox server injects on request, so that tests can watch a client meet an upstream
 * that fails the ways real ones do: an error status, a rate limit, a slow answer, a dropped
 * connection, a cut-off or unparseable body, a proxy's HTML page, a hostile XML document, a body
 * too large to hold, a body that lies about its encoding, headers too large to read. A fault
 * replaces (or, for `delay`, postpones) the answer of the requests it matches; those requests are
 * still logged and counted, with the fault's kind in their log entry.
 */

export type SandboxFault =
  /**
   * This status (200 to 599). The body defaults to the API's own error shape, in the format the
   * request asked for; a given `body` is sent as it is, with the API's error content type unless
   * `headers` names another. `Content-Length` and `Transfer-Encoding` are the sandbox's to set.
   * With 200, any verbatim body becomes a success a client has to read: a maintenance page as
   * `text/html`, `<foo/>`, an error document, JSON `{}` or `null`.
   */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /**
   * 429 with the API's error body and `Retry-After`: a number is whole seconds (≥ 0); a string is
   * sent verbatim (an HTTP date, or something a client should survive).
   */
  | { readonly kind: 'rateLimit'; readonly retryAfter: number | string }
  /** The endpoint's own answer, `ms` later than usual (on top of the server's delay). */
  | { readonly kind: 'delay'; readonly ms: number }
  /** The connection is reset (TCP RST) without a response: the client sees ECONNRESET. */
  | { readonly kind: 'reset' }
  /**
   * The endpoint's own answer with the `Content-Length` of its whole body, but only the first
   * `bytes` of it (default half; never the whole), then the connection is closed.
   */
  | { readonly kind: 'truncate'; readonly bytes?: number }
  /**
   * The endpoint's own answer (status, content type, a matching `Content-Length`) with a body that
   * does not parse: its last character, the JSON's closing bracket or the XML's final `>`, is left out.
   */
  | { readonly kind: 'malformed' }
  /** A proxy's `text/html` error page (nginx's) with this status, default 502. Any 200 to 599. */
  | { readonly kind: 'html'; readonly status?: number }
  /**
   * 200 `application/xml` (for both APIs, JSON ones included) whose DOCTYPE declares a
   * billion-laughs chain of entities (3 GB once expanded) and an external entity
   * (`file:///etc/passwd`), both used in the document. Small as sent.
   */
  | { readonly kind: 'doctype' }
  /**
   * 200 with a well-formed body of exactly `bytes` bytes (at least 1024) in the format the request
   * asked for: `{"padding":"xxx…"}` or `<response><padding>xxx…</padding></response>`. Streamed in
   * chunks, so the sandbox never holds it; `Content-Length` is sent unless `chunked`.
   */
  | { readonly kind: 'oversized'; readonly bytes: number; readonly chunked?: boolean }
  /**
   * 200 with the endpoint's own content type, headers and body, labelled `Content-Encoding: gzip`
   * though the body is not gzip: a client that decompresses fails reading it (fetch rejects on the
   * body; one that ignores the label reads the plain body).
   */
  | { readonly kind: 'badGzip' }
  /**
   * 200 with the endpoint's own answer plus one header of 20 KiB (`x-sandbox-padding`), past the
   * 16 KiB Node's HTTP parser takes by default: node:http fails with `HPE_HEADER_OVERFLOW`, fetch
   * (undici) with `UND_ERR_HEADERS_OVERFLOW`.
   */
  | { readonly kind: 'headerOverflow' };

export type SandboxFaultKind = SandboxFault['kind'];

export interface SandboxFaultOptions {
  /**
   * An endpoint template as the counters name it (`GET /user/{id}`, `POST /api/v3/token`,
   * `GET <unknown>`), or `'*'`, the default, for every request.
   */
  readonly endpoint?: string;
  /** Applies to the next `times` matching requests, then stops; default: until `clearFaults()`. */
  readonly times?: number;
}

/** The smallest `oversized` body: room for the wrapper of either format, and then some. */
const OVERSIZED_MIN_BYTES = 1024;
/** The size of the one header a `headerOverflow` fault adds: past Node's default 16 KiB. */
export const HEADER_OVERFLOW_BYTES = 20 * 1024;
/** The most `setTimeout` waits; past it Node fires after 1 ms instead. */
const MAX_DELAY_MS = 2 ** 31 - 1;

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

interface Injection {
  readonly endpoint: string;
  readonly fault: SandboxFault;
  /** `Infinity` until cleared. */
  remaining: number;
}

/**
 * The faults injected into one server, in the order they were injected. A request takes the
 * earliest injection that matches its endpoint (or `'*'`), using up one of its `times`; so finite
 * injections queue up ("reset, then 503, then the real answer") ahead of an open-ended one.
 */
export class FaultTable {
  readonly #injections: Injection[] = [];
  readonly #endpoints: readonly string[];

  /** `endpoints`: the templates the server's counters use (besides `<METHOD> <unknown>`). */
  constructor(endpoints: readonly string[]) {
    this.#endpoints = endpoints;
  }

  inject(fault: SandboxFault, options: SandboxFaultOptions = {}): void {
    const endpoint = options.endpoint ?? '*';
    if (endpoint !== '*' && !this.#endpoints.includes(endpoint) && !/^[A-Z]+ <unknown>$/.test(endpoint)) {
      throw new RangeError(
        `A fault's endpoint must be '*', '<METHOD> <unknown>' or one of ${this.#endpoints.map((known) => `'${known}'`).join(', ')}; got ${JSON.stringify(endpoint)}.`,
      );
    }
    const times = options.times;
    if (times !== undefined && !(Number.isSafeInteger(times) && times >= 1)) {
      throw new RangeError(`A fault's times must be a whole number ≥ 1 (or left out); got ${times}.`);
    }
    this.#injections.push({ endpoint, fault: checkFault(fault), remaining: times ?? Infinity });
  }

  clear(): void {
    this.#injections.length = 0;
  }

  /** The fault for a request to `endpoint`, if any, using up one of its times. */
  take(endpoint: string): SandboxFault | undefined {
    const index = this.#injections.findIndex(
      (injection) => injection.endpoint === '*' || injection.endpoint === endpoint,
    );
    const injection = this.#injections[index];
    if (!injection) return undefined;
    injection.remaining -= 1;
    if (injection.remaining <= 0) this.#injections.splice(index, 1);
    return injection.fault;
  }
}

/** A frozen copy of a fault, refused (with the reason) if a field is out of range. */
function checkFault(fault: SandboxFault): SandboxFault {
  const wholeNumber = (value: unknown, min: number, max: number, what: string): void => {
    if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max)) {
      throw new RangeError(
        `A '${fault.kind}' fault's ${what} must be a whole number from ${min} to ${max}; got ${String(value)}.`,
      );
    }
  };
  switch (fault.kind) {
    case 'status': {
      wholeNumber(fault.status, 200, 599, 'status');
      if (fault.body !== undefined && typeof fault.body !== 'string') {
        throw new TypeError(`A 'status' fault's body must be a string; got ${typeof fault.body}.`);
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(fault.headers ?? {})) {
        validateHeaderName(name);
        validateHeaderValue(name, value);
        const lower = name.toLowerCase();
        if (lower === 'content-length' || lower === 'transfer-encoding') {
          throw new RangeError(`A 'status' fault may not set ${name}: the sandbox frames the body itself.`);
        }
        headers[lower] = value;
      }
      return Object.freeze({ ...fault, headers: Object.freeze(headers) });
    }
    case 'rateLimit':
      if (typeof fault.retryAfter === 'number') {
        wholeNumber(fault.retryAfter, 0, Number.MAX_SAFE_INTEGER, 'retryAfter (seconds)');
      } else {
        validateHeaderValue('retry-after', fault.retryAfter);
      }
      return Object.freeze({ ...fault });
    case 'delay':
      wholeNumber(fault.ms, 0, MAX_DELAY_MS, 'ms');
      return Object.freeze({ ...fault });
    case 'truncate':
      if (fault.bytes !== undefined) wholeNumber(fault.bytes, 0, Number.MAX_SAFE_INTEGER, 'bytes');
      return Object.freeze({ ...fault });
    case 'html':
      if (fault.status !== undefined) wholeNumber(fault.status, 200, 599, 'status');
      return Object.freeze({ ...fault });
    case 'oversized':
      wholeNumber(fault.bytes, OVERSIZED_MIN_BYTES, Number.MAX_SAFE_INTEGER, 'bytes');
      return Object.freeze({ ...fault });
    case 'reset':
    case 'malformed':
    case 'doctype':
    case 'badGzip':
    case 'headerOverflow':
      return Object.freeze({ ...fault });
    default: {
      const unknown: never = fault;
      throw new TypeError(
        `A fault's kind must be status, rateLimit, delay, reset, truncate, malformed, html, doctype, oversized, badGzip or headerOverflow; got ${JSON.stringify((unknown as { kind?: unknown }).kind)}.`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// What a faulted request is sent

/** How a request is answered: whole, not at all, in part, or as a stream. */
export type Delivery =
  | { readonly kind: 'reply'; readonly reply: RouteReply }
  | { readonly kind: 'reset' }
  /** The reply's headers and `Content-Length`, then `bytes` of its body, then the connection closes. */
  | { readonly kind: 'truncate'; readonly reply: RouteReply; readonly bytes: number }
  | {
      readonly kind: 'stream';
      readonly status: number;
      readonly contentType: string;
      readonly length: number;
      readonly chunked: boolean;
      readonly chunks: () => Iterable<Buffer>;
    };

/** The status a delivery sends, for the log: 0 when it sends none. */
export function deliveryStatus(delivery: Delivery): number {
  switch (delivery.kind) {
    case 'reply':
    case 'truncate':
      return delivery.reply.status;
    case 'reset':
      return 0;
    case 'stream':
      return delivery.status;
  }
}

export interface FaultContext {
  readonly api: SandboxApi;
  readonly request: RouteRequest;
  /** The endpoint's own answer (routed and handled as if there were no fault). */
  readonly answer: () => Promise<RouteReply>;
}

/** What to send for a request that takes `fault`. */
export async function deliveryOf(fault: SandboxFault, context: FaultContext): Promise<Delivery> {
  const { api, request } = context;
  const reply = (value: RouteReply): Delivery => ({ kind: 'reply', reply: value });
  switch (fault.kind) {
    case 'status': {
      const failure = api.failure(
        request,
        fault.status,
        `${reason(fault.status)}: a fault injected into the sandbox.`,
      );
      const { 'content-type': contentType, ...headers } = fault.headers ?? {};
      return reply({
        status: fault.status,
        contentType: contentType ?? failure.contentType,
        body: fault.body ?? failure.body,
        headers: { ...failure.headers, ...headers },
      });
    }
    case 'rateLimit': {
      const failure = api.failure(request, 429, 'Too many requests: a rate limit injected into the sandbox.');
      return reply({ ...failure, headers: { ...failure.headers, 'retry-after': String(fault.retryAfter) } });
    }
    case 'delay':
      return reply(await context.answer());
    case 'reset':
      return { kind: 'reset' };
    case 'truncate': {
      const answer = await context.answer();
      const length = Buffer.byteLength(answer.body);
      const bytes = Math.min(fault.bytes ?? Math.floor(length / 2), Math.max(0, length - 1));
      return { kind: 'truncate', reply: answer, bytes };
    }
    case 'malformed': {
      // Every body the APIs send ends in `}`, `]` or `>`, one byte each: without it, no parser reads it.
      const answer = await context.answer();
      return reply({ ...answer, body: answer.body.slice(0, -1) });
    }
    case 'html': {
      const status = fault.status ?? 502;
      return reply({
        status,
        contentType: 'text/html',
        body: proxyErrorPage(status),
        headers: { server: 'nginx' },
      });
    }
    case 'doctype':
      return reply({ status: 200, contentType: XML_TYPE, body: ENTITY_EXPANSION_DOCUMENT });
    case 'oversized':
      return oversized(api.format(request), fault.bytes, fault.chunked ?? false);
    case 'badGzip': {
      // Plain text never starts with gzip's magic bytes (1f 8b), so no gunzip takes it.
      const answer = await context.answer();
      return reply({
        ...answer,
        status: 200,
        headers: { ...answer.headers, 'content-encoding': 'gzip' },
      });
    }
    case 'headerOverflow': {
      const answer = await context.answer();
      return reply({
        ...answer,
        status: 200,
        headers: { ...answer.headers, 'x-sandbox-padding': 'x'.repeat(HEADER_OVERFLOW_BYTES) },
      });
    }
  }
}

function reason(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** nginx's own error page, as a gateway in front of the API would send it. */
function proxyErrorPage(status: number): string {
  const title = `${status} ${reason(status)}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** Ten entities, each ten of the one before: `lol9` is 10⁹ × "lol". */
const ENTITY_EXPANSION_DOCUMENT = [
  XML_DECLARATION,
  '<!DOCTYPE response [',
  '  <!ENTITY lol "lol">',
  ...Array.from(
    { length: 9 },
    (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
  ),
  '  <!ENTITY xxe SYSTEM "file:///etc/passwd">',
  ']>',
  '<response><code>200</code><message>&lol9;</message><detail>&xxe;</detail></response>',
  '',
].join('\n');

const PADDING_CHUNK = Buffer.alloc(64 * 1024, 'x');

function oversized(format: 'json' | 'xml', bytes: number, chunked: boolean): Delivery {
  const [head, tail] =
    format === 'json'
      ? ['{"padding":"', '"}']
      : [`${XML_DECLARATION}<response><padding>`, '</padding></response>'];
  const open = Buffer.from(head);
  const close = Buffer.from(tail);
  const padding = bytes - open.length - close.length;
  return {
    kind: 'stream',
    status: 200,
    contentType: format === 'json' ? JSON_TYPE : XML_TYPE,
    length: bytes,
    chunked,
    *chunks() {
      yield open;
      for (let left = padding; left > 0; left -= PADDING_CHUNK.length) {
        yield left >= PADDING_CHUNK.length ? PADDING_CHUNK : PADDING_CHUNK.subarray(0, left);
      }
      yield close;
    },
  };
}
