import { DIRECTORY_DEFAULTS, type DirectorySettings } from './directory/directory.js';
import { MIN_PERSON_ID_SECRET_LENGTH } from './directory/person-ids.js';
import type { ReplicaSettings } from './directory/replica.js';
import { EnvReader, type Env } from './env.js';
import type { ProviderName } from './models.js';
import { PROVIDER_NAMES } from './provider-facts.js';
import { providerSecrets, readProviderConfigs, type ProviderConfigs } from './providers/registry.js';
import { readResilience, readUpstreamLimits, type ResilienceConfig } from './providers/resilience/config.js';

/**
 * Configuration is read once, by one pure function of the environment, into a frozen typed object
 * that everything downstream receives as an argument (README, "Configuration"). A bad or partial
 * configuration fails with one error that lists every problem. Messages name variables, never
 * their secret values.
 *
 * Each provider's own settings are read in its folder (`providers/<name>/config.ts`, listed in
 * `providers/registry.ts`); this file reads what is shared, in the order of `Config`.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly production: boolean;
  /**
   * True when the built-in sandbox providers are to be started and used (no provider configured
   * outside production, or `SANDBOX=1`). The provider configs are then made by the sandbox.
   */
  readonly sandbox: boolean;
  readonly sandboxDelayMs: number;
  /** `SANDBOX_USERS`: the sandbox serves a large organisation of that many users per provider. */
  readonly sandboxUsers: number | undefined;
  /** `SANDBOX_WEBHOOK_*`: where the sandbox sends the vendors' webhook deliveries. */
  readonly sandboxWebhooks: SandboxWebhookTargets;
  /** The providers with credentials (`THRIVE_*`, `ISPRING_*`); one without is absent. */
  readonly providers: ProviderConfigs;
  /**
   * The upstream settings that do not need credentials: what the sandbox's provider configs get in
   * sandbox mode, so that `UPSTREAM_TIMEOUT_MS` and the retry and breaker settings apply there too.
   */
  readonly upstream: UpstreamConfig;
  readonly routerSecret: string | undefined;
  /** Origins a browser may call `/graphql` from directly (`CORS_ORIGINS`); none by default. */
  readonly corsOrigins: readonly string[];
  /** Inbound protection: what one request may ask of the subgraph (`readLimits`). */
  readonly limits: LimitsConfig;
  /** Whether `__schema` and `__type` are answered; `_service { sdl }`, which the router reads, always is. */
  readonly introspection: boolean;
  readonly logLevel: LogLevel;
  readonly cache: CacheConfig;
  /** GraphiQL, health, metrics, logs, tracing and workers (`readOperations`). */
  readonly operations: OperationsConfig;
  /** The directory index: its mode, sync periods and webhook secrets (`readDirectory`). */
  readonly directory: DirectoryConfig;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Reads the configuration from `env`. Throws `ConfigError` listing every problem found. */
export function loadConfig(variables: Env): Config {
  const env = new EnvReader(variables);
  const production = env.read('NODE_ENV') === 'production';
  const forceSandbox = readSandboxFlag(env);
  const upstream = readUpstream(env);
  const providers = readProviderConfigs(env, upstream);
  const noProvider = PROVIDER_NAMES.every((name) => providers[name] === undefined);
  if (noProvider && production && !forceSandbox && env.problems.length === 0) {
    env.problem(
      'No provider is configured, and NODE_ENV=production does not start the sandbox. Set THRIVE_TENANT_ID with THRIVE_API_SECRET or THRIVE_CLIENT_ID/THRIVE_CLIENT_SECRET, and/or ISPRING_CLIENT_ID/ISPRING_CLIENT_SECRET or ISPRING_ACCOUNT_URL/ISPRING_EMAIL/ISPRING_PASSWORD (or SANDBOX=1 to serve the demo data).',
    );
  }
  const introspection = env.boolean('INTROSPECTION', !production);

  // Read in the order of `Config`, so that problems are listed in that order.
  const settings = {
    port: env.integer('PORT', SERVER_DEFAULTS.port, 0, 65_535),
    host: env.read('HOST') ?? SERVER_DEFAULTS.host,
    production,
    sandbox: forceSandbox || (noProvider && !production),
    sandboxDelayMs: env.integer('SANDBOX_DELAY_MS', 0, 0, 60_000),
    sandboxUsers: readSandboxUsers(env),
    sandboxWebhooks: readSandboxWebhooks(env),
    providers,
    upstream,
    routerSecret: env.read('ROUTER_SECRET'),
    corsOrigins: readCorsOrigins(env),
    limits: readLimits(env),
    introspection,
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    cache: readCache(env),
    operations: readOperations(env, { introspection }),
  };
  const config: Config = { ...settings, directory: readDirectory(env, settings.cache) };
  if (env.problems.length > 0) throw new ConfigError(env.problems);
  return deepFreeze(config);
}

