import type { EnvReader } from '../../env.js';
import type { ResilienceConfig } from '../resilience/config.js';

/**
 * Thrive's settings (`THRIVE_*`) and their reader: HTTP Basic with the tenant id and API secret, or
 * OAuth 2.0 client credentials (which win when both are set).
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
  /** The scope asked for; empty (`THRIVE_SCOPE=none`): none, and the endpoint grants every scope the client has. */
  readonly scope: string;
}

export interface ThriveConfig {
  readonly baseUrl: string;
  readonly auth: ThriveBasicAuth | ThriveOAuth;
  readonly timeoutMs: number;
  /** Most users one provider call is given (a round of the loader is split into batches of this). */
  readonly userBatchSize: number;
  /** How many Thrive requests one operation keeps in flight at once. */
  readonly concurrency: number;
  /** `perPage` for `GET /audiences` (Thrive allows up to 1000). */
  readonly audiencePageSize: number;
  /**
   * `perPage` for `GET /users`, which only the directory listing reads (`ProviderListing`); absent:
   * `THRIVE_DEFAULTS.userPageSize`, the most Thrive allows. Tests set it small to page a small
   * organisation.
   */
  readonly userPageSize?: number | undefined;
  /** Retries, deadline, in-flight bound, circuit breaker, body bound; absent: `defaultResilience('thrive')`. */
  readonly resilience?: ResilienceConfig | undefined;
}

export const DEFAULT_THRIVE_BASE_URL = 'https://public.api.learn.link/rest/v1';

export const THRIVE_DEFAULTS = Object.freeze({
  userBatchSize: 100,
  // Thrive has no bulk read: a page of 100 users is 100 requests. Sent together they cost one round
  // trip rather than ten; Thrive publishes no rate limit, and a 429 is retried with backoff.
  concurrency: 100,
  audiencePageSize: 1000,
  userPageSize: 1000,
  scope: 'api/read',
});

/** The `THRIVE_*` settings; undefined when no Thrive credential is set (Thrive is then not served). */
export function readThriveConfig(
  env: EnvReader,
  shared: { readonly timeoutMs: number; readonly resilience: ResilienceConfig },
): ThriveConfig | undefined {
  const tenantId = env.read('THRIVE_TENANT_ID');
  const apiSecret = env.read('THRIVE_API_SECRET');
  const clientId = env.read('THRIVE_CLIENT_ID');
  const clientSecret = env.read('THRIVE_CLIENT_SECRET');
  const anySet = [tenantId, apiSecret, clientId, clientSecret, env.read('THRIVE_TOKEN_URL')].some((v) => v);
  if (!anySet) return undefined;

  const before = env.problems.length;
  if (!tenantId) env.problem('THRIVE_TENANT_ID is required when any THRIVE_ credential is set.');
  else if (!/^[A-Za-z0-9_-]{1,128}$/.test(tenantId)) {
    env.problem('THRIVE_TENANT_ID must be letters, digits, "_" or "-" (e.g. eu-west-2_AbcdEfghI).');
  }
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    env.problem('THRIVE_CLIENT_ID and THRIVE_CLIENT_SECRET must be set together (OAuth mode).');
  }
  const oauth = clientId !== undefined && clientSecret !== undefined;
  if (!oauth && !apiSecret && clientId === undefined && clientSecret === undefined) {
    env.problem(
      'Thrive needs THRIVE_API_SECRET (Basic mode) or THRIVE_CLIENT_ID and THRIVE_CLIENT_SECRET (OAuth mode).',
    );
  }
  const baseUrl = env.url('THRIVE_BASE_URL', DEFAULT_THRIVE_BASE_URL);
  const tokenUrlOverride = env.url('THRIVE_TOKEN_URL', undefined);
  const userBatchSize = env.integer('THRIVE_MAX_BATCH_SIZE', THRIVE_DEFAULTS.userBatchSize, 1, 1000);
  const concurrency = env.integer('THRIVE_CONCURRENCY', THRIVE_DEFAULTS.concurrency, 1, 1000);
  const audiencePageSize = env.integer(
    'THRIVE_AUDIENCE_PAGE_SIZE',
    THRIVE_DEFAULTS.audiencePageSize,
    1,
    1000,
  );
  const timeoutMs = env.integer('THRIVE_TIMEOUT_MS', shared.timeoutMs, 100, 120_000);
  if (env.problems.length > before || !baseUrl || !tenantId) return undefined;

  const auth: ThriveConfig['auth'] = oauth
    ? {
        mode: 'oauth',
        tenantId,
        clientId,
        clientSecret,
        tokenUrl:
          tokenUrlOverride ?? `${new URL(baseUrl).origin}/oauth2/token/${encodeURIComponent(tenantId)}`,
        scope: readScope(env.read('THRIVE_SCOPE')),
      }
    : { mode: 'basic', tenantId, apiSecret: apiSecret! };
  return {
    baseUrl,
    auth,
    timeoutMs,
    userBatchSize,
    concurrency,
    audiencePageSize,
    resilience: shared.resilience,
  };
}

/** `none` asks for no scope: a Cognito-style endpoint then grants every scope the client has. */
function readScope(raw: string | undefined): string {
  if (raw === undefined) return THRIVE_DEFAULTS.scope;
  return raw.toLowerCase() === 'none' ? '' : raw;
}

/** The secrets a Thrive configuration holds, for redaction. */
export function thriveSecrets(config: ThriveConfig): string[] {
  return config.auth.mode === 'basic' ? [config.auth.apiSecret] : [config.auth.clientSecret];
}
