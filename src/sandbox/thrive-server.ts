import { STATUS_CODES } from 'node:http';
import type {
  ThriveAudience,
  ThriveErrorBody,
  ThrivePage,
  ThriveTokenResponse,
  ThriveUser,
} from '../providers/thrive/wire.js';
import type { SandboxCredentials } from './credentials.js';
import { listen, pathSegments, shown, type ListeningSandboxServer, type SandboxServer } from './recorder.js';
import type { Route, RouteReply, RouteRequest, SandboxApi } from './routes.js';
import type { DemoOrganisation, ThriveAudienceManagerSeed } from './seed/index.js';
import { TokenStore } from './tokens.js';
import {
  DEFAULT_THRIVE_VARIANTS,
  THRIVE_VARIANT_VALUES,
  VariantSettings,
  type ThriveVariants,
} from './variants.js';
import { THRIVE_ENDPOINTS } from '../providers/thrive/endpoints.js';
import { toIsoDateTime } from '../providers/dates.js';

/**
 * Thrive Learning's REST API v1 as its public docs describe it: JSON everywhere,
 * HTTP Basic (tenant id and API secret) or an OAuth 2.0 client-credentials Bearer token, the
 * `{pagination, results}` envelope, `{status, error, message}` errors. The token endpoint lives on
 * the origin (`/oauth2/token/{tenantId}`); everything else under `/rest/v1`. What real tenants may
 * do differently is a variant (variants.ts).
 */

export const THRIVE_API_PREFIX = '/rest/v1';

/**
 * Changes to the organisation a running Thrive sandbox serves. Each edits the server's organisation
 * (`sandbox.organisation.thrive`) in place: a put replaces the record with the same id where it
 * stands, or appends it; a remove takes it out and says whether it was there. Records are served
 * as given (JSON verbatim), whatever their fields hold; audience members come from the users'
 * `audiences`, so putting a user changes them.
 */
export interface ThriveRecords {
  putUser(user: ThriveUser): void;
  /** Puts each in turn, then re-indexes once (a put re-indexes every user). */
  putUsers(users: readonly ThriveUser[]): void;
  removeUser(id: string): boolean;
  putAudience(audience: ThriveAudience): void;
  removeAudience(id: string): boolean;
}

export interface ThriveSandboxServer extends SandboxServer<ThriveVariants>, ThriveRecords {}

export interface ListeningThriveSandboxServer extends ListeningSandboxServer<ThriveVariants>, ThriveRecords {}

export interface ThriveSandboxOptions {
  readonly host: string;
  readonly port: number;
  readonly delayMs: number;
  /** The default of the `tokenLifetimeSeconds` variant. */
  readonly tokenLifetimeSeconds: number;
  readonly organisation: DemoOrganisation['thrive'];
  readonly credentials: SandboxCredentials['thrive'];
  /** Applied over the defaults at start; `resetVariants()` comes back to them. */
  readonly variants?: Partial<ThriveVariants>;
}

export async function startThriveSandbox(
  options: ThriveSandboxOptions,
): Promise<ListeningThriveSandboxServer> {
  const variants = new VariantSettings(
    'Thrive',
    THRIVE_VARIANT_VALUES,
    { ...DEFAULT_THRIVE_VARIANTS, tokenLifetimeSeconds: options.tokenLifetimeSeconds },
    options.variants,
  );
  const tokens = new TokenStore('thrive', variants.current.tokenLifetimeSeconds);
  const directory = new ThriveDirectory(options.organisation);
  const server = await listen({
    host: options.host,
    port: options.port,
    basePath: THRIVE_API_PREFIX,
    delayMs: options.delayMs,
    api: createThriveApi(directory, options.credentials, tokens, variants),
    expireTokens: () => tokens.expireAll(),
    variants,
  });
  const records: ThriveRecords = {
    putUser: (user) => directory.putUsers([user]),
    putUsers: (users) => directory.putUsers(users),
    removeUser: (id) => directory.removeUser(id),
    putAudience: (audience) => directory.putAudience(audience),
    removeAudience: (id) => directory.removeAudience(id),
  };
  return Object.assign(server, records);
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The fields of `BasicUser` (`GET /users/ref/{ref}`), as Thrive's docs list them. */
const BASIC_USER_FIELDS = [
  'id',
  'ref',
  'firstName',
  'lastName',
  'email',
  'role',
  'status',
  'positions',
  'additionalFields',
  'languageCode',
] as const satisfies ReadonlyArray<keyof ThriveUser>;

/** The fields of an `AudienceStub`, the items of `GET /audiences` under the 'stubs' variant. */
const AUDIENCE_STUB_FIELDS = [
  'id',
  'name',
  'reference',
  'apiControlled',
  'category',
  'type',
] as const satisfies ReadonlyArray<keyof ThriveAudience>;

/** A Mongo ObjectId, as Thrive's ids are. */
const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

function json(status: number, body: unknown, headers?: Record<string, string>): RouteReply {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(body), ...(headers ? { headers } : {}) };
}

