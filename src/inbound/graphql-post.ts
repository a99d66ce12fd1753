import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import type { Logger } from '../logger.js';
import { errorBody, QUERY_LIMIT_EXCEEDED } from './errors.js';
import { fragmentChainRefusal } from './fragment-chains.js';
import {
  BODY_NOT_JSON,
  bodyErrorAnswer,
  INTERNAL_ERROR_BODY,
  NOT_UTF8,
  type JsonErrorAnswer,
} from './http-errors.js';
import { persistedQueryRefusal } from './persisted-queries.js';
import { routerSecretCheck } from './router-secret.js';

/**
 * The GraphQL endpoint's everyday request, served from node's request and response without
 * express: a POST to `/graphql` of a JSON body of a declared length within the body limit, neither
 * compressed nor in another charset. That is every request a router or gateway sends, and nearly
 * every one a client sends; it gets the same checks, in the same order, and the same answers as
 * through the express app (`server.ts`): the router's secret, the body read whole and refused
 * when it is not UTF-8 or not JSON (as the JSON body parser refuses it, `http-errors.ts`), the
 * persisted-query and fragment-chain checks, then Apollo Server. `test/subgraph/graphql-post.test.ts`
 * sends both the same requests and compares the answers.
 *
 * Everything else goes to the express app as before: other methods and paths, other content types,
 * a compressed or chunked body or one over the limit, a request without the router's secret (the
 * app answers 401), and every request when CORS_ORIGINS is set (its headers are the app's).
 *
 * Why: on a cold `user(id:)` express's own work for the request (decorating the request and the
 * response, its router, the body parser with its charset decoder, `res.send`) was about a tenth of
 * the operation's CPU, measured with `npm run bench:compare` (README, "Where the CPU goes").
 */

export interface GraphqlPostOptions<TContext extends BaseContext> {
  readonly apollo: ApolloServer<TContext>;
  /** The context of one operation, as the express integration's `context` makes it. */
  readonly context: (request: IncomingMessage, response: ServerResponse) => Promise<TContext>;
  readonly maxBodyBytes: number;
  readonly maxQueryDepth: number;
  readonly routerSecret?: string | undefined;
  readonly logger: Logger;
}

/** Serves `request` and returns true when it is one this path takes; false leaves it untouched. */
export type GraphqlPostHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

export function graphqlPostHandler<TContext extends BaseContext>(
  options: GraphqlPostOptions<TContext>,
): GraphqlPostHandler {
  const carriesSecret =
    options.routerSecret === undefined ? undefined : routerSecretCheck(options.routerSecret);
  return (request, response) => {
    if (!isPlainGraphqlPost(request.method, request.url, request.headers, options.maxBodyBytes)) return false;
    if (carriesSecret !== undefined && !carriesSecret(request.headers)) return false;
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    request.once('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      answer(options, request, response, body).catch((error: unknown) => {
        options.logger.error(
          { err: error, method: request.method, path: '/graphql' },
          'unexpected error in the HTTP layer',
        );
        if (response.headersSent) response.destroy();
        else writeJson(response, 500, INTERNAL_ERROR_BODY);
      });
    });
    // A client gone before its body ended: nothing to answer (node destroys the socket).
    request.once('error', () => {});
    return true;
  };
}

/** `application/json`, alone or with UTF-8 named as its charset, as clients write it. */
const JSON_CONTENT_TYPES = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=utf-8',
  'application/json; charset="utf-8"',
]);

/** A declared body length: digits only (node has refused anything else already). */
const CONTENT_LENGTH = /^[0-9]{1,15}$/;

/**
 * Whether a request is one this path takes (without the router's secret, checked apart): a POST
 * to exactly `/graphql` (no query string, no trailing slash), of `application/json` in UTF-8 or
 * no charset, not compressed nor chunked, of a declared length from 1 byte to `maxBodyBytes`.
 */
export function isPlainGraphqlPost(
  method: string | undefined,
  url: string | undefined,
  headers: IncomingHttpHeaders,
  maxBodyBytes: number,
): boolean {
  if (method !== 'POST' || url !== '/graphql') return false;
  const contentType = headers['content-type'];
  if (contentType === undefined || !JSON_CONTENT_TYPES.has(contentType.toLowerCase())) return false;
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
  const length = headers['content-length'];
  if (length === undefined || !CONTENT_LENGTH.test(length)) return false;
  const bytes = Number(length);
  return bytes > 0 && bytes <= maxBodyBytes;
}

async function answer<TContext extends BaseContext>(
  options: GraphqlPostOptions<TContext>,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
): Promise<void> {
  const parsed = readJsonBody(body);
  if (!parsed.ok) {
    const refusal = bodyErrorAnswer({ type: parsed.errorType, status: 400 }, options.maxBodyBytes)!;
    writeJsonAnswer(response, refusal);
    return;
  }
  const json = parsed.value as { query?: unknown; extensions?: unknown } | null;
  const persisted = persistedQueryRefusal(json?.extensions, json?.query);
  if (persisted !== undefined) {
    writeJson(response, 400, errorBody(persisted.message, persisted.code));
    return;
  }
  const chain = fragmentChainRefusal(json?.query, options.maxQueryDepth);
  if (chain !== undefined) {
    writeJson(response, 400, errorBody(chain, QUERY_LIMIT_EXCEEDED));
    return;
  }
  const headers = new HeaderMap();
  for (const name in request.headers) {
    const value = request.headers[name];
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const graphqlResponse = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: '', body: parsed.value },
    context: () => options.context(request, response),
  });
  await writeGraphqlResponse(response, graphqlResponse);
}

type JsonBody =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly errorType: string };

/**
 * A body read as the JSON body parser reads it (strict): UTF-8 or refused, a byte order mark
 * dropped, nothing (after the mark) read as `{}`, and a JSON object or array, or refused.
 */
export function readJsonBody(body: Buffer): JsonBody {
  if (!isUtf8(body)) return { ok: false, errorType: NOT_UTF8 };
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return { ok: true, value: {} };
  const first = FIRST_NON_WHITESPACE.exec(text)?.[1];
  if (first !== '{' && first !== '[') return { ok: false, errorType: BODY_NOT_JSON };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, errorType: BODY_NOT_JSON };
  }
}

/** JSON's own whitespace (RFC 8259), then the first character of the value. */
const FIRST_NON_WHITESPACE = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/;

async function writeGraphqlResponse(
  response: ServerResponse,
  graphqlResponse: HTTPGraphQLResponse,
): Promise<void> {
  for (const [name, value] of graphqlResponse.headers) response.setHeader(name, value);
  response.statusCode = graphqlResponse.status ?? 200;
  // `end` with the whole body and no headers sent yet: node sets Content-Length itself.
  if (graphqlResponse.body.kind === 'complete') {
    response.end(graphqlResponse.body.string);
    return;
  }
  for await (const chunk of graphqlResponse.body.asyncIterator) response.write(chunk);
  response.end();
}

function writeJsonAnswer(response: ServerResponse, answer: JsonErrorAnswer): void {
  if (answer.closeConnection) response.setHeader('connection', 'close');
  writeJson(response, answer.status, answer.body);
}

function writeJson(response: ServerResponse, status: number, body: string): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(body);
}
