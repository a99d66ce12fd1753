import xml2js from 'xml2js';
import type {
  IspringDepartment,
  IspringDetailedGroup,
  IspringErrorBody,
  IspringGroup,
  IspringTokenResponse,
  IspringUserProfile,
} from '../providers/ispring/wire.js';
import type { SandboxCredentials } from './credentials.js';
import { listen, pathSegments, shown, type ListeningSandboxServer, type SandboxServer } from './recorder.js';
import type { Route, RouteReply, RouteRequest, SandboxApi } from './routes.js';
import type { DemoOrganisation } from './seed/index.js';
import { TokenStore } from './tokens.js';
import {
  DEFAULT_ISPRING_VARIANTS,
  ISPRING_VARIANT_VALUES,
  VariantSettings,
  type IspringVariants,
} from './variants.js';
import { ISPRING_ENDPOINTS } from '../providers/ispring/endpoints.js';

/**
 * iSpring Learn's REST API as its public docs describe it: XML by default (root
 * `<response>`), JSON when `Accept` asks for it; a bearer token from `POST /api/v3/token` (with or
 * without the word Bearer) or the legacy `X-Auth-*` headers; page tokens that are base64 of the next
 * item's id; `{code, message}` errors. The v1 user endpoints report status 5 as 3, as documented.
 * The API is also served under the account-domain prefixes `/api/v2` and `/index.php/api/v2`; the
 * token only at `/api/v3/token`. What real tenants may do differently is a variant (variants.ts).
 */

/**
 * Path prefixes under which the API is also served, as on an account's own domain
 * (`https://<account>.ispringlearn.com/api/v2/users/v2`). The token is not: `/api/v2/api/v3/token`
 * is 404, so a client that derives its token URL from such a base URL finds out.
 */
export const ISPRING_ACCOUNT_PREFIXES = Object.freeze(['/api/v2', '/index.php/api/v2'] as const);

/**
 * The longest request line (`METHOD SP request-target SP HTTP/1.1`, CRLF not counted) answered;
 * a longer one gets nginx's 414 page, as a front end with 8 KiB header buffers sends it.
 */
export const MAX_REQUEST_LINE_BYTES = 8192;

/**
 * Changes to the organisation a running iSpring sandbox serves. Each edits the server's
 * organisation (`sandbox.organisation.ispring`) in place: a put replaces the record with the same
 * id where it stands, or appends it; a remove takes it out and says whether it was there. The
 * server serves the record as given (JSON verbatim, XML rendered from the same object), whatever
 * its fields hold.
 */
export interface IspringRecords {
  putUser(profile: IspringUserProfile): void;
  /** Puts each in turn, then re-indexes once (a put re-indexes every user). */
  putUsers(profiles: readonly IspringUserProfile[]): void;
  removeUser(userId: string): boolean;
  putDepartment(department: IspringDepartment): void;
  removeDepartment(departmentId: string): boolean;
  putGroup(group: IspringGroup): void;
  removeGroup(groupId: string): boolean;
}

export interface IspringSandboxServer extends SandboxServer<IspringVariants>, IspringRecords {}

export interface ListeningIspringSandboxServer
  extends ListeningSandboxServer<IspringVariants>, IspringRecords {}

export interface IspringSandboxOptions {
  readonly host: string;
  readonly port: number;
  readonly delayMs: number;
  /** The default of the `tokenLifetimeSeconds` variant. */
  readonly tokenLifetimeSeconds: number;
  readonly organisation: DemoOrganisation['ispring'];
  readonly credentials: SandboxCredentials['ispring'];
  /** Applied over the defaults at start; `resetVariants()` comes back to them. */
  readonly variants?: Partial<IspringVariants>;
}

export async function startIspringSandbox(
  options: IspringSandboxOptions,
): Promise<ListeningIspringSandboxServer> {
  const variants = new VariantSettings(
    'iSpring',
    ISPRING_VARIANT_VALUES,
    { ...DEFAULT_ISPRING_VARIANTS, tokenLifetimeSeconds: options.tokenLifetimeSeconds },
    options.variants,
  );
  const tokens = new TokenStore('ispring', variants.current.tokenLifetimeSeconds);
  const directory = new IspringDirectory(options.organisation);
  const server = await listen({
    host: options.host,
    port: options.port,
    basePath: '',
    delayMs: options.delayMs,
    api: createIspringApi(directory, options.credentials, tokens, variants),
    expireTokens: () => tokens.expireAll(),
    variants,
  });
  const records: IspringRecords = {
    putUser: (profile) => directory.putUsers([profile]),
    putUsers: (profiles) => directory.putUsers(profiles),
    removeUser: (userId) => directory.removeUser(userId),
    putDepartment: (department) => directory.putDepartment(department),
    removeDepartment: (departmentId) => directory.removeDepartment(departmentId),
    putGroup: (group) => directory.putGroup(group),
    removeGroup: (groupId) => directory.removeGroup(groupId),
  };
  return Object.assign(server, records);
}