function error(status: number, message: string, headers?: Record<string, string>): RouteReply {
  const body: ThriveErrorBody = { status, error: STATUS_CODES[status] ?? 'Error', message };
  return json(status, body, headers);
}

/** An OAuth 2.0 error response (RFC 6749 §5.2), as a Cognito-style token endpoint sends it. */
function oauthError(status: number, code: string): RouteReply {
  return json(status, { error: code }, { 'cache-control': 'no-store' });
}

/** `user:password` from a Basic header, or `undefined` when the header is not Basic. */
function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Picks the keys of `record` that are among `keys`, in their order. */
function pick(record: object, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in record) out[key] = (record as Record<string, unknown>)[key];
  return out;
}

interface Paging {
  page: number;
  perPage: number;
}

/**
 * `page` (≥ 1, default 1) and `perPage` (1..`maxPerPage`, default 100); `limit` (1..100) where the
 * endpoint documents it, used when `perPage` is absent.
 */
function readPaging(params: URLSearchParams, maxPerPage: number, acceptsLimit: boolean): Paging | RouteReply {
  const whole = (name: string, min: number, max: number): number | RouteReply | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max)) {
      return error(400, `${name} must be a whole number from ${min} to ${max}; got ${shown(raw)}.`);
    }
    return value;
  };
  const page = whole('page', 1, 999_999_999);
  if (typeof page === 'object') return page;
  const perPage = whole('perPage', 1, maxPerPage);
  if (typeof perPage === 'object') return perPage;
  const limit = acceptsLimit ? whole('limit', 1, 100) : undefined;
  if (typeof limit === 'object') return limit;
  return { page: page ?? 1, perPage: perPage ?? limit ?? 100 };
}

function pageOf<T>(items: readonly T[], { page, perPage }: Paging): ThrivePage<T> {
  return {
    pagination: { totalResults: items.length, totalPages: Math.ceil(items.length / perPage), page, perPage },
    results: items.slice((page - 1) * perPage, page * perPage),
  };
}

/**
 * True when the user's `updatedAt` is `from` (epoch ms) or later. A user without a readable
 * `updatedAt` is left out of a filtered list: nothing says it changed.
 */
function updatedOnOrAfter(user: ThriveUser, from: number): boolean {
  const updatedAt = typeof user.updatedAt === 'string' ? toIsoDateTime(user.updatedAt) : null;
  return updatedAt !== null && Date.parse(updatedAt) >= from;
}

function checkRecord(record: unknown, kind: string): void {
  if (typeof record !== 'object' || record === null || typeof (record as { id?: unknown }).id !== 'string') {
    throw new TypeError(`A Thrive ${kind} must be an object with a string id.`);
  }
}

/** Puts `record` in place of the one with its id, or at the end; mutates `list`. */
function put<T extends { id: string }>(list: T[], record: T): void {
  const at = list.findIndex((item) => item.id === record.id);
  if (at >= 0) list[at] = record;
  else list.push(record);
}

function remove<T extends { id: string }>(list: T[], id: string): boolean {
  const at = list.findIndex((item) => item.id === id);
  if (at < 0) return false;
  list.splice(at, 1);
  return true;
}

/** The audience ids a user's `audiences` name (strings or `{id}` objects; anything else is skipped). */
function membershipsOf(user: ThriveUser): string[] {
  const entries: unknown = user.audiences;
  if (!Array.isArray(entries)) return [];
  const ids: string[] = [];
  for (const entry of entries as unknown[]) {
    if (typeof entry === 'string') ids.push(entry);
    else if (
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as { id?: unknown }).id === 'string'
    )
      ids.push((entry as { id: string }).id);
  }
  return ids;
}

