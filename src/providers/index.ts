import { withCache, type CacheTtls } from '../cache/cached-provider.js';
import { cacheView, type CacheStore } from '../cache/store.js';
import type { IspringConfig, ThriveConfig } from '../config.js';
import type { SecretRedactor } from '../errors.js';
import type { ProviderRegistry } from '../loaders/index.js';
import type { ProviderName } from '../models.js';
import { createIspringProvider } from './ispring/index.js';
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
): ProviderRegistry {
  const tokenStore = cache && cacheView(cache.store, 'token');
  const cached = (provider: DirectoryProvider) =>
    cache ? withCache(provider, cache.store, cache.ttls) : provider;
  const providers = new Map<ProviderName, DirectoryProvider>();
  if (configs.thrive) {
    providers.set('thrive', cached(createThriveProvider(configs.thrive, { redactor, tokenStore })));
  }
  if (configs.ispring) {
    providers.set('ispring', cached(createIspringProvider(configs.ispring, { redactor, tokenStore })));
  }
  return providers;
}
