import type { TokenKeyValueCache } from '../types.js';
import type { ThriveConfig } from './config.js';
import { PayloadShapeError, ProviderError } from '../../errors.js';
import { type SecretRedactor } from '../../redaction.js';
import type { UserModel } from '../../models.js';
import { bodyShapeError, listNotFoundError, notFoundPageError } from '../http/errors.js';
import { createUpstreamClient } from '../http/client.js';
import { type CallOptions, type UpstreamResponse } from '../http/types.js';
import { PayloadIssues, type PayloadIssue } from '../../payload.js';
import { readPageOffThread } from '../pages/off-thread.js';
import type { UsersPage } from './user-pages.js';
import { createResilience, type ProviderResilience } from '../resilience/index.js';
import { createThriveAuth } from './auth.js';
import {
  decodeThriveAudience,
  decodeThriveAudiencePage,
  decodeThriveUser,
  parseThriveJson,
} from './decode.js';
import { areStubs, toUserModel } from './mapper.js';
import type { ThriveAudience } from './wire.js';
import { THRIVE_ENDPOINTS } from './endpoints.js';

/**
 * The Thrive REST API v1 as this subgraph reads it: one request per call, bodies decoded and
 * checked. Every failure is a `ProviderError`; "not found" is null.
 *
 * Users come back as models, audiences as wire records: a user is mapped where its payload's
 * issues are known (one unreadable profile fails that id alone), while one audience serves both a
 * department and a group, so the provider maps it to whichever was asked for.
 */
export interface ThriveClient {
  /** `GET /user/{id}` mapped to a model; null when Thrive has no such user. */
  fetchUser(id: string, call?: CallOptions): Promise<UserModel | null>;
  /** `GET /audiences/{id}`: the whole audience, `parent` included; null on 404. */
  fetchAudience(id: string, call?: CallOptions): Promise<ThriveAudience | null>;
  /**
   * `GET /audiences`, every page, each audience once. `stubs`: the items carry no `parent` at all
   * (`AudienceStub`s), so the list cannot tell the tree.
   */
  listAudiences(call?: CallOptions): Promise<AudienceList>;
  /**
   * One page of `GET /users` (`page` from 1), its users mapped to models. `updatedSince` (already
   * an ISO 8601 instant) asks for the users changed on or after it.
   */
  readUsersPage(
    page: number,
    options: { readonly perPage: number; readonly updatedSince?: string | undefined },
    call?: CallOptions,
  ): Promise<UsersPage>;
  /** The cheapest authenticated request: `GET /audiences?page=1&perPage=1`. */
  checkCredentials(): Promise<void>;
  /**
   * Obtains credentials (an OAuth token) up front, so a failure there fails a whole batch once;
   * fails fast while Thrive's circuit is open.
   */
  prepare(call?: CallOptions): Promise<void>;
}

export interface AudienceList {
  readonly audiences: readonly ThriveAudience[];
  readonly stubs: boolean;
}

/** Bounds a list read whose pagination never ends (a misbehaving server), at a million audiences. */
const MAX_AUDIENCE_PAGES = 1000;

/**
 * Thrive's user ids are MongoDB ObjectIds. Thrive may answer 400 ("id must be a valid ObjectId")
 * rather than 404 to a by-id read of anything else: no user has such an id, so that 400 is "not
 * found" too. A 400 to a well-formed id stays an error.
 */
const OBJECT_ID = /^[0-9a-f]{24}$/i;

