/**
 * Configuration is read once, by one pure function of the environment, into a frozen typed object
 * that everything downstream receives as an argument (README, "Configuration"). A bad or partial
 * configuration fails with one error that lists every problem. Messages name variables, never
 * their secret values.
 */

export interface ThriveBasicAuth {
  readonly mode: 'basic';
  readonly tenantId: string;
  readonly apiSecret: string;
}

export interface ThriveOAuth {
  readonly mode: 'oauth';
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenUrl: string;
  readonly scope: string;
}

export interface ThriveConfig {
  readonly baseUrl: string;
  readonly auth: ThriveBasicAuth | ThriveOAuth;
  readonly timeoutMs: number;
  /** DataLoader `maxBatchSize` for Thrive users (one request per user; this bounds a batch). */
  readonly userBatchSize: number;
  /** How many Thrive requests one batch keeps in flight at once. */
  readonly concurrency: number;
  /** `perPage` for `GET /audiences` (Thrive allows up to 1000). */
  readonly audiencePageSize: number;
  /** Retries, deadline, in-flight bound, circuit breaker, body bound; absent: `defaultResilience('thrive')`. */
  readonly resilience?: ResilienceConfig | undefined;
}

export interface IspringTokenAuth {
  readonly mode: 'token';
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface IspringHeaderAuth {
  readonly mode: 'headers';
  readonly accountUrl: string;
  readonly email: string;
  readonly password: string;
}

/**
 * How iSpring users are read by id (`ISPRING_USER_LOOKUP`): `auto` starts with `get` and moves on
 * when the tenant shows it ignores the form's filter (or refuses the form): `GET /users/v2` with
 * `userIds[]`, then `POST /users/v2` with an XML body, then `GET /user/{id}/v2` per id (`single`).
 */
export type IspringUserLookup = 'auto' | 'get' | 'post' | 'single';

export interface IspringConfig {
  readonly baseUrl: string;
  readonly auth: IspringTokenAuth | IspringHeaderAuth;
  /**
   * The token endpoint (token mode); absent: `POST /api/v3/token` on the base URL's origin, since an
   * account-domain base URL (`https://acct.ispringlearn.com/api/v2`) has the token at the origin.
   */
  readonly tokenUrl?: string | undefined;
  /** Default `auto`. */
  readonly userLookup?: IspringUserLookup | undefined;
  readonly timeoutMs: number;
  /** Ids per `GET /users/v2?userIds[]=…` request, and DataLoader `maxBatchSize`. */
  readonly userBatchSize: number;
  /**
   * The body format asked for with `Accept`: `xml`, the API's default and what its docs show, or
   * `json`. Either is read whatever comes back.
   */
  readonly format: 'xml' | 'json';
  /** Retries, deadline, in-flight bound, circuit breaker, body bound; absent: `defaultResilience('ispring')`. */
  readonly resilience?: ResilienceConfig | undefined;
}

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
  readonly thrive: ThriveConfig | undefined;
  readonly ispring: IspringConfig | undefined;
  /**
   * The upstream settings that do not need credentials: what the sandbox's provider configs get in
   * sandbox mode, so that `UPSTREAM_TIMEOUT_MS` and the retry and breaker settings apply there too.
   */
  readonly upstream: {
    readonly timeoutMs: number;
    readonly resilience: { readonly thrive: ResilienceConfig; readonly ispring: ResilienceConfig };
  };
  readonly routerSecret: string | undefined;
  /** Origins a browser may call `/graphql` from directly (`CORS_ORIGINS`); none by default. */
  readonly corsOrigins: readonly string[];
  /** Inbound protection: what one request may ask of the subgraph (`readLimits`). */
  readonly limits: LimitsConfig;
  /** Whether `__schema` and `__type` are answered; `_service { sdl }`, which the router reads, always is. */
  readonly introspection: boolean;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly cache: CacheConfig;
  /** GraphiQL, health, metrics, logs, tracing and workers (`readOperations`). */
  readonly operations: OperationsConfig;
}

export const DEFAULT_THRIVE_BASE_URL = 'https://public.api.learn.link/rest/v1';
export const DEFAULT_ISPRING_BASE_URL = 'https://api-learn.ispringlearn.com';

