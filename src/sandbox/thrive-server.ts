import { STATUS_CODES } from 'node:http';
import type {
  ThriveAudience,
  ThriveErrorBody,
  ThrivePage,
  ThriveTokenResponse,
  ThriveUser,
} from '../providers/thrive/wire.js';
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
import type { DemoOrganisation, ThriveAudienceManagerSeed } from './seed.js';
import { TokenStore } from './tokens.js';

/**
 * Thrive Learning's REST API v1 as `shared/providers/thrive.md` documents it: JSON everywhere,
 * HTTP Basic (tenant id and API secret) or an OAuth 2.0 client-credentials Bearer token, the
 * `{pagination, results}` envelope, `{status, error, message}` errors. The token endpoint lives on
 * the origin (`/oauth2/token/{tenantId}`); everything else under `/rest/v1`.
 */

export const THRIVE_API_PREFIX = '/rest/v1';

/** The endpoint templates the request log and counters use (`/rest/v1` left out). */
export const THRIVE_ENDPOINTS = Object.freeze({
  token: 'POST /oauth2/token/{tenantId}',
  user: 'GET /user/{id}',
  userByRef: 'GET /users/ref/{ref}',
  users: 'GET /users',
  audiences: 'GET /audiences',
  audience: 'GET /audiences/{id}',
  audienceMembers: 'GET /audiences/{id}/members',
  audienceManagers: 'GET /audiences/{id}/managers',
});

export interface ThriveSandboxOptions {
  readonly host: string;
  readonly port: number;
  readonly delayMs: number;
  readonly tokenLifetimeSeconds: number;
  readonly organisation: DemoOrganisation['thrive'];
  readonly credentials: SandboxCredentials['thrive'];
}

