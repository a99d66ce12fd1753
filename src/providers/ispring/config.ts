import type { EnvReader } from '../../env.js';
import type { ResilienceConfig } from '../resilience/config.js';

/**
 * iSpring's settings (`ISPRING_*`) and their reader: token mode (an API client's id and secret,
 * which wins when set) or the legacy header mode (account URL, email and password).
 */

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

export const ISPRING_USER_LOOKUPS: readonly IspringUserLookup[] = ['auto', 'get', 'post', 'single'];

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
  /** Most users one provider call is given (a loader round is split into batches of this); each batch is split into URLs of at most 4 KB. */
  readonly userBatchSize: number;
  /**
   * The body format asked for with `Accept`: `xml`, the API's default and what its docs show, or
   * `json`. Either is read whatever comes back.
   */
  readonly format: 'xml' | 'json';
  /**
   * `pageSize` for `GET /users/v2` read page by page, which only the directory listing does
   * (`ProviderListing`); absent: `ISPRING_DEFAULTS.userPageSize`, the most iSpring allows (and its
   * default). Tests set it small to page a small organisation.
   */
  readonly userPageSize?: number | undefined;
  /** Retries, deadline, in-flight bound, circuit breaker, body bound; absent: `defaultResilience('ispring')`. */
  readonly resilience?: ResilienceConfig | undefined;
}

export const DEFAULT_ISPRING_BASE_URL = 'https://api-learn.ispringlearn.com';

export const ISPRING_DEFAULTS = Object.freeze({
  userBatchSize: 100,
  format: 'xml' as const,
  userPageSize: 1000,
});

/** The `ISPRING_*` settings; undefined when no iSpring credential is set (iSpring is then not served). */
export function readIspringConfig(
  env: EnvReader,
  shared: { readonly timeoutMs: number; readonly resilience: ResilienceConfig },
): IspringConfig | undefined {
  const clientId = env.read('ISPRING_CLIENT_ID');
  const clientSecret = env.read('ISPRING_CLIENT_SECRET');
  const accountUrl = env.read('ISPRING_ACCOUNT_URL');
  const email = env.read('ISPRING_EMAIL');
  const password = env.read('ISPRING_PASSWORD');
  if (![clientId, clientSecret, accountUrl, email, password].some((v) => v)) return undefined;

  const before = env.problems.length;
  const tokenMode = clientId !== undefined || clientSecret !== undefined;
  if (tokenMode && (clientId === undefined || clientSecret === undefined)) {
    env.problem('ISPRING_CLIENT_ID and ISPRING_CLIENT_SECRET must be set together (token mode).');
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
      env.problem(
        `iSpring header mode needs ${missing.join(', ')} as well (or use ISPRING_CLIENT_ID/SECRET).`,
      );
    }
  }
  const checkedAccountUrl = accountUrl === undefined ? undefined : env.url('ISPRING_ACCOUNT_URL', undefined);
  const baseUrl = env.url('ISPRING_BASE_URL', DEFAULT_ISPRING_BASE_URL);
  const tokenUrl = env.url('ISPRING_TOKEN_URL', undefined);
  const userLookup = env.oneOf('ISPRING_USER_LOOKUP', ISPRING_USER_LOOKUPS, 'auto');
  const userBatchSize = env.integer('ISPRING_MAX_BATCH_SIZE', ISPRING_DEFAULTS.userBatchSize, 1, 500);
  const format = env.oneOf('ISPRING_FORMAT', ['xml', 'json'] as const, ISPRING_DEFAULTS.format);
  const timeoutMs = env.integer('ISPRING_TIMEOUT_MS', shared.timeoutMs, 100, 120_000);
  if (env.problems.length > before || !baseUrl) return undefined;

  const auth: IspringConfig['auth'] = tokenMode
    ? { mode: 'token', clientId: clientId!, clientSecret: clientSecret! }
    : { mode: 'headers', accountUrl: checkedAccountUrl!, email: email!, password: password! };
  return {
    baseUrl,
    auth,
    ...(tokenUrl === undefined ? {} : { tokenUrl }),
    userLookup,
    timeoutMs,
    userBatchSize,
    format,
    resilience: shared.resilience,
  };
}

/** The secrets an iSpring configuration holds, for redaction. */
export function ispringSecrets(config: IspringConfig): string[] {
  return config.auth.mode === 'token' ? [config.auth.clientSecret] : [config.auth.password];
}
