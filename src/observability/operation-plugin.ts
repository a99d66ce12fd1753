import type { RequestPlugin } from '../request-plugins.js';
import { unwrapResolverError } from '@apollo/server/errors';
import { isProviderError } from '../errors.js';
import type { Logger } from '../logger.js';
import { childrenOf, type Metrics } from './metrics.js';
import type { RequestContext } from '../context.js';

/** What a response's errors are counted as when one has no `extensions.code` (Apollo's default). */
const UNCODED = 'INTERNAL_SERVER_ERROR';
/** Operation names come from callers: logged, never a label, and cut to a sane length. */
const MAX_LOGGED_NAME = 100;

/**
 * One log line and the operation metrics per GraphQL request, written when the response is sent:
 * the errors counted are the ones the caller receives (after `formatError`), by their code.
 *
 * Outcomes: `success` (no errors), `partial` (data and errors: a provider failed for some fields),
 * `failure` (no data: the request did not parse or validate, or every field failed).
 */
export function operationTelemetryPlugin(options: {
  metrics: Metrics;
  logger: Logger;
}): RequestPlugin<RequestContext> {
  const { metrics, logger } = options;
  const operations = childrenOf(metrics.operations);
  const operationDuration = childrenOf(metrics.operationDuration);
  const errorsByCode = childrenOf(metrics.errors);
  return {
    requestDidStart() {
      const startedAt = performance.now();
      let operationType = 'unknown';
      return {
        didResolveOperation({ operation }) {
          operationType = operation?.operation ?? 'unknown';
        },
        didEncounterErrors({ errors, contextValue }) {
          // A provider's failure, with what the client is not told (the upstream status and
          // detail, already redacted), under the request's id.
          for (const error of errors) {
            const original = unwrapResolverError(error);
            if (!isProviderError(original)) continue;
            logger.warn(
              {
                ...(contextValue.scope ? { requestId: contextValue.scope.requestId } : {}),
                code: original.code,
                provider: original.provider,
                endpoint: original.endpoint,
                status: original.status,
                detail: original.detail,
                path: error.path,
              },
              'upstream failure',
            );
          }
        },
        willSendResponse({ response, request, operationName, contextValue }) {
          const durationMs = performance.now() - startedAt;
          // Only single results are served (no @defer or @stream in this schema).
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const errors = result?.errors ?? [];
          const codes = errors.map((error) => {
            const code = error.extensions?.['code'];
            return typeof code === 'string' ? code : UNCODED;
          });
          const outcome =
            errors.length === 0
              ? 'success'
              : result?.data !== undefined && result.data !== null
                ? 'partial'
                : 'failure';

          operations(operationType, outcome).inc();
          operationDuration(operationType, outcome).observe(durationMs / 1000);
          for (const code of codes) errorsByCode(code).inc();

          // The line is at info: not even built when info is off.
          if (!logger.isLevelEnabled('info')) return;
          const scope = contextValue.scope;
          const errorCodes: Record<string, number> = {};
          for (const code of codes) errorCodes[code] = (errorCodes[code] ?? 0) + 1;
          const line = {
            ...(scope ? { requestId: scope.requestId } : {}),
            // The operation that ran (named in the document even when the body did not say), else
            // what the body asked for.
            operationName: (operationName ?? request.operationName)?.slice(0, MAX_LOGGED_NAME) ?? null,
            operationType,
            outcome,
            durationMs: Math.round(durationMs * 10) / 10,
            upstreamRequests: scope?.upstreamRequests ?? 0,
            ...(codes.length > 0 ? { errorCodes } : {}),
            ...(response.http.status !== undefined ? { httpStatus: response.http.status } : {}),
          };
          logger.info(line, 'graphql operation');
        },
      };
    },
  };
}
