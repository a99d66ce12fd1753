import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import {
  got,
  RequestError,
  type Got,
  type NativeRequestOptions,
  type Options,
  type OptionsInit,
  type Request,
} from 'got';

/**
 * got as every request of this project uses it, data and token requests alike: one keep-alive
 * agent per protocol, and nothing of got's own machinery that this layer does itself: no retries,
 * no status errors, no redirects (`exchange.ts`, `client.ts`), and no got timeouts: each request
 * has one timer of its own (`send`), which costs less than got's timers on every phase of a request.
 * Requests go through got's stream API (`send`), which skips the promise layer (cancelable promise,
 * progress events, hooks) that the body bound and the timeout would otherwise ride on. Compressed
 * answers are still decompressed (a provider may gzip).
 */

/**
 * Agents shared by every client: keep-alive, so each upstream request reuses a socket. The sockets
 * per host are bounded by each provider's in-flight bound (`*_MAX_IN_FLIGHT`, at most 1000), not
 * here: a lower bound here would queue requests out of sight of the deadline and the metrics.
 */
const keepAliveAgents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 1024, scheduling: 'lifo' }),
  https: new https.Agent({ keepAlive: true, maxSockets: 1024, scheduling: 'lifo' }),
};

/**
 * got's call of `http.request` / `https.request`, given only the options this project sets. got
 * hands the native call some thirty options, nearly all unset here, and node copies each of them
 * on every request; the TLS settings left out are node's defaults either way. The URL goes in as
 * its parts rather than as a `URL`, which node would convert and merge into a copy of the options
 * on every request. Credentials written in a URL need nothing here: got has made them the request's
 * `authorization` header already.
 */
function leanNativeRequest(
  url: URL,
  options: NativeRequestOptions,
  callback?: (response: IncomingMessage) => void,
) {
  const { method, headers } = options;
  const agent = options.agent as http.Agent;
  const transport = url.protocol === 'https:' ? https : http;
  const { hostname } = url;
  return transport.request(
    {
      protocol: url.protocol,
      // An IPv6 literal comes bracketed in a URL, and without brackets to the socket.
      hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
      port: url.port,
      path: url.pathname + url.search,
      method,
      headers,
      agent,
    },
    callback,
  );
}

/**
 * Empties got's `cacheOptions` (an init hook: it runs when `createGot` extends got, and finds
 * nothing to do on each request after). got starts every request's native options with a spread
 * of `cacheOptions` followed by some thirty properties, and V8 (Node 20) builds an object literal
 * made that way slowly when the spread object has keys (got's default has four, all undefined):
 * about 35 µs and 22 KB of garbage a request, a third of got's cost. The options only matter with
 * got's HTTP cache, which this project does not use. `test/unit/http.test.ts` pins it.
 */
function withoutCacheOptions(_raw: OptionsInit, options: Options): void {
  if (Object.keys(options.cacheOptions).length > 0) options.cacheOptions = {};
}

/**
 * got instances made from one (`createGot`'s) whose defaults also carry one set of request
 * headers (a provider's current credentials), and `isStream`: a bodiless GET through one of them
 * has no options of its own. got copies a request's options and merges them into a copy of its
 * defaults on every request (`cloneRaw`, `merge`, the init hooks), and only copies its defaults
 * when the request has none; an instance made once for as long as a token lives saves the rest.
 * At most `MAX_BOUND_INSTANCES` per base instance: headers that change on every request would
 * only start the map again, never grow it.
 */
const MAX_BOUND_INSTANCES = 8;
const boundInstances = new WeakMap<Got, Map<string, Got>>();

function boundTo(client: Got, headers: Readonly<Record<string, string>>): Got {
  let instances = boundInstances.get(client);
  if (instances === undefined) boundInstances.set(client, (instances = new Map()));
  let key = '';
  for (const name in headers) key += `${name}\n${headers[name]}\n`;
  let bound = instances.get(key);
  if (bound === undefined) {
    if (instances.size >= MAX_BOUND_INSTANCES) instances.clear();
    bound = client.extend({ headers, isStream: true });
    instances.set(key, bound);
  }
  return bound;
}