export const DEFAULTS = Object.freeze({
  port: 4001,
  host: '0.0.0.0',
  timeoutMs: 10_000,
  thriveUserBatchSize: 100,
  // Thrive has no bulk read: a page of 100 users is 100 requests. Sent together they cost one round
  // trip rather than ten; Thrive publishes no rate limit, and a 429 is retried with backoff.
  thriveConcurrency: 100,
  thriveAudiencePageSize: 1000,
  thriveScope: 'api/read',
  ispringUserBatchSize: 100,
  cacheTtlUsersSeconds: 60,
  cacheTtlDepartmentsSeconds: 300,
  cacheTtlGroupsSeconds: 300,
  cacheMaxEntries: 100_000,
  cacheMaxBytes: 128 * 1024 * 1024,
});

/** A day: data cached longer than that would be a copy of the directory, not a cache of it. */
const MAX_CACHE_TTL_SECONDS = 86_400;
/** lru-cache allocates its index up front for `max` entries, so the bound is kept modest. */
const MAX_CACHE_ENTRIES = 1_000_000;
const MIN_CACHE_BYTES = 1024 * 1024;
const MAX_CACHE_BYTES = 64 * 1024 * 1024 * 1024;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the configuration from `env`. Throws `ConfigError` listing every problem found. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}.`);
      return fallback;
    }
    return Number(raw);
  };

  const url = (name: string, fallback: string | undefined): string | undefined => {
    const raw = read(name) ?? fallback;
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      problems.push(`${name} must be an absolute http(s) URL; got a value that does not parse as a URL.`);
      return undefined;
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      problems.push(`${name} must use https (or http on loopback); got "${parsed.protocol}".`);
      return undefined;
    }
    if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
      // Both vendors refuse plain HTTP, and credentials would cross the network in clear.
      problems.push(
        `${name} must use https unless it points at this machine (loopback); got http://${parsed.host}.`,
      );
      return undefined;
    }
    if (parsed.username || parsed.password) {
      problems.push(`${name} must not carry credentials in the URL; use the credential variables instead.`);
      return undefined;
    }
    if (parsed.search || parsed.hash) {
      problems.push(`${name} must not have a query string or fragment.`);
      return undefined;
    }
    return parsed.toString().replace(/\/+$/, '');
  };

  const nodeEnv = read('NODE_ENV');
  const production = nodeEnv === 'production';

  const sandboxFlag = read('SANDBOX');
  if (sandboxFlag !== undefined && !['0', '1', 'true', 'false'].includes(sandboxFlag)) {
    problems.push(`SANDBOX must be 1 or 0; got ${JSON.stringify(sandboxFlag)}.`);
  }
  const forceSandbox = sandboxFlag === '1' || sandboxFlag === 'true';

  const logLevel = read('LOG_LEVEL') ?? (production ? 'info' : 'info');
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of debug, info, warn, error, silent; got ${JSON.stringify(logLevel)}.`,
    );
  }

  const timeoutMs = integer('UPSTREAM_TIMEOUT_MS', DEFAULTS.timeoutMs, 100, 120_000);
  const upstream = readUpstreamResilience(integer);
  const resilience = {
    thrive: readResilience('thrive', integer, upstream),
    ispring: readResilience('ispring', integer, upstream),
  };
  const thrive = withResilience(readThrive(read, integer, url, problems, timeoutMs), resilience.thrive);
  const ispring = withResilience(readIspring(read, integer, url, problems, timeoutMs), resilience.ispring);

  const noProvider = thrive === undefined && ispring === undefined;
  if (noProvider && production && !forceSandbox && problems.length === 0) {
    problems.push(
      'No provider is configured, and NODE_ENV=production does not start the sandbox. Set THRIVE_TENANT_ID with THRIVE_API_SECRET or THRIVE_CLIENT_ID/THRIVE_CLIENT_SECRET, and/or ISPRING_CLIENT_ID/ISPRING_CLIENT_SECRET or ISPRING_ACCOUNT_URL/ISPRING_EMAIL/ISPRING_PASSWORD (or SANDBOX=1 to serve the demo data).',
    );
  }

  const config: Config = {
    port: integer('PORT', DEFAULTS.port, 0, 65_535),
    host: read('HOST') ?? DEFAULTS.host,
    production,
    sandbox: forceSandbox || (noProvider && !production),
    sandboxDelayMs: integer('SANDBOX_DELAY_MS', 0, 0, 60_000),
    thrive,
    ispring,
    upstream: { timeoutMs, resilience },
    routerSecret: read('ROUTER_SECRET'),
    corsOrigins: readCorsOrigins(read, problems),
    limits: readLimits(integer),
    introspection: readIntrospection(read, problems, production),
    logLevel: logLevel as Config['logLevel'],
    operations: readOperations(read, integer, problems, production),
    cache: {
      ttlSeconds: {
        users: integer('CACHE_TTL_USERS_SECONDS', DEFAULTS.cacheTtlUsersSeconds, 0, MAX_CACHE_TTL_SECONDS),
        departments: integer(
          'CACHE_TTL_DEPARTMENTS_SECONDS',
          DEFAULTS.cacheTtlDepartmentsSeconds,
          0,
          MAX_CACHE_TTL_SECONDS,
        ),
        groups: integer('CACHE_TTL_GROUPS_SECONDS', DEFAULTS.cacheTtlGroupsSeconds, 0, MAX_CACHE_TTL_SECONDS),
      },
      maxEntries: integer('CACHE_MAX_ENTRIES', DEFAULTS.cacheMaxEntries, 1, MAX_CACHE_ENTRIES),
      maxBytes: integer('CACHE_MAX_BYTES', DEFAULTS.cacheMaxBytes, MIN_CACHE_BYTES, MAX_CACHE_BYTES),
      redis: readRedisCache(read, integer, problems),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

type Read = (name: string) => string | undefined;
type ReadInteger = (name: string, fallback: number, min: number, max: number) => number;
type ReadUrl = (name: string, fallback: string | undefined) => string | undefined;

// --- Inbound protection (issue 4): limits on what one request may ask, and introspection. ---

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

function readLimits(integer: ReadInteger): LimitsConfig {
  return {
    // 2 is the least that lets the router read `_service { sdl }`.
    maxQueryDepth: integer('MAX_QUERY_DEPTH', LIMIT_DEFAULTS.maxQueryDepth, 2, 1000),
    maxAliases: integer('MAX_ALIASES', LIMIT_DEFAULTS.maxAliases, 0, 100_000),
    maxFields: integer('MAX_FIELDS', LIMIT_DEFAULTS.maxFields, 1, 1_000_000),
    maxUsersIds: integer('MAX_USERS_IDS', LIMIT_DEFAULTS.maxUsersIds, 1, 100_000),
    maxRepresentations: integer('MAX_REPRESENTATIONS', LIMIT_DEFAULTS.maxRepresentations, 1, 100_000),
    maxIdsPerOperation: integer('MAX_IDS_PER_OPERATION', LIMIT_DEFAULTS.maxIdsPerOperation, 1, 100_000),
    maxUpstreamRequestsPerOperation: integer(
      'MAX_UPSTREAM_REQUESTS_PER_OPERATION',
      LIMIT_DEFAULTS.maxUpstreamRequestsPerOperation,
      1,
      1_000_000,
    ),
    maxBodyBytes: integer('MAX_BODY_BYTES', LIMIT_DEFAULTS.maxBodyBytes, 1024, 64 * 1024 * 1024),
    headersTimeoutMs: integer('SERVER_HEADERS_TIMEOUT_MS', LIMIT_DEFAULTS.headersTimeoutMs, 1000, 600_000),
    requestTimeoutMs: integer('SERVER_REQUEST_TIMEOUT_MS', LIMIT_DEFAULTS.requestTimeoutMs, 1000, 3_600_000),
    keepAliveTimeoutMs: integer(
      'SERVER_KEEP_ALIVE_TIMEOUT_MS',
      LIMIT_DEFAULTS.keepAliveTimeoutMs,
      1000,
      3_600_000,
    ),
  };
}

/** `INTROSPECTION`: on by default, off by default in production. */
function readIntrospection(read: Read, problems: string[], production: boolean): boolean {
  const raw = read('INTROSPECTION')?.toLowerCase();
  if (raw === undefined) return !production;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  problems.push(`INTROSPECTION must be true or false; got ${JSON.stringify(raw.slice(0, 40))}.`);
  return !production;
}

/**
 * `CORS_ORIGINS`: comma-separated origins, each exactly as a browser sends it in `Origin`
 * (`http://localhost:5173`: scheme, host and a port other than the scheme's default; no path, not
 * even `/`). Never `*`.
 */
