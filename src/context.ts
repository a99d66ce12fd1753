import type { LoaderBatchObserver, Loaders, ProviderRegistry } from './loaders/index.js';
import { createLoaders } from './loaders/index.js';

/** What every resolver receives: the loaders of this one operation. */
export interface RequestContext {
  readonly loaders: Loaders;
}

/**
 * Builds the context of one request. Loaders are per request: nothing cached here outlives it.
 * `onBatch` hears each batch the loaders send (metrics).
 */
export function createRequestContext(
  providers: ProviderRegistry,
  onBatch?: LoaderBatchObserver,
): RequestContext {
  return { loaders: createLoaders(providers, onBatch) };
}