/** Every secret a configuration holds, for redaction. */
export function secretsOf(
  config: Pick<Config, 'providers' | 'routerSecret'> & {
    readonly cache?: Pick<CacheConfig, 'redis'>;
    readonly directory?: Partial<Pick<DirectoryConfig, 'webhookSecrets' | 'personIdSecret' | 'shared'>>;
    readonly sandboxWebhooks?: SandboxWebhookTargets;
  },
): string[] {
  const secrets = providerSecrets(config.providers);
  for (const secret of Object.values(config.directory?.webhookSecrets ?? {})) {
    if (secret) secrets.push(secret);
  }
  if (config.directory?.personIdSecret) secrets.push(config.directory.personIdSecret);
  for (const target of Object.values(config.sandboxWebhooks ?? {})) if (target) secrets.push(target.secret);
  for (const url of [config.cache?.redis?.url, config.directory?.shared?.url]) {
    const redisPassword = url && new URL(url).password;
    if (redisPassword) secrets.push(decodeURIComponent(redisPassword), redisPassword);
  }
  if (config.routerSecret) secrets.push(config.routerSecret);
  return secrets;
}

// --- The server and the sandbox. ---

export const SERVER_DEFAULTS = Object.freeze({ port: 4001, host: '0.0.0.0' });

/** `SANDBOX`: 1 serves the demo organisation even with providers configured, or in production. */
function readSandboxFlag(env: EnvReader): boolean {
  const raw = env.read('SANDBOX');
  if (raw !== undefined && !['0', '1', 'true', 'false'].includes(raw)) {
    env.problem(`SANDBOX must be 1 or 0; got ${JSON.stringify(raw.slice(0, 40))}.`);
  }
  return raw === '1' || raw === 'true';
}

/**
 * The most users per provider `SANDBOX_USERS` may ask for: the sandbox's own bound
 * (`MAX_SANDBOX_USERS` of src/sandbox/seed/large.ts, which this layer may not import; a test keeps
 * them equal).
 */
export const MAX_SANDBOX_USERS = 100_000;

/** `SANDBOX_USERS`: 1 to 100,000 users per provider, or unset (the demo organisation). */
export function readSandboxUsers(env: EnvReader): number | undefined {
  if (env.read('SANDBOX_USERS') === undefined) return undefined;
  const users = env.integer('SANDBOX_USERS', 0, 1, MAX_SANDBOX_USERS);
  return users === 0 ? undefined : users;
}

export interface SandboxWebhookTargets {
  readonly thrive?: { readonly url: string; readonly secret: string };
  readonly ispring?: { readonly url: string; readonly secret: string };
}

/**
 * `SANDBOX_WEBHOOK_THRIVE_URL` with `SANDBOX_WEBHOOK_THRIVE_SECRET`, and the same for `ISPRING`:
 * where the sandbox POSTs each vendor's webhook deliveries, and the secret it signs them with. Both
 * or neither of a pair; an absolute http(s) URL (a query string is kept, as receivers may take a
 * token there).
 */