function readCorsOrigins(read: Read, problems: string[]): readonly string[] {
  const origins: string[] = [];
  for (const item of (read('CORS_ORIGINS') ?? '').split(',')) {
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
      problems.push('CORS_ORIGINS must name each origin; "*" (any origin) is not accepted.');
    } else {
      const hint = origin === undefined ? '' : `; did you mean "${origin}"?`;
      problems.push(
        `CORS_ORIGINS: ${JSON.stringify(value.slice(0, 100))} is not an origin such as http://localhost:5173 (http or https, a host, an optional port, no path)${hint}`,
      );
    }
  }
  return origins;
}

// --- End of inbound protection. ---

// --- Operations (issue 5): GraphiQL, health, logs, tracing, workers. ---

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
}

export const OPERATIONS_DEFAULTS = Object.freeze({
  healthCheckIntervalMs: 15_000,
  healthCheckTimeoutMs: 5_000,
});

/** Most workers `WORKERS` accepts: far above any core count, low enough to catch a typo. */
const MAX_WORKERS = 256;

function readOperations(
  read: Read,
  integer: ReadInteger,
  problems: string[],
  production: boolean,
): OperationsConfig {
  const introspection = readIntrospection(read, [], production);
  const logFormat = read('LOG_FORMAT')?.toLowerCase() ?? 'auto';
  if (!['json', 'pretty', 'auto'].includes(logFormat)) {
    problems.push(`LOG_FORMAT must be json, pretty or auto; got ${JSON.stringify(logFormat.slice(0, 40))}.`);
  }
  const rawWorkers = read('WORKERS')?.toLowerCase();
  let workers: number | 'auto' = 1;
  if (rawWorkers === 'auto') workers = 'auto';
  else if (rawWorkers !== undefined) {
    if (/^\d+$/.test(rawWorkers) && Number(rawWorkers) >= 1 && Number(rawWorkers) <= MAX_WORKERS) {
      workers = Number(rawWorkers);
    } else {
      problems.push(
        `WORKERS must be a whole number from 1 to ${MAX_WORKERS}, or auto (one per core); got ${JSON.stringify(rawWorkers.slice(0, 40))}.`,
      );
    }
  }
  return {
    // GraphiQL is of little use without introspection, so it follows INTROSPECTION unless set.
    graphiql: readBoolean(read, problems, 'GRAPHIQL', introspection),
    inlineTracing: readBoolean(read, problems, 'INLINE_TRACING', true),
    logFormat: logFormat as OperationsConfig['logFormat'],
    healthCheckIntervalMs: integer(
      'HEALTH_CHECK_INTERVAL_MS',
      OPERATIONS_DEFAULTS.healthCheckIntervalMs,
      0,
      3_600_000,
    ),
    healthCheckTimeoutMs: integer(
      'HEALTH_CHECK_TIMEOUT_MS',
      OPERATIONS_DEFAULTS.healthCheckTimeoutMs,
      100,
      120_000,
    ),
    workers,
  };
}

