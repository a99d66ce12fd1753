import type { TokenKeyValueCache } from '../types.js';
import type { IspringConfig, IspringUserLookup } from './config.js';
import { PayloadShapeError, ProviderError } from '../../errors.js';
import { type SecretRedactor } from '../../redaction.js';
import type { UserModel } from '../../models.js';
import { bodyShapeError, listNotFoundError, notFoundPageError } from '../http/errors.js';
import { createUpstreamClient } from '../http/client.js';
import { type CallOptions, type UpstreamRequest, type UpstreamResponse } from '../http/types.js';
import type { UpstreamObserver } from '../observer.js';
import { PayloadIssues, type PayloadIssue } from '../../payload.js';
import { readPageOffThread } from '../pages/off-thread.js';
import { createResilience, type ProviderResilience } from '../resilience/index.js';
import { createIspringAuth } from './auth.js';
import {
  decodeIspringDepartmentById,
  decodeIspringDepartmentList,
  decodeIspringErrorBody,
  decodeIspringGroupById,
  decodeIspringGroupList,
  decodeIspringUser,
  decodeIspringUserProfile,
  parseIspringBody,
  readIspringUsersPage,
  userIdOf,
  type IspringBody,
  type IspringRawUsersPage,
} from './decode.js';
import { toUserModel } from './mapper.js';
import type { IspringDepartment, IspringDetailedGroup, IspringGroup } from './wire.js';
import { ISPRING_ENDPOINTS } from './endpoints.js';

/**
 * The iSpring Learn REST API as this subgraph reads it: bodies decoded and checked, every failure
 * a `ProviderError`, "not found" null. Ids given to it are iSpring ids in lower case.
 *
 * Users come back as models, departments and groups as wire records: a page of users is mapped
 * here, where a profile that cannot be read fails that id alone and not the page; departments and
 * groups are mapped by the provider, as Thrive's audiences are.
 */
export interface IspringClient {
  /**
   * The users found, by id (see `ISPRING_USER_LOOKUP` for the request forms). A profile that cannot
   * be read is a `ProviderError` for that id alone; an id absent from the map does not exist.
   */
  fetchUsers(ids: readonly string[], call?: CallOptions): Promise<Map<string, UserModel | ProviderError>>;
  /** `GET /department/{id}`; null on 400 or 404 (iSpring's "not found"). */
  fetchDepartment(id: string, call?: CallOptions): Promise<IspringDepartment | null>;
  /** `GET /department`: every department, in one request. */
  listDepartments(call?: CallOptions): Promise<IspringDepartment[]>;
  /** `GET /group/{id}`; null on 400 or 404. */
  fetchGroup(id: string, call?: CallOptions): Promise<IspringDetailedGroup | null>;
  /** `GET /group`: every group, in one request. */
  listGroups(call?: CallOptions): Promise<IspringGroup[]>;
  /**
   * One page of every user: `GET /users/v2?pageSize=…[&pageToken=…]`, its profiles mapped to models
   * (one that cannot be read is dropped and reported). A next token equal to `pageToken` is an
   * `UPSTREAM_BAD_RESPONSE`: following it would read the same page for ever.
   */
  listUsersPage(
    pageToken: string | undefined,
    pageSize: number,
    call?: CallOptions,
  ): Promise<{ users: UserModel[]; received: number; nextPageToken: string | undefined }>;
  /** The cheapest authenticated read: `GET /users/v2?pageSize=1`. */
  checkCredentials(): Promise<void>;
  /**
   * Obtains credentials (a token) up front, so that a failure there fails a whole batch once;
   * fails fast while iSpring's circuit is open.
   */
  prepare(call?: CallOptions): Promise<void>;
  /** The form by-id user reads use now (it changes once in `auto` when the tenant demands it). */
  userLookupForm(): UserLookupForm;
}

/** A by-id read of an id iSpring does not have answers 400 (and 404 on some hosts): not found. */
const BY_ID_NOT_FOUND: readonly number[] = [400, 404];