export function startThriveSandbox(options: ThriveSandboxOptions): Promise<ListeningSandboxServer> {
  const tokens = new TokenStore('thrive', options.tokenLifetimeSeconds);
  return listen({
    host: options.host,
    port: options.port,
    basePath: THRIVE_API_PREFIX,
    delayMs: options.delayMs,
    api: createThriveApi(options.organisation, options.credentials, tokens),
    expireTokens: () => tokens.expireAll(),
  });
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The fields of `BasicUser` (`GET /users/ref/{ref}`, thrive.md §3.3). */
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

export function createThriveApi(
  organisation: DemoOrganisation['thrive'],
  credentials: SandboxCredentials['thrive'],
  tokens: TokenStore,
): SandboxApi {
  const users = organisation.users;
  const usersById = new Map(users.map((user) => [user.id, user]));
  const usersByRef = new Map<string, ThriveUser>();
  for (const user of users) if (user.ref) usersByRef.set(user.ref, user);
  const audiences = organisation.audiences;
  const audiencesById = new Map(audiences.map((audience) => [audience.id, audience]));
  const audiencesByReference = new Map<string, ThriveAudience>();
  for (const audience of audiences)
    if (audience.reference) audiencesByReference.set(audience.reference, audience);
  // Members come from the users' own `audiences` (strings or `{id}` objects).
  const members = new Map<string, ThriveUser[]>();
  for (const user of users) {
    for (const entry of user.audiences ?? []) {
      const id = typeof entry === 'string' ? entry : entry.id;
      const list = members.get(id) ?? [];
      list.push(user);
      members.set(id, list);
    }
  }
  const managers = new Map<string, ThriveAudienceManagerSeed[]>();
  for (const manager of organisation.audienceManagers ?? []) {
    const list = managers.get(manager.audienceId) ?? [];
    list.push(manager);
    managers.set(manager.audienceId, list);
  }
  const findAudience = (idOrReference: string) =>
    audiencesById.get(idOrReference) ?? audiencesByReference.get(idOrReference);

  /** `undefined` when the request may read; otherwise the 401/403 to send. */
  const authorize = (request: RouteRequest): RouteReply | undefined => {
    const header = request.headers.authorization;
    if (!header) return error(401, 'Authentication required: send HTTP Basic or Bearer credentials.');
    if (/^basic\s/i.test(header)) {
      const basic = basicCredentials(header);
      const valid = basic?.user === credentials.tenantId && basic.password === credentials.apiSecret;
      return valid ? undefined : error(401, 'The tenant id or API secret is not valid.');
    }
    const bearer = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (!bearer) return error(401, 'Unsupported authorization scheme: use Basic or Bearer.');
    const scopes = tokens.check(bearer[1]!);
    if (!scopes) return error(401, 'The access token is invalid or has expired.');
    if (!scopes.includes('api/read') && !scopes.includes('api/all')) {
      return error(403, 'The access token does not carry the api/read or api/all scope.');
    }
    return undefined;
  };

  /** A GET under /rest/v1: authorised first, then answered. */
  const read =
    (answer: (params: URLSearchParams) => RouteReply) =>
    (request: RouteRequest): RouteReply =>
      authorize(request) ?? answer(new URLSearchParams(request.query));

  const issueToken = async (request: RouteRequest, tenantId: string): Promise<RouteReply> => {
    const body = await request.readBody();
    const contentType = (request.headers['content-type'] ?? '').toLowerCase();
    const field = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
    let fields: Record<'grant_type' | 'scope' | 'client_id' | 'client_secret', string | undefined>;
    if (contentType.includes('application/json')) {
      let parsed: unknown;
      try {
        parsed = body.trim() === '' ? {} : JSON.parse(body);
      } catch {
        return oauthError(400, 'invalid_request');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return oauthError(400, 'invalid_request');
      }
      const object = parsed as Record<string, unknown>;
      fields = {
        grant_type: field(object.grant_type),
        scope: field(object.scope),
        client_id: field(object.client_id),
        client_secret: field(object.client_secret),
      };
    } else if (contentType === '' || contentType.includes('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(body);
      fields = {
        grant_type: form.get('grant_type') ?? undefined,
        scope: form.get('scope') ?? undefined,
        client_id: form.get('client_id') ?? undefined,
        client_secret: form.get('client_secret') ?? undefined,
      };
    } else {
      return oauthError(400, 'invalid_request');
    }

    // The client authenticates with a Basic header (RFC 6749 §2.3.1) or, failing that, the body.
    const header = request.headers.authorization;
    const client = header
      ? basicCredentials(header)
      : fields.client_id !== undefined
        ? { user: fields.client_id, password: fields.client_secret ?? '' }
        : undefined;
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

    const response: ThriveTokenResponse = {
      access_token: tokens.issue(scopes),
      expires_in: tokens.lifetimeSeconds,
      token_type: 'Bearer',
    };
    return json(200, response, { 'cache-control': 'no-store' });
  };

  const apiRoute = (segments: readonly string[]): ((request: RouteRequest) => RouteReply) | undefined => {
    const [first, second, third] = segments;
    const n = segments.length;
    if (first === 'user' && n === 2 && second) {
      return read(() => {
        const user = usersById.get(second);
        return user ? json(200, user) : error(404, 'User not found');
      });
    }
    if (first === 'users' && n === 1) {
      return read((params) => {
        const paging = readPaging(params, 1000, false);
        return 'status' in paging ? paging : json(200, pageOf(users, paging));
      });
    }
    if (first === 'users' && second === 'ref' && n === 3 && third) {
      return read(() => {
        const user = usersByRef.get(third);
        if (!user) return error(404, 'User not found');
        const basic: Record<string, unknown> = {};
        for (const key of BASIC_USER_FIELDS) if (key in user) basic[key] = user[key];
        return json(200, basic);
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
            ? audiences
            : audiences.filter(
                (audience) => (audience.apiControlled === true) === (apiControlled === 'true'),
              );
        return json(200, pageOf(selected, paging));
      });
    }
    if (
      first === 'audiences' &&
      second &&
      (n === 2 || (n === 3 && (third === 'members' || third === 'managers')))
    ) {
      return read((params) => {
        const audience = findAudience(second);
        if (!audience) return error(404, 'Audience not found');
        if (n === 2) return json(200, audience);
        if (third === 'managers') {
          const list = (managers.get(audience.id) ?? []).map((manager) => {
            const user = usersById.get(manager.userId);
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
        const list = (members.get(audience.id) ?? []).map((user) => ({
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
