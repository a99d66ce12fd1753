import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  deliveryOf,
  deliveryStatus,
  FaultTable,
  type Delivery,
  type SandboxFault,
  type SandboxFaultKind,
  type SandboxFaultOptions,
} from './faults.js';
import { listen as listenOn } from '../listen.js';
import type { Route, RouteReply, RouteRequest, SandboxApi } from './routes.js';
import type { VariantSettings } from './variants.js';

/**
 * What both sandbox servers share: a node:http server that routes each request to an endpoint
 * template, applies the fault injected for it if any, records it (log and per-template counter)
 * before answering, waits the configured delay, and never lets a bad request or a bug crash the
 * process.
 */

export interface SandboxRequest {
  method: string;
  /** The endpoint template, e.g. `GET /user/{id}`; `<METHOD> <unknown>` for anything else. */
  endpoint: string;
  /** The raw pathname as received. */
  path: string;
  /** The raw query string, without `?` (`''` if none). */
  query: string;
  /** The status sent; 0 when none was (a `reset` fault). */
  status: number;
  /** `Date.now()` when the request was received. */
  at: number;
  /** The kind of the fault injected into this request; absent when none was. */
  fault?: SandboxFaultKind;
}

/**
 * One running sandbox server. `V` is its variants (`ThriveVariants`, `IspringVariants`, see
 * variants.ts); `SandboxServer` alone is any server.
 */
export interface SandboxServer<V extends object = object> {
  /** Thrive: `http://127.0.0.1:PORT/rest/v1`; iSpring: `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly log: readonly SandboxRequest[];
  /** Requests to that endpoint template, or all requests. */
  count(endpoint?: string): number;
  /** Requests by endpoint template (templates never requested are absent). */
  counts(): Record<string, number>;
  /**
   * Clears the log and the counters; injected faults stay (see `clearFaults`), and so do the
   * variants (see `resetVariants`).
   */
  reset(): void;
  setDelay(ms: number): void;
  /**
   * From now on, answers the requests to `options.endpoint` (default `'*'`: every request) with
   * `fault`: every one until `clearFaults()`, or the next `options.times`. Faults queue in the
   * order injected: a request takes the earliest that matches and still applies. Throws when the
   * endpoint is not one of this server's templates or a field is out of range.
   */
  inject(fault: SandboxFault, options?: SandboxFaultOptions): void;
  /** Removes every injected fault; requests already taking one finish with it. */
  clearFaults(): void;
  /** Every token issued so far is rejected with 401 from now on. */
  expireTokens(): void;
  /** The variants the server answers with now (frozen: change them with `setVariants`). */
  readonly variants: Readonly<V>;
  /**
   * Changes the variants named, from the next request on; the others stay. Throws a RangeError
   * naming the variant and its allowed values when one is unknown or out of range, and then
   * changes none.
   */
  setVariants(partial: Partial<V>): void;
  /**
   * Back to the variants the server started with: the defaults, with those `startSandbox` was
   * given applied. `reset()` leaves the variants alone.
   */
  resetVariants(): void;
}

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/**
 * Token requests are a few hundred bytes; the largest body the sandbox takes is a POST /users/v2
 * filter (55 bytes an id in XML), which this leaves room for about 19,000 ids in.
 */
export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Room for a query of several thousand ids (Node's default is 16 KiB); the iSpring API answers a
 * request line past 8 KiB with 414 itself, as an nginx front end with 8 KiB buffers would.
 */
const MAX_HEADER_BYTES = 256 * 1024;
/** The log keeps at least this many of the latest requests (counters are never trimmed). */
const LOG_LIMIT = 100_000;

export interface ListenOptions<V extends object> {
  readonly host: string;
  readonly port: number;
  /** Appended to the origin to make `baseUrl` (`/rest/v1` for Thrive, `''` for iSpring). */
  readonly basePath: string;
  readonly delayMs: number;
  readonly api: SandboxApi;
  readonly expireTokens: () => void;
  /** The variants the server exposes; its API reads the same object's `current` on each request. */
  readonly variants: VariantSettings<V>;
}

export interface ListeningSandboxServer<V extends object = object> extends SandboxServer<V> {
  close(): Promise<void>;
}

export function checkDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`The sandbox delay must be a finite number of milliseconds ≥ 0; got ${ms}.`);
  }
  return ms;
}

