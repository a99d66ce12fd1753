import xml2js from 'xml2js';
import type {
  IspringDepartment,
  IspringDetailedGroup,
  IspringErrorBody,
  IspringGroup,
  IspringProfileField,
  IspringSubordination,
  IspringTokenResponse,
  IspringUserProfile,
  IspringUserRole,
} from '../providers/ispring/wire.js';
import type { SandboxCredentials } from './credentials.js';
import {
  listen,
  pathSegments,
  shown,
  type ListeningSandboxServer,
  type Route,
  type RouteReply,
  type RouteRequest,
  type SandboxApi,
} from './recorder.js';
import type { DemoOrganisation } from './seed.js';
import { TokenStore } from './tokens.js';

/**
 * iSpring Learn's REST API as `shared/providers/ispring.md` documents it: XML by default (root
 * `<response>`), JSON when `Accept` asks for it; a bearer token from `POST /api/v3/token` (with or
 * without the word Bearer) or the legacy `X-Auth-*` headers; page tokens that are base64 of the next
 * item's id; `{code, message}` errors. The v1 user endpoints report status 5 as 3, as documented.
 */

/** The endpoint templates the request log and counters use. */
export const ISPRING_ENDPOINTS = Object.freeze({
  token: 'POST /api/v3/token',
  user: 'GET /user/{userId}',
  userV2: 'GET /user/{userId}/v2',
  userList: 'GET /user',
  userListV2: 'GET /user/v2',
  users: 'GET /users',
  usersV2: 'GET /users/v2',
  departmentList: 'GET /department',
  department: 'GET /department/{departmentId}',
  departments: 'GET /departments',
  groupList: 'GET /group',
  group: 'GET /group/{groupId}',
  groups: 'GET /groups',
});

export interface IspringSandboxOptions {
  readonly host: string;
  readonly port: number;
  readonly delayMs: number;
  readonly tokenLifetimeSeconds: number;
  readonly organisation: DemoOrganisation['ispring'];
  readonly credentials: SandboxCredentials['ispring'];
}

export function startIspringSandbox(options: IspringSandboxOptions): Promise<ListeningSandboxServer> {
  const tokens = new TokenStore('ispring', options.tokenLifetimeSeconds);
  return listen({
    host: options.host,
    port: options.port,
    basePath: '',
    delayMs: options.delayMs,
    api: createIspringApi(options.organisation, options.credentials, tokens),
    expireTokens: () => tokens.expireAll(),
  });
}

// ---------------------------------------------------------------------------------------------
// Formats

type Format = 'json' | 'xml';

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const xmlBuilder = new xml2js.Builder({
  rootName: 'response',
  xmldec: { version: '1.0', encoding: 'UTF-8' },
  renderOpts: { pretty: false },
});
/** One `<userProfile>` element, to be placed in a response (see `IndexedUser`). */
const userProfileBuilder = new xml2js.Builder({
  rootName: 'userProfile',
  headless: true,
  renderOpts: { pretty: false },
});

function formatOf(request: RouteRequest): Format {
  return /application\/json/i.test(request.headers.accept ?? '') ? 'json' : 'xml';
}

/**
 * One answer in the format asked for: `json` as the JSON body; `xml` as the children of `<response>`,
 * or as the finished XML text of its children.
 */
function reply(
  status: number,
  format: Format,
  json: () => unknown,
  xml: () => Record<string, unknown> | string,
): RouteReply {
  if (format === 'json') return { status, contentType: JSON_TYPE, body: JSON.stringify(json()) };
  const children = xml();
  const body =
    typeof children === 'string'
      ? `${XML_DECLARATION}${children === '' ? '<response/>' : `<response>${children}</response>`}`
      : xmlBuilder.buildObject(children);
  return { status, contentType: XML_TYPE, body };
}

/** `<name>…</name>` around finished XML text, `<name/>` when it is empty (as the builder writes it). */
function element(name: string, children: string): string {
  return children === '' ? `<${name}/>` : `<${name}>${children}</${name}>`;
}

