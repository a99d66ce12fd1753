import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ThriveAudience, ThrivePage, ThriveUser } from '../../src/providers/thrive/wire.ts';
import { DEMO, SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';

/** The Thrive sandbox over real HTTP, as Thrive's docs describe the API, with the default variants. */

const credentials = SANDBOX_CREDENTIALS.thrive;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const goodBasic = basic(credentials.tenantId, credentials.apiSecret);

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

/** A GET under /rest/v1; `authorization: ''` sends none. */
async function get(path: string, authorization = goodBasic) {
  const response = await fetch(`${sandbox.thrive.baseUrl}${path}`, {
    headers: authorization === '' ? {} : { authorization },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as any };
}

interface TokenRequest {
  tenantId?: string;
  json?: boolean;
  fields?: Record<string, string>;
  authorization?: string;
}

async function requestToken(request: TokenRequest = {}, server = sandbox) {
  const fields = request.fields ?? { grant_type: 'client_credentials' };
  const response = await fetch(
    `${server.thrive.origin}/oauth2/token/${request.tenantId ?? credentials.tenantId}`,
    {
      method: 'POST',
      headers: {
        'content-type': request.json ? 'application/json' : 'application/x-www-form-urlencoded',
        ...(request.authorization === ''
          ? {}
          : {
              authorization: request.authorization ?? basic(credentials.clientId, credentials.clientSecret),
            }),
      },
      body: request.json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
    },
  );
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function token(scope?: string, server = sandbox): Promise<string> {
  const fields: Record<string, string> = { grant_type: 'client_credentials', ...(scope ? { scope } : {}) };
  const response = await requestToken({ fields }, server);
  expect(response.status).toBe(200);
  return response.body.access_token as string;
}

describe('Thrive authentication', () => {
  it('accepts HTTP Basic with the tenant id and API secret', async () => {
    const response = await get(`/user/${DEMO.thrive.deepUser}`);
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(DEMO.thrive.deepUser);
  });

  it('refuses a wrong API secret with 401 and an error body that does not echo the credentials', async () => {
    const response = await get(
      `/user/${DEMO.thrive.deepUser}`,
      basic(credentials.tenantId, 'not-the-secret'),
    );
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ status: 401, error: 'Unauthorized', message: expect.any(String) });
    expect(response.text).not.toContain('not-the-secret');
    expect(response.text).not.toContain(credentials.apiSecret);
    expect(response.text).not.toContain(credentials.tenantId);
  });

  it('refuses the right secret under another tenant id', async () => {
    const response = await get(
      `/user/${DEMO.thrive.deepUser}`,
      basic('eu-west-2_Other', credentials.apiSecret),
    );
    expect(response.status).toBe(401);
  });

  it('refuses a request without credentials, or with an unknown scheme or bearer token', async () => {
    for (const authorization of ['', 'Digest abc', 'Bearer not-a-token', 'Basic %%%']) {
      const response = await get('/users', authorization);
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('Unauthorized');
    }
  });

  it('refuses the OAuth client credentials used as Basic API credentials', async () => {
    const response = await get('/users', basic(credentials.clientId, credentials.clientSecret));
    expect(response.status).toBe(401);
  });

  it('accepts a bearer token from the token endpoint', async () => {
    const response = await get('/users?perPage=1', `Bearer ${await token()}`);
    expect(response.status).toBe(200);
  });

  it('answers 403 to a token without a read scope, and 200 to one with api/all', async () => {
    const writeOnly = await get('/users?perPage=1', `Bearer ${await token('api/write')}`);
    expect(writeOnly.status).toBe(403);
    expect(writeOnly.body).toEqual({ status: 403, error: 'Forbidden', message: expect.any(String) });
    expect((await get('/users?perPage=1', `Bearer ${await token('api/all')}`)).status).toBe(200);
    expect((await get('/users?perPage=1', `Bearer ${await token('api/webhooks api/read')}`)).status).toBe(
      200,
    );
  });
});

describe('the Thrive token endpoint', () => {
  it('issues a Bearer token for a form body with the client credentials in a Basic header', async () => {
    const response = await requestToken();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({
      access_token: expect.any(String),
      expires_in: 3600,
      token_type: 'Bearer',
    });
    expect(response.body.access_token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers invalid_client to client_id and client_secret in the form without a Basic header', async () => {
    const response = await requestToken({
      authorization: '',
      fields: {
        grant_type: 'client_credentials',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
      },
    });
    expect(response).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('answers invalid_request to a JSON body, even with a good Basic header', async () => {
    const response = await requestToken({
      json: true,
      fields: { grant_type: 'client_credentials', scope: 'api/read' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({ error: 'invalid_request' });
  });

  it('issues a different token each time', async () => {
    expect(await token()).not.toBe(await token());
  });

  it('answers invalid_client to a wrong secret, a missing client or another tenant id', async () => {
    const wrongSecret = await requestToken({
      authorization: basic(credentials.clientId, 'wrong-client-secret'),
    });
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(JSON.stringify(wrongSecret.body)).not.toContain('wrong-client-secret');
    expect(await requestToken({ authorization: '' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect(await requestToken({ tenantId: 'eu-west-2_Other' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
  });

  it('requires grant_type=client_credentials', async () => {
    expect(await requestToken({ fields: {} })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await requestToken({ fields: { grant_type: 'password' } })).toMatchObject({
      status: 400,
      body: { error: 'unsupported_grant_type' },
    });
  });

  it('answers invalid_scope to an unknown scope', async () => {
    const response = await requestToken({
      fields: { grant_type: 'client_credentials', scope: 'api/read admin/everything' },
    });
    expect(response).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
  });

  it('answers 405 to a GET and 404 to the token path under /rest/v1', async () => {
    const wrongMethod = await fetch(`${sandbox.thrive.origin}/oauth2/token/${credentials.tenantId}`);
    expect(wrongMethod.status).toBe(405);
    expect(((await wrongMethod.json()) as any).status).toBe(405);
    const underApi = await fetch(`${sandbox.thrive.baseUrl}/oauth2/token/${credentials.tenantId}`, {
      method: 'POST',
    });
    expect(underApi.status).toBe(404);
  });
});

describe('Thrive token expiry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects every token issued before expireTokens() with 401, and accepts tokens issued after', async () => {
    const before = await token();
    expect((await get('/users?perPage=1', `Bearer ${before}`)).status).toBe(200);
    sandbox.thrive.expireTokens();
    const rejected = await get('/users?perPage=1', `Bearer ${before}`);
    expect(rejected.status).toBe(401);
    expect(rejected.text).not.toContain(before);
    expect((await get('/users?perPage=1', `Bearer ${await token()}`)).status).toBe(200);
  });

  it('rejects a token once its lifetime has passed', async () => {
    const shortLived = await startSandbox({ tokenLifetimeSeconds: { thrive: 1 } });
    try {
      const before = Date.now();
      const issued = await requestToken({}, shortLived);
      const after = Date.now();
      expect(issued.body.expires_in).toBe(1);
      const use = () =>
        fetch(`${shortLived.thrive.baseUrl}/users?perPage=1`, {
          headers: { authorization: `Bearer ${issued.body.access_token}` },
        });
      // The sandbox reads the clock in this process: faking Date moves its clock, with no real wait.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(before + 990);
      expect((await use()).status).toBe(200);
      vi.setSystemTime(after + 1000);
      expect((await use()).status).toBe(401);
    } finally {
      vi.useRealTimers();
      await shortLived.close();
    }
  });
});

describe('Thrive users', () => {
  it('serves GET /user/{id} as the bare user object, as seeded', async () => {
    const response = await get(`/user/${DEMO.thrive.multiPosition}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual(
      sandbox.organisation.thrive.users.find((u) => u.id === DEMO.thrive.multiPosition),
    );
  });

  it('answers an unknown user id with the documented 404 body', async () => {
    const response = await get('/user/ffffffffffffffffffffffff');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ status: 404, error: 'Not Found', message: 'User not found' });
  });

  it('serves GET /users/ref/{ref} as a BasicUser with only the documented fields', async () => {
    const response = await get(`/users/ref/${DEMO.thrive.userRef}`);
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual([
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
    ]);
    expect(response.body.id).toBe(DEMO.thrive.deepUser);
    expect((await get('/users/ref/NO-SUCH-REF')).status).toBe(404);
  });

  it('pages GET /users with page and perPage in the documented envelope', async () => {
    const all = sandbox.organisation.thrive.users;
    const first = await get('/users?page=1&perPage=50');
    expect(first.body.pagination).toEqual({
      totalResults: all.length,
      totalPages: Math.ceil(all.length / 50),
      page: 1,
      perPage: 50,
    });
    const collected: ThriveUser[] = [];
    for (let page = 1; page <= first.body.pagination.totalPages; page += 1) {
      const body = (await get(`/users?page=${page}&perPage=50`)).body as ThrivePage<ThriveUser>;
      collected.push(...body.results);
    }
    expect(collected).toEqual(all);
    expect(
      (await get(`/users?page=${first.body.pagination.totalPages + 1}&perPage=50`)).body.results,
    ).toEqual([]);
  });

  it('defaults to page 1 of 100 and allows up to 1000 per page', async () => {
    const defaults = await get('/users');
    expect(defaults.body.pagination).toMatchObject({ page: 1, perPage: 100 });
    expect(defaults.body.results).toHaveLength(100);
    const large = await get('/users?perPage=1000');
    expect(large.body.results).toHaveLength(sandbox.organisation.thrive.users.length);
  });

  it('answers 400 Bad Request to a page or perPage out of range or not a number', async () => {
    for (const query of ['perPage=0', 'perPage=1001', 'page=0', 'page=abc', 'perPage=-5', 'perPage=2.5']) {
      const response = await get(`/users?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body).toEqual({
        status: 400,
        error: 'Bad Request',
        message: expect.stringMatching(/page/i),
      });
    }
  });
});

describe('Thrive audiences', () => {
  it('pages GET /audiences with perPage, and accepts limit up to 100', async () => {
    const all = sandbox.organisation.thrive.audiences.map(
      ({ id, name, reference, apiControlled, category, type }) => ({
        id,
        name,
        reference,
        apiControlled,
        category,
        type,
      }),
    );
    const first = await get('/audiences?perPage=7');
    expect(first.body.pagination).toEqual({
      totalResults: all.length,
      totalPages: Math.ceil(all.length / 7),
      page: 1,
      perPage: 7,
    });
    const collected: ThriveAudience[] = [];
    for (let page = 1; page <= first.body.pagination.totalPages; page += 1) {
      collected.push(...(await get(`/audiences?page=${page}&perPage=7`)).body.results);
    }
    expect(collected).toEqual(all);
    expect((await get('/audiences?limit=5')).body.results).toHaveLength(5);
    expect((await get('/audiences?limit=101')).status).toBe(400);
    expect((await get('/audiences?perPage=1001')).status).toBe(400);
  });

  it('filters GET /audiences by apiControlled', async () => {
    const response = await get('/audiences?apiControlled=true&perPage=1000');
    expect(response.body.results.length).toBeGreaterThan(0);
    expect(response.body.results.every((a: ThriveAudience) => a.apiControlled === true)).toBe(true);
    expect((await get('/audiences?apiControlled=maybe')).status).toBe(400);
  });

  it('serves GET /audiences/{id} by id or by reference, with the parent only on a child audience', async () => {
    const byId = await get(`/audiences/${DEMO.thrive.childAudience}`);
    expect(byId.body.parent.id).toBe(DEMO.thrive.structure);
    const byReference = await get(`/audiences/${DEMO.thrive.childAudienceReference}`);
    expect(byReference.body).toEqual(byId.body);
    const structure = await get(`/audiences/${DEMO.thrive.structure}`);
    expect(structure.body).toMatchObject({ category: 'structure' });
    expect(structure.body.parent ?? null).toBeNull();
  });

  it('answers an unknown audience with 404 on the audience, its members and its managers', async () => {
    for (const path of [
      '/audiences/ffffffffffffffffffffffff',
      '/audiences/nope/members',
      '/audiences/nope/managers',
    ]) {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ status: 404, error: 'Not Found' });
    }
    expect((await get(`/audiences/${DEMO.thrive.unknownOuId}`)).status).toBe(404);
  });

  it('pages the members of an audience as {userId, reference, email}', async () => {
    const members = sandbox.organisation.thrive.users.filter((u) =>
      (u.audiences ?? []).some((a) => (typeof a === 'string' ? a : a.id) === DEMO.thrive.childAudience),
    );
    expect(members.length).toBeGreaterThan(3);
    const response = await get(`/audiences/${DEMO.thrive.childAudience}/members?perPage=3`);
    expect(response.body.pagination).toEqual({
      totalResults: members.length,
      totalPages: Math.ceil(members.length / 3),
      page: 1,
      perPage: 3,
    });
    expect(response.body.results[0]).toEqual({
      userId: members[0]!.id,
      reference: members[0]!.ref ?? null,
      email: members[0]!.email ?? null,
    });
  });

  it('serves the managers of an audience as a bare array with permissions', async () => {
    const response = await get(`/audiences/${DEMO.thrive.structure}/managers`);
    expect(Array.isArray(response.body)).toBe(true);
    expect(response.body[0]).toEqual({
      userId: expect.any(String),
      reference: expect.any(String),
      email: expect.any(String),
      permissions: {
        audienceManager: expect.any(Object),
        peopleManager: expect.any(Object),
        administrator: { canAddAudienceManagers: true },
      },
    });
    expect((await get(`/audiences/${DEMO.thrive.unmanagedAudience}/managers`)).body).toEqual([]);
  });
});

describe('Thrive paths that are not endpoints', () => {
  it('answers an unknown path with the 404 error body', async () => {
    for (const path of ['/nothing', '/users/', '/user/', '/audiences/a/b/c']) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(response.body).toMatchObject({ status: 404, error: 'Not Found' });
    }
    const outside = await fetch(`${sandbox.thrive.origin}/rest/v2/users`);
    expect(outside.status).toBe(404);
  });

  it('answers a write method on a read endpoint with 405 and an Allow header', async () => {
    const response = await fetch(`${sandbox.thrive.baseUrl}/users`, {
      method: 'DELETE',
      headers: { authorization: goodBasic },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(((await response.json()) as any).error).toBe('Method Not Allowed');
  });

  it('survives bad percent-encoding and a very long query', async () => {
    expect((await get('/user/%E0%A4%A')).status).toBe(400);
    expect((await get(`/users?perPage=1&junk=${'x'.repeat(100_000)}`)).status).toBe(200);
    expect((await get('/users?perPage=%zz')).status).toBe(400);
    expect((await get(`/user/${DEMO.thrive.deepUser}`)).status).toBe(200);
  });
});
