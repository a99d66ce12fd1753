import cluster from 'node:cluster';
import { cacheHintMaxAgeSeconds } from './cache/cached-provider.js';
import { createRedisCacheStore, redactedAddress } from './cache/redis.js';
import { createCacheStore } from './cache/store.js';
import { clusterMetricsSource, runPrimary, workerCount } from './cluster.js';
import { ConfigError, loadConfig, secretsOf, type Config } from './config.js';
import { SecretRedactor } from './redaction.js';
import { createLogger, resolveLogFormat, type Logger } from './logger.js';
import { createMetrics } from './observability/metrics.js';
import { createTelemetry } from './observability/telemetry.js';
import { createProviders } from './providers/index.js';
import {
  sandboxAddressesOf,
  sandboxProviderConfigs,
  startSandbox,
  type Sandbox,
  type SandboxAddresses,
} from './sandbox/index.js';
import { startSubgraph } from './server.js';
import { graphqlUrl } from './listen.js';

/**
 * `npm start`: reads the configuration, starts the sandbox providers when no provider is
 * configured (outside production), and serves the subgraph: in this process, or with `WORKERS`
 * above 1 in that many worker processes, this one being the cluster's primary.
 */

/** How a cluster's primary tells its workers where the sandbox it started listens. */
const SANDBOX_ADDRESSES_VARIABLE = 'LEARNING_DIRECTORY_SANDBOX_ADDRESSES';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const workers = workerCount(config.operations.workers);
  if (cluster.isPrimary && workers > 1) await runClusterPrimary(config, workers);
  else await runServer(config);
}

/** The primary of `WORKERS=n`: the sandbox (once, for every worker), the workers, the banner. */
async function runClusterPrimary(config: Config, workers: number): Promise<void> {
  const logger = processLogger(config, new SecretRedactor(secretsOf(config)));
  let sandbox: Sandbox | undefined;
  const workerEnv: Record<string, string> = {};
  if (config.sandbox) {
    sandbox = await startSandbox({ delayMs: config.sandboxDelayMs });
    printSandboxBanner(sandbox);
    workerEnv[SANDBOX_ADDRESSES_VARIABLE] = JSON.stringify(sandboxAddressesOf(sandbox));
  }
  runPrimary({
    workers,
    logger,
    workerEnv,
    onListening: ({ port }) => {
      const url = graphqlUrl(config.host, port);
      process.stdout.write(`Subgraph ready at ${url} (${workers} workers)\n`);
      logger.info({ url, workers, sandbox: config.sandbox }, 'subgraph started');
    },
    onStopped: async () => {
      await sandbox?.close();
    },
  });
}

/** One process serving the subgraph: the whole of `npm start` without `WORKERS`, or one worker. */
async function runServer(config: Config): Promise<void> {
  const worker = cluster.isWorker ? cluster.worker : undefined;
  let sandbox: Sandbox | undefined;
  let providerConfigs = { thrive: config.thrive, ispring: config.ispring };
  if (config.sandbox) {
    // A worker uses the sandbox its primary started; a single process starts its own.
    const given = process.env[SANDBOX_ADDRESSES_VARIABLE];
    let addresses: SandboxAddresses;
    if (worker && given) {
      addresses = JSON.parse(given) as SandboxAddresses;
    } else {
      sandbox = await startSandbox({ delayMs: config.sandboxDelayMs });
      printSandboxBanner(sandbox);
      addresses = sandbox;
    }
    const sandboxConfigs = sandboxProviderConfigs(addresses, {}, { timeoutMs: config.upstream.timeoutMs });
    providerConfigs = {
      thrive: { ...sandboxConfigs.thrive, resilience: config.upstream.resilience.thrive },
      ispring: { ...sandboxConfigs.ispring, resilience: config.upstream.resilience.ispring },
    };
  }

  const redactor = new SecretRedactor(
    secretsOf({ ...providerConfigs, routerSecret: config.routerSecret, cache: config.cache }),
  );
  const baseLogger = processLogger(config, redactor);
  const logger = worker ? baseLogger.child({ worker: worker.id }) : baseLogger;
  const telemetry = createTelemetry({ metrics: createMetrics(), logger });
  // One cache per process, shared by every operation and both providers; with CACHE_REDIS_URL, one
  // cache for every process that names the same Redis and prefix.
  const redis =
    config.cache.redis &&
    createRedisCacheStore(config.cache.redis, {
      logger,
      onError: (operation) => telemetry.metrics.cacheErrors.inc({ operation }),
      onInvalidEntry: (kind) => telemetry.metrics.cacheInvalidEntries.inc({ kind }),
    });
  const cache = {
    store: redis ? redis.store : createCacheStore(config.cache),
    ttls: config.cache.ttlSeconds,
  };
  const providers = createProviders(providerConfigs, redactor, cache, telemetry.providers);
  const subgraph = await startSubgraph({
    providers,
    logger,
    redactor,
    telemetry,
    ...(worker ? { metricsText: clusterMetricsSource(telemetry.metrics.registry) } : {}),
    host: config.host,
    port: config.port,
    cacheMaxAgeSeconds: cacheHintMaxAgeSeconds(config.cache.ttlSeconds),
    routerSecret: config.routerSecret,
    corsOrigins: config.corsOrigins,
    limits: config.limits,
    introspection: config.introspection,
    graphiql: config.operations.graphiql,
    inlineTracing: config.operations.inlineTracing,
    health: {
      intervalMs: config.operations.healthCheckIntervalMs,
      timeoutMs: config.operations.healthCheckTimeoutMs,
    },
  });

  // A worker's banner is its primary's.
  if (!worker) {
    process.stdout.write(
      `Subgraph ready at ${subgraph.url} (providers: ${[...providers.keys()].join(', ') || 'none'})\n`,
    );
  }
  logger.info(
    {
      url: subgraph.url,
      providers: [...providers.keys()],
      sandbox: config.sandbox,
      cacheTtlSeconds: config.cache.ttlSeconds,
      cacheStore: config.cache.redis ? redactedAddress(config.cache.redis.url) : 'memory',
    },
    worker ? 'worker serving' : 'subgraph started',
  );

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping');
    await subgraph.close();
    await redis?.close();
    await sandbox?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  if (worker) {
    // Ctrl-C reaches every process of the group; the primary stops the workers in order (SIGTERM).
    process.on('SIGINT', () => {});
    // The primary is gone (killed, crashed): nothing will hand this worker connections again.
    process.on('disconnect', () => void stop('the cluster primary exited'));
  } else {
    process.on('SIGINT', () => void stop('SIGINT'));
  }
}

function processLogger(config: Config, redactor: SecretRedactor): Logger {
  return createLogger({
    level: config.logLevel,
    redactor,
    format: resolveLogFormat(config.operations.logFormat, {
      production: config.production,
      terminal: process.stdout.isTTY === true,
    }),
  });
}

function printSandboxBanner(sandbox: Sandbox): void {
  process.stdout.write(
    [
      'SANDBOX MODE: no provider credentials are configured (or SANDBOX=1), so this subgraph serves the',
      'built-in demo organisation from sandbox providers on loopback:',
      `  Thrive sandbox:  ${sandbox.thrive.baseUrl}`,
      `  iSpring sandbox: ${sandbox.ispring.baseUrl}`,
      'Set THRIVE_* and/or ISPRING_* credentials to serve a real tenant (see README).',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
