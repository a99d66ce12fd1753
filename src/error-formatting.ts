import { toProviderEnum } from './provider-facts.js';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DirectoryUnavailableError, isProviderError, ProviderNotConfiguredError } from './errors.js';
import { type SecretRedactor } from './redaction.js';
import { InvalidIdError } from './ids.js';
import { inboundCodeOf, isNestingOverflow, QUERY_LIMIT_EXCEEDED } from './inbound/errors.js';
import type { Logger } from './logger.js';

/**
 * The longest message sent. Our own are far shorter; some of graphql-js's and Apollo's repeat what
 * the client sent (an unknown `operationName`, a field name), which may be any length.
 */
export const MAX_MESSAGE_LENGTH = 500;

/** What graphql-js (16.10+) reports when validation runs out of its complexity budget. */
const VALIDATION_ABORTED = 'Validation aborted.';

/**
 * Where data-layer errors become GraphQL errors (README, "Errors"): one code per failure, the
 * provider, and a message that holds no secret, no upstream body and no stack trace. What came
 * from upstream is logged instead, by `operationTelemetryPlugin`; unexpected errors are logged here.
 */
export function createErrorFormatter(logger: Logger, redactor: SecretRedactor) {
  const format = formatter(logger, redactor);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = format(formatted, error);
    return result.message.length <= MAX_MESSAGE_LENGTH
      ? result
      : { ...result, message: `${result.message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` };
  };
}

function formatter(logger: Logger, redactor: SecretRedactor) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const where = { path: formatted.path, locations: formatted.locations };

    if (original instanceof InvalidIdError) {
      return { ...where, message: original.message, extensions: { code: 'BAD_USER_INPUT' } };
    }
    if (isProviderError(original)) {
      // Logged with the request's id by the operation plugin (`operation-plugin.ts`), which sees
      // the request; this function does not.
      return {
        ...where,
        message: redactor.redact(original.message),
        extensions: {
          code: original.code,
          provider: toProviderEnum(original.provider),
          ...(original.retryAfterSeconds === undefined
            ? {}
            : { retryAfterSeconds: original.retryAfterSeconds }),
        },
      };
    }
    if (original instanceof ProviderNotConfiguredError) {
      return {
        ...where,
        message: original.message,
        extensions: { code: 'PROVIDER_NOT_CONFIGURED', provider: toProviderEnum(original.provider) },
      };
    }
    if (original instanceof DirectoryUnavailableError) {
      return {
        ...where,
        message: original.message,
        extensions: {
          code: original.code,
          ...(original.provider === undefined ? {} : { provider: toProviderEnum(original.provider) }),
        },
      };
    }
    const inboundCode = inboundCodeOf(original);
    if (inboundCode !== undefined) {
      // Apollo Server files every validation error under GRAPHQL_VALIDATION_FAILED.
      return { ...where, message: formatted.message, extensions: { code: inboundCode } };
    }
    if (
      formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' &&
      formatted.message === VALIDATION_ABORTED
    ) {
      // graphql-js's own budget for comparing overlapping fields and expanding fragments ran out.
      return {
        message: 'The query is too complex to validate: it repeats too many fields or fragments.',
        extensions: { code: QUERY_LIMIT_EXCEEDED },
      };
    }
    if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && isNestingOverflow(original)) {
      return {
        message: 'The query is nested too deeply to be parsed: its depth is far over the limit.',
        extensions: { code: QUERY_LIMIT_EXCEEDED },
      };
    }
    if (isGraphQLError(original)) {
      // Errors the server or our resolvers made on purpose (validation, parsing, limits).
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      // Apollo Server refuses some requests with a 4xx status and no code, which its formatting
      // files as internal: they are the client's mistake, and must not raise internal-error alerts.
      if (extensions.code === 'INTERNAL_SERVER_ERROR' && isClientStatus(original))
        extensions.code = 'BAD_REQUEST';
      return { ...formatted, message: redactor.redact(formatted.message), extensions };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a resolver');
    return { ...where, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** True when the error carries Apollo Server's `extensions.http.status` of 400 to 499. */
function isClientStatus(error: GraphQLError): boolean {
  const status = (error.extensions?.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * `instanceof GraphQLError` across copies of graphql: Apollo Server and @apollo/subgraph load its
 * CommonJS build, and a bundler (vitest) may give this module the ESM one. Every GraphQLError, and
 * every subclass (Apollo's ValidationError, BadRequestError, ...), tags itself `GraphQLError`.
 */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError || Object.prototype.toString.call(error) === '[object GraphQLError]';
}
