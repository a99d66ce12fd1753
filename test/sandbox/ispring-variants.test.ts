import xml2js from 'xml2js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IspringUserProfile } from '../../src/providers/ispring/wire.ts';
import {
  DEMO,
  ISPRING_ENDPOINTS,
  MAX_REQUEST_LINE_BYTES,
  SANDBOX_CREDENTIALS,
  startSandbox,
  type Sandbox,
} from '../../src/sandbox/index.ts';

/**
 * The iSpring sandbox's variants, value by value, and what came with them: POST /users/v2, the
 * 414 of a long request line, the account-domain routes. Each test asks the same thing under two
 * values of a variant and shows the difference.
 */

const credentials = SANDBOX_CREDENTIALS.ispring;
const headerAuth = {
  'x-auth-account-url': credentials.accountUrl,
  'x-auth-email': credentials.email,
  'x-auth-password': credentials.password,
};
const JSON_ACCEPT = { accept: 'application/json' };
const UNKNOWN_ID = '00000000-0000-0000-0000-000000000000';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

let sandbox: Sandbox;
let users: IspringUserProfile[];
beforeAll(async () => {
  sandbox = await startSandbox();
  users = sandbox.organisation.ispring.users;
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.ispring.resetVariants();
  sandbox.ispring.clearFaults();
  sandbox.ispring.reset();
});

async function get(path: string, headers: Record<string, string> = headerAuth) {
  const response = await fetch(`${sandbox.ispring.baseUrl}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function getJson(path: string, headers: Record<string, string> = headerAuth) {
  const response = await get(path, { ...headers, ...JSON_ACCEPT });
  return { ...response, body: JSON.parse(response.text) as any };
}

/** The `<response>` element, every child as an array (xml2js's default `explicitArray`). */
async function parseXml(text: string): Promise<any> {
  return ((await xml2js.parseStringPromise(text)) as { response: any }).response;
}

async function getXml(path: string, headers: Record<string, string> = headerAuth) {
  const response = await get(path, headers);
  expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
  return { ...response, xml: await parseXml(response.text) };
}

/** POST /users/v2 with an XML body (or JSON when `json`), answered in XML unless `accept` says otherwise. */
async function postUsers(
  body: string,
  options: { json?: boolean; accept?: string; headers?: Record<string, string>; path?: string } = {},
) {
  const response = await fetch(`${sandbox.ispring.baseUrl}${options.path ?? '/users/v2'}`, {
    method: 'POST',
    headers: {
      ...(options.headers ?? headerAuth),
      'content-type': options.json ? 'application/json' : 'application/xml',
      ...(options.accept ? { accept: options.accept } : {}),
    },
    body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const userIdsXml = (ids: readonly string[]) =>
  `<request>${ids.map((id) => `<userIds>${id}</userIds>`).join('')}</request>`;

async function requestToken(accept?: string) {
  const response = await fetch(`${sandbox.ispring.baseUrl}/api/v3/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(accept ? { accept } : {}) },
    body: new URLSearchParams({
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      grant_type: 'client_credentials',
    }).toString(),
  });
  return { status: response.status, text: await response.text() };
}

async function jsonToken(): Promise<{ access_token: string; expires_in: number }> {
  const response = await requestToken('application/json');
  expect(response.status).toBe(200);
  return JSON.parse(response.text);
}

const idsOf = (profiles: IspringUserProfile[]) => profiles.map((profile) => profile.userId);

describe('notFoundStatus', () => {
  const reads = [
    [`/user/${UNKNOWN_ID}`, 'User not found'],
    [`/user/${UNKNOWN_ID}/v2`, 'User not found'],
    [`/department/${UNKNOWN_ID}`, 'Department not found'],
    [`/group/${UNKNOWN_ID}`, 'Group not found'],
  ] as const;

  it('400 (default): every by-id read of an unknown id answers 400 and its ErrorResponse, in XML and JSON', async () => {
    for (const [path, message] of reads) {
      const xml = await get(path);
      expect(xml.status, path).toBe(400);
      expect(xml.text).toBe(
        `${XML_DECLARATION}<response><code>400</code><message>${message}</message></response>`,
      );
      const json = await getJson(path);
      expect(json.status, path).toBe(400);
      expect(json.body).toEqual({ code: 400, message });
    }
  });

  it('404: the same reads answer 404 with the same messages', async () => {
    sandbox.ispring.setVariants({ notFoundStatus: 404 });
    for (const [path, message] of reads) {
      const xml = await getXml(path);
      expect(xml.status, path).toBe(404);
      expect(xml.xml).toEqual({ code: ['404'], message: [message] });
      const json = await getJson(path);
      expect(json.status, path).toBe(404);
      expect(json.body).toEqual({ code: 404, message });
    }
  });
});