/** A GET whose only options are headers (of one value each): what a header-bound instance sends as well. */
function isPlainGet(
  init: Omit<OptionsInit, 'isStream' | 'timeout'>,
): init is { method?: 'GET'; headers?: Record<string, string> } {
  for (const key in init) if (key !== 'method' && key !== 'headers') return false;
  if (init.method !== undefined && init.method !== 'GET') return false;
  for (const name in init.headers) if (typeof init.headers[name] !== 'string') return false;
  return true;
}

/** How many header-bound instances `client` keeps now (tests: the bound holds). */
export function boundInstanceCount(client: Got): number {
  return boundInstances.get(client)?.size ?? 0;
}

/** Base options for every got instance of this project (token endpoints included). */
export function createGot(options: { baseUrl: string; headers?: Record<string, string> }): Got {
  return got.extend({
    prefixUrl: options.baseUrl.replace(/\/+$/, ''),
    agent: keepAliveAgents,
    // Status codes are interpreted by `statusError`, in one place.
    throwHttpErrors: false,
    // Retries belong to the resilience layer; got's own would retry behind its back.
    retry: { limit: 0 },
    followRedirect: false,
    // The request's own timer (`send`) bounds it; got's per-phase timeouts stay off.
    timeout: {},
    headers: { 'user-agent': 'learning-directory-subgraph', ...options.headers },
    request: leanNativeRequest,
    hooks: { init: [withoutCacheOptions] },
  });
}

/** An answer of any status, its body read whole as text. */
export interface UpstreamAnswer {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A response body larger than the bound: the request was cancelled before it was all read. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`The response body is larger than ${maxBytes} bytes.`);
  }
}

/** A request that had not been answered whole within its time: it was cancelled. */
export class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`Timeout awaiting the whole response for ${timeoutMs} ms`);
  }
}

/** The code of a request that got no usable answer: got's (`ECONNREFUSED`, `Z_DATA_ERROR`, …) or `ETIMEDOUT`. */
export function transportCodeOf(error: unknown): string | undefined {
  if (error instanceof RequestError) return error.code;
  if (error instanceof RequestTimeoutError) return error.code;
  return undefined;
}

/** What `send` takes besides got's own request options. */
export interface SendOptions {
  /** The whole exchange, from sending to the last byte of the body. */
  readonly timeoutMs: number;
  /** The body bound (after decompression): `BodyTooLargeError` past it. */
  readonly maxBytes: number;
}

/**
 * Sends one request with got's stream API and reads its answer whole, cancelling the request as
 * soon as its body is known to exceed `maxBytes` (from `Content-Length` before any of it is read,
 * or from the bytes read so far) or when `timeoutMs` has passed. Rejects with `BodyTooLargeError`,
 * `RequestTimeoutError`, or got's `RequestError` of a request that got no usable answer.
 */
export function send(
  client: Got,
  path: string,
  init: Omit<OptionsInit, 'isStream' | 'timeout'>,
  { timeoutMs, maxBytes }: SendOptions,
): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    const stream = isPlainGet(init)
      ? (boundTo(client, init.headers ?? {})(path) as unknown as Request)
      : client.stream(path, init as OptionsInit & { isStream: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let response: IncomingMessage | undefined;
    let done = false;
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new RequestTimeoutError(timeoutMs)), timeoutMs);
    stream.once('response', (answer: IncomingMessage) => {
      response = answer;
      const length = Number(answer.headers['content-length']);
      if (length > maxBytes) fail(new BodyTooLargeError(maxBytes));
    });
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) fail(new BodyTooLargeError(maxBytes));
      else chunks.push(chunk);
    });
    stream.once('end', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({
        statusCode: response?.statusCode ?? 0,
        headers: response?.headers ?? {},
        body: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8'),
      });
    });
    stream.once('error', fail);
  });
}