function error(status: number, format: Format, message: string): RouteReply {
  const body: IspringErrorBody = { code: status, message };
  return reply(
    status,
    format,
    () => body,
    () => ({ ...body }),
  );
}

/** Copies the defined, non-null entries of a record, in order. */
function defined(record: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record))
    if (value !== undefined && value !== null) out[key] = value;
  return out;
}

const ids = (values: readonly string[]) => ({ id: [...values] });

function subordinationXml(value: IspringSubordination): Record<string, unknown> {
  return defined(value);
}

function userRoleXml(role: IspringUserRole): Record<string, unknown> {
  const out = defined(role);
  if (role.manageableDepartmentIds) out.manageableDepartmentIds = ids(role.manageableDepartmentIds);
  return out;
}

/** `<userProfile>`: lists as `<fields><field>`, `<groups><id>`, `<userRoles><userRole>`. */
function userXml(user: IspringUserProfile): Record<string, unknown> {
  const out = defined(user);
  if (user.fields) {
    out.fields = {
      field: user.fields.map((field: IspringProfileField) => ({
        name: field.name,
        value: field.value ?? '',
      })),
    };
  }
  if (user.groups) out.groups = ids(user.groups);
  if (user.manageableDepartmentIds) out.manageableDepartmentIds = ids(user.manageableDepartmentIds);
  if (user.userRoles) out.userRoles = { userRole: user.userRoles.map(userRoleXml) };
  if (user.subordination) out.subordination = subordinationXml(user.subordination);
  if (user.coSubordination) out.coSubordination = subordinationXml(user.coSubordination);
  if (user.workLeaveStatus) out.workLeaveStatus = defined(user.workLeaveStatus);
  return out;
}

function departmentXml(department: IspringDepartment): Record<string, unknown> {
  const out = defined(department);
  if (department.subordination) out.subordination = subordinationXml(department.subordination);
  if (department.coSubordination) out.coSubordination = subordinationXml(department.coSubordination);
  return out;
}

/** The v1 view of a user: status 5 reads 3, and the consent date has its v1 name. */
function toV1(user: IspringUserProfile): IspringUserProfile {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(user)) {
    if (key === 'status') out.status = value === 5 ? 3 : value === '5' ? '3' : value;
    else if (key === 'privacyPolicyConsentAcceptanceDate') out.personalDataConsentAcceptanceDate = value;
    else out[key] = value;
  }
  return out as unknown as IspringUserProfile;
}

function isSmart(group: IspringGroup): boolean {
  return group.isSmart === true || group.isSmart === 1 || group.isSmart === '1' || group.isSmart === 'true';
}

// ---------------------------------------------------------------------------------------------
// Query parameters

/** Array parameters by name: `name[]`, `name[0]` and plain `name` all count (URLSearchParams decodes `%5B%5D`). */
function arrayParams(params: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [rawKey, value] of params) {
    const key = rawKey.replace(/\[\d*\]$/, '');
    const list = out.get(key);
    if (list) list.push(value);
    else out.set(key, [value]);
  }
  return out;
}

interface Page<T> {
  items: T[];
  nextPageToken: string | undefined;
}

const encodePageToken = (id: string) => Buffer.from(id, 'utf8').toString('base64');