function readBoolean(read: Read, problems: string[], name: string, fallback: boolean): boolean {
  const raw = read(name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  problems.push(`${name} must be true or false; got ${JSON.stringify(raw.slice(0, 40))}.`);
  return fallback;
}

// --- End of operations. ---

export const REDIS_CACHE_DEFAULTS = Object.freeze({ prefix: 'learning-directory:', timeoutMs: 250 });

/** `CACHE_REDIS_URL`, `CACHE_REDIS_PREFIX`, `CACHE_REDIS_TIMEOUT_MS`; undefined without the URL. */
function readRedisCache(read: Read, integer: ReadInteger, problems: string[]): RedisCacheConfig | undefined {
  const raw = read('CACHE_REDIS_URL');
  const timeoutMs = integer('CACHE_REDIS_TIMEOUT_MS', REDIS_CACHE_DEFAULTS.timeoutMs, 10, 60_000);
  const prefix = read('CACHE_REDIS_PREFIX') ?? REDIS_CACHE_DEFAULTS.prefix;
  if (!/^[\x21-\x7e]{0,100}$/.test(prefix)) {
    problems.push('CACHE_REDIS_PREFIX must be at most 100 printable characters without spaces.');
  }
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The value may hold a password: it is not repeated.
    problems.push(
      'CACHE_REDIS_URL must be a URL such as redis://127.0.0.1:6379 or rediss://:password@host:6380/0.',
    );
    return undefined;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    problems.push(`CACHE_REDIS_URL must start with redis:// or rediss:// (TLS); got "${url.protocol}//".`);
    return undefined;
  }
  if (url.hostname === '') {
    problems.push('CACHE_REDIS_URL must name a host, e.g. redis://127.0.0.1:6379.');
    return undefined;
  }
  return { url: raw, prefix, timeoutMs };
}