/**
 * No request URL is longer than this: gateways commonly refuse longer ones (nginx answers 414 past
 * 8 KB of request line, Node's own server past 16 KB of headers), and `userIds[]=<uuid>&` costs 51
 * bytes an id once percent-encoded, so a `GET /users/v2` batch is split by URL length.
 */
export const MAX_URL_BYTES = 4096;
/** Room kept for a `pageToken` on a URL's later pages. */
const PAGE_TOKEN_ROOM_BYTES = 200;

/**
 * Bounds a user read whose pagination never ends. With `userIds[]` the answer is at most the ids
 * asked for, one page of up to 1000; a server that ignored the filter would page through the
 * whole account, which this stops at 100 pages.
 */
const MAX_USER_PAGES = 100;
const USER_PAGE_SIZE = 1000;

export type UserLookupForm = Exclude<IspringUserLookup, 'auto'>;

const FORM_DESCRIPTIONS: Readonly<Record<UserLookupForm, string>> = {
  get: 'GET /users/v2 with userIds[] (URLs of at most 4 KB)',
  post: 'POST /users/v2 with an XML <request><userIds>… body',
  single: 'GET /user/{id}/v2, one request per user',
};

/** Statuses with which a server says it does not serve `POST /users/v2` at all. */
const POST_REFUSED: readonly number[] = [404, 405, 415, 501];