/** Starts one sandbox server and resolves once it listens. */
export async function listen<V extends object>(
  options: ListenOptions<V>,
): Promise<ListeningSandboxServer<V>> {
  const log: SandboxRequest[] = [];
  const counters = new Map<string, number>();
  let delayMs = checkDelay(options.delayMs);
  const faults = new FaultTable(options.api.endpoints);
  // One per request being answered, aborted when its response closes or the server does, so that
  // delayed and streamed answers neither outlive their client nor hold the process open.
  const answering = new Set<AbortController>();

  const server: Server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    const at = Date.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    const query = mark === -1 ? '' : url.slice(mark + 1);
    let bodyRead: Promise<string> | undefined;
    const request: RouteRequest = {
      method,
      path,
      query,
      url,
      headers: req.headers,
      readBody: () => (bodyRead ??= readBody(req)),
    };
    req.on('error', () => {});
    res.on('error', () => {});
    const gone = new AbortController();
    answering.add(gone);
    res.once('close', () => {
      answering.delete(gone);
      gone.abort();
    });

    const answer = async (): Promise<void> => {
      let route: Route | undefined;
      try {
        route = options.api.route(method, path);
      } catch {
        route = undefined;
      }
      const endpoint = route?.endpoint ?? `${method} <unknown>`;
      const routeAnswer = () => handle(options.api, route, request);
      const fault = faults.take(endpoint);
      const delivery: Delivery = fault
        ? await deliveryOf(fault, { api: options.api, request, answer: routeAnswer })
        : { kind: 'reply', reply: await routeAnswer() };
      log.push({
        method,
        endpoint,
        path,
        query,
        status: deliveryStatus(delivery),
        at,
        ...(fault ? { fault: fault.kind } : {}),
      });
      if (log.length >= 2 * LOG_LIMIT) log.splice(0, LOG_LIMIT);
      counters.set(endpoint, (counters.get(endpoint) ?? 0) + 1);
      const waitMs = delayMs + (fault?.kind === 'delay' ? fault.ms : 0);
      if (waitMs > 0) {
        try {
          await sleep(waitMs, undefined, { signal: gone.signal });
        } catch {
          return; // the client left, or the server is closing: there is no one to answer
        }
      }
      if (res.destroyed || res.writableEnded) return;
      await deliver(res, delivery, gone.signal);
    };
    answer().catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('sandbox error');
      }
    });
  });
  // Longer than any client's idle keep-alive, so a reused socket is not closed under a request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;

  const port = await listenOn(server, options.port, options.host);
  server.on('error', () => {});

  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const origin = `http://${host}:${port}`;
  let closed: Promise<void> | undefined;

  return {
    baseUrl: `${origin}${options.basePath}`,
    origin,
    get log() {
      return log;
    },
    count(endpoint?: string): number {
      if (endpoint === undefined) {
        let total = 0;
        for (const value of counters.values()) total += value;
        return total;
      }
      return counters.get(endpoint) ?? 0;
    },
    counts(): Record<string, number> {
      return Object.fromEntries(counters);
    },
    reset(): void {
      log.length = 0;
      counters.clear();
    },
    setDelay(ms: number): void {
      delayMs = checkDelay(ms);
    },
    inject(fault: SandboxFault, injectOptions?: SandboxFaultOptions): void {
      faults.inject(fault, injectOptions);
    },
    clearFaults(): void {
      faults.clear();
    },
    expireTokens: options.expireTokens,
    get variants() {
      return options.variants.current;
    },
    setVariants(partial: Partial<V>): void {
      options.variants.set(partial);
    },
    resetVariants(): void {
      options.variants.reset();
    },
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        for (const controller of answering) controller.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** The route's answer; the API's 413 or 500 when reading the body or the route fails. */
async function handle(api: SandboxApi, route: Route | undefined, request: RouteRequest): Promise<RouteReply> {
  try {
    if (route) return await route.handle(request);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      const failure = api.failure(request, 413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
      // The rest of the body is not read: the connection cannot carry another request.
      return { ...failure, headers: { ...failure.headers, connection: 'close' } };
    }
  }
  return api.failure(request, 500, 'The sandbox failed to answer this request.');
}

/** Sends a delivery; resolves once it is sent, cut off, or given up on (`signal`). */
async function deliver(res: ServerResponse, delivery: Delivery, signal: AbortSignal): Promise<void> {
  switch (delivery.kind) {
    case 'reply': {
      const { reply } = delivery;
      res.writeHead(reply.status, {
        ...reply.headers,
        'content-type': reply.contentType,
        'content-length': Buffer.byteLength(reply.body),
      });
      res.end(reply.body);
      return;
    }
    case 'reset':
      // RST rather than FIN, as a peer or middlebox that drops the connection sends it.
      if (res.socket) res.socket.resetAndDestroy();
      else res.destroy();
      return;
    case 'truncate': {
      const { reply, bytes } = delivery;
      const body = Buffer.from(reply.body, 'utf8');
      res.writeHead(reply.status, {
        ...reply.headers,
        'content-type': reply.contentType,
        'content-length': body.length,
      });
      res.flushHeaders();
      if (bytes > 0) res.write(body.subarray(0, bytes));
      // FIN after what was written: the client reads the part, then the end of the connection.
      res.socket?.end();
      return;
    }
    case 'stream':
      res.writeHead(delivery.status, {
        'content-type': delivery.contentType,
        ...(delivery.chunked ? {} : { 'content-length': delivery.length }),
      });
      try {
        await pipeline(Readable.from(delivery.chunks(), { objectMode: false }), res, { signal });
      } catch {
        // The client stopped reading (as a client with a size limit does), or the server closed.
      }
      return;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError('request body too large'));
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted')));
  });
}

/** Splits a raw path into decoded segments; `undefined` when a segment's percent-encoding is bad. */
export function pathSegments(path: string): string[] | undefined {
  const segments = path.split('/').slice(1);
  try {
    return segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

/** Shortens a client's value for an error message. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