describe('arrayFilters', () => {
  const spellings = (id: string) => ({
    brackets: `userIds[]=${id}`,
    encoded: `userIds%5B%5D=${id}`,
    plain: `userIds=${id}`,
    indexed: `userIds[0]=${id}`,
    indexedEncoded: `userIds%5B0%5D=${id}`,
  });

  async function returned(query: string): Promise<string[]> {
    return idsOf((await getJson(`/users/v2?${query}`)).body.userProfiles);
  }

  it('brackets (default): only userIds[] (also percent-encoded) filters; userIds= and userIds[0]= are ignored', async () => {
    const target = users[3]!.userId;
    const all = idsOf(users);
    const spelled = spellings(target);
    expect(await returned(spelled.brackets)).toEqual([target]);
    expect(await returned(spelled.encoded)).toEqual([target]);
    expect(await returned(spelled.plain)).toEqual(all);
    expect(await returned(spelled.indexed)).toEqual(all);
    expect(await returned(spelled.indexedEncoded)).toEqual(all);
    const department = users[3]!.departmentId!;
    expect((await getJson(`/users?departments=${department}`)).body.userProfiles).toHaveLength(users.length);
    expect((await getJson(`/user/v2?departments=${department}`)).body).toHaveLength(users.length);
  });

  it('any: userIds, userIds[] and userIds[0] all filter, on every user list', async () => {
    sandbox.ispring.setVariants({ arrayFilters: 'any' });
    const target = users[3]!.userId;
    for (const query of Object.values(spellings(target)))
      expect(await returned(query), query).toEqual([target]);
    const department = users[3]!.departmentId!;
    const inDepartment = idsOf(users.filter((user) => user.departmentId === department));
    expect(idsOf((await getJson(`/users?departments=${department}`)).body.userProfiles)).toEqual(
      inDepartment,
    );
    expect(idsOf((await getJson(`/user/v2?departments[0]=${department}`)).body)).toEqual(inDepartment);
  });

  it('ignored: no spelling filters, brackets included', async () => {
    sandbox.ispring.setVariants({ arrayFilters: 'ignored' });
    const target = users[3]!;
    expect(await returned(spellings(target.userId).brackets)).toEqual(idsOf(users));
    expect((await getJson(`/user/v2?departments[]=${target.departmentId}`)).body).toHaveLength(users.length);
    expect((await getJson(`/users?groups[]=${DEMO.ispring.smartGroup}`)).body.userProfiles).toHaveLength(
      users.length,
    );
  });
});

describe('unknownUserIdInBatch', () => {
  const batch = () => [users[5]!.userId, UNKNOWN_ID];
  const query = () =>
    batch()
      .map((id) => `userIds[]=${id}`)
      .join('&');

  it('omit (default): GET and POST /users/v2 leave the unknown id out', async () => {
    expect(idsOf((await getJson(`/users/v2?${query()}`)).body.userProfiles)).toEqual([users[5]!.userId]);
    const posted = await postUsers(userIdsXml(batch()), { accept: 'application/json' });
    expect(posted.status).toBe(200);
    expect(idsOf(JSON.parse(posted.text).userProfiles)).toEqual([users[5]!.userId]);
  });

  it('reject: GET and POST /users/v2 answer 400 User not found for the whole batch, and 200 to a batch of known ids', async () => {
    sandbox.ispring.setVariants({ unknownUserIdInBatch: 'reject' });
    const json = await getJson(`/users/v2?${query()}`);
    expect(json.status).toBe(400);
    expect(json.body).toEqual({ code: 400, message: 'User not found' });
    const xml = await get(`/users/v2?${query()}`);
    expect(xml.status).toBe(400);
    expect(xml.text).toBe(
      `${XML_DECLARATION}<response><code>400</code><message>User not found</message></response>`,
    );
    const posted = await postUsers(userIdsXml(batch()));
    expect(posted.status).toBe(400);
    expect(await parseXml(posted.text)).toEqual({ code: ['400'], message: ['User not found'] });
    expect((await getJson(`/users/v2?userIds[]=${users[5]!.userId}`)).status).toBe(200);
  });
});

