import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { errorBody } from './errors.js';

/** The header Apollo's router templates send the shared secret in. */
export const ROUTER_SECRET_HEADER = 'router-authorization';

/**
 * Paths answered without the secret: the health endpoints, which orchestrators poll, and
 * `/metrics`, which Prometheus scrapes; neither carries directory data. Matched on the raw path,
 * as received: `/health/../graphql` is not `/graphql` to express's router either.
 */
function isOpenPath(path: string): boolean {
  return path === '/health' || path.startsWith('/health/') || path === '/metrics';
}

/**
 * Refuses, with 401, every request that does not carry `ROUTER_SECRET` in the
 * `router-authorization` header, before its body is read. Both sides are hashed before the
 * constant-time comparison, so neither the secret's length nor its content leaks through timing.
 * The answer never repeats what the request sent.
 */
export function requireRouterSecret(secret: string): RequestHandler {
  const carriesSecret = routerSecretCheck(secret);
  const body = errorBody(
    `This subgraph answers only its router: send the shared secret in the "${ROUTER_SECRET_HEADER}" header.`,
    'UNAUTHENTICATED',
  );
  return (req, res, next) => {
    if (isOpenPath(req.path)) return next();
    if (carriesSecret(req.headers)) return next();
    res.status(401).set('content-type', 'application/json; charset=utf-8').send(body);
  };
}

/** Whether a request's headers carry `secret` in `router-authorization` (compared in constant time). */
export function routerSecretCheck(secret: string): (headers: IncomingHttpHeaders) => boolean {
  const expected = digest(secret);
  return (headers) => {
    const given = headers[ROUTER_SECRET_HEADER];
    return typeof given === 'string' && timingSafeEqual(digest(given), expected);
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
