import { composeSubgraph } from '../../src/app.ts';
import type { Directory } from '../../src/directory/directory.ts';
import type { CacheTtls } from '../../src/cache/cached-provider.ts';
import { createCacheStore, type CacheClock, type InMemoryCacheStore } from '../../src/cache/store.ts';
import {
  CACHE_DEFAULTS,
  loadConfig,
  type Config,
  type DirectoryConfig,
  type LimitsConfig,
} from '../../src/config.ts';
import type { ProviderName } from '../../src/models.ts';
import type { Metrics } from '../../src/observability/metrics.ts';
import { sandboxProviderConfigs, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import type { RunningSubgraph } from '../../src/server.ts';

/** What a GraphQL response over HTTP carries. */
export interface GraphQLResponse<TData = Record<string, unknown>> {
  data?: TData | null;
  errors?: Array<{
    message: string;
    path?: Array<string | number>;
    locations?: Array<{ line: number; column: number }>;
    extensions?: Record<string, unknown>;
  }>;
}

export interface StackOptions {
  /** Which providers the subgraph is given (both by default). */
  providers?: ProviderName[];
  modes?: { thrive?: 'basic' | 'oauth'; ispring?: 'token' | 'headers' };
  overrides?: Parameters<typeof sandboxProviderConfigs>[2];
  delayMs?: number;
  /** Points this provider at a loopback port where nothing listens: every request to it fails. */
  unreachable?: ProviderName;
  /** Gives this provider a wrong secret (whatever its auth mode). */
  wrongSecret?: ProviderName;
  /** The cross-request cache; the configuration's defaults when left out. */
  cache?: StackCacheOptions;
  /** `ROUTER_SECRET`: the subgraph then refuses requests without it; `query()` sends it. */
  routerSecret?: string;
  /** `CORS_ORIGINS` (none by default). */
  corsOrigins?: string[];
  /** `MAX_*` limits; each left out is the configuration's default. */
  limits?: Partial<LimitsConfig>;
  /** `INTROSPECTION` (on by default). */
  introspection?: boolean;
  /** `GRAPHIQL` (on by default). */
  graphiql?: boolean;
  /** `INLINE_TRACING` (on by default). */
  inlineTracing?: boolean;
  /** `/health/ready`'s interval and timeout; the configuration's defaults when left out. */
  health?: { intervalMs: number; timeoutMs: number };
  /** Keeps the log lines at this level in `stack.logs` (none are kept by default). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * The directory index (`DIRECTORY=index`, its periods and webhook secrets). Left out, the stack
   * runs `DIRECTORY=live`: no background sync, so that tests counting upstream requests count only
   * their own.
   */
  directory?: Partial<DirectoryConfig>;
  /** Runs once the sandbox listens, before the subgraph starts (faults for its first requests). */
  beforeSubgraph?: (sandbox: Sandbox) => void;
  /** False: every request through the express app, the plain POST too (`inbound/graphql-post.ts`). */
  graphqlPostWithoutExpress?: boolean;
}

export interface StackCacheOptions {
  /** Seconds per kind (0 turns a kind off); each left out is the configuration's default. */
  ttls?: Partial<CacheTtls>;
  maxEntries?: number;
  maxBytes?: number;
  /** The store's clock, so that a test moves time forward instead of sleeping. */
  perf?: CacheClock;
}

/**
 * The whole product as a user runs it: both sandbox providers on loopback, the subgraph on a real
 * HTTP server, and `query()` that POSTs to it with fetch.
 */
export interface Stack {
  readonly sandbox: Sandbox;
  readonly subgraph: RunningSubgraph;
  readonly secrets: readonly string[];
  /** The stack's one cross-request cache (what `main.ts` makes once per process). */
  readonly cache: InMemoryCacheStore;
  /** The metrics `/metrics` serves, the providers' requests included (as `main.ts` wires them). */
  readonly metrics: Metrics;
  /** The directory index and its syncs (idle unless the stack was given `directory`). */
  readonly directory: Directory;
  /** Every log line written so far, parsed (only with `logLevel`). */
  readonly logs: Array<Record<string, unknown>>;
  query<TData = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<TData>>;
  /**
   * Resets both sandboxes' request logs and counters and, so that what is counted next is what a
   * cold operation costs, drops the directory data the cache holds (tokens are kept: tests warm
   * them on purpose). `keepCache` leaves the cache as it is, to count what a warm operation costs.
   */
  resetCounts(options?: { keepCache?: boolean }): void;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sandbox = await startSandbox({ delayMs: options.delayMs ?? 0 });
  options.beforeSubgraph?.(sandbox);
  const configs = sandboxProviderConfigs(sandbox, options.modes, options.overrides);
  const enabled = options.providers ?? ['thrive', 'ispring'];
  const deadUrl = 'http://127.0.0.1:9';
  const chosen = {
    thrive: !enabled.includes('thrive')
      ? undefined
      : options.unreachable === 'thrive'
        ? { ...configs.thrive, baseUrl: `${deadUrl}/rest/v1`, auth: { ...configs.thrive.auth } }
        : configs.thrive,
    ispring: !enabled.includes('ispring')
      ? undefined
      : options.unreachable === 'ispring'
        ? { ...configs.ispring, baseUrl: deadUrl }
        : configs.ispring,
  };
  if (options.wrongSecret === 'thrive' && chosen.thrive) {
    const auth = chosen.thrive.auth;
    chosen.thrive = {
      ...chosen.thrive,
      auth:
        auth.mode === 'basic'
          ? { ...auth, apiSecret: 'wrong-thrive-secret' }
          : { ...auth, clientSecret: 'wrong-thrive-secret' },
    };
  }
  if (options.wrongSecret === 'ispring' && chosen.ispring) {
    const auth = chosen.ispring.auth;
    chosen.ispring = {
      ...chosen.ispring,
      auth:
        auth.mode === 'token'
          ? { ...auth, clientSecret: 'wrong-ispring-secret' }
          : { ...auth, password: 'wrong-ispring-secret' },
    };
  }
  // What `loadConfig` gives a development machine with no provider configured, then the test's
  // choices: the same composition root as `npm start`.
  const base = loadConfig({});
  const logs: Array<Record<string, unknown>> = [];
  const cache = createCacheStore({
    maxEntries: options.cache?.maxEntries ?? CACHE_DEFAULTS.maxEntries,
    maxBytes: options.cache?.maxBytes ?? CACHE_DEFAULTS.maxBytes,
    perf: options.cache?.perf,
  });
  const config: Config = {
    ...base,
    host: '127.0.0.1',
    port: 0,
    providers: chosen,
    routerSecret: options.routerSecret,
    corsOrigins: options.corsOrigins ?? [],
    limits: { ...base.limits, ...options.limits },
    introspection: options.introspection ?? true,
    logLevel: options.logLevel ?? 'silent',
    cache: { ...base.cache, ttlSeconds: { ...CACHE_DEFAULTS.ttlSeconds, ...options.cache?.ttls } },
    directory: options.directory
      ? { ...base.directory, mode: 'index', ...options.directory }
      : { ...base.directory, mode: 'live' },
    operations: {
      ...base.operations,
      logFormat: 'json',
      graphiql: options.graphiql ?? true,
      inlineTracing: options.inlineTracing ?? true,
      ...(options.health
        ? { healthCheckIntervalMs: options.health.intervalMs, healthCheckTimeoutMs: options.health.timeoutMs }
        : {}),
    },
  };
  const composed = await composeSubgraph(config, {
    cacheStore: cache,
    terminal: false,
    ...(options.graphqlPostWithoutExpress === undefined
      ? {}
      : { graphqlPostWithoutExpress: options.graphqlPostWithoutExpress }),
    logDestination: {
      write: (line: string) => {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  const subgraph = composed.server;
  const secrets = composed.secrets;
  const metrics = composed.metrics;
  const routerHeaders: Record<string, string> = options.routerSecret
    ? { 'router-authorization': options.routerSecret }
    : {};
  return {
    sandbox,
    subgraph,
    secrets,
    cache,
    metrics,
    directory: composed.directory,
    logs,
    query: (query, variables) => postGraphQL(subgraph.url, query, variables, routerHeaders),
    resetCounts: ({ keepCache = false } = {}) => {
      sandbox.thrive.reset();
      sandbox.ispring.reset();
      if (keepCache) return;
      for (const key of cache.keys()) if (!key.startsWith('token:')) void cache.delete(key);
    },
    close: async () => {
      await composed.close();
      await sandbox.close();
    },
  };
}

export async function postGraphQL<TData = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphQLResponse<TData>;
  } catch {
    throw new Error(`Expected a JSON GraphQL response, got HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
}