describe(ISPRING_ENDPOINTS.usersV2ByPost, () => {
  it('served (default): answers an XML <request> of userIds with every matching user in one UsersPageV2, in XML', async () => {
    const wanted = [users[9]!.userId, users[2]!.userId];
    const response = await postUsers(userIdsXml(wanted));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const xml = await parseXml(response.text);
    expect(Object.keys(xml)).toEqual(['userProfiles']);
    expect(xml.userProfiles[0].userProfile.map((profile: any) => profile.userId[0])).toEqual([
      users[2]!.userId,
      users[9]!.userId,
    ]);
    const viaGet = await get(`/users/v2?${wanted.map((id) => `userIds[]=${id}`).join('&')}`);
    expect(response.text).toBe(viaGet.text);
    expect(sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.usersV2ByPost]: 1,
      [ISPRING_ENDPOINTS.usersV2]: 1,
    });
  });

  it('takes the departments, groups, logins and emails filters, and a JSON body, answering JSON when asked', async () => {
    const target = users[7]!;
    const login = target.fields!.find((field) => field.name === 'LOGIN')!.value!;
    const inDepartment = users.filter((user) => user.departmentId === target.departmentId);
    const byDepartment = await postUsers(
      `<request><departments>${target.departmentId}</departments></request>`,
      {
        accept: 'application/json',
      },
    );
    expect(JSON.parse(byDepartment.text)).toEqual({ userProfiles: inDepartment });
    const inGroup = users.filter((user) => user.groups?.includes(DEMO.ispring.smartGroup));
    const byGroup = await postUsers(JSON.stringify({ groups: [DEMO.ispring.smartGroup] }), {
      json: true,
      accept: 'application/json',
    });
    expect(JSON.parse(byGroup.text)).toEqual({ userProfiles: inGroup });
    const byLogin = await postUsers(
      `<?xml version="1.0" encoding="UTF-8"?>\n<request>\n  <logins>${login.toUpperCase()}</logins>\n</request>`,
      { accept: 'application/json' },
    );
    expect(JSON.parse(byLogin.text)).toEqual({ userProfiles: [target] });
    const nobody = await postUsers(JSON.stringify({ emails: ['nobody@nowhere.example'] }), { json: true });
    expect(nobody.text).toBe(`${XML_DECLARATION}<response><userProfiles/></response>`);
  });

  it('answers an empty <request/> with every user in one page, past the 1000 a GET page holds at most', async () => {
    const response = await postUsers('<request/>', { accept: 'application/json' });
    expect(JSON.parse(response.text)).toEqual({ userProfiles: users });
  });

  it('takes a body of 5000 ids, over 256 KiB', async () => {
    const wanted = Array.from({ length: 5000 }, (_, i) => users[i % users.length]!.userId);
    const body = userIdsXml(wanted);
    expect(body.length).toBeGreaterThan(256 * 1024);
    const response = await postUsers(body, { accept: 'application/json' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).userProfiles).toEqual(users);
  });

  it('refuses a body that is not such a document with a 400 ErrorResponse', async () => {
    const bodies: Array<[string, boolean]> = [
      ['not xml at all', false],
      ['<users><userIds>x</userIds></users>', false],
      ['<request><userId>x</userId></request>', false],
      [`<request><userIds><id>${users[0]!.userId}</id></userIds></request>`, false],
      ['{"userIds": "x"}', true],
      ['[1, 2]', true],
      ['{"userIds": [1]}', true],
      ['{', true],
    ];
    for (const [body, json] of bodies) {
      const response = await postUsers(body, { json, accept: 'application/json' });
      expect(response.status, body).toBe(400);
      expect(JSON.parse(response.text)).toEqual({ code: 400, message: expect.stringContaining('<request>') });
    }
  });

  it('authenticates like the GETs', async () => {
    const response = await postUsers(userIdsXml([users[0]!.userId]), {
      headers: {},
      accept: 'application/json',
    });
    expect(response.status).toBe(401);
    const { access_token } = await jsonToken();
    const withToken = await postUsers(userIdsXml([users[0]!.userId]), {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(withToken.status).toBe(200);
  });

  it('refused: answers 405 with an ErrorResponse and Allow: GET, counted under POST /users/v2', async () => {
    sandbox.ispring.setVariants({ postUsers: 'refused' });
    const response = await postUsers(userIdsXml([users[0]!.userId]));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(await parseXml(response.text)).toEqual({ code: ['405'], message: [expect.any(String)] });
    expect(sandbox.ispring.count(ISPRING_ENDPOINTS.usersV2ByPost)).toBe(1);
  });

  it('ignored: answers 200 with every user, whatever the filter', async () => {
    sandbox.ispring.setVariants({ postUsers: 'ignored' });
    const response = await postUsers(userIdsXml([users[0]!.userId]), { accept: 'application/json' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ userProfiles: users });
  });

  it('can be the target of a fault', async () => {
    sandbox.ispring.inject({ kind: 'status', status: 503 }, { endpoint: ISPRING_ENDPOINTS.usersV2ByPost });
    expect((await postUsers(userIdsXml([users[0]!.userId]))).status).toBe(503);
    expect((await get(`/users/v2?userIds[]=${users[0]!.userId}`)).status).toBe(200);
  });
});