export function readSandboxWebhooks(env: EnvReader): SandboxWebhookTargets {
  const out: { thrive?: { url: string; secret: string }; ispring?: { url: string; secret: string } } = {};
  for (const provider of ['thrive', 'ispring'] as const) {
    const prefix = `SANDBOX_WEBHOOK_${provider.toUpperCase()}`;
    const url = env.read(`${prefix}_URL`);
    const secret = env.read(`${prefix}_SECRET`);
    if (url === undefined && secret === undefined) continue;
    if (url === undefined || secret === undefined) {
      env.problem(
        `${prefix}_URL and ${prefix}_SECRET go together; only ${url === undefined ? `${prefix}_SECRET` : `${prefix}_URL`} is set.`,
      );
      continue;
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      env.problem(
        `${prefix}_URL must be an absolute http(s) URL, such as http://localhost:4001/webhooks/${provider}.`,
      );
      continue;
    }
    out[provider] = { url, secret };
  }
  return out;
}

// --- Upstream: what every provider's requests share. ---

export interface UpstreamConfig {
  /** One request's timeout (`UPSTREAM_TIMEOUT_MS`), unless the provider sets its own. */
  readonly timeoutMs: number;
  /** Each provider's retries, breaker, in-flight bound, deadline and body bound. */
  readonly resilience: { readonly [P in ProviderName]: ResilienceConfig };
}

export const UPSTREAM_DEFAULTS = Object.freeze({ timeoutMs: 10_000 });

function readUpstream(env: EnvReader): UpstreamConfig {
  const timeoutMs = env.integer('UPSTREAM_TIMEOUT_MS', UPSTREAM_DEFAULTS.timeoutMs, 100, 120_000);
  const limits = readUpstreamLimits(env);
  const resilience = Object.fromEntries(
    PROVIDER_NAMES.map((name) => [name, readResilience(name, env, limits)]),
  ) as UpstreamConfig['resilience'];
  return { timeoutMs, resilience };
}

// --- Browsers that call the subgraph directly (CORS). ---

/**
 * `CORS_ORIGINS`: comma-separated origins, each exactly as a browser sends it in `Origin`
 * (`http://localhost:5173`: scheme, host and a port other than the scheme's default; no path, not
 * even `/`). Never `*`.
 */
function readCorsOrigins(env: EnvReader): readonly string[] {
  const origins: string[] = [];
  for (const item of (env.read('CORS_ORIGINS') ?? '').split(',')) {
    const value = item.trim();
    if (value === '') continue;
    let origin: string | undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') origin = parsed.origin;
    } catch {
      // Not a URL: reported below.
    }
    if (origin === value) {
      origins.push(origin);
    } else if (value === '*') {
      env.problem('CORS_ORIGINS must name each origin; "*" (any origin) is not accepted.');
    } else {
      const hint = origin === undefined ? '' : `; did you mean "${origin}"?`;
      env.problem(
        `CORS_ORIGINS: ${JSON.stringify(value.slice(0, 100))} is not an origin such as http://localhost:5173 (http or https, a host, an optional port, no path)${hint}`,
      );
    }
  }
  return origins;
}

// --- Inbound protection: limits on what one request may ask. ---

export interface LimitsConfig {
  /**
   * Deepest nesting of an operation, fragments followed, each field, fragment spread and inline
   * fragment a level (`{ user { id } }` is 2).
   */
  readonly maxQueryDepth: number;
  /** Most aliased fields in an operation, fragments expanded. */
  readonly maxAliases: number;
  /** Most field selections in an operation once its fragments are expanded (its cost). */
  readonly maxFields: number;
  /** Most ids one `users(ids:)` takes. */
  readonly maxUsersIds: number;
  /** Most representations one `_entities` call takes. */
  readonly maxRepresentations: number;
  /**
   * Most ids one operation names in all: every `users(ids:)` and every `_entities` representation,
   * fragments expanded, counted from the document and its variables before anything runs.
   */
  readonly maxIdsPerOperation: number;
  /**
   * Most upstream requests one operation may send to each provider (each attempt counts; token
   * requests, which operations share, do not). Past it, that provider's reads fail at once.
   */
  readonly maxUpstreamRequestsPerOperation: number;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** How long a client may take to send a request's headers (slow-header clients are cut off). */
  readonly headersTimeoutMs: number;
  /** How long a client may take to send a whole request, body included. */
  readonly requestTimeoutMs: number;
  /**
   * How long an idle keep-alive connection is kept open: longer than a router's own idle timeout
   * (Apollo Router and common load balancers close theirs within 60 s), so that the router, not
   * the subgraph, closes an idle connection, and never one it is about to send a request on.
   */
  readonly keepAliveTimeoutMs: number;
}

