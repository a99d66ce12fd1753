import {
  cacheHintMaxAgeSeconds,
  invalidateUsers,
  withCache,
  type CacheTtls,
} from './cache/cached-provider.js';
import { Directory } from './directory/directory.js';
import { PersonIds, personIdKey } from './directory/person-ids.js';
import { createRedisCacheStore, type RedisCacheStore } from './cache/redis.js';
import { cacheView, createCacheStore, type CacheStore } from './cache/store.js';
import { secretsOf, type Config } from './config.js';
import { createLogger, resolveLogFormat, type Logger, type LoggerOptions } from './logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createTelemetry, type ProviderObservers } from './observability/telemetry.js';
import {
  createProviders,
  providerSecrets,
  providersFingerprint,
  type ProviderConfigs,
} from './providers/registry.js';
import type { ProviderRegistry } from './providers/types.js';
import { SecretRedactor } from './redaction.js';
import { startSubgraph, type RunningSubgraph } from './server.js';

/**
 * The composition root: the one place that turns a configuration into a running subgraph (its
 * redactor, logger, metrics, cross-request cache, providers and HTTP server). `main.ts` calls it
 * once per process, the test stack once per test file, and the bench through `main.ts`.
 */

/** What a caller may supply instead of what the configuration would make. */
export interface CompositionOptions {
  /** Where log lines go (tests keep them); standard output when absent. */
  readonly logDestination?: LoggerOptions['destination'];
  /** Fields every log line carries (a cluster worker's `worker` id). */
  readonly logBindings?: Readonly<Record<string, unknown>>;
  /** Whether standard output is a terminal (`LOG_FORMAT=auto` picks `pretty` there). */
  readonly terminal?: boolean;
  /** The in-memory store to use (tests give one with their own clock); ignored with Redis. */
  readonly cacheStore?: CacheStore;
  /** The metrics registry to count in (a cluster worker's, which its primary reads); a new one when absent. */
  readonly metrics?: Metrics;
  /** What `/metrics` serves (a cluster worker serves every worker's, summed by the primary). */
  readonly metricsText?: () => Promise<string>;
  /** False sends every request through the express app (`SubgraphServerOptions`; tests compare the two). */
  readonly graphqlPostWithoutExpress?: boolean;
}

export interface ComposedSubgraph {
  readonly server: RunningSubgraph;
  readonly providers: ProviderRegistry;
  readonly logger: Logger;
  readonly redactor: SecretRedactor;
  readonly metrics: Metrics;
  /** The cross-request cache every operation and provider shares. */
  readonly cache: CacheStore;
  /** The directory index and its syncs. */
  readonly directory: Directory;
  /** Every secret of the configuration (tests check none of them leaks). */
  readonly secrets: readonly string[];
  /** Stops the server, then the shared cache's connection. */
  close(): Promise<void>;
}

export async function composeSubgraph(
  config: Config,
  options: CompositionOptions = {},
): Promise<ComposedSubgraph> {
  const secrets = secretsOf(config);
  const redactor = new SecretRedactor(secrets);
  const logger = createConfiguredLogger(config, redactor, options);
  const telemetry = createTelemetry({ metrics: options.metrics ?? createMetrics(), logger });

  // One cache per process, shared by every operation and provider; with CACHE_REDIS_URL, one cache
  // for every process that names the same Redis and prefix.
  const redis: RedisCacheStore | undefined =
    config.cache.redis &&
    createRedisCacheStore(config.cache.redis, {
      logger,
      onError: (operation) => telemetry.metrics.cacheErrors.inc({ operation }),
      onInvalidEntry: (kind) => telemetry.metrics.cacheInvalidEntries.inc({ kind }),
    });
  const cache = redis?.store ?? options.cacheStore ?? createCacheStore(config.cache);
  const providers = createCachedProviders(
    config.providers,
    redactor,
    { store: cache, ttls: config.cache.ttlSeconds },
    telemetry.providers,
  );

  // The shared directory is the providers' it serves: keyed by their tenants.
  const shared = config.directory.shared && {
    ...config.directory.shared,
    tenant: config.directory.shared.tenant ?? providersFingerprint(config.providers),
  };
  const directory = new Directory(providers, { ...config.directory, shared }, config.cache.ttlSeconds, {
    personIds: new PersonIds(personIdKey(config.directory.personIdSecret, providerSecrets(config.providers))),
    observer: telemetry.directory,
    invalidateUsers: (ids) => invalidateUsers(cache, ids),
  });

  const server = await startSubgraph({
    providers,
    directory,
    webhookSecrets: config.directory.webhookSecrets,
    logger,
    redactor,
    telemetry,
    ...(options.metricsText ? { metricsText: options.metricsText } : {}),
    ...(options.graphqlPostWithoutExpress === undefined
      ? {}
      : { graphqlPostWithoutExpress: options.graphqlPostWithoutExpress }),
    host: config.host,
    port: config.port,
    cacheMaxAgeSeconds: cacheHintMaxAgeSeconds(config.cache.ttlSeconds),
    ...(config.routerSecret === undefined ? {} : { routerSecret: config.routerSecret }),
    corsOrigins: config.corsOrigins,
    limits: config.limits,
    introspection: config.introspection,
    graphiql: config.operations.graphiql,
    inlineTracing: config.operations.inlineTracing,
    health: {
      intervalMs: config.operations.healthCheckIntervalMs,
      timeoutMs: config.operations.healthCheckTimeoutMs,
    },
  }).catch(async (error: unknown) => {
    await redis?.close();
    throw error;
  });
  // The first full syncs run in the background: by-id reads go live until each is applied.
  directory.start();

  return {
    server,
    providers,
    logger,
    redactor,
    metrics: telemetry.metrics,
    cache,
    secrets,
    directory,
    close: async () => {
      await directory.stop();
      await server.close();
      await redis?.close();
    },
  };
}

/** The logger `config` asks for (`LOG_LEVEL`, `LOG_FORMAT`), redacting every secret. */
export function createConfiguredLogger(
  config: Pick<Config, 'logLevel' | 'production' | 'operations'>,
  redactor: SecretRedactor,
  options: Pick<CompositionOptions, 'logDestination' | 'logBindings' | 'terminal'> = {},
): Logger {
  const logger = createLogger({
    level: config.logLevel,
    redactor,
    format: resolveLogFormat(config.operations.logFormat, {
      production: config.production,
      terminal: options.terminal ?? process.stdout.isTTY === true,
    }),
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  return options.logBindings ? logger.child(options.logBindings) : logger;
}

/**
 * The providers of `configs`, each reading through the cross-request cache when one is given
 * (tokens included), and reporting to `observers`.
 */
export function createCachedProviders(
  configs: ProviderConfigs,
  redactor: SecretRedactor,
  cache?: { readonly store: CacheStore; readonly ttls: CacheTtls },
  observers: ProviderObservers = {},
): ProviderRegistry {
  return createProviders(configs, {
    redactor,
    tokenStore: cache && cacheView(cache.store, 'token', observers.cache),
    observer: observers.upstream,
    ...(cache
      ? { decorate: (provider) => withCache(provider, cache.store, cache.ttls, observers.cache) }
      : {}),
  });
}