export function createIspringClient(
  config: IspringConfig,
  redactor: SecretRedactor,
  tokenStore?: TokenKeyValueCache,
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
  const observer = resilience.observer;
  const lookup = createLookupState(config.userLookup ?? 'auto', observer);
  const idsPerGet = idsPerUrl(config.baseUrl);

  /** Parses and decodes a 2xx body, reporting the values a lenient decode left out. */
  async function interpret<T>(
    endpoint: string,
    response: UpstreamResponse,
    read: (body: IspringBody, issues: PayloadIssues) => T,
    call?: CallOptions,
  ): Promise<T> {
    const issues = new PayloadIssues();
    let value: T;
    try {
      value = read(await parseIspringBody(response.body), issues);
    } catch (error) {
      if (!(error instanceof PayloadShapeError)) throw error;
      throw badResponse(endpoint, response, error);
    }
    if (issues.count > 0) {
      observer.payloadIssues({ provider: 'ispring', endpoint, issues: issues.list(), caller: call?.caller });
    }
    return value;
  }

  /** `interpret` for a body read elsewhere (`read`: the page-reading worker). */
  async function interpretOffThread<T>(
    endpoint: string,
    response: UpstreamResponse,
    read: () => Promise<{ value: T; issues: readonly PayloadIssue[] }>,
    call?: CallOptions,
  ): Promise<T> {
    let done: { value: T; issues: readonly PayloadIssue[] };
    try {
      done = await read();
    } catch (error) {
      if (!(error instanceof PayloadShapeError)) throw error;
      throw badResponse(endpoint, response, error);
    }
    if (done.issues.length > 0) {
      observer.payloadIssues({ provider: 'ispring', endpoint, issues: done.issues, caller: call?.caller });
    }
    return done.value;
  }

  /**
   * A by-id read's "not found" (400 or 404): null, with iSpring's message in a debug line. A web
   * page in its place is not iSpring's answer (a wrong base URL, a proxy): that is an error.
   */
  async function notFound(endpoint: string, response: UpstreamResponse, call?: CallOptions): Promise<null> {
    const page = notFoundPageError('ispring', endpoint, response, 'ISPRING_BASE_URL');
    if (page) throw page;
    let message = '';
    try {
      message = decodeIspringErrorBody(await parseIspringBody(response.body)).message;
    } catch {
      // An empty or undocumented body is still "not found": the status says so.
    }
    observer.notice({
      provider: 'ispring',
      level: 'debug',
      message: `iSpring answered ${response.status} (not found) to ${endpoint}`,
      details: { endpoint, status: response.status, upstreamMessage: redactor.redact(message.slice(0, 200)) },
      caller: call?.caller,
    });
    return null;
  }

  async function readById<T>(
    request: UpstreamRequest,
    read: (body: IspringBody, issues: PayloadIssues) => T,
    call?: CallOptions,
  ): Promise<T | null> {
    const response = await upstream.send(
      { ...request, answers: BY_ID_NOT_FOUND, notFound: BY_ID_NOT_FOUND },
      call,
    );
    if (response.status < 200 || response.status >= 300) return notFound(request.endpoint, response, call);
    return interpret(request.endpoint, response, read, call);
  }

  // --- users by id -------------------------------------------------------------------------

  /** Profiles of one answer, matched to the ids asked for (see `matchProfiles`). */
  type Matched = Map<string, UserModel | ProviderError>;

  /** `GET /user/{id}/v2` for each id, under the in-flight bound. */
  async function readOneByOne(ids: readonly string[], call?: CallOptions): Promise<Matched> {
    const found: Matched = new Map();
    await Promise.all(
      ids.map(async (id) => {
        try {
          const user = await readById(
            { endpoint: ISPRING_ENDPOINTS.userV2, path: `user/${encodeURIComponent(id)}/v2` },
            (body, issues) => toUserModel(decodeIspringUser(body, issues), issues),
            call,
          );
          if (user !== null) found.set(id, user);
        } catch (error) {
          if (!(error instanceof ProviderError)) throw error;
          found.set(id, error);
        }
      }),
    );
    return found;
  }

  /**
   * One users page, its profiles not yet decoded, with the response it came in; no page when the
   * request as a whole was refused (400, 414, 431). 404 is a wrong base URL: every account has it.
   */
  async function readUsersPage(request: UpstreamRequest, call?: CallOptions) {
    const response = await upstream.send({ ...request, answers: [400, 404, 414, 431] }, call);
    if (response.status === 404) throw listNotFound(request.endpoint);
    if (response.status < 200 || response.status >= 300) return { response, page: undefined };
    const page = await interpret(request.endpoint, response, (body) => readIspringUsersPage(body), call);
    return { response, page };
  }

  /** `GET /users/v2?userIds[]=…` for ids that fit one URL, every page. */
  async function readByGet(ids: readonly string[], call?: CallOptions): Promise<Matched> {
    const endpoint = ISPRING_ENDPOINTS.usersV2;
    const wanted = new Set(ids);
    const found: Matched = new Map();
    let pageToken: string | undefined;
    for (let page = 1; ; page += 1) {
      // `userIds[]=…`, the bracket form the docs write array parameters in (the only one a strict
      // PHP back end reads as a list); URLSearchParams percent-encodes the brackets and each id.
      const params = new URLSearchParams();
      for (const id of ids) params.append('userIds[]', id);
      params.set('pageSize', String(USER_PAGE_SIZE));
      if (pageToken !== undefined) params.set('pageToken', pageToken);
      const { response, page: body } = await readUsersPage(
        { endpoint, path: 'users/v2', searchParams: params },
        call,
      );
      // 400 for the whole batch: most likely one deleted id in it. 414/431: the URL was still too
      // long for this host. Either way, id by id costs more requests but loses no one.
      if (body === undefined) return page === 1 ? readOneByOne(ids, call) : found;
      if (!filterHonoured(body, wanted)) {
        if (lookup.ignoredFilter('get', body, wanted.size)) return fetchWith(lookup.form(), ids, call);
      } else {
        lookup.confirm('get');
      }
      mergeMatches(found, matchProfiles(body, wanted, endpoint, response, call));
      pageToken = body.nextPageToken;
      if (pageToken === undefined || body.items.length === 0 || found.size === wanted.size) break;
      if (page >= MAX_USER_PAGES) throw endlessPages(endpoint, wanted.size);
    }
    return found;
  }

  /** `POST /users/v2` with every id in one XML body (the operation has no paging). */
  async function readByPost(ids: readonly string[], call?: CallOptions): Promise<Matched> {
    const endpoint = ISPRING_ENDPOINTS.usersV2ByPost;
    const wanted = new Set(ids);
    const text = `<request>${ids.map((id) => `<userIds>${id}</userIds>`).join('')}</request>`;
    const response = await upstream.send(
      {
        method: 'POST',
        endpoint,
        path: 'users/v2',
        body: { contentType: 'application/xml', text },
        answers: [400, ...POST_REFUSED],
      },
      call,
    );
    if (POST_REFUSED.includes(response.status)) {
      if (lookup.refused('post', response.status)) return fetchWith(lookup.form(), ids, call);
      throw postRefused(endpoint, response.status);
    }
    if (response.status === 400) return readOneByOne(ids, call);
    const body = await interpret(endpoint, response, (parsed) => readIspringUsersPage(parsed), call);
    if (!filterHonoured(body, wanted)) {
      if (lookup.ignoredFilter('post', body, wanted.size)) return fetchWith(lookup.form(), ids, call);
    } else {
      lookup.confirm('post');
    }
    return matchProfiles(body, wanted, endpoint, response, call);
  }

  async function fetchWith(
    form: UserLookupForm,
    ids: readonly string[],
    call?: CallOptions,
  ): Promise<Matched> {
    switch (form) {
      case 'get': {
        const chunks = splitEvenly(ids, idsPerGet);
        const results = await Promise.all(chunks.map((chunk) => readByGet(chunk, call)));
        const found: Matched = new Map();
        for (const result of results) mergeMatches(found, result);
        return found;
      }
      case 'post':
        return readByPost(ids, call);
      case 'single':
        lookup.confirm('single');
        return readOneByOne(ids, call);
    }
  }

  /**
   * Decodes the profiles that were asked for, each on its own (one bad profile fails its own id).
   * A profile without a readable id cannot be matched: the ids the answer left out might be it, so
   * they fail (`UPSTREAM_BAD_RESPONSE`) rather than read as "no such user".
   */
  function matchProfiles(
    page: IspringRawUsersPage,
    wanted: ReadonlySet<string>,
    endpoint: string,
    response: UpstreamResponse,
    call?: CallOptions,
  ): Matched {
    const found: Matched = new Map();
    const issues = new PayloadIssues();
    let unreadable: PayloadShapeError | undefined;
    for (const item of page.items) {
      const id = userIdOf(item.value);
      if (id === undefined) {
        unreadable ??= new PayloadShapeError(
          `${item.path}.userId`,
          'an iSpring id (a UUID)',
          'none that can be read',
        );
        continue;
      }
      if (!wanted.has(id) || found.has(id)) continue;
      try {
        const profile = decodeIspringUserProfile(item.value, item.path, issues);
        found.set(id, toUserModel(profile, issues, item.path));
      } catch (error) {
        if (!(error instanceof PayloadShapeError)) throw error;
        found.set(id, badResponse(endpoint, response, error));
      }
    }
    if (unreadable) {
      const error = badResponse(endpoint, response, unreadable);
      for (const id of wanted) if (!found.has(id)) found.set(id, error);
    }
    if (issues.count > 0) {
      observer.payloadIssues({ provider: 'ispring', endpoint, issues: issues.list(), caller: call?.caller });
    }
    return found;
  }

  return {
    async fetchUsers(ids, call) {
      const distinct = [...new Set(ids)];
      if (distinct.length === 0) return new Map();
      return fetchWith(lookup.form(), distinct, call);
    },

    fetchDepartment: (id, call) =>
      readById(
        { endpoint: ISPRING_ENDPOINTS.department, path: `department/${encodeURIComponent(id)}` },
        decodeIspringDepartmentById,
        call,
      ),

    async listDepartments(call) {
      const endpoint = ISPRING_ENDPOINTS.departmentList;
      const response = await getListOrFail(endpoint, 'department', call);
      return interpret(endpoint, response, decodeIspringDepartmentList, call);
    },

    fetchGroup: (id, call) =>
      readById(
        { endpoint: ISPRING_ENDPOINTS.group, path: `group/${encodeURIComponent(id)}` },
        decodeIspringGroupById,
        call,
      ),

    async listGroups(call) {
      const endpoint = ISPRING_ENDPOINTS.groupList;
      const response = await getListOrFail(endpoint, 'group', call);
      return interpret(endpoint, response, decodeIspringGroupList, call);
    },

    async listUsersPage(pageToken, pageSize, call) {
      const endpoint = ISPRING_ENDPOINTS.usersV2;
      const params = new URLSearchParams({ pageSize: String(pageSize) });
      if (pageToken !== undefined) params.set('pageToken', pageToken);
      const response = await getListOrFail(endpoint, 'users/v2', call, params);
      // Read in the page-reading worker: a full sync reads every user (providers/pages/).
      const page = await interpretOffThread(
        endpoint,
        response,
        () => readPageOffThread('ispringUsers', response.body, undefined),
        call,
      );
      if (pageToken !== undefined && page.nextPageToken === pageToken) {
        // The token itself stays out of the message: it encodes a user's id.
        throw new ProviderError(
          'UPSTREAM_BAD_RESPONSE',
          'ispring',
          `iSpring answered ${endpoint} with the page token it was asked with: its pages would never end.`,
          { endpoint, status: response.status },
        );
      }
      return page;
    },

    async checkCredentials() {
      const endpoint = ISPRING_ENDPOINTS.usersV2;
      const response = await getListOrFail(
        endpoint,
        'users/v2',
        undefined,
        new URLSearchParams({ pageSize: '1' }),
      );
      await interpret(endpoint, response, (body) => readIspringUsersPage(body));
    },

    prepare: (call) => upstream.prepare(call),

    userLookupForm: () => lookup.form(),
  };

  /** A list every account has: 404 is a wrong base URL (`listNotFound`), not an empty list. */
  async function getListOrFail(
    endpoint: string,
    path: string,
    call?: CallOptions,
    searchParams?: URLSearchParams,
  ): Promise<UpstreamResponse> {
    const response = await upstream.send({ endpoint, path, searchParams, answers: [404] }, call);
    if (response.status === 404) throw listNotFound(endpoint);
    return response;
  }
}

