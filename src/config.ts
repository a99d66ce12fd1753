/**
 * Configuration is read once, by one pure function of the environment, into a frozen typed object
 * that everything downstream receives as an argument (contract section 2). A bad or partial
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

export interface IspringConfig {
  readonly baseUrl: string;
  readonly auth: IspringTokenAuth | IspringHeaderAuth;
  readonly timeoutMs: number;
  /** Ids per `GET /users/v2?userIds[]=…` request, and DataLoader `maxBatchSize`. */
  readonly userBatchSize: number;
  /**
   * The body format asked for with `Accept`: `xml`, the API's default and what its docs show, or
   * `json`. Either is read whatever comes back.
   */
  readonly format: 'xml' | 'json';
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
  readonly routerSecret: string | undefined;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly cache: CacheConfig;
}

export const DEFAULT_THRIVE_BASE_URL = 'https://public.api.learn.link/rest/v1';
export const DEFAULT_ISPRING_BASE_URL = 'https://api-learn.ispringlearn.com';

export const DEFAULTS = Object.freeze({
  port: 4001,
  host: '0.0.0.0',
  timeoutMs: 10_000,
  thriveUserBatchSize: 100,
  thriveConcurrency: 10,
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
  const thrive = readThrive(read, integer, url, problems, timeoutMs);
  const ispring = readIspring(read, integer, url, problems, timeoutMs);

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
    routerSecret: read('ROUTER_SECRET'),
    logLevel: logLevel as Config['logLevel'],
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
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

type Read = (name: string) => string | undefined;
type ReadInteger = (name: string, fallback: number, min: number, max: number) => number;
type ReadUrl = (name: string, fallback: string | undefined) => string | undefined;

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
  const concurrency = integer('THRIVE_CONCURRENCY', DEFAULTS.thriveConcurrency, 1, 100);
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
        scope: read('THRIVE_SCOPE') ?? DEFAULTS.thriveScope,
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
    timeoutMs: integer('ISPRING_TIMEOUT_MS', timeoutMs, 100, 120_000),
    userBatchSize,
    format: format as IspringConfig['format'],
  };
}

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
export function secretsOf(config: Pick<Config, 'thrive' | 'ispring' | 'routerSecret'>): string[] {
  const secrets: string[] = [];
  const thrive = config.thrive?.auth;
  if (thrive?.mode === 'basic') secrets.push(thrive.apiSecret);
  if (thrive?.mode === 'oauth') secrets.push(thrive.clientSecret);
  const ispring = config.ispring?.auth;
  if (ispring?.mode === 'token') secrets.push(ispring.clientSecret);
  if (ispring?.mode === 'headers') secrets.push(ispring.password);
  if (config.routerSecret) secrets.push(config.routerSecret);
  return secrets;
}