/**
 * The organisation with the indexes the routes read. A put or a removal of users updates them for
 * those users only (an organisation of 100,000 users is re-indexed in a fraction of a second, which
 * every change would otherwise cost); when the list was edited some other way since (or holds an id
 * twice), every index is rebuilt, as it is for a change of audiences.
 */
class ThriveDirectory {
  usersById = new Map<string, ThriveUser>();
  usersByRef = new Map<unknown, ThriveUser>();
  audiencesById = new Map<string, ThriveAudience>();
  audiencesByReference = new Map<unknown, ThriveAudience>();
  members = new Map<string, ThriveUser[]>();
  managers = new Map<string, ThriveAudienceManagerSeed[]>();
  /** The users' list as last indexed, and where each id first stands in it (where `put` finds it). */
  #indexed: ThriveUser[] = [];
  #positions = new Map<string, number>();

  constructor(readonly organisation: DemoOrganisation['thrive']) {
    this.#index();
  }

  get users(): readonly ThriveUser[] {
    return this.organisation.users;
  }

  get audiences(): readonly ThriveAudience[] {
    return this.organisation.audiences;
  }

  findAudience(idOrReference: string): ThriveAudience | undefined {
    return this.audiencesById.get(idOrReference) ?? this.audiencesByReference.get(idOrReference);
  }

  putUsers(users: readonly ThriveUser[]): void {
    for (const user of users) checkRecord(user, 'user');
    for (const user of users) {
      if (!this.#inStep()) {
        put(this.organisation.users, user);
        this.#index();
        continue;
      }
      const list = this.organisation.users;
      const at = this.#positions.get(user.id);
      const old = at === undefined ? undefined : list[at];
      if (old === user) {
        // The same object, edited in place: what it said before is gone, so index everything.
        this.#index();
        continue;
      }
      if (at === undefined) {
        list.push(user);
        this.#indexed.push(user);
        this.#positions.set(user.id, list.length - 1);
      } else {
        list[at] = user;
        this.#indexed[at] = user;
      }
      this.usersById.set(user.id, user);
      this.#followRefs(old, user);
      this.#followMembers(old, user);
    }
    this.#indexManagers();
  }

  removeUser(id: string): boolean {
    if (!this.#inStep()) {
      const removed = remove(this.organisation.users, id);
      if (removed) this.#index();
      return removed;
    }
    const at = this.#positions.get(id);
    if (at === undefined) return false;
    const [old] = this.organisation.users.splice(at, 1);
    this.#indexed.splice(at, 1);
    this.#positions = positionsOf(this.#indexed);
    this.usersById.delete(id);
    this.#followRefs(old, undefined);
    this.#followMembers(old, undefined);
    return true;
  }

  putAudience(audience: ThriveAudience): void {
    checkRecord(audience, 'audience');
    put(this.organisation.audiences, audience);
    this.#index(this.#inStep());
  }

  removeAudience(id: string): boolean {
    const removed = remove(this.organisation.audiences, id);
    if (removed) this.#index(this.#inStep());
    return removed;
  }