export function createThriveClient(
  config: ThriveConfig,
  redactor: SecretRedactor,
  tokenStore?: TokenKeyValueCache,
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
  const { observer } = resilience;

  /** Decodes a 2xx body, reporting what a lenient decode left out; a bad body is `UPSTREAM_BAD_RESPONSE`. */
  function interpret<T>(
    endpoint: string,
    response: UpstreamResponse,
    read: (json: unknown, issues: PayloadIssues) => T,
    call?: CallOptions,
  ): T {
    const issues = new PayloadIssues();
    let value: T;
    try {
      value = read(parseThriveJson(response.body), issues);
    } catch (error) {
      if (!(error instanceof PayloadShapeError)) throw error;
      throw bodyShapeError('thrive', endpoint, response, error, 'JSON');
    }
    if (issues.count > 0) {
      observer.payloadIssues({ provider: 'thrive', endpoint, issues: issues.list(), caller: call?.caller });
    }
    return value;
  }

  /** A by-id read's "not found": null, unless a web page stands in for the API's answer. */
  function notFound(endpoint: string, response: UpstreamResponse): null {
    const page = notFoundPageError('thrive', endpoint, response, 'THRIVE_BASE_URL');
    if (page) throw page;
    return null;
  }

  async function readAudiencePage(page: number, perPage: number, call?: CallOptions) {
    const response = await upstream.get(
      THRIVE_ENDPOINTS.audiences,
      'audiences',
      new URLSearchParams({ page: String(page), perPage: String(perPage) }),
      call,
    );
    if (response.status === 404) throw listNotFound(THRIVE_ENDPOINTS.audiences);
    return interpret(THRIVE_ENDPOINTS.audiences, response, decodeThriveAudiencePage, call);
  }

  return {
    async fetchUser(id, call) {
      const endpoint = THRIVE_ENDPOINTS.user;
      const notFoundStatuses = OBJECT_ID.test(id) ? [404] : [400, 404];
      const response = await upstream.send(
        {
          endpoint,
          path: `user/${encodeURIComponent(id)}`,
          answers: notFoundStatuses,
          notFound: notFoundStatuses,
        },
        call,
      );
      if (response.status === 400 || response.status === 404) return notFound(endpoint, response);
      return interpret(
        endpoint,
        response,
        (json, issues) => toUserModel(decodeThriveUser(json, '', issues), issues),
        call,
      );
    },

    async fetchAudience(id, call) {
      const endpoint = THRIVE_ENDPOINTS.audience;
      const response = await upstream.get(endpoint, `audiences/${encodeURIComponent(id)}`, undefined, call);
      if (response.status === 404) return notFound(endpoint, response);
      return interpret(endpoint, response, (json, issues) => decodeThriveAudience(json, '', issues), call);
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
      const audiences = [...byId.values()];
      return { audiences, stubs: areStubs(audiences) };
    },

    async readUsersPage(page, { perPage, updatedSince }, call) {
      const endpoint = THRIVE_ENDPOINTS.users;
      const params = new URLSearchParams({ page: String(page), perPage: String(perPage) });
      if (updatedSince !== undefined) params.set('updatedSince', updatedSince);
      const response = await upstream.get(endpoint, 'users', params, call);
      if (response.status === 404) throw listNotFound(endpoint);
      const since = updatedSince === undefined ? undefined : Date.parse(updatedSince);
      // Read in the page-reading worker: a full sync reads every user (providers/pages/).
      let read: UsersPage;
      let issues: readonly PayloadIssue[];
      try {
        ({ value: read, issues } = await readPageOffThread('thriveUsers', response.body, since));
      } catch (error) {
        if (!(error instanceof PayloadShapeError)) throw error;
        throw bodyShapeError('thrive', endpoint, response, error, 'JSON');
      }
      if (issues.length > 0) {
        observer.payloadIssues({ provider: 'thrive', endpoint, issues, caller: call?.caller });
      }
      if (read.pagination !== undefined && read.pagination.page !== page) {
        throw new ProviderError(
          'UPSTREAM_BAD_RESPONSE',
          'thrive',
          `Thrive answered ${endpoint} for page ${page} with another page.`,
          { endpoint, status: response.status, detail: `pagination.page ${read.pagination.page}` },
        );
      }
      return read;
    },

    async checkCredentials() {
      await readAudiencePage(1, 1);
    },

    prepare: (call) => upstream.prepare(call),
  };
}

function listNotFound(endpoint: string): ProviderError {
  return listNotFoundError(
    'thrive',
    endpoint,
    'tenant has. Check THRIVE_BASE_URL (e.g. https://public.api.learn.link/rest/v1)',
  );
}