// ---------------------------------------------------------------------------------------------
// Formats

type Format = 'json' | 'xml';
type XmlTree = Record<string, unknown>;

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
// Keys no sanitised record can have (they hold a space), so that no record's `$` or `_` turns into
// attributes or text: every key of a record is an element.
const BUILDER_KEYS = { attrkey: ' attributes', charkey: ' text' };
const compactBuilder = new xml2js.Builder({
  ...BUILDER_KEYS,
  rootName: 'response',
  xmldec: { version: '1.0', encoding: 'UTF-8' },
  renderOpts: { pretty: false },
});
const prettyBuilder = new xml2js.Builder({
  ...BUILDER_KEYS,
  rootName: 'response',
  xmldec: { version: '1.0' },
  renderOpts: { pretty: true, indent: '  ', newline: '\n' },
});
/** One `<userProfile>` element, to be placed in a compact response (see `IspringDirectory`). */
const userProfileBuilder = new xml2js.Builder({
  ...BUILDER_KEYS,
  rootName: 'userProfile',
  headless: true,
  renderOpts: { pretty: false },
});

function formatOf(request: RouteRequest): Format {
  return /application\/json/i.test(request.headers.accept ?? '') ? 'json' : 'xml';
}

/** How one request is answered: its format, and the variants read when it arrived. */
interface Answerer {
  readonly format: Format;
  readonly variants: Readonly<IspringVariants>;
  /**
   * An answer in the format asked for: `json` as the JSON body; `xml` as the children of
   * `<response>`. `compact`, when given, is the finished text of those children, used instead of
   * building them when the layout is compact.
   */
  reply(status: number, json: () => unknown, xml: () => XmlTree, compact?: () => string): RouteReply;
  error(status: number, message: string): RouteReply;
}

function answererFor(request: RouteRequest, variants: Readonly<IspringVariants>): Answerer {
  const format = formatOf(request);
  const answerer: Answerer = {
    format,
    variants,
    reply(status, json, xml, compact) {
      if (format === 'json') return { status, contentType: JSON_TYPE, body: JSON.stringify(json()) };
      if (compact && variants.xmlStyle === 'compact') {
        const children = compact();
        const body = `${XML_DECLARATION}${children === '' ? '<response/>' : `<response>${children}</response>`}`;
        return { status, contentType: XML_TYPE, body };
      }
      const tree = xml();
      const builder = variants.xmlStyle === 'pretty' ? prettyBuilder : compactBuilder;
      let body = builder.buildObject(xmlSafe(tree));
      if (tree.nextPageToken === '') {
        // The page's own token is the document's last element: `<nextPageToken></nextPageToken>`.
        const at = body.lastIndexOf('<nextPageToken/>');
        if (at >= 0) body = `${body.slice(0, at)}<nextPageToken></nextPageToken>${body.slice(at + 16)}`;
      }
      return { status, contentType: XML_TYPE, body };
    },
    error(status, message) {
      const body: IspringErrorBody = { code: status, message };
      return answerer.reply(
        status,
        () => body,
        () => ({ ...body }),
      );
    },
  };
  return answerer;
}

/** `<name>…</name>` around finished XML text, `<name/>` when it is empty (as the builder writes it). */
function element(name: string, children: string): string {
  return children === '' ? `<${name}/>` : `<${name}>${children}</${name}>`;
}

// Characters XML 1.0 cannot carry, even as references; lone surrogates among them.
const NOT_XML_CHARACTERS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * A copy of a tree that the XML builder renders whatever a record holds: characters XML cannot
 * carry become U+FFFD, a key that is not an element name has its other characters replaced by `_`
 * (and `_` put first when it starts with neither a letter nor `_`), and an `undefined` in a list
 * becomes an empty element.
 */
function xmlSafe(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(NOT_XML_CHARACTERS, '\uFFFD');
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : xmlSafe(item)));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[xmlName(key)] = xmlSafe(item);
    return out;
  }
  return value;
}

function xmlName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Copies the defined, non-null entries of a record, in order. */
function defined(record: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record))
    if (value !== undefined && value !== null) out[key] = value;
  return out;
}

const ids = (values: readonly unknown[]) => ({ id: [...values] });

