import type { Directory } from './directory/directory.js';
import type { DirectoryQueries } from './directory/queries.js';
import { createLoaders, type LoaderBatchObserver, type Loaders } from './loaders/index.js';
import type { UpstreamCaller } from './providers/observer.js';
import type { ProviderRegistry } from './providers/types.js';

/** What every resolver receives: the loaders of this one operation, and whom it is for. */
export interface RequestContext {
  readonly loaders: Loaders;
  /** The request's id and its count of upstream requests (logs); absent outside HTTP. */
  readonly scope?: UpstreamCaller | undefined;
  /** The directory's answers (search, lists, the ways down); absent where there is none. */
  readonly directory?: DirectoryQueries | undefined;
}

/**
 * Builds the context of one request. Loaders are per request: nothing cached here outlives it.
 * `onBatch` hears each batch the loaders send (metrics); the providers' requests are made for
 * `scope`, and counted in it.
 */
export function createRequestContext(
  providers: ProviderRegistry,
  options: {
    onBatch?: LoaderBatchObserver | undefined;
    scope?: UpstreamCaller | undefined;
    directory?: Directory | undefined;
  } = {},
): RequestContext {
  return {
    loaders: createLoaders(providers, {
      onBatch: options.onBatch,
      caller: options.scope,
      directory: options.directory,
    }),
    scope: options.scope,
    directory: options.directory,
  };
}