describe('jsonEnvelopes', () => {
  const department = () => sandbox.organisation.ispring.departments[4]!;
  const group = () => sandbox.organisation.ispring.groups[1]!;

  it('spec (default): by-id reads in {"response": …}, GET /department in {"departments"}, GET /group in {"groups"}', async () => {
    const id = users[4]!.userId;
    expect((await getJson(`/user/${id}/v2`)).body).toEqual({ response: users[4] });
    expect(Object.keys((await getJson(`/user/${id}`)).body)).toEqual(['response']);
    expect((await getJson(`/department/${department().departmentId}`)).body).toEqual({
      response: department(),
    });
    expect((await getJson(`/group/${group().groupId}`)).body.response.groupId).toBe(group().groupId);
    expect((await getJson('/department')).body).toEqual({
      departments: sandbox.organisation.ispring.departments,
    });
    expect(Object.keys((await getJson('/group')).body)).toEqual(['groups']);
  });

  it('bare: the same reads as the bare object or array, pages and GET /user lists unchanged', async () => {
    const pagesBefore = [(await getJson('/users/v2?pageSize=3')).body, (await getJson('/groups')).body];
    sandbox.ispring.setVariants({ jsonEnvelopes: 'bare' });
    const id = users[4]!.userId;
    expect((await getJson(`/user/${id}/v2`)).body).toEqual(users[4]);
    expect((await getJson(`/user/${id}`)).body.userId).toBe(id);
    expect((await getJson(`/department/${department().departmentId}`)).body).toEqual(department());
    expect((await getJson(`/group/${group().groupId}`)).body.groupId).toBe(group().groupId);
    expect((await getJson('/department')).body).toEqual(sandbox.organisation.ispring.departments);
    expect(Array.isArray((await getJson('/group')).body)).toBe(true);
    expect([(await getJson('/users/v2?pageSize=3')).body, (await getJson('/groups')).body]).toEqual(
      pagesBefore,
    );
    expect((await getJson('/user/v2')).body).toEqual(users);
  });
});

describe('pageEnd', () => {
  const lastPages = ['/users/v2', '/users', '/departments', '/groups'];

  it('absent (default): the last page has no nextPageToken, in XML or JSON', async () => {
    for (const path of lastPages) {
      expect((await get(path)).text, path).not.toContain('nextPageToken');
      expect('nextPageToken' in (await getJson(path)).body, path).toBe(false);
    }
    expect((await postUsers('<request/>')).text).not.toContain('nextPageToken');
  });

  it('empty: the last page ends in <nextPageToken></nextPageToken>, or "nextPageToken":"", and other pages keep their token', async () => {
    sandbox.ispring.setVariants({ pageEnd: 'empty' });
    for (const path of lastPages) {
      expect((await get(path)).text, path).toMatch(/<nextPageToken><\/nextPageToken><\/response>$/);
      expect((await getJson(path)).body.nextPageToken, path).toBe('');
    }
    expect((await postUsers('<request/>')).text).toMatch(/<nextPageToken><\/nextPageToken><\/response>$/);
    const nobody = await get('/users/v2?emails[]=nobody%40nowhere.example');
    expect(nobody.text).toBe(
      `${XML_DECLARATION}<response><userProfiles/><nextPageToken></nextPageToken></response>`,
    );
    expect((await getJson('/users/v2?emails[]=nobody%40nowhere.example')).body).toEqual({
      userProfiles: [],
      nextPageToken: '',
    });
    const first = await getXml('/users/v2?pageSize=2');
    expect(Buffer.from(first.xml.nextPageToken[0], 'base64').toString()).toBe(users[2]!.userId);
  });
});