export const LIMIT_DEFAULTS: LimitsConfig = Object.freeze({
  // The standard introspection query (GraphiQL's) is 18 deep, fragments counted.
  maxQueryDepth: 20,
  maxAliases: 30,
  maxFields: 2000,
  maxUsersIds: 1000,
  maxRepresentations: 1000,
  maxIdsPerOperation: 1000,
  // The declared workloads of the bench need at most 200 (W3's Thrive users); 1000 Thrive ids with
  // a manager level above them need up to 2000.
  maxUpstreamRequestsPerOperation: 2000,
  maxBodyBytes: 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 75_000,
});

function readLimits(env: EnvReader): LimitsConfig {
  return {
    // 2 is the least that lets the router read `_service { sdl }`.
    maxQueryDepth: env.integer('MAX_QUERY_DEPTH', LIMIT_DEFAULTS.maxQueryDepth, 2, 1000),
    maxAliases: env.integer('MAX_ALIASES', LIMIT_DEFAULTS.maxAliases, 0, 100_000),
    maxFields: env.integer('MAX_FIELDS', LIMIT_DEFAULTS.maxFields, 1, 1_000_000),
    maxUsersIds: env.integer('MAX_USERS_IDS', LIMIT_DEFAULTS.maxUsersIds, 1, 100_000),
    maxRepresentations: env.integer('MAX_REPRESENTATIONS', LIMIT_DEFAULTS.maxRepresentations, 1, 100_000),
    maxIdsPerOperation: env.integer('MAX_IDS_PER_OPERATION', LIMIT_DEFAULTS.maxIdsPerOperation, 1, 100_000),
    maxUpstreamRequestsPerOperation: env.integer(
      'MAX_UPSTREAM_REQUESTS_PER_OPERATION',
      LIMIT_DEFAULTS.maxUpstreamRequestsPerOperation,
      1,
      1_000_000,
    ),
    maxBodyBytes: env.integer('MAX_BODY_BYTES', LIMIT_DEFAULTS.maxBodyBytes, 1024, 64 * 1024 * 1024),
    headersTimeoutMs: env.integer(
      'SERVER_HEADERS_TIMEOUT_MS',
      LIMIT_DEFAULTS.headersTimeoutMs,
      1000,
      600_000,
    ),
    requestTimeoutMs: env.integer(
      'SERVER_REQUEST_TIMEOUT_MS',
      LIMIT_DEFAULTS.requestTimeoutMs,
      1000,
      3_600_000,
    ),
    keepAliveTimeoutMs: env.integer(
      'SERVER_KEEP_ALIVE_TIMEOUT_MS',
      LIMIT_DEFAULTS.keepAliveTimeoutMs,
      1000,
      3_600_000,
    ),
  };
}

// --- Logging. ---

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

// --- The cross-request cache. ---

/**
 * The cross-request cache (`src/cache/`). A TTL of 0 turns caching of that kind off entirely: every
 * read goes upstream, and concurrent operations do not even share in-flight requests.
 */
export interface CacheConfig {
  readonly ttlSeconds: {
    readonly users: number;
    readonly departments: number;
    readonly groups: number;
  };
  /** Most entries the in-memory store holds (least recently used go first). */
  readonly maxEntries: number;
  /** Most bytes it holds, counting each entry as the length of its JSON. */
  readonly maxBytes: number;
  /** A shared store instead of the in-memory one (`CACHE_REDIS_URL`), for several workers or replicas. */
  readonly redis?: RedisCacheConfig | undefined;
}

