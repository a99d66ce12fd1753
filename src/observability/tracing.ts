import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { pino } from 'pino';
import { createErrorFormatter } from '../error-formatting.js';
import type { SecretRedactor } from '../redaction.js';
import type { RequestPlugin } from '../request-plugins.js';

/**
 * What `inlineTracingPlugins` returns: `keepOriginals` keeps each error's original for `trace`, and
 * must come before it (it is one of the subgraph's chained request plugins, `request-plugins.ts`,
 * which come first).
 */
export interface InlineTracing {
  readonly keepOriginals?: RequestPlugin<BaseContext>;
  /** Apollo's inline trace plugin, or the plugin that disables it. */
  readonly trace: ApolloServerPlugin;
}

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
 *
 * Two plugins (`InlineTracing`).
 */
export function inlineTracingPlugins(options: { enabled: boolean; redactor: SecretRedactor }): InlineTracing {
  if (!options.enabled) return { trace: ApolloServerPluginInlineTraceDisabled() };
  // The response's formatter has already logged each error once; the trace's copy is not logged.
  const format = createErrorFormatter(pino({ level: 'silent' }), options.redactor);

  // Apollo hands `transform` a copy of each error, made with Object.assign, which leaves out what
  // graphql-js keeps non-enumerable: `originalError` among it, and with it what the formatter
  // needs to know the error (an invalid id, a provider failure, a parse error it rewrites). The
  // copy shares the original's `extensions` object (every error has its own) and `path` array, so
  // the originals are kept by them, for the length of the request; an error without either is
  // formatted as it is.
  const originals = new WeakMap<object, GraphQLError>();
  const keepOriginals: RequestPlugin<BaseContext> = {
    requestDidStart() {
      return {
        didEncounterErrors({ errors }) {
          for (const error of errors) {
            if (typeof error.extensions === 'object' && error.extensions !== null) {
              originals.set(error.extensions, error);
            }
            if (error.path) originals.set(error.path, error);
          }
        },
      };
    },
  };

  const trace = ApolloServerPluginInlineTrace({
    includeErrors: {
      transform: (copy: GraphQLError) => {
        const original =
          (isObject(copy.extensions) && originals.get(copy.extensions)) ||
          (copy.path && originals.get(copy.path)) ||
          copy;
        // Built from the copy's own fields: it is not always a GraphQLError with `toJSON`.
        const seen: GraphQLFormattedError = {
          message: String(copy.message),
          ...(copy.locations ? { locations: copy.locations } : {}),
          ...(copy.path ? { path: copy.path } : {}),
          ...(isObject(copy.extensions) ? { extensions: copy.extensions } : {}),
        };
        const formatted: GraphQLFormattedError = format(seen, original);
        // Apollo's `http` extension sets the response's status; the client never sees it.
        const { http: _http, ...extensions } = formatted.extensions ?? {};
        // Apollo keeps the error unmasked when `transform` returns anything but an instance of its
        // own GraphQLError class (and graphql may be loaded twice, ESM and CJS): the copy, which
        // is one, is changed in place rather than replaced.
        Object.assign(copy, { message: formatted.message, extensions });
        return copy;
      },
    },
  });
  return { keepOriginals, trace };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
