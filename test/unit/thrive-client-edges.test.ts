import { readFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ThriveConfig } from '../../src/providers/thrive/config.ts';
import { ProviderError } from '../../src/errors.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import { UNAUTHORIZED_REFRESH_BACKOFF_MS } from '../../src/providers/auth/bearer.ts';
import { systemClock } from '../../src/providers/resilience/index.ts';
import { createThriveProvider } from '../../src/providers/thrive/index.ts';
import { rejection } from '../helpers/errors.ts';
import { recordingObserver } from '../helpers/observer.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';

/**
 * What the sandbox does not do on purpose: malformed bodies, lists without pagination, a failing
 * token endpoint. A real local server answers each request as the test says.
 */

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Reply = { status: number; body: unknown; raw?: boolean };
type Handler = (request: Seen) => Reply;

const fixture = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../fixtures/thrive/${name}`, import.meta.url), 'utf8'));

let server: http.Server;
let origin: string;
let handle: Handler;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const request = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      seen.push(request);
      const reply = handle(request);
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.raw ? String(reply.body) : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
});

const CLIENT_SECRET = 'edge-client-secret-0451';

function config(mode: 'basic' | 'oauth', overrides: Partial<ThriveConfig> = {}): ThriveConfig {
  return {
    baseUrl: `${origin}/rest/v1`,
    auth:
      mode === 'basic'
        ? { mode: 'basic', tenantId: 'eu-west-2_Edge', apiSecret: 'edge-api-secret-9931' }
        : {
            mode: 'oauth',
            tenantId: 'eu-west-2_Edge',
            clientId: 'edge-client',
            clientSecret: CLIENT_SECRET,
            tokenUrl: `${origin}/oauth2/token/eu-west-2_Edge`,
            scope: 'api/read',
          },
    timeoutMs: 2000,
    userBatchSize: 100,
    concurrency: 4,
    audiencePageSize: 2,
    ...overrides,
  };
}

const audience = (n: number) => ({ id: `a${n}`, name: `Audience ${n}`, type: 'manual' });
const dataRequests = () => seen.filter((request) => request.path.startsWith('/rest/v1/'));
const tokenRequests = () => seen.filter((request) => request.path.startsWith('/oauth2/'));

/** Answers the token endpoint with `token` and the data endpoints with `data`. */
function withToken(token: Reply | ((request: Seen) => Reply), data: Handler): Handler {
  return (request) =>
    request.path.startsWith('/oauth2/')
      ? typeof token === 'function'
        ? token(request)
        : token
      : data(request);
}

/** Retries without real waits. */
const noWaitClock = { ...systemClock, sleep: async () => {} };

const issued = (accessToken: string, extra: Record<string, unknown> = {}): Reply => ({
  status: 200,
  body: { access_token: accessToken, expires_in: 3600, token_type: 'Bearer', ...extra },
});

describe('reading the audience list', () => {
  it('stops at pagination.totalPages even when the last page is full', async () => {
    handle = (request) => {
      const page = Number(request.query.get('page'));
      return {
        status: 200,
        body: {
          pagination: { totalResults: 4, totalPages: 2, page, perPage: 2 },
          results: [audience(page * 2 - 1), audience(page * 2)],
        },
      };
    };
    const groups = await createThriveProvider(config('basic')).openSession().listGroups();
    expect(groups.map((group) => group.externalId)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(dataRequests().map((request) => request.query.toString())).toEqual([
      'page=1&perPage=2',
      'page=2&perPage=2',
    ]);
  });

  it('stops at a short page when the body has no pagination', async () => {
    handle = (request) => {
      const page = Number(request.query.get('page'));
      return {
        status: 200,
        body: { results: page < 3 ? [audience(page * 2 - 1), audience(page * 2)] : [audience(5)] },
      };
    };
    const departments = await createThriveProvider(config('basic')).openSession().listDepartments();
    expect(departments).toHaveLength(5);
    expect(dataRequests()).toHaveLength(3);
  });

  it('stops at an empty page when the body has no pagination and every page was full', async () => {
    handle = (request) => {
      const page = Number(request.query.get('page'));
      return { status: 200, body: { results: page < 3 ? [audience(page * 2 - 1), audience(page * 2)] : [] } };
    };
    expect(await createThriveProvider(config('basic')).openSession().listGroups()).toHaveLength(4);
    expect(dataRequests()).toHaveLength(3);
  });

  it('keeps the first copy of an audience a shifting list repeats', async () => {
    handle = (request) => ({
      status: 200,
      body: { results: request.query.get('page') === '1' ? [audience(1), audience(2)] : [audience(2)] },
    });
    const groups = await createThriveProvider(config('basic')).openSession().listGroups();
    expect(groups.map((group) => group.externalId)).toEqual(['a1', 'a2']);
  });

  it('reports a 404 from GET /audiences as a bad response pointing at the base URL', async () => {
    handle = () => ({ status: 404, body: '<html>nginx</html>', raw: true });
    const error = await rejection(createThriveProvider(config('basic')).openSession().listGroups());
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toContain('THRIVE_BASE_URL');
  });

  it('checks credentials with one audience read of one item', async () => {
    handle = () => ({ status: 200, body: fixture('audiences-page.json') });
    await createThriveProvider(config('basic')).checkCredentials();
    expect(dataRequests().map((request) => `${request.path}?${request.query}`)).toEqual([
      '/rest/v1/audiences?page=1&perPage=1',
    ]);
  });
});

describe('bodies that are not the documented shape', () => {
  it('makes a user body that is not JSON that id’s UPSTREAM_BAD_RESPONSE, with no body text in it', async () => {
    handle = () => ({ status: 200, body: '<html>Welcome John Doe</html>', raw: true });
    const found = await createThriveProvider(config('basic')).openSession().fetchUsers(['u1']);
    const error = found.get('u1') as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.endpoint).toBe(THRIVE_ENDPOINTS.user);
    expect(error.message).toContain(THRIVE_ENDPOINTS.user);
    for (const text of [error.message, error.detail ?? '', JSON.stringify(error)]) {
      expect(text).not.toContain('John');
    }
  });

  it('keeps a user whose date cannot be read, that date null, and reports its path (never its value)', async () => {
    handle = () => ({ status: 200, body: { id: 'u1', firstName: 'Jo', lastLogin: 'last Tuesday' } });
    const heard = recordingObserver();
    const found = await createThriveProvider(config('basic'), { observer: heard.observer })
      .openSession()
      .fetchUsers(['u1']);
    expect(found.get('u1')).toMatchObject({ id: 'thrive:u1', displayName: 'Jo', lastLoginAt: null });
    expect(heard.payloadIssues).toEqual([
      {
        provider: 'thrive',
        endpoint: THRIVE_ENDPOINTS.user,
        issues: [
          {
            path: 'lastLogin',
            expected: expect.stringContaining('ISO-8601'),
            received: 'a string of 12 characters',
          },
        ],
        caller: undefined,
      },
    ]);
    expect(JSON.stringify(heard.payloadIssues)).not.toContain('Tuesday');
  });

  it('fails only the id whose body is bad (no usable id), not the others of the batch', async () => {
    handle = (request) =>
      request.path.endsWith('/bad')
        ? { status: 200, body: { id: 42, positions: [] } }
        : { status: 200, body: { ...fixture('basic-user.json'), id: request.path.split('/').at(-1) } };
    const found = await createThriveProvider(config('basic')).openSession().fetchUsers(['ok1', 'bad', 'ok2']);
    expect(found.get('ok1')).toMatchObject({ id: 'thrive:ok1' });
    expect(found.get('ok2')).toMatchObject({ id: 'thrive:ok2' });
    expect((found.get('bad') as ProviderError).code).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it('keeps a user whose positions are not a list, with no positions', async () => {
    handle = () => ({ status: 200, body: { id: 'u1', firstName: 'Jo', positions: 'none' } });
    const found = await createThriveProvider(config('basic')).openSession().fetchUsers(['u1']);
    expect(found.get('u1')).toMatchObject({
      id: 'thrive:u1',
      positions: [],
      managerRules: [{ kind: 'none' }],
    });
  });

  it('keeps an audience without a name (null), and reports an audience body without an id as UPSTREAM_BAD_RESPONSE', async () => {
    handle = () => ({ status: 200, body: { id: 'a1' } });
    expect(await createThriveProvider(config('basic')).openSession().fetchGroup('a1')).toMatchObject({
      id: 'thrive:a1',
      name: null,
    });
    handle = () => ({ status: 200, body: { name: 'Sales' } });
    const error = await rejection(createThriveProvider(config('basic')).openSession().fetchGroup('a1'));
    expect([error.code, error.endpoint]).toEqual(['UPSTREAM_BAD_RESPONSE', THRIVE_ENDPOINTS.audience]);
  });
});

describe('the OAuth token endpoint', () => {
  afterEach(() => vi.useRealTimers());

  it('is asked with a form body, the client credentials in a Basic header, at the configured URL', async () => {
    handle = withToken(issued('token-abc-1'), () => ({ status: 200, body: fixture('basic-user.json') }));
    await createThriveProvider(config('oauth')).openSession().fetchUsers(['u1']);
    const [request] = tokenRequests();
    expect(request).toMatchObject({ method: 'POST', path: '/oauth2/token/eu-west-2_Edge' });
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.headers.accept).toBe('application/json');
    expect(request!.headers.authorization).toBe(
      `Basic ${Buffer.from(`edge-client:${CLIENT_SECRET}`).toString('base64')}`,
    );
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'api/read',
    });
    expect(dataRequests()[0]!.headers).toMatchObject({
      authorization: 'Bearer token-abc-1',
      accept: 'application/json',
    });
  });

  it('adds the issued token to the redactor', async () => {
    handle = withToken(issued('token-to-hide-77'), () => ({ status: 200, body: fixture('basic-user.json') }));
    const redactor = new SecretRedactor([]);
    await createThriveProvider(config('oauth'), { redactor }).openSession().fetchUsers(['u1']);
    expect(redactor.redact('Bearer token-to-hide-77')).toBe('Bearer [REDACTED]');
  });

  it('assumes the documented hour when the response has no expires_in', async () => {
    handle = withToken({ status: 200, body: { access_token: 'token-no-expiry' } }, () => ({
      status: 200,
      body: fixture('audience-structure.json'),
    }));
    const provider = createThriveProvider(config('oauth'));
    await provider.openSession().fetchGroup('a1');
    await provider.openSession().fetchGroup('a2');
    expect(tokenRequests()).toHaveLength(1);
  });

  it('fetches a new token shortly before the old one expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let n = 0;
    handle = withToken(
      () => issued(`token-${++n}`, { expires_in: 300 }),
      () => ({ status: 200, body: fixture('audience-structure.json') }),
    );
    const provider = createThriveProvider(config('oauth'));
    await provider.openSession().fetchGroup('a1');
    vi.setSystemTime(Date.now() + 230_000);
    await provider.openSession().fetchGroup('a1');
    expect(tokenRequests()).toHaveLength(1);
    vi.setSystemTime(Date.now() + 20_000);
    await provider.openSession().fetchGroup('a1');
    expect(tokenRequests()).toHaveLength(2);
    expect(dataRequests().map((request) => request.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  // 429 and 503 are retried (twice, by default) before the batch fails; the others are final, but
  // for `invalid_client`, which is asked again once with the credentials in the form body.
  it.each([
    [400, { error: 'invalid_scope' }, 'UPSTREAM_AUTH', 1],
    [401, { error: 'invalid_client' }, 'UPSTREAM_AUTH', 2],
    [400, { error: 'invalid_client' }, 'UPSTREAM_AUTH', 2],
    [403, { message: 'Forbidden' }, 'UPSTREAM_AUTH', 1],
    [429, {}, 'UPSTREAM_RATE_LIMITED', 3],
    [503, {}, 'UPSTREAM_UNAVAILABLE', 3],
    [404, {}, 'UPSTREAM_REJECTED', 1],
  ])(
    'rejects the whole batch once when the token endpoint answers %i',
    async (status, body, code, attempts) => {
      handle = withToken({ status, body }, () => ({ status: 200, body: fixture('basic-user.json') }));
      const error = await rejection(
        createThriveProvider(config('oauth'), { clock: noWaitClock })
          .openSession()
          .fetchUsers(['u1', 'u2', 'u3']),
      );
      expect([error.code, error.status, error.endpoint]).toEqual([code, status, THRIVE_ENDPOINTS.token]);
      expect(tokenRequests()).toHaveLength(attempts);
      expect(dataRequests()).toHaveLength(0);
    },
  );

  it.each([
    ['a body that is not JSON', '<html>oops</html>'],
    ['JSON without access_token', JSON.stringify({ token: 'x' })],
    ['a token type other than Bearer', JSON.stringify({ access_token: 'mac-token', token_type: 'mac' })],
  ])('reports %s as UPSTREAM_BAD_RESPONSE', async (_, body) => {
    handle = withToken({ status: 200, body, raw: true }, () => ({ status: 200, body: {} }));
    const error = await rejection(createThriveProvider(config('oauth')).checkCredentials());
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).not.toContain('mac-token');
  });

  it('reports the token endpoint’s own failure when a refresh after a 401 fails', async () => {
    let tokenCalls = 0;
    handle = withToken(
      () => (++tokenCalls === 1 ? issued('token-first') : { status: 503, body: {} }),
      () => ({ status: 401, body: { status: 401, error: 'Unauthorized', message: 'expired' } }),
    );
    const error = await rejection(
      createThriveProvider(config('oauth'), { clock: noWaitClock }).openSession().fetchDepartment('a1'),
    );
    expect([error.code, error.endpoint]).toEqual(['UPSTREAM_UNAVAILABLE', THRIVE_ENDPOINTS.token]);
    expect(dataRequests()).toHaveLength(1);
  });

  it('refreshes at most once per UNAUTHORIZED_REFRESH_BACKOFF_MS while fresh tokens are refused too', async () => {
    let n = 0;
    handle = withToken(
      () => issued(`token-${++n}`),
      () => ({ status: 401, body: { status: 401, error: 'Unauthorized', message: 'no scope' } }),
    );
    let now = Date.parse('2026-11-25T10:00:00Z');
    const clock = { ...systemClock, now: () => now, sleep: async () => {} };
    const provider = createThriveProvider(config('oauth'), { clock });
    const read = async () => {
      const error = await rejection(provider.openSession().fetchGroup('a1'));
      expect([error.code, error.status]).toEqual(['UPSTREAM_AUTH', 401]);
    };

    await read(); // token-1 refused, one refresh, token-2 refused
    expect([tokenRequests().length, dataRequests().length]).toEqual([2, 2]);
    await read(); // token-2 was fetched because of a 401 and is refused: no refresh
    now += UNAUTHORIZED_REFRESH_BACKOFF_MS - 1;
    await read();
    expect([tokenRequests().length, dataRequests().length]).toEqual([2, 4]);
    now += 1; // the backoff is over: one refresh again
    await read();
    expect([tokenRequests().length, dataRequests().length]).toEqual([3, 6]);
    expect(dataRequests().map((request) => request.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-2',
      'Bearer token-2',
      'Bearer token-2',
      'Bearer token-3',
    ]);
  });

  it('says a token endpoint that never answers "did not answer in time", not that it could not be reached', async () => {
    // Accepts the connection and never answers.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const base = config('oauth', { timeoutMs: 100 });
      const error = await rejection(
        createThriveProvider(
          {
            ...base,
            auth: { ...base.auth, tokenUrl: `http://127.0.0.1:${port}/oauth2/token/eu-west-2_Edge` } as never,
          },
          { clock: noWaitClock },
        ).checkCredentials(),
      );
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.message).toContain(
        "Thrive's token endpoint did not answer in time (POST /oauth2/token/{tenantId})",
      );
      expect(dataRequests()).toHaveLength(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('says a token endpoint that refuses connections "refused the connection"', async () => {
    const base = config('oauth');
    const error = await rejection(
      createThriveProvider(
        {
          ...base,
          auth: { ...base.auth, tokenUrl: 'http://127.0.0.1:9/oauth2/token/eu-west-2_Edge' } as never,
        },
        { clock: noWaitClock },
      ).checkCredentials(),
    );
    expect(error.message).toContain(
      "Thrive's token endpoint refused the connection (POST /oauth2/token/{tenantId})",
    );
  });

  it('gives up after one refresh when the new token is refused too', async () => {
    let n = 0;
    handle = withToken(
      () => issued(`token-${++n}`),
      () => ({ status: 401, body: { status: 401, error: 'Unauthorized', message: 'no scope' } }),
    );
    const error = await rejection(createThriveProvider(config('oauth')).openSession().fetchGroup('a1'));
    expect([error.code, error.status, error.endpoint]).toEqual([
      'UPSTREAM_AUTH',
      401,
      THRIVE_ENDPOINTS.audience,
    ]);
    expect(dataRequests().map((request) => request.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
    expect(error.detail).not.toContain('token-');
  });
});

describe('Basic authentication', () => {
  it('sends base64(tenantId:apiSecret) and does not retry a 401', async () => {
    handle = () => ({ status: 401, body: { status: 401, error: 'Unauthorized', message: 'Unauthorized' } });
    const error = await rejection(createThriveProvider(config('basic')).openSession().fetchGroup('a1'));
    expect(error.code).toBe('UPSTREAM_AUTH');
    expect(dataRequests().map((request) => request.headers.authorization)).toEqual([
      `Basic ${Buffer.from('eu-west-2_Edge:edge-api-secret-9931').toString('base64')}`,
    ]);
  });
});