export interface RedisCacheConfig {
  /** `redis://[:password@]host:port[/db]` or `rediss://…` (TLS). */
  readonly url: string;
  /** Put before every key, so that deployments (tenants) sharing one Redis do not share entries. */
  readonly prefix: string;
  /** How long one Redis command may take before it counts as a miss (the store is slow or down). */
  readonly timeoutMs: number;
}

export const CACHE_DEFAULTS = Object.freeze({
  ttlSeconds: Object.freeze({ users: 60, departments: 300, groups: 300 }),
  maxEntries: 100_000,
  maxBytes: 128 * 1024 * 1024,
});

export const REDIS_CACHE_DEFAULTS = Object.freeze({ prefix: 'learning-directory:', timeoutMs: 250 });

/** A day: data cached longer than that would be a copy of the directory, not a cache of it. */
const MAX_CACHE_TTL_SECONDS = 86_400;
/** lru-cache allocates its index up front for `max` entries, so the bound is kept modest. */
const MAX_CACHE_ENTRIES = 1_000_000;
const MIN_CACHE_BYTES = 1024 * 1024;
const MAX_CACHE_BYTES = 64 * 1024 * 1024 * 1024;

function readCache(env: EnvReader): CacheConfig {
  const ttl = (name: string, fallback: number) => env.integer(name, fallback, 0, MAX_CACHE_TTL_SECONDS);
  return {
    ttlSeconds: {
      users: ttl('CACHE_TTL_USERS_SECONDS', CACHE_DEFAULTS.ttlSeconds.users),
      departments: ttl('CACHE_TTL_DEPARTMENTS_SECONDS', CACHE_DEFAULTS.ttlSeconds.departments),
      groups: ttl('CACHE_TTL_GROUPS_SECONDS', CACHE_DEFAULTS.ttlSeconds.groups),
    },
    maxEntries: env.integer('CACHE_MAX_ENTRIES', CACHE_DEFAULTS.maxEntries, 1, MAX_CACHE_ENTRIES),
    maxBytes: env.integer('CACHE_MAX_BYTES', CACHE_DEFAULTS.maxBytes, MIN_CACHE_BYTES, MAX_CACHE_BYTES),
    redis: readRedisCache(env),
  };
}

/** `CACHE_REDIS_URL`, `CACHE_REDIS_PREFIX`, `CACHE_REDIS_TIMEOUT_MS`; undefined without the URL. */
function readRedisCache(env: EnvReader): RedisCacheConfig | undefined {
  const raw = env.read('CACHE_REDIS_URL');
  const timeoutMs = env.integer('CACHE_REDIS_TIMEOUT_MS', REDIS_CACHE_DEFAULTS.timeoutMs, 10, 60_000);
  const prefix = env.read('CACHE_REDIS_PREFIX') ?? REDIS_CACHE_DEFAULTS.prefix;
  if (!/^[\x21-\x7e]{0,100}$/.test(prefix)) {
    env.problem('CACHE_REDIS_PREFIX must be at most 100 printable characters without spaces.');
  }
  if (raw === undefined || !isRedisUrl(env, 'CACHE_REDIS_URL', raw)) return undefined;
  return { url: raw, prefix, timeoutMs };
}

/** True when `raw` is a redis:// or rediss:// URL with a host; else a problem naming `name`. */
function isRedisUrl(env: EnvReader, name: string, raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The value may hold a password: it is not repeated.
    env.problem(`${name} must be a URL such as redis://127.0.0.1:6379 or rediss://:password@host:6380/0.`);
    return false;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    env.problem(`${name} must start with redis:// or rediss:// (TLS); got "${url.protocol}//".`);
    return false;
  }
  if (url.hostname === '') {
    env.problem(`${name} must name a host, e.g. redis://127.0.0.1:6379.`);
    return false;
  }
  return true;
}

// --- Operations: GraphiQL, health, logs, tracing, workers. ---