describe('xmlStyle', () => {
  const deep = () =>
    sandbox.organisation.ispring.departments.find((d) => d.departmentId === DEMO.ispring.deepDepartment)!;

  it('compact (default): one line under <?xml version="1.0" encoding="UTF-8"?>', async () => {
    const response = await get(`/department/${DEMO.ispring.deepDepartment}`);
    expect(response.text.startsWith(`${XML_DECLARATION}<response><department><departmentId>`)).toBe(true);
    expect(response.text).not.toContain('\n');
  });

  it('pretty: indented by two spaces under <?xml version="1.0"?>, the same data, errors and tokens too', async () => {
    const compact = await getXml(`/users/v2?pageSize=3`);
    sandbox.ispring.setVariants({ xmlStyle: 'pretty' });
    const department = deep();
    const response = await get(`/department/${department.departmentId}`);
    expect(response.text).toBe(
      [
        '<?xml version="1.0"?>',
        '<response>',
        '  <department>',
        `    <departmentId>${department.departmentId}</departmentId>`,
        `    <name>${department.name}</name>`,
        `    <parentDepartmentId>${department.parentDepartmentId}</parentDepartmentId>`,
        `    <code>${department.code}</code>`,
        '    <subordination>',
        `      <subordinationType>${department.subordination!.subordinationType}</subordinationType>`,
        `      <supervisorId>${department.subordination!.supervisorId}</supervisorId>`,
        '    </subordination>',
        '    <coSubordination>',
        `      <subordinationType>${department.coSubordination!.subordinationType}</subordinationType>`,
        '    </coSubordination>',
        '  </department>',
        '</response>',
      ].join('\n'),
    );
    const pretty = await getXml('/users/v2?pageSize=3');
    expect(pretty.text).toContain('\n  <userProfiles>\n    <userProfile>\n      <userId>');
    expect(pretty.xml).toEqual(compact.xml);
    expect((await get(`/group/${UNKNOWN_ID}`)).text).toBe(
      '<?xml version="1.0"?>\n<response>\n  <code>400</code>\n  <message>Group not found</message>\n</response>',
    );
    expect((await requestToken()).text).toMatch(
      /^<\?xml version="1\.0"\?>\n<response>\n {2}<access_token>[A-Za-z0-9_-]{43}<\/access_token>\n {2}<expires_in>1800<\/expires_in>\n {2}<token_type>bearer<\/token_type>\n<\/response>$/,
    );
  });
});

describe('accessToken', () => {
  it('normal (default): 43 URL-safe characters', async () => {
    expect((await jsonToken()).access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('crlf: a token with "\\r\\n" inside, in JSON and in XML, which fetch refuses to put in a header', async () => {
    sandbox.ispring.setVariants({ accessToken: 'crlf' });
    const { access_token } = await jsonToken();
    expect(access_token).toMatch(/^[A-Za-z0-9_-]{21}\r\n[A-Za-z0-9_-]{22}$/);
    const xml = await parseXml((await requestToken()).text);
    expect(xml.access_token[0]).toMatch(/^[A-Za-z0-9_-]{21}\r\n[A-Za-z0-9_-]{22}$/);
    await expect(get('/group', { authorization: `Bearer ${access_token}` })).rejects.toThrow(TypeError);
  });

  it('space: a token with a space inside, accepted when sent whole as Bearer <token>, refused without its space', async () => {
    sandbox.ispring.setVariants({ accessToken: 'space' });
    const { access_token } = await jsonToken();
    expect(access_token).toMatch(/^[A-Za-z0-9_-]{21} [A-Za-z0-9_-]{22}$/);
    expect((await get('/group', { authorization: `Bearer ${access_token}` })).status).toBe(200);
    expect((await get('/group', { authorization: `Bearer ${access_token.replace(' ', '')}` })).status).toBe(
      401,
    );
  });
});

describe('tokenLifetimeSeconds', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is 1800 by default, and sets expires_in and how long the tokens issued from then on are accepted', async () => {
    const before = await jsonToken();
    expect(before.expires_in).toBe(1800);
    sandbox.ispring.setVariants({ tokenLifetimeSeconds: 60 });
    const issuedAt = Date.now();
    const short = await jsonToken();
    expect(short.expires_in).toBe(60);
    expect((await parseXml((await requestToken()).text)).expires_in).toEqual(['60']);
    const use = async (token: string) => (await get('/group', { authorization: token })).status;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(issuedAt + 61_000);
    expect(await use(short.access_token)).toBe(401);
    expect(await use(before.access_token)).toBe(200);
  });
});

