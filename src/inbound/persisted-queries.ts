import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { errorBody } from './errors.js';

/**
 * Automatic persisted queries (APQ: `extensions.persistedQuery`), checked before Apollo Server sees
 * them. Apollo answers a hash that does not match its query, or a version other than 1, with a
 * GraphQL error that has no code, which its formatting files as an internal error: anyone could
 * raise the internal-error count (and alerts on it) with one request. Here each is the client's
 * mistake, with a code of Apollo's `PERSISTED_QUERY_*` family and HTTP 400; a well-formed request
 * goes on to Apollo, which keeps its own handling (`PERSISTED_QUERY_NOT_FOUND` and the cache).
 */
export function checkPersistedQueries(): RequestHandler {
  return (req, res, next) => {
    const problem =
      req.method === 'GET'
        ? persistedQueryRefusal(req.query.extensions, req.query.query)
        : persistedQueryRefusal(req.body?.extensions, req.body?.query);
    if (problem === undefined) return next();
    res
      .status(400)
      .set('content-type', 'application/json; charset=utf-8')
      .send(errorBody(problem.message, problem.code));
  };
}

/**
 * The refusal of a request's `extensions` (as sent: an object, or a GET's JSON text) and `query`,
 * or undefined when Apollo Server may have them (no APQ, or a well-formed one).
 */
export function persistedQueryRefusal(
  extensions: unknown,
  query: unknown,
): PersistedQueryProblem | undefined {
  const parsed = extensionsOf(extensions);
  return parsed === undefined ? undefined : persistedQueryProblem(parsed, query);
}

/** Why an APQ request is refused: its `extensions.code` and message (HTTP 400). */
export interface PersistedQueryProblem {
  readonly code: string;
  readonly message: string;
}

/** What is wrong with `extensions.persistedQuery` (given `query`), or undefined when nothing is. */
export function persistedQueryProblem(
  extensions: Record<string, unknown>,
  query: unknown,
): PersistedQueryProblem | undefined {
  const persisted = extensions.persistedQuery;
  if (persisted === undefined) return undefined;
  if (typeof persisted !== 'object' || persisted === null || Array.isArray(persisted)) {
    return {
      code: 'BAD_REQUEST',
      message: 'extensions.persistedQuery must be an object {"version": 1, "sha256Hash": "<64 hex digits>"}.',
    };
  }
  const { version, sha256Hash } = persisted as { version?: unknown; sha256Hash?: unknown };
  if (version !== 1) {
    return {
      code: 'PERSISTED_QUERY_VERSION_NOT_SUPPORTED',
      message:
        'extensions.persistedQuery.version must be 1, the only version of automatic persisted queries.',
    };
  }
  if (typeof sha256Hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256Hash)) {
    return {
      code: 'BAD_REQUEST',
      message: 'extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits.',
    };
  }
  if (
    typeof query === 'string' &&
    createHash('sha256').update(query).digest('hex') !== sha256Hash.toLowerCase()
  ) {
    return {
      code: 'PERSISTED_QUERY_HASH_MISMATCH',
      message: 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it.',
    };
  }
  return undefined;
}

/** The `extensions` object of a POST body, or of a GET's JSON `extensions` parameter. */
function extensionsOf(value: unknown): Record<string, unknown> | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      // Apollo Server answers a GET whose `extensions` is not JSON itself (400, BAD_REQUEST).
      return undefined;
    }
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}