// --- the lookup form ---------------------------------------------------------------------------

interface LookupState {
  form(): UserLookupForm;
  /** The form answered as it should: said once. */
  confirm(form: UserLookupForm): void;
  /**
   * `form` answered with profiles not asked for: in `auto`, move to the next form and say so (true:
   * read again with `form()`); forced, keep the form (false) and pick the asked-for profiles out.
   */
  ignoredFilter(form: UserLookupForm, page: IspringRawUsersPage, asked: number): boolean;
  /** `form` was refused with `status`: in `auto`, move on (true); forced, false. */
  refused(form: UserLookupForm, status: number): boolean;
}

/**
 * Which form by-id user reads use, process-wide: what one batch learns about the tenant holds for
 * every later one. `auto` moves only forward (get → post → single), so it settles in at most two
 * steps, and says each step in one log line.
 */
function createLookupState(setting: IspringUserLookup, observer: UpstreamObserver): LookupState {
  const forced = setting !== 'auto';
  let current: UserLookupForm = forced ? setting : 'get';
  let announced = false;
  const say = (level: 'info' | 'warn', message: string, details: Record<string, string | number>) =>
    observer.notice({ provider: 'ispring', level, message, details });
  const moveOn = (from: UserLookupForm, why: string, details: Record<string, string | number>) => {
    if (current !== from) return; // another batch moved on already
    current = from === 'get' ? 'post' : 'single';
    announced = true;
    say('warn', `iSpring ${why}; iSpring users are read with ${FORM_DESCRIPTIONS[current]} from now on`, {
      ...details,
      userLookup: current,
    });
  };
  return {
    form: () => current,
    confirm(form) {
      if (announced || form !== current) return;
      announced = true;
      say('info', `iSpring users are read with ${FORM_DESCRIPTIONS[form]}`, {
        userLookup: form,
        setting,
      });
    },
    ignoredFilter(form, page, asked) {
      const description = form === 'get' ? ISPRING_ENDPOINTS.usersV2 : ISPRING_ENDPOINTS.usersV2ByPost;
      if (forced) {
        if (!announced) {
          announced = true;
          say(
            'warn',
            `iSpring ignores the userIds filter of ${description}, which ISPRING_USER_LOOKUP=${setting} forces: its pages are read until the users asked for are found`,
            { userLookup: form },
          );
        }
        return false;
      }
      moveOn(
        form,
        `ignored the userIds filter of ${description} (it answered ${page.items.length} profiles for ${asked} ids)`,
        {
          profiles: page.items.length,
          ids: asked,
        },
      );
      return true;
    },
    refused(form, status) {
      if (forced) return false;
      moveOn(form, `refused POST /users/v2 (HTTP ${status})`, { status });
      return true;
    },
  };
}