describe('a request line over 8 KiB', () => {
  /** A query of `junk=x…` that makes `GET <path>?<query> HTTP/1.1` exactly `bytes` long. */
  const padded = (method: string, path: string, bytes: number) => {
    const fixed = `${method} ${path}?junk= HTTP/1.1`.length;
    return `${path}?junk=${'x'.repeat(bytes - fixed)}`;
  };
  const NGINX_414 =
    '<html><head><title>414 Request-URI Too Large</title></head><body><center><h1>414 Request-URI Too Large</h1></center><hr><center>nginx</center></body></html>';

  it('is answered up to 8192 bytes, and past it with nginx’s 414 page, logged under the route’s template', async () => {
    expect(MAX_REQUEST_LINE_BYTES).toBe(8192);
    expect((await get(padded('GET', '/users/v2', 8192))).status).toBe(200);
    const response = await get(padded('GET', '/users/v2', 8193));
    expect(response.status).toBe(414);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(response.text).toBe(NGINX_414);
    expect(sandbox.ispring.log.map((entry) => [entry.endpoint, entry.status])).toEqual([
      [ISPRING_ENDPOINTS.usersV2, 200],
      [ISPRING_ENDPOINTS.usersV2, 414],
    ]);
  });

  it('is refused on every route: 200 ids in userIds[], POST /users/v2, an unknown path, an account-domain path', async () => {
    const ids = Array.from({ length: 200 }, () => `userIds%5B%5D=${users[0]!.userId}`).join('&');
    expect((await get(`/users/v2?${ids}`)).status).toBe(414);
    const post = await fetch(`${sandbox.ispring.baseUrl}${padded('POST', '/users/v2', 9000)}`, {
      method: 'POST',
      headers: { ...headerAuth, 'content-type': 'application/xml' },
      body: '<request/>',
    });
    expect(post.status).toBe(414);
    expect((await get(padded('GET', '/nothing', 9000))).status).toBe(414);
    expect((await get(padded('GET', '/api/v2/group', 9000))).status).toBe(414);
    expect(sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.usersV2]: 1,
      [ISPRING_ENDPOINTS.usersV2ByPost]: 1,
      'GET <unknown>': 1,
      [ISPRING_ENDPOINTS.groupList]: 1,
    });
  });
});

describe('account-domain routes', () => {
  it('serve the API under /api/v2 and /index.php/api/v2, counted under the same templates', async () => {
    const id = users[6]!.userId;
    const plain = await get(`/user/${id}/v2`);
    expect((await get(`/api/v2/user/${id}/v2`)).text).toBe(plain.text);
    expect((await get(`/index.php/api/v2/user/${id}/v2`)).text).toBe(plain.text);
    expect((await getJson(`/api/v2/users/v2?userIds[]=${id}`)).body).toEqual({ userProfiles: [users[6]] });
    expect((await getJson('/index.php/api/v2/departments')).body.departments).toEqual(
      sandbox.organisation.ispring.departments,
    );
    const posted = await postUsers(userIdsXml([id]), {
      path: '/api/v2/users/v2',
      accept: 'application/json',
    });
    expect(JSON.parse(posted.text)).toEqual({ userProfiles: [users[6]] });
    expect(sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.userV2]: 3,
      [ISPRING_ENDPOINTS.usersV2]: 1,
      [ISPRING_ENDPOINTS.departments]: 1,
      [ISPRING_ENDPOINTS.usersV2ByPost]: 1,
    });
  });

  it('leave the token at /api/v3/token: a token URL derived from an account-domain base URL is 404', async () => {
    const form = new URLSearchParams({
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      grant_type: 'client_credentials',
    }).toString();
    const post = (path: string) =>
      fetch(`${sandbox.ispring.origin}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...JSON_ACCEPT },
        body: form,
      });
    const derived = await post('/api/v2/api/v3/token');
    expect(derived.status).toBe(404);
    expect(await derived.json()).toEqual({ code: 404, message: expect.any(String) });
    expect((await post('/index.php/api/v2/api/v3/token')).status).toBe(404);
    expect((await post('/api/v3/token')).status).toBe(200);
    expect(sandbox.ispring.counts()).toEqual({ 'POST <unknown>': 2, [ISPRING_ENDPOINTS.token]: 1 });
  });
});