  /** True when the users' list is the one last indexed, with no id twice: its indexes can follow a change. */
  #inStep(): boolean {
    const list = this.organisation.users;
    const indexed = this.#indexed;
    if (list.length !== indexed.length || this.usersById.size !== list.length) return false;
    for (let i = 0; i < list.length; i += 1) if (list[i] !== indexed[i]) return false;
    return true;
  }

  /** The last user in the list with each ref `old` or `user` has holds it, as a full index says. */
  #followRefs(old: ThriveUser | undefined, user: ThriveUser | undefined): void {
    if (old && user && old.ref === user.ref) {
      if (old.ref && this.usersByRef.get(old.ref) === old) this.usersByRef.set(old.ref, user);
      return;
    }
    const list = this.organisation.users;
    for (const ref of [old?.ref, user?.ref]) {
      if (!ref) continue;
      let holder: ThriveUser | undefined;
      for (let i = list.length - 1; i >= 0 && !holder; i -= 1) if (list[i]!.ref === ref) holder = list[i];
      if (holder) this.usersByRef.set(ref, holder);
      else this.usersByRef.delete(ref);
    }
  }

  /** The member lists of the audiences `old` or `user` names, in the users' order. */
  #followMembers(old: ThriveUser | undefined, user: ThriveUser | undefined): void {
    const before = old ? membershipsOf(old) : [];
    const after = user ? membershipsOf(user) : [];
    if (old && user && before.length === after.length && before.every((id, i) => id === after[i])) {
      for (const id of new Set(after)) {
        const list = this.members.get(id);
        if (list) for (let i = 0; i < list.length; i += 1) if (list[i] === old) list[i] = user;
      }
      return;
    }
    for (const id of new Set([...before, ...after])) {
      const list: ThriveUser[] = [];
      for (const member of this.organisation.users)
        for (const audienceId of membershipsOf(member)) if (audienceId === id) list.push(member);
      if (list.length > 0) this.members.set(id, list);
      else this.members.delete(id);
    }
  }

  /** Every index; the users' only when `usersInStep` is false (the default). */
  #index(usersInStep = false): void {
    const { users, audiences } = this.organisation;
    if (!usersInStep) {
      this.usersById = new Map(users.map((user) => [user.id, user]));
      this.usersByRef = new Map();
      for (const user of users) if (user.ref) this.usersByRef.set(user.ref, user);
      // Members come from the users' own `audiences`.
      this.members = new Map();
      for (const user of users) {
        for (const id of membershipsOf(user)) {
          const list = this.members.get(id) ?? [];
          list.push(user);
          this.members.set(id, list);
        }
      }
      this.#indexed = [...users];
      this.#positions = positionsOf(users);
    }
    this.audiencesById = new Map(audiences.map((audience) => [audience.id, audience]));
    this.audiencesByReference = new Map();
    for (const audience of audiences)
      if (audience.reference) this.audiencesByReference.set(audience.reference, audience);
    this.#indexManagers();
  }

  #indexManagers(): void {
    this.managers = new Map();
    for (const manager of this.organisation.audienceManagers ?? []) {
      const list = this.managers.get(manager.audienceId) ?? [];
      list.push(manager);
      this.managers.set(manager.audienceId, list);
    }
  }
}

/** Where each id first stands in `users`. */
function positionsOf(users: readonly ThriveUser[]): Map<string, number> {
  const positions = new Map<string, number>();
  users.forEach((user, at) => {
    if (!positions.has(user.id)) positions.set(user.id, at);
  });
  return positions;
}

