import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { ThriveConfig } from '../../config.js';
import { PayloadShapeError, ProviderError, type SecretRedactor } from '../../errors.js';
import type { UserModel } from '../../models.js';
import {
  bodyShapeError,
  createUpstreamClient,
  listNotFoundError,
  type RequestOptions,
  type UpstreamResponse,
} from '../http.js';
import { createResilience, type ProviderResilience } from '../resilience/index.js';
import { createThriveAuth } from './auth.js';
import {
  decodeThriveAudience,
  decodeThriveAudiencePage,
  decodeThriveUser,
  parseThriveJson,
} from './decode.js';
import { toUserModel } from './mapper.js';
import type { ThriveAudience } from './wire.js';

/**
 * The Thrive REST API v1 as this subgraph reads it: one request per call, bodies decoded and
 * checked. Every failure is a `ProviderError`; "not found" is null.
 */
export interface ThriveClient {
  /** `GET /user/{id}` mapped to a model; null on 404. */
  fetchUser(id: string, call?: RequestOptions): Promise<UserModel | null>;
  /** `GET /audiences/{id}`; null on 404. */
  fetchAudience(id: string, call?: RequestOptions): Promise<ThriveAudience | null>;
  /** `GET /audiences`, every page, each audience once. */
  listAudiences(call?: RequestOptions): Promise<ThriveAudience[]>;
  /** The cheapest authenticated request: `GET /audiences?page=1&perPage=1`. */
  checkCredentials(): Promise<void>;
  /**
   * Obtains credentials (an OAuth token) up front, so a failure there fails a whole batch once;
   * fails fast while Thrive's circuit is open.
   */
  prepare(call?: RequestOptions): Promise<void>;
}

/** Endpoint templates, as errors, logs and the sandbox name them. */
export const THRIVE_ENDPOINTS = Object.freeze({
  user: 'GET /user/{id}',
  audiences: 'GET /audiences',
  audience: 'GET /audiences/{id}',
});

/** Bounds a list read whose pagination never ends (a misbehaving server), at a million audiences. */
const MAX_AUDIENCE_PAGES = 1000;

export function createThriveClient(
  config: ThriveConfig,
  redactor: SecretRedactor,
  tokenStore?: KeyValueCache<string>,
  resilience: ProviderResilience = createResilience('thrive', config.resilience),
): ThriveClient {
  const auth = createThriveAuth(config, redactor, tokenStore, resilience);
  const upstream = createUpstreamClient({
    provider: 'thrive',
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    auth,
    redactor,
    headers: { accept: 'application/json' },
    resilience,
  });

  const get = upstream.get;

  async function readAudiencePage(page: number, perPage: number, call?: RequestOptions) {
    const response = await get(
      THRIVE_ENDPOINTS.audiences,
      'audiences',
      new URLSearchParams({ page: String(page), perPage: String(perPage) }),
      call,
    );
    if (response.status === 404) throw listNotFound(THRIVE_ENDPOINTS.audiences);
    return interpret(THRIVE_ENDPOINTS.audiences, response, decodeThriveAudiencePage);
  }

  return {
    async fetchUser(id, call) {
      const response = await get(THRIVE_ENDPOINTS.user, `user/${encodeURIComponent(id)}`, undefined, call);
      if (response.status === 404) return null;
      return interpret(THRIVE_ENDPOINTS.user, response, (json) => toUserModel(decodeThriveUser(json)));
    },

    async fetchAudience(id, call) {
      const response = await get(
        THRIVE_ENDPOINTS.audience,
        `audiences/${encodeURIComponent(id)}`,
        undefined,
        call,
      );
      if (response.status === 404) return null;
      return interpret(THRIVE_ENDPOINTS.audience, response, (json) => decodeThriveAudience(json));
    },

    async listAudiences(call) {
      const perPage = config.audiencePageSize;
      const byId = new Map<string, ThriveAudience>();
      for (let page = 1; ; page += 1) {
        const body = await readAudiencePage(page, perPage, call);
        // A list that shifts between page reads may repeat an audience; the first copy is kept.
        for (const audience of body.results) if (!byId.has(audience.id)) byId.set(audience.id, audience);
        const last = body.pagination
          ? page >= body.pagination.totalPages
          : // No pagination: a short page is the last one (Airbyte's reading of this API).
            body.results.length < perPage;
        if (last || body.results.length === 0) break;
        if (page >= MAX_AUDIENCE_PAGES) {
          throw new ProviderError(
            'UPSTREAM_BAD_RESPONSE',
            'thrive',
            `Thrive's ${THRIVE_ENDPOINTS.audiences} kept returning full pages after ${MAX_AUDIENCE_PAGES} pages; stopped reading.`,
            { endpoint: THRIVE_ENDPOINTS.audiences },
          );
        }
      }
      return [...byId.values()];
    },

    async checkCredentials() {
      await readAudiencePage(1, 1);
    },

    prepare: (call) => upstream.prepare(call),
  };
}

/** Decodes a 2xx body; a body that is not the documented shape becomes `UPSTREAM_BAD_RESPONSE`. */
function interpret<T>(endpoint: string, response: UpstreamResponse, read: (json: unknown) => T): T {
  try {
    return read(parseThriveJson(response.body));
  } catch (error) {
    if (!(error instanceof PayloadShapeError)) throw error;
    throw bodyShapeError('thrive', endpoint, response, error, 'JSON');
  }
}

function listNotFound(endpoint: string): ProviderError {
  return listNotFoundError(
    'thrive',
    endpoint,
    'tenant has. Check THRIVE_BASE_URL (e.g. https://public.api.learn.link/rest/v1)',
  );
}
