import { RESTDataSource, type AugmentedRequest } from '@apollo/datasource-rest';
import type { GraphQLError } from 'graphql';
import type { RequestContext } from '../../context.js';
import { externalIdOf, providerOf } from '../../ids.js';
import { NOTHING_AT_HAND, type Loaders } from '../../loaders/index.js';
import { resolveManagerRule } from '../../manager-walk.js';
import type { DepartmentModel, GroupModel, UserModel } from '../../models.js';
import {
  decodeIspringDepartmentById,
  decodeIspringGroupById,
  decodeIspringTokenResponse,
  decodeIspringUser,
  parseIspringBody,
  type IspringBody,
} from '../../providers/ispring/decode.js';
import * as ispringMapper from '../../providers/ispring/mapper.js';
import {
  decodeThriveAudience,
  decodeThriveTokenResponse,
  decodeThriveUser,
} from '../../providers/thrive/decode.js';
import * as thriveMapper from '../../providers/thrive/mapper.js';
import { SecretRedactor } from '../../redaction.js';
import { failStart } from '../harness/ipc.js';
import { serveComparisonSubgraph } from './graphql-child.js';

/**
 * Peer B2 (forked by run.ts): the same subgraph schema and resolvers (`createSubgraphSchema()`),
 * with their data from the same sandbox providers the subgraph reads, fetched the usual
 * `@apollo/datasource-rest` way: one `RESTDataSource` per vendor, made per request; every loader
 * call is its own REST call, resolved per field (no DataLoader, no batching, no bulk lookups);
 * RESTDataSource's own GET memoization (in-flight dedup for the request's lifetime) is the only
 * dedup; node-fetch (RESTDataSource's default) on node's global keep-alive agent; each vendor's
 * token fetched once and reused until it expires. No retries, deadline, breaker or body bound.
 * Bodies are decoded and mapped with the providers' own decoders and mappers, so that the answers
 * are the subgraph's (run.ts checks them equal to B1's). Announces its URL over IPC.
 *
 * Environment: THRIVE_BASE_URL, THRIVE_TENANT_ID, THRIVE_CLIENT_ID, THRIVE_CLIENT_SECRET,
 * ISPRING_BASE_URL, ISPRING_CLIENT_ID, ISPRING_CLIENT_SECRET (`sandboxProviderEnv`).
 */

export interface PeerInfo {
  readonly url: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`peer B2: ${name} is not set`);
  return value;
}

/** The base URL with exactly one trailing slash, as RESTDataSource resolves relative paths. */
const withSlash = (url: string) => `${url.replace(/\/+$/, '')}/`;

/** A bearer token fetched once and reused until shortly before it expires. */
class TokenSource {
  #current: { readonly value: string; readonly expiresAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(private readonly fetchToken: () => Promise<{ value: string; expiresInSeconds: number }>) {}

  async get(): Promise<string> {
    if (this.#current !== undefined && Date.now() < this.#current.expiresAt) return this.#current.value;
    this.#pending ??= this.fetchToken()
      .then(({ value, expiresInSeconds }) => {
        this.#current = { value, expiresAt: Date.now() + Math.max(0, expiresInSeconds - 60) * 1000 };
        return value;
      })
      .finally(() => (this.#pending = undefined));
    return this.#pending;
  }
}

/** A RESTDataSource error's HTTP status, if the request got a response. */
const statusOf = (error: unknown): number | undefined =>
  ((error as GraphQLError).extensions?.['response'] as { status?: number } | undefined)?.status;

/** `read` with "not found" (one of `statuses`) as null. */
async function orNull<T>(read: Promise<T>, statuses: readonly number[]): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (statuses.includes(statusOf(error) ?? 0)) return null;
    throw error;
  }
}

// --- Thrive (JSON) ------------------------------------------------------------------------------

class ThriveTokenAPI extends RESTDataSource {
  constructor(
    baseURL: string,
    private readonly tenantId: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {
    super();
    this.baseURL = withSlash(baseURL);
  }

  async token(): Promise<{ value: string; expiresInSeconds: number }> {
    const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
    const body = await this.post(`oauth2/token/${encodeURIComponent(this.tenantId)}`, {
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api/read' }),
      headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
    });
    const token = decodeThriveTokenResponse(body);
    return { value: token.access_token, expiresInSeconds: token.expires_in ?? 3600 };
  }
}

class ThriveAPI extends RESTDataSource {
  constructor(
    baseURL: string,
    private readonly tokens: TokenSource,
  ) {
    super();
    this.baseURL = withSlash(baseURL);
  }

  protected override async willSendRequest(_path: string, request: AugmentedRequest): Promise<void> {
    request.headers['authorization'] = `Bearer ${await this.tokens.get()}`;
    request.headers['accept'] = 'application/json';
  }

  async user(id: string): Promise<UserModel | null> {
    const body = await orNull(this.get(`user/${encodeURIComponent(id)}`), [400, 404]);
    return body === null ? null : thriveMapper.toUserModel(decodeThriveUser(body));
  }

