import type { RequestHandler } from 'express';
import { errorBody } from './errors.js';
import { REQUEST_ID_HEADER } from '../observability/request-scope.js';
import { ROUTER_SECRET_HEADER } from './router-secret.js';

/**
 * CORS for `/graphql` (`CORS_ORIGINS`), so that a web app in development (`http://localhost:5173`)
 * may call the subgraph directly. Mounted only when origins are configured, and before the
 * router's secret is asked for: a browser's preflight never carries it, and a refusal the browser
 * can read (401, 400) is more use than a CORS error.
 *
 * A listed origin gets itself back in `Access-Control-Allow-Origin` (never `*`), with the methods
 * and headers a GraphQL client sends; any other origin gets no CORS header at all, and its
 * preflight a 403. Every answer varies by `Origin`. Apollo's CSRF prevention is untouched: a
 * request a browser may send without a preflight (`text/plain`, a form) is still refused, listed
 * origin or not, since CORS only decides what the browser lets the page read.
 */

/** The request headers a browser may send: what Apollo's clients and the request id use. */
const ALLOWED_HEADERS = [
  'content-type',
  // Either makes Apollo's CSRF prevention accept a GET (a POST needs a JSON content type).
  'apollo-require-preflight',
  'x-apollo-operation-name',
  REQUEST_ID_HEADER,
  'x-correlation-id',
  'traceparent',
];
const ALLOWED_METHODS = 'GET, POST';
/** How long a browser may reuse a preflight's answer (Chromium keeps it at most 2 h). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export interface CorsOptions {
  /** Exact origins (`scheme://host[:port]`), as `CORS_ORIGINS` was read by the configuration. */
  readonly origins: readonly string[];
  /** Whether `ROUTER_SECRET` is set: the browser must then be allowed to send its header. */
  readonly routerSecret: boolean;
}

export function allowCorsOrigins(options: CorsOptions): RequestHandler {
  const origins = new Set(options.origins);
  const allowHeaders = [...ALLOWED_HEADERS, ...(options.routerSecret ? [ROUTER_SECRET_HEADER] : [])].join(
    ', ',
  );
  const refused = errorBody(
    'This origin may not call the subgraph from a browser: it is not listed in CORS_ORIGINS.',
    'FORBIDDEN',
  );
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.headers.origin;
    const listed = typeof origin === 'string' && origins.has(origin);
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!listed) {
      if (!preflight) return next();
      res.status(403).set('content-type', 'application/json; charset=utf-8').send(refused);
      return;
    }
    res.set('access-control-allow-origin', origin);
    if (!preflight) {
      // So that the page can read the id its request was logged under.
      res.set('access-control-expose-headers', REQUEST_ID_HEADER);
      return next();
    }
    res
      .status(204)
      .set({
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': allowHeaders,
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      })
      .end();
  };
}
