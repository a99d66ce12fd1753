import { withCache, type CacheTtls } from '../cache/cached-provider.js';
import { cacheView, type CacheLookupObserver, type CacheStore } from '../cache/store.js';
import type { IspringConfig, ThriveConfig } from '../config.js';
import type { SecretRedactor } from '../redaction.js';
import type { ProviderRegistry } from '../loaders/index.js';
import type { ProviderName } from '../models.js';
import { createIspringProvider } from './ispring/index.js';
import type { UpstreamObserver } from './observer.js';
import { createThriveProvider } from './thrive/index.js';
import type { DirectoryProvider } from './types.js';

/** The cross-request cache the providers share: one store per process, and a TTL per kind. */
export interface ProviderCache {
  readonly store: CacheStore;
  readonly ttls: CacheTtls;
}

/**
 * The providers that have credentials. A provider without credentials is simply absent. With a
 * `cache`, every provider reads through it, and tokens live in it.
 */
export function createProviders(
  configs: { thrive?: ThriveConfig | undefined; ispring?: IspringConfig | undefined },
  redactor: SecretRedactor,
  cache?: ProviderCache,
  observers: ProviderObservers = {},
): ProviderRegistry {
  const tokenStore = cache && cacheView(cache.store, 'token', observers.cache);
  const cached = (provider: DirectoryProvider) =>
    cache ? withCache(provider, cache.store, cache.ttls, observers.cache) : provider;
  const options = { redactor, tokenStore, ...(observers.upstream ? { observer: observers.upstream } : {}) };
  const providers = new Map<ProviderName, DirectoryProvider>();
  if (configs.thrive) providers.set('thrive', cached(createThriveProvider(configs.thrive, options)));
  if (configs.ispring) providers.set('ispring', cached(createIspringProvider(configs.ispring, options)));
  return providers;
}

/** Who hears the providers' requests, breaker changes and cache reads (logs and metrics). */
export interface ProviderObservers {
  readonly upstream?: UpstreamObserver | undefined;
  readonly cache?: CacheLookupObserver | undefined;
}