export interface OperationsConfig {
  /** Whether a browser asking `/graphql` for HTML gets GraphiQL (`GRAPHIQL`). */
  readonly graphiql: boolean;
  /** Whether a trace is put in `extensions.ftv1` when the router asks for one (`INLINE_TRACING`). */
  readonly inlineTracing: boolean;
  /**
   * `LOG_FORMAT`: `json` lines, `pretty` (coloured, one readable line each), or `auto`, which is
   * `pretty` on a terminal outside production and `json` everywhere else.
   */
  readonly logFormat: 'json' | 'pretty' | 'auto';
  /** `/health/ready` asks the providers at most once per this interval (`HEALTH_CHECK_INTERVAL_MS`). */
  readonly healthCheckIntervalMs: number;
  /** How long one provider's readiness check may take before it counts as down. */
  readonly healthCheckTimeoutMs: number;
  /** Processes serving requests (`WORKERS`, a number or `auto` for one per core); 1 is no cluster. */
  readonly workers: number | 'auto';
  /**
   * How far V8 lets the heap grow past what the last full collection kept before it collects again,
   * in percent (`HEAP_GROWTH_PERCENT`); 0 leaves V8's own choice; `auto` is 30 with the directory
   * index and V8's own choice without it (`heap.ts`).
   */
  readonly heapGrowthPercent: number | 'auto';
  /**
   * Whether V8 may allocate objects straight into the old generation where it has seen most of them
   * outlive young-generation collections (`HEAP_PRETENURING`, off by default: `heap.ts`).
   */
  readonly heapPretenuring: boolean;
}

export const OPERATIONS_DEFAULTS = Object.freeze({
  healthCheckIntervalMs: 15_000,
  healthCheckTimeoutMs: 5_000,
  heapGrowthPercent: 'auto',
  heapPretenuring: false,
});

/** Most `HEAP_GROWTH_PERCENT`: V8's own factor reaches 4 times, 300 % past what was kept. */
const MAX_HEAP_GROWTH_PERCENT = 300;

function readHeapGrowthPercent(env: EnvReader): number | 'auto' {
  const raw = env.read('HEAP_GROWTH_PERCENT')?.toLowerCase();
  if (raw === undefined || raw === 'auto') return 'auto';
  if (/^\d+$/.test(raw) && Number(raw) <= MAX_HEAP_GROWTH_PERCENT) return Number(raw);
  env.problem(
    `HEAP_GROWTH_PERCENT must be a whole number from 0 to ${MAX_HEAP_GROWTH_PERCENT}, or auto (30 with the directory index, V8's own choice without); got ${JSON.stringify(raw.slice(0, 40))}.`,
  );
  return 'auto';
}

/** Most workers `WORKERS` accepts: far above any core count, low enough to catch a typo. */
const MAX_WORKERS = 256;

