import type {
  ApolloServerPlugin,
  BaseContext,
  GraphQLRequestContext,
  GraphQLRequestContextDidEncounterErrors,
  GraphQLRequestContextDidResolveOperation,
  GraphQLRequestContextWillSendResponse,
} from '@apollo/server';

/**
 * The subgraph's own per-request plugins, run as one Apollo Server plugin.
 *
 * Apollo Server calls every hook of every request listener through `Promise.all`, listener by
 * listener, at each stage of a request (some eight stages), whether the listener has the hook or
 * not: each listener costs an operation some twenty promises. The subgraph's own listeners (the
 * error cap, the id budget, telemetry, the originals kept for traces) only watch three stages, and
 * do so without waiting for anything, so they are one listener here whose hooks call theirs in
 * order: one listener's cost per operation instead of four.
 */

/** The stages a `RequestPlugin` may watch, each hook run to its end before the next. */
export interface RequestHooks<C extends BaseContext> {
  didResolveOperation?(requestContext: GraphQLRequestContextDidResolveOperation<C>): void;
  didEncounterErrors?(requestContext: GraphQLRequestContextDidEncounterErrors<C>): void;
  willSendResponse?(requestContext: GraphQLRequestContextWillSendResponse<C>): void;
}

/** A plugin of `chainRequestPlugins`: a listener per request, made without waiting. */
export interface RequestPlugin<C extends BaseContext> {
  requestDidStart(requestContext: GraphQLRequestContext<C>): RequestHooks<C>;
}

/**
 * `plugins` as one Apollo Server plugin: at each stage, each plugin's hook in the order given.
 * Every hook of a stage runs even when one before it throws, and the first error is what the stage
 * throws, as with Apollo Server's own `Promise.all` (the id budget's refusal still lets telemetry
 * learn the operation's type).
 */
export function chainRequestPlugins<C extends BaseContext>(
  plugins: readonly RequestPlugin<C>[],
): ApolloServerPlugin<C> {
  return {
    async requestDidStart(requestContext) {
      const listeners = plugins.map((plugin) => plugin.requestDidStart(requestContext));
      return {
        didResolveOperation: async (context) => callEach(listeners, (l) => l.didResolveOperation?.(context)),
        didEncounterErrors: async (context) => callEach(listeners, (l) => l.didEncounterErrors?.(context)),
        willSendResponse: async (context) => callEach(listeners, (l) => l.willSendResponse?.(context)),
      };
    },
  };
}

function callEach<L>(listeners: readonly L[], call: (listener: L) => void): void {
  let failure: { error: unknown } | undefined;
  for (const listener of listeners) {
    try {
      call(listener);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
