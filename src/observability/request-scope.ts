import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';

/**
 * The request a piece of work is done for, carried through every await (AsyncLocalStorage), so
 * that an upstream request logged deep in a provider carries the id of the GraphQL request that
 * caused it, with nothing threaded through the layers in between.
 */
export interface RequestScope {
  readonly requestId: string;
  /** The process logger with `requestId` bound. */
  readonly logger: Logger;
  /** Upstream requests sent for this request so far (each attempt, token requests included). */
  upstreamRequests: number;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** The scope of the request being served, if the caller runs inside one. */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A request id a caller may give us: short, and only characters that are safe in a log line and a
 * response header. Anything else is replaced by one of ours rather than logged.
 */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
/** W3C `traceparent`: version-traceid-parentid-flags; an all-zero trace id is invalid. */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The id of a request: the router's `x-request-id` (Apollo Router can propagate or insert it),
 * else `x-correlation-id`, else the trace id of a W3C `traceparent` (which the router sends when
 * tracing is on), else a new UUID.
 */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  for (const name of [REQUEST_ID_HEADER, 'x-correlation-id']) {
    const value = headers[name];
    if (typeof value === 'string' && ACCEPTED_REQUEST_ID.test(value)) return value;
  }
  const traceparent = headers['traceparent'];
  const traceId = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent.trim())?.[1] : undefined;
  if (traceId !== undefined && !/^0+$/.test(traceId)) return traceId;
  return randomUUID();
}

/**
 * Runs the rest of the request inside its scope, and gives the id back in `x-request-id`.
 *
 * Mounted after the body parser on purpose: the parser calls `next` from the socket's `end`
 * event, which runs in the context the connection was made in, and would drop a scope entered
 * before it.
 */
export function requestScope(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdOf(req.headers);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    storage.run({ requestId, logger: logger.child({ requestId }), upstreamRequests: 0 }, next);
  };
}