/** `pageSize` (1..1000, default 1000) and `pageToken` (base64 of the first item's id). */
function pageOf<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  params: URLSearchParams,
): Page<T> | string {
  const rawSize = params.get('pageSize');
  let pageSize = 1000;
  if (rawSize !== null) {
    pageSize = /^\d{1,4}$/.test(rawSize) ? Number(rawSize) : NaN;
    if (!(pageSize >= 1 && pageSize <= 1000)) {
      return `pageSize must be a whole number from 1 to 1000; got ${shown(rawSize)}.`;
    }
  }
  let start = 0;
  const token = params.get('pageToken');
  if (token) {
    const id = /^[A-Za-z0-9+/_-]+={0,2}$/.test(token)
      ? Buffer.from(token, 'base64').toString('utf8')
      : undefined;
    start = id === undefined ? -1 : items.findIndex((item) => idOf(item) === id);
    if (start < 0) return `pageToken ${shown(token)} is not a page token of this list.`;
  }
  const end = start + pageSize;
  const next = items[end];
  return {
    items: items.slice(start, end),
    nextPageToken: next === undefined ? undefined : encodePageToken(idOf(next)),
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * A user as served. The organisation is read once, at start; each user's `<userProfile>` is built
 * by xml2js the first time it is asked for and reused, so that a page of users costs string joins.
 */
interface IndexedUser {
  v2: IspringUserProfile;
  v1: IspringUserProfile;
  login: string;
  email: string;
  groups: ReadonlySet<string>;
  xml: { v1?: string; v2?: string };
}

export function createIspringApi(
  organisation: DemoOrganisation['ispring'],
  credentials: SandboxCredentials['ispring'],
  tokens: TokenStore,
): SandboxApi {
  const fieldOf = (user: IspringUserProfile, name: string) =>
    (user.fields ?? []).find((field) => field.name === name)?.value ?? '';
  const users: IndexedUser[] = organisation.users.map((user) => ({
    v2: user,
    v1: toV1(user),
    login: fieldOf(user, 'LOGIN').toLowerCase(),
    email: fieldOf(user, 'EMAIL').toLowerCase(),
    groups: new Set(user.groups ?? []),
    xml: {},
  }));
  const usersById = new Map(users.map((user) => [user.v2.userId, user]));
  const departments = organisation.departments;
  const departmentsById = new Map(departments.map((department) => [department.departmentId, department]));
  const groups = organisation.groups;
  const groupsById = new Map(groups.map((group) => [group.groupId, group]));
  const groupMembers = new Map<string, string[]>(groups.map((group) => [group.groupId, []]));
  for (const user of organisation.users)
    for (const id of user.groups ?? []) groupMembers.get(id)?.push(user.userId);

  const normaliseAccountUrl = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();

  const authenticated = (request: RouteRequest): boolean => {
    const authorization = request.headers.authorization?.trim();
    if (authorization) {
      // `Bearer <token>` per the Access Token page; the bare token per the endpoint pages.
      const token = /^bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? authorization;
      if (tokens.check(token)) return true;
    }
    const accountUrl = request.headers['x-auth-account-url'];
    const email = request.headers['x-auth-email'];
    const password = request.headers['x-auth-password'];
    return (
      typeof accountUrl === 'string' &&
      typeof email === 'string' &&
      typeof password === 'string' &&
      normaliseAccountUrl(accountUrl) === normaliseAccountUrl(credentials.accountUrl) &&
      email.trim().toLowerCase() === credentials.email.toLowerCase() &&
      password === credentials.password
    );
  };

  /** A GET: authenticated first, then answered in the format asked for. */
  const read =
    (answer: (format: Format, params: URLSearchParams) => RouteReply) =>
    (request: RouteRequest): RouteReply => {
      const format = formatOf(request);
      if (!authenticated(request)) {
        return error(
          401,
          format,
          'Authorization failed: send Authorization with an access token, or X-Auth-Account-Url, X-Auth-Email and X-Auth-Password.',
        );
      }
      return answer(format, new URLSearchParams(request.query));
    };

  const issueToken = async (request: RouteRequest): Promise<RouteReply> => {
    const format = formatOf(request);
    const contentType = (request.headers['content-type'] ?? '').toLowerCase();
    const body = await request.readBody();
    if (!contentType.includes('application/x-www-form-urlencoded')) {
      return error(400, format, 'The token request must be sent as application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(body);
    const missing = ['client_id', 'client_secret', 'grant_type'].filter((name) => !form.get(name));
    if (missing.length > 0) return error(400, format, `Missing required parameters: ${missing.join(', ')}.`);
    if (form.get('grant_type') !== 'client_credentials') {
      return error(400, format, 'grant_type must be client_credentials.');
    }
    if (
      form.get('client_id') !== credentials.clientId ||
      form.get('client_secret') !== credentials.clientSecret
    ) {
      return error(401, format, 'The client credentials are not valid.');
    }
    const token: IspringTokenResponse = {
      access_token: tokens.issue(),
      expires_in: tokens.lifetimeSeconds,
      token_type: 'bearer',
    };
    return reply(
      200,
      format,
      () => token,
      () => ({ ...token }),
    );
  };

  /** The users matching the documented filters; `userIds[]` only where `withUserIds`. */
  const filterUsers = (params: URLSearchParams, withUserIds: boolean): IndexedUser[] => {
    const arrays = arrayParams(params);
    const set = (name: string, lower = false) => {
      const values = arrays.get(name);
      return values ? new Set(values.map((value) => (lower ? value.toLowerCase() : value))) : undefined;
    };
    const departmentIds = set('departments');
    const groupIds = set('groups');
    const logins = set('logins', true);
    const emails = set('emails', true);
    const userIds = withUserIds ? set('userIds') : undefined;
    if (userIds && !departmentIds && !groupIds && !logins && !emails) {
      // Keeps the sandbox's order while skipping a scan of every user.
      return users.filter((user) => userIds.has(user.v2.userId));
    }
    return users.filter(
      (user) =>
        (!departmentIds || departmentIds.has(user.v2.departmentId ?? '')) &&
        (!groupIds || [...groupIds].some((id) => user.groups.has(id))) &&
        (!logins || logins.has(user.login)) &&
        (!emails || emails.has(user.email)) &&
        (!userIds || userIds.has(user.v2.userId)),
    );
  };

  const view = (user: IndexedUser, v2: boolean) => (v2 ? user.v2 : user.v1);
  const profileXml = (user: IndexedUser, v2: boolean): string =>
    v2
      ? (user.xml.v2 ??= userProfileBuilder.buildObject(userXml(user.v2)))
      : (user.xml.v1 ??= userProfileBuilder.buildObject(userXml(user.v1)));

  const userById = (id: string, v2: boolean) =>
    read((format) => {
      const user = usersById.get(id);
      if (!user) return error(404, format, 'User not found');
      return reply(
        200,
        format,
        () => view(user, v2),
        () => profileXml(user, v2),
      );
    });

  const userList = (v2: boolean) =>
    read((format, params) => {
      const selected = filterUsers(params, false);
      return reply(
        200,
        format,
        () => selected.map((user) => view(user, v2)),
        () => selected.map((user) => profileXml(user, v2)).join(''),
      );
    });

  const userPages = (v2: boolean) =>
    read((format, params) => {
      const page = pageOf(filterUsers(params, v2), (user) => user.v2.userId, params);
      if (typeof page === 'string') return error(400, format, page);
      const next = page.nextPageToken;
      return reply(
        200,
        format,
        () => ({
          userProfiles: page.items.map((user) => view(user, v2)),
          ...(next === undefined ? {} : { nextPageToken: next }),
        }),
        // The token is base64: nothing in it needs escaping.
        () =>
          element('userProfiles', page.items.map((user) => profileXml(user, v2)).join('')) +
          (next === undefined ? '' : element('nextPageToken', next)),
      );
    });

  const departmentList = read((format, params) => {
    const code = params.get('code');
    const selected =
      code === null ? departments : departments.filter((department) => department.code === code);
    return reply(
      200,
      format,
      () => selected,
      () => ({ department: selected.map(departmentXml) }),
    );
  });

  const departmentById = (id: string) =>
    read((format) => {
      const department = departmentsById.get(id);
      if (!department) return error(404, format, 'Department not found');
      return reply(
        200,
        format,
        () => department,
        () => ({ department: departmentXml(department) }),
      );
    });

  const departmentPages = read((format, params) => {
    const page = pageOf(departments, (department) => department.departmentId, params);
    if (typeof page === 'string') return error(400, format, page);
    const token = page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken };
    return reply(
      200,
      format,
      () => ({ departments: page.items, ...token }),
      () => ({ departments: { department: page.items.map(departmentXml) }, ...token }),
    );
  });

  // `GET /group` writes isSmart as true/false; `GET /groups` and `GET /group/{id}` as 0/1 (ispring.md §5).
  const groupWithBoolean = (group: IspringGroup): IspringGroup => ({ ...group, isSmart: isSmart(group) });
  const groupWithNumber = (group: IspringGroup): IspringGroup => ({
    ...group,
    isSmart: isSmart(group) ? 1 : 0,
  });

  const groupList = read((format) => {
    const list = groups.map(groupWithBoolean);
    return reply(
      200,
      format,
      () => list,
      () => ({ group: list }),
    );
  });

  const groupById = (id: string) =>
    read((format) => {
      const group = groupsById.get(id);
      if (!group) return error(404, format, 'Group not found');
      const userIds = groupMembers.get(group.groupId) ?? [];
      const detailed: IspringDetailedGroup = {
        usersCount: userIds.length,
        userIds,
        groupId: group.groupId,
        name: group.name,
        isSmart: isSmart(group) ? 1 : 0,
      };
      return reply(
        200,
        format,
        () => detailed,
        () => ({ group: { ...detailed, userIds: ids(userIds) } }),
      );
    });

  const groupPages = read((format, params) => {
    const page = pageOf(groups, (group) => group.groupId, params);
    if (typeof page === 'string') return error(400, format, page);
    const list = page.items.map(groupWithNumber);
    const token = page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken };
    return reply(
      200,
      format,
      () => ({ groups: list, ...token }),
      () => ({ groups: { group: list }, ...token }),
    );
  });

  /** The route of a GET path, with its template; `undefined` when the path is not an endpoint. */
  const match = (segments: readonly string[]): Route | undefined => {
    const [first, second, third] = segments;
    const n = segments.length;
    const get = (endpoint: string, handle: (request: RouteRequest) => RouteReply): Route => ({
      endpoint,
      handle,
    });
    if (first === 'user') {
      if (n === 1) return get(ISPRING_ENDPOINTS.userList, userList(false));
      if (n === 2 && second === 'v2') return get(ISPRING_ENDPOINTS.userListV2, userList(true));
      if (n === 2 && second) return get(ISPRING_ENDPOINTS.user, userById(second, false));
      if (n === 3 && second && third === 'v2') return get(ISPRING_ENDPOINTS.userV2, userById(second, true));
    }
    if (first === 'users') {
      if (n === 1) return get(ISPRING_ENDPOINTS.users, userPages(false));
      if (n === 2 && second === 'v2') return get(ISPRING_ENDPOINTS.usersV2, userPages(true));
    }
    if (first === 'department') {
      if (n === 1) return get(ISPRING_ENDPOINTS.departmentList, departmentList);
      if (n === 2 && second) return get(ISPRING_ENDPOINTS.department, departmentById(second));
    }
    if (first === 'departments' && n === 1) return get(ISPRING_ENDPOINTS.departments, departmentPages);
    if (first === 'group') {
      if (n === 1) return get(ISPRING_ENDPOINTS.groupList, groupList);
      if (n === 2 && second) return get(ISPRING_ENDPOINTS.group, groupById(second));
    }
    if (first === 'groups' && n === 1) return get(ISPRING_ENDPOINTS.groups, groupPages);
    return undefined;
  };

  const unknown = (method: string, status: 400 | 404 | 405, message: string, allow?: string): Route => ({
    endpoint: `${method} <unknown>`,
    handle: (request) => {
      const answer = error(status, formatOf(request), message);
      return allow ? { ...answer, headers: { allow } } : answer;
    },
  });

  return {
    endpoints: Object.values(ISPRING_ENDPOINTS),
    route(method, path): Route {
      const segments = pathSegments(path);
      if (!segments) return unknown(method, 400, 'The path has malformed percent-encoding.');
      if (segments.length === 3 && segments[0] === 'api' && segments[1] === 'v3' && segments[2] === 'token') {
        if (method !== 'POST')
          return unknown(method, 405, `This endpoint does not support ${method}.`, 'POST');
        return { endpoint: ISPRING_ENDPOINTS.token, handle: issueToken };
      }
      const route = match(segments);
      if (!route) return unknown(method, 404, 'No such endpoint.');
      if (method !== 'GET') return unknown(method, 405, `This endpoint does not support ${method}.`, 'GET');
      return route;
    },
    format: formatOf,
    failure: (request, status, message) => error(status, formatOf(request), message),
  };
}