/** True when every profile of the page is one asked for, and there are no more of them than ids. */
function filterHonoured(page: IspringRawUsersPage, wanted: ReadonlySet<string>): boolean {
  if (page.items.length > wanted.size) return false;
  return page.items.every((item) => {
    const id = userIdOf(item.value);
    return id === undefined || wanted.has(id);
  });
}

/** How many ids one `GET /users/v2` URL holds for this base URL, within `MAX_URL_BYTES`. */
export function idsPerUrl(baseUrl: string): number {
  const fixed = `${baseUrl.replace(/\/+$/, '')}/users/v2?pageSize=${USER_PAGE_SIZE}`.length;
  const perId = 'userIds%5B%5D='.length + 36 + 1;
  return Math.max(1, Math.floor((MAX_URL_BYTES - fixed - PAGE_TOKEN_ROOM_BYTES) / perId));
}

/** `items` in the fewest chunks of at most `size`, as even as can be. */
function splitEvenly<T>(items: readonly T[], size: number): T[][] {
  const count = Math.ceil(items.length / size);
  const chunks: T[][] = [];
  for (let index = 0; index < count; index += 1) {
    chunks.push(
      items.slice(
        Math.floor((index * items.length) / count),
        Math.floor(((index + 1) * items.length) / count),
      ),
    );
  }
  return chunks;
}

