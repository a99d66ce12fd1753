import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isProviderError, ProviderNotConfiguredError, type SecretRedactor } from './errors.js';
import { InvalidIdError } from './ids.js';
import type { Logger } from './logger.js';
import { toProviderEnum } from './resolvers/shared.js';

/**
 * Where data-layer errors become GraphQL errors (contract section 6): one code per failure, the
 * provider, and a message that holds no secret, no upstream body and no stack trace. What came
 * from upstream is logged here instead.
 */
export function createErrorFormatter(logger: Logger, redactor: SecretRedactor) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const where = { path: formatted.path, locations: formatted.locations };

    if (original instanceof InvalidIdError) {
      return { ...where, message: original.message, extensions: { code: 'BAD_USER_INPUT' } };
    }
    if (isProviderError(original)) {
      logger.warn(
        {
          code: original.code,
          provider: original.provider,
          endpoint: original.endpoint,
          status: original.status,
          detail: original.detail,
          path: formatted.path,
        },
        'upstream failure',
      );
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
    if (original instanceof GraphQLError) {
      // Errors the server or our resolvers made on purpose (validation, parsing, limits).
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, message: redactor.redact(formatted.message), extensions };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a resolver');
    return { ...where, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