function readOperations(env: EnvReader, shared: { readonly introspection: boolean }): OperationsConfig {
  const rawWorkers = env.read('WORKERS')?.toLowerCase();
  let workers: number | 'auto' = 1;
  if (rawWorkers === 'auto') workers = 'auto';
  else if (rawWorkers !== undefined) {
    if (/^\d+$/.test(rawWorkers) && Number(rawWorkers) >= 1 && Number(rawWorkers) <= MAX_WORKERS) {
      workers = Number(rawWorkers);
    } else {
      env.problem(
        `WORKERS must be a whole number from 1 to ${MAX_WORKERS}, or auto (one per core); got ${JSON.stringify(rawWorkers.slice(0, 40))}.`,
      );
    }
  }
  return {
    // GraphiQL is of little use without introspection, so it follows INTROSPECTION unless set.
    graphiql: env.boolean('GRAPHIQL', shared.introspection),
    inlineTracing: env.boolean('INLINE_TRACING', true),
    logFormat: env.oneOf('LOG_FORMAT', ['json', 'pretty', 'auto'] as const, 'auto'),
    healthCheckIntervalMs: env.integer(
      'HEALTH_CHECK_INTERVAL_MS',
      OPERATIONS_DEFAULTS.healthCheckIntervalMs,
      0,
      3_600_000,
    ),
    healthCheckTimeoutMs: env.integer(
      'HEALTH_CHECK_TIMEOUT_MS',
      OPERATIONS_DEFAULTS.healthCheckTimeoutMs,
      100,
      120_000,
    ),
    workers,
    heapGrowthPercent: readHeapGrowthPercent(env),
    heapPretenuring: env.boolean('HEAP_PRETENURING', OPERATIONS_DEFAULTS.heapPretenuring),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

// --- The directory. ---

export interface DirectoryConfig extends DirectorySettings {
  /**
   * The keys webhook deliveries are signed with (`THRIVE_WEBHOOK_SECRET`, `ISPRING_WEBHOOK_SECRET`):
   * a provider without one has no webhook endpoint (its deliveries get 404).
   */
  readonly webhookSecrets: { readonly [P in ProviderName]?: string };
  /**
   * `PERSON_ID_SECRET`: the key person ids are made with (`directory/person-ids.ts`); unset, one
   * derived from the providers' credentials.
   */
  readonly personIdSecret: string | undefined;
}

/** `DIRECTORY_LEASE_SECONDS` by default: how long a silent lease holder keeps the syncs. */
export const DIRECTORY_LEASE_DEFAULT_SECONDS = 15;

/** A day: longer periods would leave removed users in the directory for too long. */
const MAX_SYNC_SECONDS = 86_400;

function readDirectory(env: EnvReader, cache: CacheConfig): DirectoryConfig {
  const thrive = env.read('THRIVE_WEBHOOK_SECRET');
  const ispring = env.read('ISPRING_WEBHOOK_SECRET');
  return {
    mode: env.oneOf('DIRECTORY', ['index', 'live'] as const, DIRECTORY_DEFAULTS.mode),
    fullSyncSeconds: env.integer(
      'DIRECTORY_FULL_SYNC_SECONDS',
      DIRECTORY_DEFAULTS.fullSyncSeconds,
      1,
      MAX_SYNC_SECONDS,
    ),
    pollSeconds: env.integer('DIRECTORY_POLL_SECONDS', DIRECTORY_DEFAULTS.pollSeconds, 1, MAX_SYNC_SECONDS),
    webhookSecrets: {
      ...(thrive === undefined ? {} : { thrive }),
      ...(ispring === undefined ? {} : { ispring }),
    },
    personIdSecret: readPersonIdSecret(env),
    shared: readSharedDirectory(env, cache),
  };
}

function readSharedDirectory(env: EnvReader, cache: CacheConfig): ReplicaSettings | undefined {
  const leaseSeconds = env.integer('DIRECTORY_LEASE_SECONDS', DIRECTORY_LEASE_DEFAULT_SECONDS, 1, 300);
  const own = env.read('DIRECTORY_REDIS_URL');
  if (own !== undefined && !isRedisUrl(env, 'DIRECTORY_REDIS_URL', own)) return undefined;
  const url = own ?? cache.redis?.url;
  if (url === undefined) return undefined;
  return {
    url,
    prefix: cache.redis?.prefix ?? env.read('CACHE_REDIS_PREFIX') ?? REDIS_CACHE_DEFAULTS.prefix,
    timeoutMs: Math.max(cache.redis?.timeoutMs ?? REDIS_CACHE_DEFAULTS.timeoutMs, 1_000),
    leaseMs: leaseSeconds * 1000,
  };
}

function readPersonIdSecret(env: EnvReader): string | undefined {
  const secret = env.read('PERSON_ID_SECRET');
  if (secret !== undefined && secret.length < MIN_PERSON_ID_SECRET_LENGTH) {
    env.problem(
      `PERSON_ID_SECRET must be at least ${MIN_PERSON_ID_SECRET_LENGTH} characters (a random string: it keys the person ids); got ${secret.length}.`,
    );
    return undefined;
  }
  return secret;
}
