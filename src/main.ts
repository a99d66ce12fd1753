import cluster from 'node:cluster';
import { composeSubgraph, createConfiguredLogger } from './app.js';
import { redactedAddress } from './cache/redis.js';
import { clusterMetricsSource, runPrimary, workerCount } from './cluster.js';
import { ConfigError, loadConfig, secretsOf, type Config } from './config.js';
import { allowPretenuring, heapGrowthPercentFor, limitHeapGrowth } from './heap.js';
import { graphqlUrl } from './listen.js';
import { createMetrics } from './observability/metrics.js';
import { SecretRedactor } from './redaction.js';
import { SANDBOX_ADDRESSES_VARIABLE, startDemoMode } from './sandbox/demo-mode.js';

/**
 * `npm start`: reads the configuration, starts the sandbox providers when no provider is
 * configured (outside production), and serves the subgraph: in this process, or with `WORKERS`
 * above 1 in that many worker processes, this one being the cluster's primary.
 */
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
  const logger = createConfiguredLogger(config, new SecretRedactor(secretsOf(config)));
  const demo = config.sandbox ? await startDemoMode(config) : undefined;
  runPrimary({
    workers,
    logger,
    workerEnv: { ...demo?.workerEnv },
    onListening: ({ port }) => {
      const url = graphqlUrl(config.host, port);
      process.stdout.write(`Subgraph ready at ${url} (${workers} workers)\n`);
      logger.info({ url, workers, sandbox: config.sandbox }, 'subgraph started');
    },
    onStopped: async () => {
      await demo?.close();
    },
  });
}

/** One process serving the subgraph: the whole of `npm start` without `WORKERS`, or one worker. */
async function runServer(config: Config): Promise<void> {
  limitHeapGrowth(heapGrowthPercentFor(config.operations.heapGrowthPercent, config.directory.mode));
  allowPretenuring(config.operations.heapPretenuring);
  const worker = cluster.isWorker ? cluster.worker : undefined;
  // A worker uses the sandbox its primary started; a single process starts its own.
  const demo = config.sandbox
    ? await startDemoMode(config, { inherited: worker ? process.env[SANDBOX_ADDRESSES_VARIABLE] : undefined })
    : undefined;
  const metrics = createMetrics();
  const subgraph = await composeSubgraph(demo ? { ...config, providers: demo.providers } : config, {
    metrics,
    ...(worker
      ? { logBindings: { worker: worker.id }, metricsText: clusterMetricsSource(metrics.registry) }
      : {}),
  });
  const { logger, providers } = subgraph;

  // A worker's banner is its primary's.
  if (!worker) {
    process.stdout.write(
      `Subgraph ready at ${subgraph.server.url} (providers: ${[...providers.keys()].join(', ') || 'none'})\n`,
    );
  }
  logger.info(
    {
      url: subgraph.server.url,
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
    await demo?.close();
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

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