/** A subordination object as its elements; anything else as it is. */
const subordinationXml = (value: unknown): unknown => (isRecord(value) ? defined(value) : value);

function userRoleXml(role: unknown): unknown {
  if (!isRecord(role)) return role;
  const out = defined(role);
  if (Array.isArray(role.manageableDepartmentIds))
    out.manageableDepartmentIds = ids(role.manageableDepartmentIds);
  return out;
}

/**
 * `<userProfile>`: lists as `<fields><field>`, `<groups><id>`, `<userRoles><userRole>`. Values in
 * another shape than the documented one (fields as an object, say) are written as they are, one
 * element per key.
 */
function userXml(user: IspringUserProfile): XmlTree {
  const out = defined(user);
  const raw = user as unknown as Record<string, unknown>;
  if (Array.isArray(raw.fields)) {
    out.fields = {
      field: raw.fields.map((field: unknown) =>
        isRecord(field) ? { name: field.name, value: field.value ?? '' } : field,
      ),
    };
  }
  if (Array.isArray(raw.groups)) out.groups = ids(raw.groups);
  if (Array.isArray(raw.manageableDepartmentIds))
    out.manageableDepartmentIds = ids(raw.manageableDepartmentIds);
  if (Array.isArray(raw.userRoles)) out.userRoles = { userRole: raw.userRoles.map(userRoleXml) };
  if (raw.subordination != null) out.subordination = subordinationXml(raw.subordination);
  if (raw.coSubordination != null) out.coSubordination = subordinationXml(raw.coSubordination);
  if (raw.workLeaveStatus != null) out.workLeaveStatus = subordinationXml(raw.workLeaveStatus);
  return out;
}

function departmentXml(department: IspringDepartment): XmlTree {
  const out = defined(department);
  if (department.subordination != null) out.subordination = subordinationXml(department.subordination);
  if (department.coSubordination != null) out.coSubordination = subordinationXml(department.coSubordination);
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
// Query parameters and filters

const FILTER_NAMES = ['userIds', 'departments', 'groups', 'logins', 'emails'] as const;
type FilterName = (typeof FILTER_NAMES)[number];
/** The filters of a user list; an absent or empty list does not filter. */
type UserFilter = Partial<Record<FilterName, readonly string[]>>;

/**
 * The array filters of a query as the `arrayFilters` variant reads them. URLSearchParams decodes
 * `%5B%5D` to `[]`, so both spellings count as brackets.
 */
function queryFilter(params: URLSearchParams, mode: IspringVariants['arrayFilters']): UserFilter {
  const out: Partial<Record<FilterName, string[]>> = {};
  if (mode === 'ignored') return out;
  for (const [rawKey, value] of params) {
    const key =
      mode === 'brackets'
        ? rawKey.endsWith('[]')
          ? rawKey.slice(0, -2)
          : undefined
        : rawKey.replace(/\[\d*\]$/, '');
    if (key === undefined || !(FILTER_NAMES as readonly string[]).includes(key)) continue;
    (out[key as FilterName] ??= []).push(value);
  }
  return out;
}

const FILTER_DOCUMENT = `a <request> document whose children are ${FILTER_NAMES.join(', ')} elements holding text, or a JSON object of those names with arrays of strings`;

/** The filter of a POST /users/v2 body, XML (`<request><userIds>…</userIds>…</request>`) or JSON. */
async function bodyFilter(request: RouteRequest): Promise<UserFilter | string> {
  const body = await request.readBody();
  const refused = `The request body must be ${FILTER_DOCUMENT}.`;
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  let root: unknown;
  if (contentType.includes('json')) {
    try {
      root = JSON.parse(body);
    } catch {
      return refused;
    }
  } else {
    let parsed: unknown;
    try {
      parsed = await xml2js.parseStringPromise(body);
    } catch {
      return refused;
    }
    if (!isRecord(parsed) || Object.keys(parsed).length !== 1 || !('request' in parsed)) return refused;
    root = parsed.request;
    // `<request/>` (or only whitespace inside): no filter.
    if (typeof root === 'string' && root.trim() === '') root = {};
  }
  if (!isRecord(root)) return refused;
  const out: Partial<Record<FilterName, string[]>> = {};
  for (const [key, values] of Object.entries(root)) {
    if (!(FILTER_NAMES as readonly string[]).includes(key)) return `${refused} It holds ${shown(key)}.`;
    if (!Array.isArray(values) || !values.every((value) => typeof value === 'string')) return refused;
    out[key as FilterName] = values as string[];
  }
  return out;
}

interface Page<T> {
  items: T[];
  nextPageToken: string | undefined;
}

const encodePageToken = (id: string) => Buffer.from(id, 'utf8').toString('base64');

/**
 * `pageSize` (1..1000, default 1000) and `pageToken` (base64 of the first item's id). `positionOf`,
 * when given, finds where an id stands in `items` (as `findIndex` would) without a scan.
 */
function pageOf<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  params: URLSearchParams,
  positionOf?: (id: string) => number | undefined,
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
    start =
      id === undefined
        ? -1
        : positionOf
          ? (positionOf(id) ?? -1)
          : items.findIndex((item) => idOf(item) === id);
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
// The organisation

/** A user as served, with what the filters read. */
interface IndexedUser {
  v2: IspringUserProfile;
  v1: IspringUserProfile;
  login: string;
  email: string;
  departmentId: unknown;
  groups: ReadonlySet<unknown>;
}

/** A profile field's value by name (any case), from the list form or the object form of `fields`. */
function fieldOf(user: IspringUserProfile, name: string): string {
  const fields: unknown = user.fields;
  const wanted = name.toLowerCase();
  let value: unknown;
  if (Array.isArray(fields)) {
    const found: unknown = fields.find(
      (field: unknown) =>
        isRecord(field) && typeof field.name === 'string' && field.name.toLowerCase() === wanted,
    );
    value = isRecord(found) ? found.value : undefined;
  } else if (isRecord(fields)) {
    value = Object.entries(fields).find(([key]) => key.toLowerCase() === wanted)?.[1];
  }
  return typeof value === 'string' ? value : '';
}

function checkRecord(record: unknown, idKey: string, kind: string): void {
  if (!isRecord(record) || typeof record[idKey] !== 'string') {
    throw new TypeError(`An iSpring ${kind} must be an object with a string ${idKey}.`);
  }
}

/** Puts `record` in place of the one with its id, or at the end; mutates `list`. */
function put<T>(list: T[], record: T, idOf: (item: T) => unknown): void {
  const at = list.findIndex((item) => idOf(item) === idOf(record));
  if (at >= 0) list[at] = record;
  else list.push(record);
}

function remove<T>(list: T[], id: string, idOf: (item: T) => unknown): boolean {
  const at = list.findIndex((item) => idOf(item) === id);
  if (at < 0) return false;
  list.splice(at, 1);
  return true;
}

/** A user as the filters read it. */
function indexUser(user: IspringUserProfile): IndexedUser {
  return {
    v2: user,
    v1: toV1(user),
    login: fieldOf(user, 'LOGIN').toLowerCase(),
    email: fieldOf(user, 'EMAIL').toLowerCase(),
    departmentId: user.departmentId,
    groups: new Set<unknown>(Array.isArray(user.groups) ? user.groups : []),
  };
}

function sameGroups(a: ReadonlySet<unknown>, b: ReadonlySet<unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const id of a) if (!b.has(id)) return false;
  return true;
}