function readThrive(
  read: Read,
  integer: ReadInteger,
  url: ReadUrl,
  problems: string[],
  timeoutMs: number,
): ThriveConfig | undefined {
  const tenantId = read('THRIVE_TENANT_ID');
  const apiSecret = read('THRIVE_API_SECRET');
  const clientId = read('THRIVE_CLIENT_ID');
  const clientSecret = read('THRIVE_CLIENT_SECRET');
  const anySet = [tenantId, apiSecret, clientId, clientSecret, read('THRIVE_TOKEN_URL')].some((v) => v);
  if (!anySet) return undefined;

  const before = problems.length;
  if (!tenantId) problems.push('THRIVE_TENANT_ID is required when any THRIVE_ credential is set.');
  else if (!/^[A-Za-z0-9_-]{1,128}$/.test(tenantId)) {
    problems.push('THRIVE_TENANT_ID must be letters, digits, "_" or "-" (e.g. eu-west-2_AbcdEfghI).');
  }
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    problems.push('THRIVE_CLIENT_ID and THRIVE_CLIENT_SECRET must be set together (OAuth mode).');
  }
  const oauth = clientId !== undefined && clientSecret !== undefined;
  if (!oauth && !apiSecret && clientId === undefined && clientSecret === undefined) {
    problems.push(
      'Thrive needs THRIVE_API_SECRET (Basic mode) or THRIVE_CLIENT_ID and THRIVE_CLIENT_SECRET (OAuth mode).',
    );
  }
  const baseUrl = url('THRIVE_BASE_URL', DEFAULT_THRIVE_BASE_URL);
  const tokenUrlOverride = url('THRIVE_TOKEN_URL', undefined);
  const userBatchSize = integer('THRIVE_MAX_BATCH_SIZE', DEFAULTS.thriveUserBatchSize, 1, 1000);
  const concurrency = integer('THRIVE_CONCURRENCY', DEFAULTS.thriveConcurrency, 1, 1000);
  const audiencePageSize = integer('THRIVE_AUDIENCE_PAGE_SIZE', DEFAULTS.thriveAudiencePageSize, 1, 1000);
  if (problems.length > before || !baseUrl || !tenantId) return undefined;

  const auth: ThriveConfig['auth'] = oauth
    ? {
        mode: 'oauth',
        tenantId,
        clientId,
        clientSecret,
        tokenUrl:
          tokenUrlOverride ?? `${new URL(baseUrl).origin}/oauth2/token/${encodeURIComponent(tenantId)}`,
        // `none` asks for no scope: a Cognito-style endpoint then grants every scope the client has.
        scope: readScope(read('THRIVE_SCOPE')),
      }
    : { mode: 'basic', tenantId, apiSecret: apiSecret! };
  return {
    baseUrl,
    auth,
    timeoutMs: integer('THRIVE_TIMEOUT_MS', timeoutMs, 100, 120_000),
    userBatchSize,
    concurrency,
    audiencePageSize,
  };
}