function createThriveApi(
  directory: ThriveDirectory,
  credentials: SandboxCredentials['thrive'],
  tokens: TokenStore,
  settings: VariantSettings<ThriveVariants>,
): SandboxApi {
  /** A 401 or 403 of the API, worded as the `authErrors` variant says. */
  const authError = (status: 401 | 403, message: string): RouteReply =>
    settings.current.authErrors === 'gateway'
      ? json(status, { message: status === 401 ? 'Unauthorized' : 'Forbidden' })
      : error(status, message);

  /** The 404 of a record looked up, its message as the `notFoundMessage` variant says. */
  const notFound = (id: string, reason: string): RouteReply =>
    settings.current.notFoundMessage === 'object'
      ? json(404, { status: 404, error: 'Not Found', message: { id, reason } })
      : error(404, reason);

  /** `undefined` when the request may read; otherwise the 401/403 to send. */
  const authorize = (request: RouteRequest): RouteReply | undefined => {
    const header = request.headers.authorization;
    if (!header) return authError(401, 'Authentication required: send HTTP Basic or Bearer credentials.');
    if (/^basic\s/i.test(header)) {
      const basic = basicCredentials(header);
      const valid = basic?.user === credentials.tenantId && basic.password === credentials.apiSecret;
      return valid ? undefined : authError(401, 'The tenant id or API secret is not valid.');
    }
    // Everything after the scheme: a token with a space in it (a variant) is taken whole.
    const bearer = /^bearer\s+(.+?)\s*$/is.exec(header);
    if (!bearer) return authError(401, 'Unsupported authorization scheme: use Basic or Bearer.');
    const scopes = tokens.check(bearer[1]!);
    if (!scopes) return authError(401, 'The access token is invalid or has expired.');
    if (!scopes.includes('api/read') && !scopes.includes('api/all')) {
      return authError(403, 'The access token does not carry the api/read or api/all scope.');
    }
    return undefined;
  };

  /** A GET under /rest/v1: authorised first, then answered. */
  const read =
    (answer: (params: URLSearchParams) => RouteReply) =>
    (request: RouteRequest): RouteReply =>
      authorize(request) ?? answer(new URLSearchParams(request.query));

  type TokenFields = Record<'grant_type' | 'scope' | 'client_id' | 'client_secret', string | undefined>;

  const formFields = (body: string): TokenFields => {
    const form = new URLSearchParams(body);
    return {
      grant_type: form.get('grant_type') ?? undefined,
      scope: form.get('scope') ?? undefined,
      client_id: form.get('client_id') ?? undefined,
      client_secret: form.get('client_secret') ?? undefined,
    };
  };

  /** The fields of a JSON body; `undefined` when it is not a JSON object. */
  const jsonFields = (body: string): TokenFields | undefined => {
    let parsed: unknown;
    try {
      parsed = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const object = parsed as Record<string, unknown>;
    const field = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
    return {
      grant_type: field(object.grant_type),
      scope: field(object.scope),
      client_id: field(object.client_id),
      client_secret: field(object.client_secret),
    };
  };

  const issueToken = async (request: RouteRequest, tenantId: string): Promise<RouteReply> => {
    const variants = settings.current;
    const body = await request.readBody();
    const contentType = (request.headers['content-type'] ?? '').toLowerCase();
    const isForm = contentType.includes('application/x-www-form-urlencoded');
    let fields: TokenFields | undefined;
    if (variants.tokenClientAuth !== 'either') {
      // Cognito-style: a form body, nothing else.
      if (!isForm) return oauthError(400, 'invalid_request');
      fields = formFields(body);
    } else if (contentType.includes('application/json')) {
      fields = jsonFields(body);
      if (!fields) return oauthError(400, 'invalid_request');
    } else if (contentType === '' || isForm) {
      fields = formFields(body);
    } else {
      return oauthError(400, 'invalid_request');
    }

    const header = request.headers.authorization;
    const inBody =
      fields.client_id !== undefined
        ? { user: fields.client_id, password: fields.client_secret ?? '' }
        : undefined;
    let client: { user: string; password: string } | undefined;
    switch (variants.tokenClientAuth) {
      case 'basic':
        // The client authenticates with a Basic header only (RFC 6749 §2.3.1); the form's do not count.
        client = basicCredentials(header);
        break;
      case 'post':
        // client_secret_post: the form's only; a Basic header is refused, not ignored.
        client = header !== undefined && /^basic\s/i.test(header) ? undefined : inBody;
        break;
      case 'either':
        client = header ? basicCredentials(header) : inBody;
        break;
    }
    const validClient =
      client?.user === credentials.clientId &&
      client.password === credentials.clientSecret &&
      tenantId === credentials.tenantId;
    if (!validClient) return oauthError(401, 'invalid_client');

    if (!fields.grant_type) return oauthError(400, 'invalid_request');
    if (fields.grant_type !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
    const asked = (fields.scope ?? '').split(/\s+/).filter((scope) => scope !== '');
    const scopes = asked.length > 0 ? asked : [credentials.defaultScope];
    const known: readonly string[] = credentials.scopes;
    if (!scopes.every((scope) => known.includes(scope))) return oauthError(400, 'invalid_scope');

    const lifetimeSeconds = variants.tokenLifetimeSeconds;
    const response: ThriveTokenResponse = {
      access_token: tokens.issue(scopes, { lifetimeSeconds, shape: variants.accessToken }),
      expires_in: lifetimeSeconds,
      token_type: 'Bearer',
    };
    return json(200, response, { 'cache-control': 'no-store' });
  };

  const apiRoute = (segments: readonly string[]): ((request: RouteRequest) => RouteReply) | undefined => {
    const [first, second, third] = segments;
    const n = segments.length;
    if (first === 'user' && n === 2 && second) {
      return read(() => {
        if (!OBJECT_ID.test(second)) {
          return settings.current.malformedUserId === 400
            ? error(400, 'id must be a valid ObjectId')
            : notFound(second, 'User not found');
        }
        const user = directory.usersById.get(second);
        return user ? json(200, user) : notFound(second, 'User not found');
      });
    }
    if (first === 'users' && n === 1) {
      return read((params) => {
        const paging = readPaging(params, 1000, false);
        if ('status' in paging) return paging;
        const since = settings.current.usersIgnoreUpdatedSince ? null : params.get('updatedSince');
        if (since === null) return json(200, pageOf(directory.users, paging));
        const sinceIso = toIsoDateTime(since);
        if (sinceIso === null) {
          return error(400, `updatedSince must be an ISO 8601 date or date-time; got ${shown(since)}.`);
        }
        const from = Date.parse(sinceIso);
        return json(
          200,
          pageOf(
            directory.users.filter((user) => updatedOnOrAfter(user, from)),
            paging,
          ),
        );
      });
    }
    if (first === 'users' && second === 'ref' && n === 3 && third) {
      return read(() => {
        const user = directory.usersByRef.get(third);
        if (!user) return notFound(third, 'User not found');
        return json(200, pick(user, BASIC_USER_FIELDS));
      });
    }
    if (first === 'audiences' && n === 1) {
      return read((params) => {
        const paging = readPaging(params, 1000, true);
        if ('status' in paging) return paging;
        const apiControlled = params.get('apiControlled');
        if (apiControlled !== null && apiControlled !== 'true' && apiControlled !== 'false') {
          return error(400, `apiControlled must be true or false; got ${shown(apiControlled)}.`);
        }
        const selected =
          apiControlled === null
            ? directory.audiences
            : directory.audiences.filter(
                (audience) => (audience.apiControlled === true) === (apiControlled === 'true'),
              );
        const page = pageOf(selected, paging);
        if (settings.current.audienceList === 'full') return json(200, page);
        return json(200, { ...page, results: page.results.map((item) => pick(item, AUDIENCE_STUB_FIELDS)) });
      });
    }
    if (
      first === 'audiences' &&
      second &&
      (n === 2 || (n === 3 && (third === 'members' || third === 'managers')))
    ) {
      return read((params) => {
        const audience = directory.findAudience(second);
        if (!audience) return notFound(second, 'Audience not found');
        if (n === 2) return json(200, audience);
        if (third === 'managers') {
          const list = (directory.managers.get(audience.id) ?? []).map((manager) => {
            const user = directory.usersById.get(manager.userId);
            return {
              userId: manager.userId,
              reference: user?.ref ?? null,
              email: user?.email ?? null,
              permissions: manager.permissions,
            };
          });
          return json(200, list);
        }
        const paging = readPaging(params, 1000, false);
        if ('status' in paging) return paging;
        const list = (directory.members.get(audience.id) ?? []).map((user) => ({
          userId: user.id,
          reference: user.ref ?? null,
          email: user.email ?? null,
        }));
        return json(200, pageOf(list, paging));
      });
    }
    return undefined;
  };

  /** The template of a matched API path (for the log), from its shape. */
  const apiTemplate = (segments: readonly string[]): string => {
    const [first, second, third] = segments;
    if (first === 'user') return THRIVE_ENDPOINTS.user;
    if (first === 'users') return segments.length === 1 ? THRIVE_ENDPOINTS.users : THRIVE_ENDPOINTS.userByRef;
    if (segments.length === 1) return THRIVE_ENDPOINTS.audiences;
    if (segments.length === 2 && second) return THRIVE_ENDPOINTS.audience;
    return third === 'members' ? THRIVE_ENDPOINTS.audienceMembers : THRIVE_ENDPOINTS.audienceManagers;
  };

  const unknown = (method: string, status: 404 | 405, allow?: string): Route => ({
    endpoint: `${method} <unknown>`,
    handle: () =>
      status === 404
        ? error(404, 'No such endpoint.')
        : error(405, `This endpoint does not support ${method}.`, { allow: allow ?? 'GET' }),
  });

  return {
    endpoints: Object.values(THRIVE_ENDPOINTS),
    route(method, path): Route {
      const segments = pathSegments(path);
      if (!segments) {
        return {
          endpoint: `${method} <unknown>`,
          handle: () => error(400, 'The path has malformed percent-encoding.'),
        };
      }
      if (segments[0] === 'oauth2' && segments[1] === 'token' && segments.length === 3 && segments[2]) {
        const tenantId = segments[2];
        if (method !== 'POST') return unknown(method, 405, 'POST');
        return { endpoint: THRIVE_ENDPOINTS.token, handle: (request) => issueToken(request, tenantId) };
      }
      if (segments[0] === 'rest' && segments[1] === 'v1') {
        const rest = segments.slice(2);
        const handle = apiRoute(rest);
        if (handle) {
          if (method !== 'GET') return unknown(method, 405, 'GET');
          return { endpoint: apiTemplate(rest), handle };
        }
      }
      return unknown(method, 404);
    },
    // JSON everywhere, the token endpoint included.
    format: () => 'json',
    failure: (_request, status, message) => error(status, message),
  };
}