  async audience(id: string) {
    const body = await orNull(this.get(`audiences/${encodeURIComponent(id)}`), [404]);
    return body === null ? null : decodeThriveAudience(body);
  }
}

// --- iSpring (XML) ------------------------------------------------------------------------------

/** RESTDataSource parses JSON bodies and leaves XML as text; the decoders read either. */
const ispringBody = async (parsed: unknown): Promise<IspringBody> =>
  typeof parsed === 'string' ? parseIspringBody(parsed) : { format: 'json', json: parsed };

class IspringTokenAPI extends RESTDataSource {
  constructor(
    origin: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {
    super();
    this.baseURL = withSlash(origin);
  }

  async token(): Promise<{ value: string; expiresInSeconds: number }> {
    const parsed: unknown = await this.post('api/v3/token', {
      body: new URLSearchParams({
        client_id: this.clientId,
        client_secret: this.clientSecret,
        grant_type: 'client_credentials',
      }),
      headers: { accept: 'application/json' },
    });
    const token = decodeIspringTokenResponse(await ispringBody(parsed));
    return {
      value: token.access_token,
      expiresInSeconds: token.expires_in === undefined ? 1800 : Number(token.expires_in),
    };
  }
}

class IspringAPI extends RESTDataSource {
  constructor(
    baseURL: string,
    private readonly tokens: TokenSource,
  ) {
    super();
    this.baseURL = withSlash(baseURL);
  }

  protected override async willSendRequest(_path: string, request: AugmentedRequest): Promise<void> {
    request.headers['authorization'] = `Bearer ${await this.tokens.get()}`;
    request.headers['accept'] = 'application/xml';
  }

  /** iSpring answers 400 (or 404) to a by-id read of an id it does not have. */
  private async byId(path: string): Promise<IspringBody | null> {
    const parsed: unknown = await orNull(this.get(path), [400, 404]);
    return parsed === null ? null : ispringBody(parsed);
  }

  async user(id: string): Promise<UserModel | null> {
    const body = await this.byId(`user/${encodeURIComponent(id)}/v2`);
    return body === null ? null : ispringMapper.toUserModel(decodeIspringUser(body));
  }

  async department(id: string): Promise<DepartmentModel | null> {
    const body = await this.byId(`department/${encodeURIComponent(id)}`);
    return body === null ? null : ispringMapper.toDepartmentModel(decodeIspringDepartmentById(body));
  }

  async group(id: string): Promise<GroupModel | null> {
    const body = await this.byId(`group/${encodeURIComponent(id)}`);
    return body === null ? null : ispringMapper.toGroupModel(decodeIspringGroupById(body));
  }
}

// --- Loaders: one REST call per loader call -----------------------------------------------------

interface DataSources {
  readonly thrive: ThriveAPI;
  readonly ispring: IspringAPI;
}

/** `Loaders` whose every call is its own data source call (memoized by RESTDataSource alone). */
function perFieldLoaders({ thrive, ispring }: DataSources): Loaders {
  const department = async (id: string): Promise<DepartmentModel | null> => {
    const externalId = externalIdOf(id);
    if (providerOf(id) === 'ispring') return ispring.department(externalId);
    const audience = await thrive.audience(externalId);
    return audience && thriveMapper.toDepartmentModel(audience);
  };
  const group = async (id: string): Promise<GroupModel | null> => {
    const externalId = externalIdOf(id);
    if (providerOf(id) === 'ispring') return ispring.group(externalId);
    const audience = await thrive.audience(externalId);
    return audience && thriveMapper.toGroupModel(audience);
  };
  return {
    user: (id) => (providerOf(id) === 'ispring' ? ispring : thrive).user(externalIdOf(id)),
    department,
    async namedDepartment(id) {
      const found = await department(id);
      if (found !== null || providerOf(id) === 'ispring') return found;
      return thriveMapper.unknownDepartment(externalIdOf(id));
    },
    group,
    async parentOf(entity, kind) {
      if (entity.parentUnknown !== true) return entity.parentId;
      const whole = await (kind === 'department' ? department(entity.id) : group(entity.id));
      return whole?.parentId ?? null;
    },
    // No DataLoader and no cache of its own beyond RESTDataSource's memo: every field is a call.
    ...NOTHING_AT_HAND,
    manager: (request) => resolveManagerRule(request, department),
  };
}

async function main(): Promise<void> {
  const thriveBase = required('THRIVE_BASE_URL');
  const ispringBase = required('ISPRING_BASE_URL');
  const thriveTokens = new TokenSource(() =>
    new ThriveTokenAPI(
      new URL(thriveBase).origin,
      required('THRIVE_TENANT_ID'),
      required('THRIVE_CLIENT_ID'),
      required('THRIVE_CLIENT_SECRET'),
    ).token(),
  );
  const ispringTokens = new TokenSource(() =>
    new IspringTokenAPI(
      new URL(ispringBase).origin,
      required('ISPRING_CLIENT_ID'),
      required('ISPRING_CLIENT_SECRET'),
    ).token(),
  );

  const redactor = new SecretRedactor([required('THRIVE_CLIENT_SECRET'), required('ISPRING_CLIENT_SECRET')]);
  await serveComparisonSubgraph({
    redactor,
    // The data sources of one request, made for it.
    context: async () => ({
      loaders: perFieldLoaders({
        thrive: new ThriveAPI(thriveBase, thriveTokens),
        ispring: new IspringAPI(ispringBase, ispringTokens),
      }),
    }),
  });
}

main().catch(failStart);
