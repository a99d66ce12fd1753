import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO, SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';

/**
 * The Thrive sandbox's variants, value by value: each test asks the same thing under two values
 * of a variant and shows the difference.
 */

const credentials = SANDBOX_CREDENTIALS.thrive;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const apiBasic = basic(credentials.tenantId, credentials.apiSecret);
const clientBasic = basic(credentials.clientId, credentials.clientSecret);
const UNKNOWN_ID = 'ffffffffffffffffffffffff';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.thrive.resetVariants();
});

/** A GET under /rest/v1; `authorization: ''` sends none. */
async function get(path: string, authorization = apiBasic) {
  const response = await fetch(`${sandbox.thrive.baseUrl}${path}`, {
    headers: authorization === '' ? {} : { authorization },
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as any };
}

type Body = { kind: 'form' | 'json'; fields: Record<string, string> };

/** POST /oauth2/token/{tenantId} with `body`, and a Basic header of the client credentials unless `authorization` is ''. */
async function requestToken(body: Body, authorization = clientBasic) {
  const response = await fetch(`${sandbox.thrive.origin}/oauth2/token/${credentials.tenantId}`, {
    method: 'POST',
    headers: {
      'content-type': body.kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      ...(authorization === '' ? {} : { authorization }),
    },
    body: body.kind === 'json' ? JSON.stringify(body.fields) : new URLSearchParams(body.fields).toString(),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const grant = { grant_type: 'client_credentials' };
const withClient = {
  ...grant,
  client_id: credentials.clientId,
  client_secret: credentials.clientSecret,
};

/** The statuses of the four ways a client may send its credentials. */
async function clientAuthOutcomes() {
  return {
    formWithBasic: (await requestToken({ kind: 'form', fields: grant })).status,
    formWithBodyCredentials: (await requestToken({ kind: 'form', fields: withClient }, '')).status,
    formWithBoth: (await requestToken({ kind: 'form', fields: withClient })).status,
    jsonWithBasic: (await requestToken({ kind: 'json', fields: grant })).status,
    jsonWithBodyCredentials: (await requestToken({ kind: 'json', fields: withClient }, '')).status,
  };
}

describe('tokenClientAuth', () => {
  it('basic (default): a form body with the client in a Basic header only; body credentials are 401 invalid_client, JSON 400 invalid_request', async () => {
    expect(await clientAuthOutcomes()).toEqual({
      formWithBasic: 200,
      formWithBodyCredentials: 401,
      formWithBoth: 200,
      jsonWithBasic: 400,
      jsonWithBodyCredentials: 400,
    });
    expect(await requestToken({ kind: 'form', fields: withClient }, '')).toMatchObject({
      body: { error: 'invalid_client' },
    });
    expect(await requestToken({ kind: 'json', fields: grant })).toMatchObject({
      body: { error: 'invalid_request' },
    });
  });

  it('post: a form body with client_id and client_secret in it; a Basic header is 401 invalid_client', async () => {
    sandbox.thrive.setVariants({ tokenClientAuth: 'post' });
    expect(await clientAuthOutcomes()).toEqual({
      formWithBasic: 401,
      formWithBodyCredentials: 200,
      formWithBoth: 401,
      jsonWithBasic: 400,
      jsonWithBodyCredentials: 400,
    });
    expect(await requestToken({ kind: 'form', fields: grant })).toMatchObject({
      body: { error: 'invalid_client' },
    });
    const wrongSecret = await requestToken(
      { kind: 'form', fields: { ...withClient, client_secret: 'nope' } },
      '',
    );
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('either: JSON or form, the client in a Basic header or in the body', async () => {
    sandbox.thrive.setVariants({ tokenClientAuth: 'either' });
    expect(await clientAuthOutcomes()).toEqual({
      formWithBasic: 200,
      formWithBodyCredentials: 200,
      formWithBoth: 200,
      jsonWithBasic: 200,
      jsonWithBodyCredentials: 200,
    });
  });

  it('keeps invalid_scope, unsupported_grant_type, invalid_request and the default scope under every value', async () => {
    for (const [tokenClientAuth, authorization, extra] of [
      ['basic', clientBasic, {}],
      ['post', '', { client_id: credentials.clientId, client_secret: credentials.clientSecret }],
      ['either', clientBasic, {}],
    ] as const) {
      sandbox.thrive.setVariants({ tokenClientAuth });
      const ask = (fields: Record<string, string>) =>
        requestToken({ kind: 'form', fields: { ...extra, ...fields } }, authorization);
      expect(await ask({ ...grant, scope: 'admin/all' })).toMatchObject({
        status: 400,
        body: { error: 'invalid_scope' },
      });
      expect(await ask({ grant_type: 'password' })).toMatchObject({
        status: 400,
        body: { error: 'unsupported_grant_type' },
      });
      expect(await ask({})).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      const token = (await ask(grant)).body.access_token as string;
      expect((await get('/users?perPage=1', `Bearer ${token}`)).status, tokenClientAuth).toBe(200);
    }
  });
});

describe('audienceList', () => {
  it('stubs (default): GET /audiences items hold only id, name, reference, apiControlled, category and type', async () => {
    const results = (await get('/audiences?perPage=1000')).body.results as Array<Record<string, unknown>>;
    expect(results).toHaveLength(sandbox.organisation.thrive.audiences.length);
    for (const item of results) {
      for (const key of Object.keys(item)) {
        expect(['id', 'name', 'reference', 'apiControlled', 'category', 'type']).toContain(key);
      }
      expect('parent' in item).toBe(false);
      expect('createdAt' in item).toBe(false);
    }
    const child = results.find((item) => item.id === DEMO.thrive.childAudience)!;
    expect(Object.keys(child)).toEqual(['id', 'name', 'reference', 'apiControlled', 'category', 'type']);
    expect((await get(`/audiences/${DEMO.thrive.childAudience}`)).body.parent.id).toBe(DEMO.thrive.structure);
  });

  it('full: GET /audiences items are the objects GET /audiences/{id} returns, parent included', async () => {
    sandbox.thrive.setVariants({ audienceList: 'full' });
    const results = (await get('/audiences?perPage=1000')).body.results;
    expect(results).toEqual(sandbox.organisation.thrive.audiences);
    const child = results.find((item: any) => item.id === DEMO.thrive.childAudience);
    expect(child).toEqual((await get(`/audiences/${DEMO.thrive.childAudience}`)).body);
    expect(child.parent.id).toBe(DEMO.thrive.structure);
  });
});

describe('authErrors', () => {
  async function writeOnlyToken(): Promise<string> {
    return (await requestToken({ kind: 'form', fields: { ...grant, scope: 'api/write' } })).body.access_token;
  }

  it('documented (default): 401 and 403 as {status, error, message}', async () => {
    for (const authorization of ['', basic(credentials.tenantId, 'wrong'), 'Bearer nope', 'Digest x']) {
      const response = await get('/users', authorization);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ status: 401, error: 'Unauthorized', message: expect.any(String) });
    }
    const forbidden = await get('/users', `Bearer ${await writeOnlyToken()}`);
    expect(forbidden).toEqual({
      status: 403,
      body: { status: 403, error: 'Forbidden', message: expect.any(String) },
    });
  });

  it('gateway: 401 as {"message":"Unauthorized"} and 403 as {"message":"Forbidden"}', async () => {
    sandbox.thrive.setVariants({ authErrors: 'gateway' });
    for (const authorization of ['', basic(credentials.tenantId, 'wrong'), 'Bearer nope', 'Digest x']) {
      expect(await get('/users', authorization)).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    }
    expect(await get('/users', `Bearer ${await writeOnlyToken()}`)).toEqual({
      status: 403,
      body: { message: 'Forbidden' },
    });
  });
});

describe('notFoundMessage', () => {
  it('string (default): the 404 of a user, a ref or an audience says what was not found as a string', async () => {
    expect((await get(`/user/${UNKNOWN_ID}`)).body).toEqual({
      status: 404,
      error: 'Not Found',
      message: 'User not found',
    });
    expect((await get('/users/ref/NO-SUCH-REF')).body.message).toBe('User not found');
    expect((await get(`/audiences/${UNKNOWN_ID}/members`)).body.message).toBe('Audience not found');
  });

  it('object: the same 404s carry {"id": <what was asked>, "reason": …}', async () => {
    sandbox.thrive.setVariants({ notFoundMessage: 'object' });
    expect(await get(`/user/${UNKNOWN_ID}`)).toEqual({
      status: 404,
      body: { status: 404, error: 'Not Found', message: { id: UNKNOWN_ID, reason: 'User not found' } },
    });
    expect((await get('/users/ref/NO-SUCH-REF')).body.message).toEqual({
      id: 'NO-SUCH-REF',
      reason: 'User not found',
    });
    expect((await get('/audiences/nope/managers')).body.message).toEqual({
      id: 'nope',
      reason: 'Audience not found',
    });
  });
});

describe('malformedUserId', () => {
  it('400 (default): an id that is not 24 hex characters is a 400; an unknown ObjectId is still 404', async () => {
    for (const id of [
      'nope',
      '64676ab0a236ebc50f280a5',
      '64676ab0a236ebc50f280a55x',
      'zzzzzzzzzzzzzzzzzzzzzzzz',
    ]) {
      expect(await get(`/user/${id}`), id).toEqual({
        status: 400,
        body: { status: 400, error: 'Bad Request', message: 'id must be a valid ObjectId' },
      });
    }
    expect((await get(`/user/${UNKNOWN_ID}`)).status).toBe(404);
  });

  it('404: the same ids get the 404 of an unknown user', async () => {
    sandbox.thrive.setVariants({ malformedUserId: 404 });
    expect(await get('/user/nope')).toEqual({
      status: 404,
      body: { status: 404, error: 'Not Found', message: 'User not found' },
    });
  });
});

describe('accessToken', () => {
  const issue = async () => (await requestToken({ kind: 'form', fields: grant })).body;

  it('normal (default): a token of 43 URL-safe characters', async () => {
    expect((await issue()).access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('crlf: a token with "\\r\\n" inside, which fetch refuses to put in a header', async () => {
    sandbox.thrive.setVariants({ accessToken: 'crlf' });
    const { access_token } = await issue();
    expect(access_token).toMatch(/^[A-Za-z0-9_-]{21}\r\n[A-Za-z0-9_-]{22}$/);
    await expect(get('/users', `Bearer ${access_token}`)).rejects.toThrow(TypeError);
  });

  it('space: a token with a space inside, accepted sent whole after Bearer', async () => {
    sandbox.thrive.setVariants({ accessToken: 'space' });
    const { access_token } = await issue();
    expect(access_token).toMatch(/^[A-Za-z0-9_-]{21} [A-Za-z0-9_-]{22}$/);
    expect((await get('/users?perPage=1', `Bearer ${access_token}`)).status).toBe(200);
    expect((await get('/users?perPage=1', `Bearer ${access_token.split(' ')[0]}`)).status).toBe(401);
  });
});

describe('tokenLifetimeSeconds', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is 3600 by default, and sets expires_in and how long the tokens issued from then on are accepted', async () => {
    const before = (await requestToken({ kind: 'form', fields: grant })).body;
    expect(before.expires_in).toBe(3600);
    sandbox.thrive.setVariants({ tokenLifetimeSeconds: 5 });
    const issuedAt = Date.now();
    const short = (await requestToken({ kind: 'form', fields: grant })).body;
    expect(short.expires_in).toBe(5);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(issuedAt + 6000);
    expect((await get('/users?perPage=1', `Bearer ${short.access_token}`)).status).toBe(401);
    expect((await get('/users?perPage=1', `Bearer ${before.access_token}`)).status).toBe(200);
  });
});
