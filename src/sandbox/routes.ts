import type { IncomingHttpHeaders } from 'node:http';

/**
 * What a sandbox vendor API is to the shared server (`recorder.ts`): routes from paths to endpoint
 * templates, each answering a request with a reply. Faults (`faults.ts`) rewrite replies, so both
 * depend on these types and neither on the other.
 */

/** A request as a route sees it. */
export interface RouteRequest {
  readonly method: string;
  /** The raw pathname. */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  /** The request target as received: the raw path, and `?` and the query if it had them. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as UTF-8; rejects with `BodyTooLargeError` past `MAX_BODY_BYTES`. */
  readBody(): Promise<string>;
}

export interface RouteReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route {
  /** The endpoint template the log and the counters use. */
  readonly endpoint: string;
  handle(request: RouteRequest): RouteReply | Promise<RouteReply>;
}

/** One vendor API: how paths map to routes, and how it words an error. */
export interface SandboxApi {
  /** Every endpoint template its routes use, but `<METHOD> <unknown>`. */
  readonly endpoints: readonly string[];
  /** Always a route: unknown paths get one that answers 404 (or 405 for a known path). */
  route(method: string, path: string): Route;
  /** The body format a request is answered in. */
  format(request: RouteRequest): 'json' | 'xml';
  /** An error body in the API's own shape (for a body too large, or a bug in a route). */
  failure(request: RouteRequest, status: number, message: string): RouteReply;
}
