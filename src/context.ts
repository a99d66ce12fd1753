import type { LoaderBatchObserver, Loaders, ProviderRegistry } from './loaders/index.js';
import { createLoaders } from './loaders/index.js';
import type { RequestScope } from './observability/request-scope.js';

/** What every resolver receives: the loaders of this one operation, and whom it is for. */
export interface RequestContext {
  readonly loaders: Loaders;
  /** The request's id and its count of upstream requests (logs); absent outside HTTP. */
  readonly scope?: RequestScope | undefined;
}

/**
 * Builds the context of one request. Loaders are per request: nothing cached here outlives it.
 * `onBatch` hears each batch the loaders send (metrics); the providers' requests are made for
 * `scope`, and counted in it.
 */
export function createRequestContext(
  providers: ProviderRegistry,
  options: { onBatch?: LoaderBatchObserver | undefined; scope?: RequestScope | undefined } = {},
): RequestContext {
  return {
    loaders: createLoaders(providers, { onBatch: options.onBatch, caller: options.scope }),
    scope: options.scope,
  };
}
