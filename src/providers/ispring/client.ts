import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { IspringConfig } from '../../config.js';
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
import { createIspringAuth } from './auth.js';
import {
  decodeIspringDepartmentById,
  decodeIspringDepartmentList,
  decodeIspringGroupById,
  decodeIspringGroupList,
  decodeIspringUserProfile,
  parseIspringBody,
  readIspringUsersPage,
  userIdOf,
  type IspringBody,
} from './decode.js';
import { toUserModel } from './mapper.js';
import type { IspringDepartment, IspringDetailedGroup, IspringGroup } from './wire.js';

/**
 * The iSpring Learn REST API as this subgraph reads it: one request per call (a page loop for
 * users), bodies decoded and checked. Every failure is a `ProviderError`; "not found" is null.
 */
export interface IspringClient {
  /**
   * `GET /users/v2?userIds[]=…` (every page): the users found, by id. A profile that cannot be
   * read is a `ProviderError` for that id alone; ids not in the answer do not exist.
   */
  fetchUsers(ids: readonly string[], call?: RequestOptions): Promise<Map<string, UserModel | ProviderError>>;
  /** `GET /department/{id}`; null on 404. */
  fetchDepartment(id: string, call?: RequestOptions): Promise<IspringDepartment | null>;
  /** `GET /department`: every department, in one request. */
  listDepartments(call?: RequestOptions): Promise<IspringDepartment[]>;
  /** `GET /group/{id}`; null on 404. */
  fetchGroup(id: string, call?: RequestOptions): Promise<IspringDetailedGroup | null>;
  /** `GET /group`: every group, in one request. */
  listGroups(call?: RequestOptions): Promise<IspringGroup[]>;
  /** The cheapest authenticated read: `GET /users/v2?pageSize=1`. */
  checkCredentials(): Promise<void>;
  /**
   * Obtains credentials (a token) up front, so that a failure there fails a whole batch once;
   * fails fast while iSpring's circuit is open.
   */
  prepare(call?: RequestOptions): Promise<void>;
}

/** Endpoint templates, as errors, logs and the sandbox name them. */
export const ISPRING_CLIENT_ENDPOINTS = Object.freeze({
  usersV2: 'GET /users/v2',
  department: 'GET /department/{departmentId}',
  departmentList: 'GET /department',
  group: 'GET /group/{groupId}',
  groupList: 'GET /group',
});

/**
 * Bounds a user read whose pagination never ends. With `userIds[]` the answer is at most the ids
 * asked for, one page of up to 1000; a server that ignored the filter would page through the
 * whole account, which this stops at 100 pages.
 */
const MAX_USER_PAGES = 100;
const USER_PAGE_SIZE = 1000;