function mergeMatches(
  into: Map<string, UserModel | ProviderError>,
  from: ReadonlyMap<string, UserModel | ProviderError>,
): void {
  for (const [id, outcome] of from) {
    const before = into.get(id);
    // A user read beats a failure of the same id from another page.
    if (before === undefined || before instanceof ProviderError) into.set(id, outcome);
  }
}

function badResponse(endpoint: string, response: UpstreamResponse, error: PayloadShapeError): ProviderError {
  return bodyShapeError('ispring', endpoint, response, error, 'XML or JSON');
}

function endlessPages(endpoint: string, ids: number): ProviderError {
  return new ProviderError(
    'UPSTREAM_BAD_RESPONSE',
    'ispring',
    `iSpring's ${endpoint} kept returning pages after ${MAX_USER_PAGES} pages for ${ids} user ids; stopped reading.`,
    { endpoint },
  );
}

function postRefused(endpoint: string, status: number): ProviderError {
  return new ProviderError(
    'UPSTREAM_REJECTED',
    'ispring',
    `iSpring refused ${endpoint} (HTTP ${status}), which ISPRING_USER_LOOKUP=post forces. Set ISPRING_USER_LOOKUP=auto or single.`,
    { endpoint, status },
  );
}

function listNotFound(endpoint: string): ProviderError {
  return listNotFoundError(
    'ispring',
    endpoint,
    'account has. Check ISPRING_BASE_URL (e.g. https://api-learn.ispringlearn.com)',
  );
}