/**
 * The organisation with the indexes the routes read. A put or a removal of users updates them for
 * those users only (re-indexing 100,000 users would cost every change a second); when the users'
 * list was edited some other way since (or holds an id twice), every index is rebuilt. Each user's
 * `<userProfile>` is built by xml2js the first time it is asked for and reused (until the user is
 * put again), so that a page of users costs string joins.
 */
class IspringDirectory {
  users: IndexedUser[] = [];
  usersById = new Map<string, IndexedUser>();
  departmentsById = new Map<string, IspringDepartment>();
  groupsById = new Map<string, IspringGroup>();
  groupMembers = new Map<string, string[]>();
  readonly #xml = new WeakMap<IspringUserProfile, { v1?: string; v2?: string }>();
  /** Where each id first stands in the users' list (where `put` finds it). */
  #positions = new Map<string, number>();

  constructor(readonly organisation: DemoOrganisation['ispring']) {
    this.#indexUsers();
    this.#indexDepartments();
  }

  get departments(): readonly IspringDepartment[] {
    return this.organisation.departments;
  }

  get groups(): readonly IspringGroup[] {
    return this.organisation.groups;
  }

  /** Where the user with that id first stands in `users`: what a page token names. */
  positionOf(userId: string): number | undefined {
    return this.#positions.get(userId);
  }

  profileXml(user: IndexedUser, v2: boolean): string {
    let cached = this.#xml.get(user.v2);
    if (!cached) this.#xml.set(user.v2, (cached = {}));
    return v2
      ? (cached.v2 ??= userProfileBuilder.buildObject(xmlSafe(userXml(user.v2))))
      : (cached.v1 ??= userProfileBuilder.buildObject(xmlSafe(userXml(user.v1))));
  }

