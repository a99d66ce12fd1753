import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { pino } from 'pino';
import { createErrorFormatter } from '../error-formatting.js';
import type { SecretRedactor } from '../errors.js';

/**
 * Federated inline tracing (`ftv1`): when the router sends `apollo-federation-include-trace: ftv1`
 * (it does so for Apollo usage reporting), the response carries a timing trace of every field in
 * `extensions.ftv1`, which the router forwards to GraphOS.
 *
 * Apollo's default puts every error in the trace as `<masked>`, with no code: the trace then says
 * that a field failed, never why. Here errors go in as the caller sees them, through the same
 * formatter as the response: our codes and messages (which hold no secret, upstream body or
 * stack), and `Internal server error` for anything unexpected, so a trace never carries more than
 * the response it came with.
 */
export function inlineTracingPlugin(options: {
  enabled: boolean;
  redactor: SecretRedactor;
}): ApolloServerPlugin {
  if (!options.enabled) return ApolloServerPluginInlineTraceDisabled();
  // The response's formatter has already logged each error once; the trace's copy is not logged.
  const format = createErrorFormatter(pino({ level: 'silent' }), options.redactor);
  return ApolloServerPluginInlineTrace({
    includeErrors: {
      transform: (error: GraphQLError) => {
        const formatted: GraphQLFormattedError = format(error.toJSON(), error);
        // The error handed in is Apollo's own clone, of Apollo's GraphQLError class; it is changed
        // in place rather than replaced, because Apollo keeps the original, unmasked, for anything
        // that is not an instance of its own class (and graphql may be loaded twice, ESM and CJS).
        Object.assign(error, { message: formatted.message, extensions: formatted.extensions ?? {} });
        return error;
      },
    },
  });
}
