import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { errorBody, QUERY_LIMIT_EXCEEDED } from './errors.js';

/**
 * JSON answers for what fails before Apollo Server sees a request (the body parser) and for paths
 * nothing serves, in the GraphQL error shape. Without this, express answers with an HTML page that
 * carries the stack trace outside production.
 */

interface BodyParserError {
  readonly status?: number;
  readonly type?: string;
}

/** A JSON error answer: its status, its body, and whether the connection must close after it. */
export interface JsonErrorAnswer {
  readonly status: number;
  readonly body: string;
  readonly closeConnection: boolean;
}

/**
 * The answer to a request whose body could not be read (the body parser's errors, and those of
 * `graphql-post.ts`, which reads bodies the same way), or undefined when `error` is no such error.
 */
export function bodyErrorAnswer(error: unknown, maxBodyBytes: number): JsonErrorAnswer | undefined {
  const { status, type } = (typeof error === 'object' && error !== null ? error : {}) as BodyParserError;
  const answer = (code: number, message: string, extensionsCode: string, closeConnection = false) => ({
    status: code,
    body: errorBody(message, extensionsCode),
    closeConnection,
  });
  switch (type) {
    case 'entity.too.large':
      // The rest of the body is not read: the connection cannot carry another request.
      return answer(
        413,
        `The request body is larger than the limit of ${maxBodyBytes} bytes.`,
        QUERY_LIMIT_EXCEEDED,
        true,
      );
    case BODY_NOT_JSON:
      return answer(
        400,
        'The request body is not valid JSON: send a JSON object such as {"query": "{ __typename }"}.',
        'BAD_REQUEST',
      );
    case 'charset.unsupported':
      return answer(415, 'The request body must be UTF-8 JSON.', 'BAD_REQUEST');
    case NOT_UTF8:
      return answer(400, 'The request body is not valid UTF-8: send UTF-8 JSON.', 'BAD_REQUEST');
    case 'encoding.unsupported':
      return answer(
        415,
        'The request body is in a content encoding this server does not read (use gzip, deflate, br, zstd or none).',
        'BAD_REQUEST',
      );
    default:
      break;
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return answer(status, 'The request could not be read.', 'BAD_REQUEST');
  }
  return undefined;
}

/** The answer to an error the HTTP layer did not expect (logged where it is caught). */
export const INTERNAL_ERROR_BODY = errorBody('Internal server error', 'INTERNAL_SERVER_ERROR');

/** The express error handler of the app: every error becomes a JSON body, never a stack. */
export function jsonErrorHandler(logger: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const answer = bodyErrorAnswer(error, maxBodyBytes);
    if (answer === undefined) {
      logger.error({ err: error, method: req.method, path: req.path }, 'unexpected error in the HTTP layer');
    }
    if (answer?.closeConnection) res.set('connection', 'close');
    res
      .status(answer?.status ?? 500)
      .set('content-type', 'application/json; charset=utf-8')
      .send(answer?.body ?? INTERNAL_ERROR_BODY);
  };
}

/** The body parser's error type of a body that is not JSON (or not a JSON object or array). */
export const BODY_NOT_JSON = 'entity.parse.failed';

/** The error type of a body that is not valid UTF-8 (`requireUtf8`). */
export const NOT_UTF8 = 'encoding.not.utf8';

/**
 * The JSON body parser's `verify`: a body that is not valid UTF-8 is refused (400) rather than read
 * with its bad bytes replaced by U+FFFD, which then reached the GraphQL parser as a syntax error.
 */
export function requireUtf8(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  if (!isUtf8(body))
    throw Object.assign(new Error('The request body is not valid UTF-8.'), { type: NOT_UTF8, status: 400 });
}

/** 404 for every path nothing serves, as JSON. */
export function jsonNotFound(): RequestHandler {
  const body = errorBody('Nothing is served at this path; the GraphQL endpoint is /graphql.', 'NOT_FOUND');
  return (_req, res) => {
    res.status(404).set('content-type', 'application/json; charset=utf-8').send(body);
  };
}