  putUsers(profiles: readonly IspringUserProfile[]): void {
    for (const profile of profiles) checkRecord(profile, 'userId', 'user');
    let groupsChanged = false;
    for (const profile of profiles) {
      // The same object may come back edited: what was built from it is stale.
      this.#xml.delete(profile);
      if (!this.#inStep()) {
        put(this.organisation.users, profile, (user) => user.userId);
        this.#indexUsers();
        continue;
      }
      const indexed = indexUser(profile);
      const at = this.#positions.get(profile.userId);
      if (at === undefined) {
        this.organisation.users.push(profile);
        this.users.push(indexed);
        this.#positions.set(profile.userId, this.users.length - 1);
        groupsChanged ||= indexed.groups.size > 0;
      } else {
        groupsChanged ||= !sameGroups(this.users[at]!.groups, indexed.groups);
        this.organisation.users[at] = profile;
        this.users[at] = indexed;
      }
      this.usersById.set(profile.userId, indexed);
    }
    if (groupsChanged) this.#indexGroups();
  }

  removeUser(userId: string): boolean {
    if (!this.#inStep()) {
      const removed = remove(this.organisation.users, userId, (user) => user.userId);
      if (removed) this.#indexUsers();
      return removed;
    }
    const at = this.#positions.get(userId);
    if (at === undefined) return false;
    this.organisation.users.splice(at, 1);
    const [old] = this.users.splice(at, 1);
    this.usersById.delete(userId);
    this.#positions = positionsOf(this.users);
    if (old!.groups.size > 0) this.#indexGroups();
    return true;
  }

  putDepartment(department: IspringDepartment): void {
    checkRecord(department, 'departmentId', 'department');
    put(this.organisation.departments, department, (item) => item.departmentId);
    this.#indexDepartments();
  }

  removeDepartment(departmentId: string): boolean {
    const removed = remove(this.organisation.departments, departmentId, (item) => item.departmentId);
    if (removed) this.#indexDepartments();
    return removed;
  }

  putGroup(group: IspringGroup): void {
    checkRecord(group, 'groupId', 'group');
    put(this.organisation.groups, group, (item) => item.groupId);
    this.#indexGroupsAndUsers();
  }

  removeGroup(groupId: string): boolean {
    const removed = remove(this.organisation.groups, groupId, (item) => item.groupId);
    if (removed) this.#indexGroupsAndUsers();
    return removed;
  }

  /** True when the users' list is the one last indexed, with no id twice: its indexes can follow a change. */
  #inStep(): boolean {
    const list = this.organisation.users;
    const indexed = this.users;
    if (list.length !== indexed.length || this.usersById.size !== list.length) return false;
    for (let i = 0; i < list.length; i += 1) if (list[i] !== indexed[i]!.v2) return false;
    return true;
  }

  #indexUsers(): void {
    this.users = this.organisation.users.map(indexUser);
    this.usersById = new Map(this.users.map((user) => [user.v2.userId, user]));
    this.#positions = positionsOf(this.users);
    this.#indexGroups();
  }

  /**
   * Every index reads the lists as they are now: a department or a group put after the users were
   * edited in place finds them re-indexed too.
   */
  #indexGroupsAndUsers(): void {
    if (this.#inStep()) this.#indexGroups();
    else this.#indexUsers();
  }

  #indexDepartments(): void {
    if (!this.#inStep()) this.#indexUsers();
    const { departments } = this.organisation;
    this.departmentsById = new Map(departments.map((department) => [department.departmentId, department]));
  }

  #indexGroups(): void {
    const { groups } = this.organisation;
    this.groupsById = new Map(groups.map((group) => [group.groupId, group]));
    this.groupMembers = new Map(groups.map((group) => [group.groupId, []]));
    for (const user of this.users)
      for (const id of user.groups)
        if (typeof id === 'string') this.groupMembers.get(id)?.push(user.v2.userId);
  }
}

/** Where each user id first stands in `users`. */
function positionsOf(users: readonly IndexedUser[]): Map<string, number> {
  const positions = new Map<string, number>();
  users.forEach((user, at) => {
    if (!positions.has(user.v2.userId)) positions.set(user.v2.userId, at);
  });
  return positions;
}

// ---------------------------------------------------------------------------------------------

/** nginx's own page for a request line too long for its buffers. */
const URI_TOO_LARGE_PAGE =
  '<html><head><title>414 Request-URI Too Large</title></head><body><center><h1>414 Request-URI Too Large</h1></center><hr><center>nginx</center></body></html>';

function requestLineBytes(request: RouteRequest): number {
  return Buffer.byteLength(`${request.method} ${request.url} HTTP/1.1`, 'latin1');
}

