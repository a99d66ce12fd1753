import { cacheHintMaxAgeSeconds } from './cache/cached-provider.js';
import { createCacheStore } from './cache/store.js';
import { ConfigError, loadConfig, secretsOf, type Config } from './config.js';
import { SecretRedactor } from './errors.js';
import { createLogger } from './logger.js';
import { createProviders } from './providers/index.js';
import { sandboxProviderConfigs, startSandbox, type Sandbox } from './sandbox/index.js';
import { startSubgraph } from './server.js';

/**
 * `npm start`: reads the configuration, starts the sandbox providers when no provider is
 * configured (outside production), and serves the subgraph.
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

  let sandbox: Sandbox | undefined;
  let providerConfigs = { thrive: config.thrive, ispring: config.ispring };
  if (config.sandbox) {
    sandbox = await startSandbox({ delayMs: config.sandboxDelayMs });
    const sandboxConfigs = sandboxProviderConfigs(sandbox, {}, { timeoutMs: config.upstream.timeoutMs });
    providerConfigs = {
      thrive: { ...sandboxConfigs.thrive, resilience: config.upstream.resilience.thrive },
      ispring: { ...sandboxConfigs.ispring, resilience: config.upstream.resilience.ispring },
    };
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

  const redactor = new SecretRedactor(secretsOf({ ...providerConfigs, routerSecret: config.routerSecret }));
  const logger = createLogger({ level: config.logLevel, redactor });
  // One cache per process, shared by every operation and both providers.
  const cache = { store: createCacheStore(config.cache), ttls: config.cache.ttlSeconds };
  const providers = createProviders(providerConfigs, redactor, cache);
  const subgraph = await startSubgraph({
    providers,
    logger,
    redactor,
    host: config.host,
    port: config.port,
    cacheMaxAgeSeconds: cacheHintMaxAgeSeconds(config.cache.ttlSeconds),
    routerSecret: config.routerSecret,
    limits: config.limits,
    introspection: config.introspection,
  });

  process.stdout.write(
    `Subgraph ready at ${subgraph.url} (providers: ${[...providers.keys()].join(', ') || 'none'})\n`,
  );
  logger.info(
    {
      url: subgraph.url,
      providers: [...providers.keys()],
      sandbox: config.sandbox,
      cacheTtlSeconds: config.cache.ttlSeconds,
    },
    'subgraph started',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await subgraph.close();
    await sandbox?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