export function createIspringClient(
  config: IspringConfig,
  redactor: SecretRedactor,
  tokenStore?: KeyValueCache<string>,
  resilience: ProviderResilience = createResilience('ispring', config.resilience),
): IspringClient {
  const auth = createIspringAuth(config, redactor, tokenStore, resilience);
  const upstream = createUpstreamClient({
    provider: 'ispring',
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    auth,
    redactor,
    headers: { accept: config.format === 'json' ? 'application/json' : 'application/xml' },
    resilience,
  });

  const get = upstream.get;

  /** A read that every account has: 404 means a wrong base URL, not a missing entity. */
  async function getList(
    endpoint: string,
    path: string,
    searchParams?: URLSearchParams,
    call?: RequestOptions,
  ) {
    const response = await get(endpoint, path, searchParams, call);
    if (response.status === 404) throw listNotFound(endpoint);
    return response;
  }

  async function readUsersPage(searchParams: URLSearchParams, call?: RequestOptions) {
    const response = await getList(ISPRING_CLIENT_ENDPOINTS.usersV2, 'users/v2', searchParams, call);
    return {
      response,
      ...(await interpret(ISPRING_CLIENT_ENDPOINTS.usersV2, response, readIspringUsersPage)),
    };
  }

  return {
    async fetchUsers(ids, call) {
      const wanted = new Set(ids);
      const found = new Map<string, UserModel | ProviderError>();
      if (wanted.size === 0) return found;
      let pageToken: string | undefined;
      for (let page = 1; ; page += 1) {
        // `userIds[]=…` as the docs write array parameters; URLSearchParams percent-encodes each id.
        const params = new URLSearchParams();
        for (const id of wanted) params.append('userIds[]', id);
        params.set('pageSize', String(USER_PAGE_SIZE));
        if (pageToken !== undefined) params.set('pageToken', pageToken);
        const { items, nextPageToken, response } = await readUsersPage(params, call);
        for (const item of items) {
          const id = userIdOf(item.value);
          if (id === undefined) {
            // A profile without a readable id cannot be matched to the ids asked for, so every
            // one of them might be it: the whole answer is unusable.
            throw badResponse(
              ISPRING_CLIENT_ENDPOINTS.usersV2,
              response,
              new PayloadShapeError(`${item.path}.userId`, 'an iSpring id (a UUID)', 'none that can be read'),
            );
          }
          if (!wanted.has(id) || found.has(id)) continue;
          try {
            found.set(id, toUserModel(decodeIspringUserProfile(item.value, item.path)));
          } catch (error) {
            if (!(error instanceof PayloadShapeError)) throw error;
            found.set(id, badResponse(ISPRING_CLIENT_ENDPOINTS.usersV2, response, error));
          }
        }
        pageToken = nextPageToken;
        if (pageToken === undefined || items.length === 0 || found.size === wanted.size) break;
        if (page >= MAX_USER_PAGES) {
          throw new ProviderError(
            'UPSTREAM_BAD_RESPONSE',
            'ispring',
            `iSpring's ${ISPRING_CLIENT_ENDPOINTS.usersV2} kept returning pages after ${MAX_USER_PAGES} pages for ${wanted.size} user ids; stopped reading.`,
            { endpoint: ISPRING_CLIENT_ENDPOINTS.usersV2 },
          );
        }
      }
      return found;
    },

    async fetchDepartment(id, call) {
      const endpoint = ISPRING_CLIENT_ENDPOINTS.department;
      const response = await get(endpoint, `department/${encodeURIComponent(id)}`, undefined, call);
      if (response.status === 404) return null;
      return interpret(endpoint, response, decodeIspringDepartmentById);
    },

    async listDepartments(call) {
      const endpoint = ISPRING_CLIENT_ENDPOINTS.departmentList;
      return interpret(
        endpoint,
        await getList(endpoint, 'department', undefined, call),
        decodeIspringDepartmentList,
      );
    },

    async fetchGroup(id, call) {
      const endpoint = ISPRING_CLIENT_ENDPOINTS.group;
      const response = await get(endpoint, `group/${encodeURIComponent(id)}`, undefined, call);
      if (response.status === 404) return null;
      return interpret(endpoint, response, decodeIspringGroupById);
    },

    async listGroups(call) {
      const endpoint = ISPRING_CLIENT_ENDPOINTS.groupList;
      return interpret(endpoint, await getList(endpoint, 'group', undefined, call), decodeIspringGroupList);
    },

    async checkCredentials() {
      await readUsersPage(new URLSearchParams({ pageSize: '1' }));
    },

    prepare: (call) => upstream.prepare(call),
  };
}

/** Parses and decodes a 2xx body; a body that is not the documented XML or JSON becomes `UPSTREAM_BAD_RESPONSE`. */
async function interpret<T>(
  endpoint: string,
  response: UpstreamResponse,
  read: (body: IspringBody) => T,
): Promise<T> {
  try {
    return read(await parseIspringBody(response.body));
  } catch (error) {
    if (!(error instanceof PayloadShapeError)) throw error;
    throw badResponse(endpoint, response, error);
  }
}

function badResponse(endpoint: string, response: UpstreamResponse, error: PayloadShapeError): ProviderError {
  return bodyShapeError('ispring', endpoint, response, error, 'XML or JSON');
}

function listNotFound(endpoint: string): ProviderError {
  return listNotFoundError(
    'ispring',
    endpoint,
    'account has. Check ISPRING_BASE_URL (e.g. https://api-learn.ispringlearn.com)',
  );
}