function createIspringApi(
  directory: IspringDirectory,
  credentials: SandboxCredentials['ispring'],
  tokens: TokenStore,
  settings: VariantSettings<IspringVariants>,
): SandboxApi {
  const answererOf = (request: RouteRequest) => answererFor(request, settings.current);
  const normaliseAccountUrl = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();

  const authenticated = (request: RouteRequest): boolean => {
    const authorization = request.headers.authorization?.trim();
    if (authorization) {
      // `Bearer <token>` per the Access Token page; the bare token per the endpoint pages.
      const token = /^bearer\s+(.+)$/is.exec(authorization)?.[1] ?? authorization;
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

  type Handler = (request: RouteRequest) => RouteReply | Promise<RouteReply>;

  /** A read: authenticated first, then answered in the format asked for. */
  const read =
    (
      answer: (
        out: Answerer,
        params: URLSearchParams,
        request: RouteRequest,
      ) => RouteReply | Promise<RouteReply>,
    ): Handler =>
    (request) => {
      const out = answererOf(request);
      if (!authenticated(request)) {
        return out.error(
          401,
          'Authorization failed: send Authorization with an access token, or X-Auth-Account-Url, X-Auth-Email and X-Auth-Password.',
        );
      }
      return answer(out, new URLSearchParams(request.query), request);
    };

  const issueToken: Handler = async (request) => {
    const out = answererOf(request);
    const contentType = (request.headers['content-type'] ?? '').toLowerCase();
    const body = await request.readBody();
    if (!contentType.includes('application/x-www-form-urlencoded')) {
      return out.error(400, 'The token request must be sent as application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(body);
    const missing = ['client_id', 'client_secret', 'grant_type'].filter((name) => !form.get(name));
    if (missing.length > 0) return out.error(400, `Missing required parameters: ${missing.join(', ')}.`);
    if (form.get('grant_type') !== 'client_credentials') {
      return out.error(400, 'grant_type must be client_credentials.');
    }
    if (
      form.get('client_id') !== credentials.clientId ||
      form.get('client_secret') !== credentials.clientSecret
    ) {
      return out.error(401, 'The client credentials are not valid.');
    }
    const lifetimeSeconds = out.variants.tokenLifetimeSeconds;
    const token: IspringTokenResponse = {
      access_token: tokens.issue([], { lifetimeSeconds, shape: out.variants.accessToken }),
      expires_in: lifetimeSeconds,
      token_type: 'bearer',
    };
    return out.reply(
      200,
      () => token,
      () => ({ ...token }),
    );
  };

  /**
   * The users `filter` selects, in the organisation's order; `userIds` only where `withUserIds`.
   * Without a filter, the directory's own list (not a copy), which page tokens are looked up in.
   */
  const selectUsers = (filter: UserFilter, withUserIds: boolean): readonly IndexedUser[] => {
    const set = (name: FilterName, lower = false) => {
      const values = filter[name];
      if (!values || values.length === 0) return undefined;
      return new Set(values.map((value) => (lower ? value.toLowerCase() : value)));
    };
    const departmentIds = set('departments');
    const groupIds = set('groups');
    const logins = set('logins', true);
    const emails = set('emails', true);
    const userIds = withUserIds ? set('userIds') : undefined;
    const users = directory.users;
    if (!userIds && !departmentIds && !groupIds && !logins && !emails) return users;
    if (userIds && !departmentIds && !groupIds && !logins && !emails) {
      // Keeps the sandbox's order while skipping a scan of every user.
      return users.filter((user) => userIds.has(user.v2.userId));
    }
    return users.filter(
      (user) =>
        (!departmentIds || departmentIds.has(user.departmentId as string)) &&
        (!groupIds || [...groupIds].some((id) => user.groups.has(id))) &&
        (!logins || logins.has(user.login)) &&
        (!emails || emails.has(user.email)) &&
        (!userIds || userIds.has(user.v2.userId)),
    );
  };

  /** `User not found` when the variant rejects a batch holding an id no user has. */
  const rejectedBatch = (out: Answerer, filter: UserFilter): RouteReply | undefined => {
    if (out.variants.unknownUserIdInBatch !== 'reject') return undefined;
    const unknown = (filter.userIds ?? []).some((id) => !directory.usersById.has(id));
    return unknown ? out.error(400, 'User not found') : undefined;
  };

  const view = (user: IndexedUser, v2: boolean) => (v2 ? user.v2 : user.v1);

  /** `{"response": …}` or the bare value, as the `jsonEnvelopes` variant says. */
  const byIdJson = (out: Answerer, value: unknown) =>
    out.variants.jsonEnvelopes === 'spec' ? { response: value } : value;

  /** A users page (`UsersPage`, `UsersPageV2`) of `items`. */
  const usersPage = (out: Answerer, items: readonly IndexedUser[], next: string | undefined, v2: boolean) => {
    const emptyEnd = next === undefined && out.variants.pageEnd === 'empty';
    return out.reply(
      200,
      () => ({
        userProfiles: items.map((user) => view(user, v2)),
        ...(next !== undefined ? { nextPageToken: next } : emptyEnd ? { nextPageToken: '' } : {}),
      }),
      () => ({
        userProfiles: { userProfile: items.map((user) => userXml(view(user, v2))) },
        ...(next !== undefined ? { nextPageToken: next } : emptyEnd ? { nextPageToken: '' } : {}),
      }),
      // The token is base64: nothing in it needs escaping.
      () =>
        element('userProfiles', items.map((user) => directory.profileXml(user, v2)).join('')) +
        (next !== undefined
          ? element('nextPageToken', next)
          : emptyEnd
            ? '<nextPageToken></nextPageToken>'
            : ''),
    );
  };

  /** `nextPageToken` of a page of another list, as the `pageEnd` variant writes its end. */
  const pageToken = (out: Answerer, next: string | undefined) =>
    next !== undefined
      ? { nextPageToken: next }
      : out.variants.pageEnd === 'empty'
        ? { nextPageToken: '' }
        : {};

  const notFound = (out: Answerer, message: string) => out.error(out.variants.notFoundStatus, message);

  const userById = (id: string, v2: boolean): Handler =>
    read((out) => {
      const user = directory.usersById.get(id);
      if (!user) return notFound(out, 'User not found');
      return out.reply(
        200,
        () => byIdJson(out, view(user, v2)),
        () => ({ userProfile: userXml(view(user, v2)) }),
        () => directory.profileXml(user, v2),
      );
    });

  const userList = (v2: boolean): Handler =>
    read((out, params) => {
      const selected = selectUsers(queryFilter(params, out.variants.arrayFilters), false);
      return out.reply(
        200,
        () => selected.map((user) => view(user, v2)),
        () => ({ userProfile: selected.map((user) => userXml(view(user, v2))) }),
        () => selected.map((user) => directory.profileXml(user, v2)).join(''),
      );
    });

  const userPages = (v2: boolean): Handler =>
    read((out, params) => {
      const filter = queryFilter(params, out.variants.arrayFilters);
      if (v2) {
        const rejected = rejectedBatch(out, filter);
        if (rejected) return rejected;
      }
      const selected = selectUsers(filter, v2);
      const page = pageOf(
        selected,
        (user) => user.v2.userId,
        params,
        selected === directory.users ? (id) => directory.positionOf(id) : undefined,
      );
      if (typeof page === 'string') return out.error(400, page);
      return usersPage(out, page.items, page.nextPageToken, v2);
    });

  /** POST /users/v2: every user the body's filter selects, in one page (the operation has no paging). */
  const usersByPost: Handler = (request) => {
    const variant = settings.current.postUsers;
    if (variant === 'refused') {
      const answer = answererOf(request).error(405, 'This endpoint does not support POST.');
      return { ...answer, headers: { allow: 'GET' } };
    }
    return read(async (out) => {
      if (variant === 'ignored') return usersPage(out, directory.users, undefined, true);
      const filter = await bodyFilter(request);
      if (typeof filter === 'string') return out.error(400, filter);
      return rejectedBatch(out, filter) ?? usersPage(out, selectUsers(filter, true), undefined, true);
    })(request);
  };

  const departmentList = read((out, params) => {
    const code = params.get('code');
    const departments = directory.departments;
    const selected =
      code === null ? departments : departments.filter((department) => department.code === code);
    return out.reply(
      200,
      () => (out.variants.jsonEnvelopes === 'spec' ? { departments: selected } : selected),
      () => ({ department: selected.map(departmentXml) }),
    );
  });

  const departmentById = (id: string): Handler =>
    read((out) => {
      const department = directory.departmentsById.get(id);
      if (!department) return notFound(out, 'Department not found');
      return out.reply(
        200,
        () => byIdJson(out, department),
        () => ({ department: departmentXml(department) }),
      );
    });

  const departmentPages = read((out, params) => {
    const page = pageOf(directory.departments, (department) => department.departmentId, params);
    if (typeof page === 'string') return out.error(400, page);
    const token = pageToken(out, page.nextPageToken);
    return out.reply(
      200,
      () => ({ departments: page.items, ...token }),
      () => ({ departments: { department: page.items.map(departmentXml) }, ...token }),
    );
  });

  // `GET /group` writes isSmart as true/false; `GET /groups` and `GET /group/{id}` as 0/1 (iSpring's docs).
  const groupWithBoolean = (group: IspringGroup): IspringGroup => ({ ...group, isSmart: isSmart(group) });
  const groupWithNumber = (group: IspringGroup): IspringGroup => ({
    ...group,
    isSmart: isSmart(group) ? 1 : 0,
  });

  const groupList = read((out) => {
    const list = directory.groups.map(groupWithBoolean);
    return out.reply(
      200,
      () => (out.variants.jsonEnvelopes === 'spec' ? { groups: list } : list),
      () => ({ group: list }),
    );
  });

  const groupById = (id: string): Handler =>
    read((out) => {
      const group = directory.groupsById.get(id);
      if (!group) return notFound(out, 'Group not found');
      const userIds = directory.groupMembers.get(group.groupId) ?? [];
      const detailed: IspringDetailedGroup = {
        usersCount: userIds.length,
        userIds,
        groupId: group.groupId,
        name: group.name,
        isSmart: isSmart(group) ? 1 : 0,
      };
      return out.reply(
        200,
        () => byIdJson(out, detailed),
        () => ({ group: { ...detailed, userIds: ids(userIds) } }),
      );
    });

  const groupPages = read((out, params) => {
    const page = pageOf(directory.groups, (group) => group.groupId, params);
    if (typeof page === 'string') return out.error(400, page);
    const list = page.items.map(groupWithNumber);
    const token = pageToken(out, page.nextPageToken);
    return out.reply(
      200,
      () => ({ groups: list, ...token }),
      () => ({ groups: { group: list }, ...token }),
    );
  });

  /** The routes of a path by method; `undefined` when the path is not an endpoint. */
  const match = (segments: readonly string[]): Partial<Record<string, Route>> | undefined => {
    const [first, second, third] = segments;
    const n = segments.length;
    const get = (endpoint: string, handle: Handler) => ({ GET: { endpoint, handle } });
    if (first === 'user') {
      if (n === 1) return get(ISPRING_ENDPOINTS.userList, userList(false));
      if (n === 2 && second === 'v2') return get(ISPRING_ENDPOINTS.userListV2, userList(true));
      if (n === 2 && second) return get(ISPRING_ENDPOINTS.user, userById(second, false));
      if (n === 3 && second && third === 'v2') return get(ISPRING_ENDPOINTS.userV2, userById(second, true));
    }
    if (first === 'users') {
      if (n === 1) return get(ISPRING_ENDPOINTS.users, userPages(false));
      if (n === 2 && second === 'v2') {
        return {
          ...get(ISPRING_ENDPOINTS.usersV2, userPages(true)),
          POST: { endpoint: ISPRING_ENDPOINTS.usersV2ByPost, handle: usersByPost },
        };
      }
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
      const answer = answererOf(request).error(status, message);
      return allow ? { ...answer, headers: { allow } } : answer;
    },
  });

  /** The route for `method` on a path, before the request-line check. */
  const routeOf = (method: string, path: string): Route => {
    const segments = pathSegments(path);
    if (!segments) return unknown(method, 400, 'The path has malformed percent-encoding.');
    if (segments.length === 3 && segments[0] === 'api' && segments[1] === 'v3' && segments[2] === 'token') {
      if (method !== 'POST') return unknown(method, 405, `This endpoint does not support ${method}.`, 'POST');
      return { endpoint: ISPRING_ENDPOINTS.token, handle: issueToken };
    }
    const rest =
      segments[0] === 'api' && segments[1] === 'v2'
        ? segments.slice(2)
        : segments[0] === 'index.php' && segments[1] === 'api' && segments[2] === 'v2'
          ? segments.slice(3)
          : segments;
    const routes = match(rest);
    if (!routes) return unknown(method, 404, 'No such endpoint.');
    const route = routes[method];
    if (route) return route;
    return unknown(method, 405, `This endpoint does not support ${method}.`, Object.keys(routes).join(', '));
  };

  return {
    endpoints: Object.values(ISPRING_ENDPOINTS),
    route(method, path): Route {
      const route = routeOf(method, path);
      return {
        endpoint: route.endpoint,
        handle: (request) =>
          requestLineBytes(request) > MAX_REQUEST_LINE_BYTES
            ? {
                status: 414,
                contentType: 'text/html',
                body: URI_TOO_LARGE_PAGE,
                headers: { server: 'nginx', connection: 'close' },
              }
            : route.handle(request),
      };
    },
    format: formatOf,
    failure: (request, status, message) => answererOf(request).error(status, message),
  };
}