function readIspring(
  read: Read,
  integer: ReadInteger,
  url: ReadUrl,
  problems: string[],
  timeoutMs: number,
): IspringConfig | undefined {
  const clientId = read('ISPRING_CLIENT_ID');
  const clientSecret = read('ISPRING_CLIENT_SECRET');
  const accountUrl = read('ISPRING_ACCOUNT_URL');
  const email = read('ISPRING_EMAIL');
  const password = read('ISPRING_PASSWORD');
  if (![clientId, clientSecret, accountUrl, email, password].some((v) => v)) return undefined;

  const before = problems.length;
  const tokenMode = clientId !== undefined || clientSecret !== undefined;
  if (tokenMode && (clientId === undefined || clientSecret === undefined)) {
    problems.push('ISPRING_CLIENT_ID and ISPRING_CLIENT_SECRET must be set together (token mode).');
  }
  if (!tokenMode) {
    const missing = [
      ['ISPRING_ACCOUNT_URL', accountUrl],
      ['ISPRING_EMAIL', email],
      ['ISPRING_PASSWORD', password],
    ]
      .filter(([, value]) => value === undefined)
      .map(([name]) => name);
    if (missing.length > 0) {
      problems.push(
        `iSpring header mode needs ${missing.join(', ')} as well (or use ISPRING_CLIENT_ID/SECRET).`,
      );
    }
  }
  const checkedAccountUrl = accountUrl === undefined ? undefined : url('ISPRING_ACCOUNT_URL', undefined);
  const baseUrl = url('ISPRING_BASE_URL', DEFAULT_ISPRING_BASE_URL);
  const tokenUrl = url('ISPRING_TOKEN_URL', undefined);
  const userLookup = (read('ISPRING_USER_LOOKUP') ?? 'auto').toLowerCase();
  if (!ISPRING_USER_LOOKUPS.includes(userLookup as IspringUserLookup)) {
    problems.push(
      `ISPRING_USER_LOOKUP must be one of ${ISPRING_USER_LOOKUPS.join(', ')}; got ${JSON.stringify(userLookup.slice(0, 40))}.`,
    );
  }
  const userBatchSize = integer('ISPRING_MAX_BATCH_SIZE', DEFAULTS.ispringUserBatchSize, 1, 500);
  const format = (read('ISPRING_FORMAT') ?? 'xml').toLowerCase();
  if (format !== 'xml' && format !== 'json') {
    problems.push(`ISPRING_FORMAT must be xml or json; got ${JSON.stringify(format.slice(0, 40))}.`);
  }
  if (problems.length > before || !baseUrl) return undefined;

  const auth: IspringConfig['auth'] = tokenMode
    ? { mode: 'token', clientId: clientId!, clientSecret: clientSecret! }
    : { mode: 'headers', accountUrl: checkedAccountUrl!, email: email!, password: password! };
  return {
    baseUrl,
    auth,
    ...(tokenUrl === undefined ? {} : { tokenUrl }),
    userLookup: userLookup as IspringUserLookup,
    timeoutMs: integer('ISPRING_TIMEOUT_MS', timeoutMs, 100, 120_000),
    userBatchSize,
    format: format as IspringConfig['format'],
  };
}

function readScope(raw: string | undefined): string {
  if (raw === undefined) return DEFAULTS.thriveScope;
  return raw.toLowerCase() === 'none' ? '' : raw;
}

const ISPRING_USER_LOOKUPS: readonly IspringUserLookup[] = ['auto', 'get', 'post', 'single'];

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Every secret a configuration holds, for redaction. */
export function secretsOf(
  config: Pick<Config, 'thrive' | 'ispring' | 'routerSecret'> & { cache?: Pick<CacheConfig, 'redis'> },
): string[] {
  const secrets: string[] = [];
  const redisPassword = config.cache?.redis && new URL(config.cache.redis.url).password;
  if (redisPassword) secrets.push(decodeURIComponent(redisPassword), redisPassword);
  const thrive = config.thrive?.auth;
  if (thrive?.mode === 'basic') secrets.push(thrive.apiSecret);
  if (thrive?.mode === 'oauth') secrets.push(thrive.clientSecret);
  const ispring = config.ispring?.auth;
  if (ispring?.mode === 'token') secrets.push(ispring.clientSecret);
  if (ispring?.mode === 'headers') secrets.push(ispring.password);
  if (config.routerSecret) secrets.push(config.routerSecret);
  return secrets;
}

// --- Upstream resilience (issue 4): retries, the operation deadline, the in-flight bound, the ---
// --- circuit breaker and the body bound, per provider. `loadConfig` adds it to each provider. ---

/** When a failed upstream request is sent again, as data (see `retryDelayMs`). */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 sends each request once. */
  readonly retries: number;
  /** The cap of the first retry's jittered delay, doubled for each retry after it. */
  readonly baseDelayMs: number;
  /** No jittered delay is longer than this. */
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error is returned, with it. */
  readonly maxRetryAfterSeconds: number;
}

/** When a provider's circuit opens, and for how long (see `CircuitBreaker`). */
export interface BreakerPolicy {
  /** Consecutive failures (timeout, connection failure, 5xx, after retries) that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one request probes the provider. */
  readonly openMs: number;
}

