import { GraphQLError, type ASTNode } from 'graphql';

/**
 * Errors of the inbound edge: requests refused for their shape or their size, before any resolver
 * runs. Argument lengths (`users(ids:)`, `_entities`) are `BAD_USER_INPUT` instead, like any other
 * malformed argument.
 */

/** The `extensions.code` of a request over one of the limits (depth, aliases, fields, body size). */
export const QUERY_LIMIT_EXCEEDED = 'QUERY_LIMIT_EXCEEDED';

/**
 * A request refused by the edge with its own code (`QUERY_LIMIT_EXCEEDED`, `BAD_REQUEST`). Apollo
 * Server reports validation errors under its own code (`GRAPHQL_VALIDATION_FAILED`) and errors
 * thrown by plugins as internal ones; the error formatter finds this class as the original error
 * and gives the code back (`inboundCodeOf`).
 */
export class InboundRequestError extends GraphQLError {
  constructor(
    message: string,
    readonly code: string,
    nodes?: readonly ASTNode[],
  ) {
    // `http.status`: Apollo Server answers an error thrown before execution with this status.
    super(message, { nodes, extensions: { code, http: { status: 400 } } });
    this.name = 'InboundRequestError';
  }
}

/** A query over a limit (depth, aliases, fields, ids per operation). */
export class QueryLimitError extends InboundRequestError {
  constructor(message: string, nodes?: readonly ASTNode[]) {
    super(message, QUERY_LIMIT_EXCEEDED, nodes);
    this.name = 'QueryLimitError';
  }
}

/** True when `error`, or an error it wraps, is a `QueryLimitError`. */
export function isQueryLimitError(error: unknown): boolean {
  return someCause(error, (cause) => cause instanceof QueryLimitError);
}

/** The code of the `InboundRequestError` that `error` is or wraps, if any. */
export function inboundCodeOf(error: unknown): string | undefined {
  let code: string | undefined;
  someCause(error, (cause) => {
    if (cause instanceof InboundRequestError) code = cause.code;
    return code !== undefined;
  });
  return code;
}

/**
 * True when parsing failed because the query is nested deeper than the parser's stack allows:
 * graphql-js parses recursively and Apollo Server reports the `RangeError` as a syntax error.
 */
export function isNestingOverflow(error: unknown): boolean {
  return someCause(error, (cause) => cause instanceof RangeError);
}

/**
 * Follows `originalError` links by duck typing: Apollo Server's wrappers may come from another copy
 * of graphql than this module's (CommonJS beside ESM), so `instanceof GraphQLError` is not enough.
 */
function someCause(error: unknown, test: (cause: unknown) => boolean): boolean {
  let current = error;
  for (let hops = 0; typeof current === 'object' && current !== null && hops < 5; hops++) {
    if (test(current)) return true;
    current = (current as { originalError?: unknown }).originalError;
  }
  return false;
}

/** A GraphQL-shaped error body for answers made outside Apollo Server (401, 413, bad JSON, 404). */
export function errorBody(message: string, code: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code } }] });
}