export interface ResilienceConfig {
  readonly retry: RetryPolicy;
  readonly breaker: BreakerPolicy;
  /** Requests to this provider in flight at once, process-wide (token requests aside). */
  readonly maxInFlight: number;
  /** How long one GraphQL operation may spend on this provider's requests, retries included. */
  readonly deadlineMs: number;
  /** The largest response body read; a larger one is refused without reading the rest. */
  readonly maxBodyBytes: number;
}

export const RESILIENCE_DEFAULTS = Object.freeze({
  retries: 2,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 2000,
  maxRetryAfterSeconds: 5,
  breakerFailures: 5,
  breakerOpenMs: 10_000,
  deadlineMs: 15_000,
  maxBodyBytes: 16 * 1024 * 1024,
  maxInFlight: { thrive: 100, ispring: 8 },
});

/** The resilience a provider config without one gets (the sandbox's configs, tests). */
export function defaultResilience(provider: 'thrive' | 'ispring'): ResilienceConfig {
  return {
    retry: {
      retries: RESILIENCE_DEFAULTS.retries,
      baseDelayMs: RESILIENCE_DEFAULTS.retryBaseDelayMs,
      maxDelayMs: RESILIENCE_DEFAULTS.retryMaxDelayMs,
      maxRetryAfterSeconds: RESILIENCE_DEFAULTS.maxRetryAfterSeconds,
    },
    breaker: {
      failureThreshold: RESILIENCE_DEFAULTS.breakerFailures,
      openMs: RESILIENCE_DEFAULTS.breakerOpenMs,
    },
    maxInFlight: RESILIENCE_DEFAULTS.maxInFlight[provider],
    deadlineMs: RESILIENCE_DEFAULTS.deadlineMs,
    maxBodyBytes: RESILIENCE_DEFAULTS.maxBodyBytes,
  };
}

interface UpstreamResilience {
  readonly deadlineMs: number;
  readonly maxBodyBytes: number;
}

/** The settings both providers share; read once, so a bad value is reported once. */
function readUpstreamResilience(integer: ReadInteger): UpstreamResilience {
  return {
    deadlineMs: integer('UPSTREAM_DEADLINE_MS', RESILIENCE_DEFAULTS.deadlineMs, 100, 600_000),
    maxBodyBytes: integer('UPSTREAM_MAX_BODY_BYTES', RESILIENCE_DEFAULTS.maxBodyBytes, 1024, 1024 ** 3),
  };
}

/** `THRIVE_*` or `ISPRING_*`: retries, in-flight bound and breaker of one provider. */
function readResilience(
  provider: 'thrive' | 'ispring',
  integer: ReadInteger,
  upstream: UpstreamResilience,
): ResilienceConfig {
  const prefix = provider.toUpperCase();
  const defaults = defaultResilience(provider);
  return {
    retry: {
      retries: integer(`${prefix}_RETRIES`, defaults.retry.retries, 0, 10),
      baseDelayMs: integer(`${prefix}_RETRY_BASE_DELAY_MS`, defaults.retry.baseDelayMs, 0, 60_000),
      maxDelayMs: integer(`${prefix}_RETRY_MAX_DELAY_MS`, defaults.retry.maxDelayMs, 0, 300_000),
      maxRetryAfterSeconds: integer(
        `${prefix}_RETRY_AFTER_MAX_SECONDS`,
        defaults.retry.maxRetryAfterSeconds,
        0,
        3600,
      ),
    },
    breaker: {
      failureThreshold: integer(`${prefix}_BREAKER_FAILURES`, defaults.breaker.failureThreshold, 1, 1000),
      openMs: integer(`${prefix}_BREAKER_OPEN_MS`, defaults.breaker.openMs, 100, 3_600_000),
    },
    maxInFlight: integer(`${prefix}_MAX_IN_FLIGHT`, defaults.maxInFlight, 1, 1000),
    deadlineMs: upstream.deadlineMs,
    maxBodyBytes: upstream.maxBodyBytes,
  };
}

function withResilience<T extends ThriveConfig | IspringConfig>(
  config: T | undefined,
  resilience: ResilienceConfig,
): T | undefined {
  return config && { ...config, resilience };
}

// --- End of upstream resilience. ---
