import xml2js from 'xml2js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IspringUserProfile } from '../../src/providers/ispring/wire.ts';
import { DEMO, SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';

/** The iSpring sandbox over real HTTP, as iSpring's docs describe the API, with the default variants. */

const credentials = SANDBOX_CREDENTIALS.ispring;
const headerAuth = {
  'x-auth-account-url': credentials.accountUrl,
  'x-auth-email': credentials.email,
  'x-auth-password': credentials.password,
};
const JSON_ACCEPT = { accept: 'application/json' };

let sandbox: Sandbox;
let users: IspringUserProfile[];
beforeAll(async () => {
  sandbox = await startSandbox();
  users = sandbox.organisation.ispring.users;
});
afterAll(() => sandbox.close());

async function get(path: string, headers: Record<string, string> = headerAuth) {
  const response = await fetch(`${sandbox.ispring.baseUrl}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function getJson(path: string, headers: Record<string, string> = headerAuth) {
  const response = await get(path, { ...headers, ...JSON_ACCEPT });
  return { ...response, body: JSON.parse(response.text) as any };
}

/** The `<response>` element, every child as an array (xml2js's default `explicitArray`). */
async function getXml(path: string, headers: Record<string, string> = headerAuth) {
  const response = await get(path, headers);
  expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
  expect(response.text.startsWith('<?xml version="1.0" encoding="UTF-8"?><response')).toBe(true);
  const parsed = (await xml2js.parseStringPromise(response.text)) as { response: any };
  return { ...response, xml: parsed.response };
}

async function requestToken(fields: Record<string, string>, accept?: string, server = sandbox) {
  return fetch(`${server.ispring.baseUrl}/api/v3/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(accept ? { accept } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
}

const goodTokenFields = {
  client_id: credentials.clientId,
  client_secret: credentials.clientSecret,
  grant_type: 'client_credentials',
};

async function token(server = sandbox): Promise<string> {
  const response = await requestToken(goodTokenFields, 'application/json', server);
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Reads a `<userProfile>` back into the JSON shape, to compare the two formats. */
function decodeUser(node: any): Record<string, unknown> {
  const flat = (value: any) =>
    Object.fromEntries(Object.entries(value[0]).map(([k, v]) => [k, (v as string[])[0]]));
  const idList = (value: any) => (value[0] === '' ? [] : value[0].id);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries<any>(node)) {
    if (key === 'fields')
      out.fields = value[0].field.map((f: any) => ({ name: f.name[0], value: f.value[0] }));
    else if (key === 'groups' || key === 'manageableDepartmentIds') out[key] = idList(value);
    else if (key === 'userRoles') {
      out.userRoles = value[0].userRole.map((role: any) => {
        const decoded: Record<string, unknown> = { roleId: role.roleId[0], roleType: role.roleType[0] };
        if (role.manageableDepartmentIds)
          decoded.manageableDepartmentIds = idList(role.manageableDepartmentIds);
        return decoded;
      });
    } else if (key === 'subordination' || key === 'coSubordination' || key === 'workLeaveStatus')
      out[key] = flat(value);
    else if (key === 'status') out.status = Number(value[0]);
    else out[key] = value[0];
  }
  return out;
}

const field = (user: IspringUserProfile, name: string) =>
  user.fields?.find((f) => f.name === name)?.value ?? '';
const user = (id: string) => users.find((u) => u.userId === id)!;

describe('iSpring authentication', () => {
  it('accepts a token as "Bearer <token>", as a bare token, and with a lowercase scheme', async () => {
    const issued = await token();
    for (const authorization of [`Bearer ${issued}`, issued, `bearer ${issued}`]) {
      expect((await get(`/user/${DEMO.ispring.ceo}`, { authorization })).status).toBe(200);
    }
  });

  it('accepts the X-Auth headers, with or without a trailing slash on the account URL', async () => {
    expect((await get(`/user/${DEMO.ispring.ceo}`)).status).toBe(200);
    const withSlash = { ...headerAuth, 'x-auth-account-url': `${credentials.accountUrl}/` };
    expect((await get(`/user/${DEMO.ispring.ceo}`, withSlash)).status).toBe(200);
  });

  it('refuses a wrong password with a 401 XML error body that does not echo it', async () => {
    const response = await getXml(`/user/${DEMO.ispring.ceo}`, {
      ...headerAuth,
      'x-auth-password': 'wrong-password-123',
    });
    expect(response.status).toBe(401);
    expect(response.xml.code).toEqual(['401']);
    expect(response.xml.message[0]).toEqual(expect.any(String));
    expect(response.text).not.toContain('wrong-password-123');
    expect(response.text).not.toContain(credentials.email);
  });

  it('refuses a wrong account URL, missing credentials and unknown tokens with a 401 JSON body', async () => {
    const attempts: Array<Record<string, string>> = [
      { ...headerAuth, 'x-auth-account-url': 'https://other.ispringlearn.com' },
      { 'x-auth-email': credentials.email, 'x-auth-password': credentials.password },
      {},
      { authorization: 'Bearer not-a-token' },
      { authorization: 'not-a-token' },
    ];
    for (const headers of attempts) {
      const response = await getJson('/department', headers);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ code: 401, message: expect.any(String) });
    }
  });
});

describe('the iSpring token endpoint', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers JSON when Accept asks for it', async () => {
    const response = await requestToken(goodTokenFields, 'application/json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as any;
    expect(body).toEqual({ access_token: expect.any(String), expires_in: 1800, token_type: 'bearer' });
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('answers XML by default', async () => {
    const response = await requestToken(goodTokenFields);
    expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const xml = ((await xml2js.parseStringPromise(await response.text())) as any).response;
    expect(xml).toEqual({ access_token: [expect.any(String)], expires_in: ['1800'], token_type: ['bearer'] });
  });

  it('answers 400 to a missing field, another grant type or a JSON body', async () => {
    const { grant_type: _grant, ...noGrant } = goodTokenFields;
    expect((await requestToken(noGrant, 'application/json')).status).toBe(400);
    expect((await requestToken({ ...goodTokenFields, grant_type: 'password' })).status).toBe(400);
    const json = await fetch(`${sandbox.ispring.baseUrl}/api/v3/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(goodTokenFields),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as any).code).toBe(400);
  });

  it('answers 401 to a wrong client secret without echoing it', async () => {
    const response = await requestToken(
      { ...goodTokenFields, client_secret: 'wrong-client-secret' },
      'application/json',
    );
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ code: 401, message: expect.any(String) });
    expect(text).not.toContain('wrong-client-secret');
  });

  it('rejects every token issued before expireTokens(), and accepts tokens issued after', async () => {
    const before = await token();
    expect((await get('/group', { authorization: `Bearer ${before}` })).status).toBe(200);
    sandbox.ispring.expireTokens();
    expect((await get('/group', { authorization: `Bearer ${before}` })).status).toBe(401);
    expect((await get('/group', { authorization: `Bearer ${await token()}` })).status).toBe(200);
  });

  it('rejects a token once its lifetime has passed', async () => {
    const shortLived = await startSandbox({ tokenLifetimeSeconds: { ispring: 1 } });
    try {
      const before = Date.now();
      const issued = await token(shortLived);
      const after = Date.now();
      const use = () => fetch(`${shortLived.ispring.baseUrl}/group`, { headers: { authorization: issued } });
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

describe('iSpring formats', () => {
  it('serves a user as XML by default: <response><userProfile> with fields, groups, roles and subordination', async () => {
    const id = DEMO.ispring.departmentAdministrator;
    const response = await getXml(`/user/${id}/v2`);
    expect(response.status).toBe(200);
    const profile = response.xml.userProfile[0];
    expect(profile.userId).toEqual([id]);
    expect(profile.fields[0].field.map((f: any) => f.name[0])).toEqual(user(id).fields!.map((f) => f.name));
    expect(profile.userRoles[0].userRole[0].roleType).toEqual(['department_administrator']);
    expect(profile.manageableDepartmentIds[0].id).toEqual(user(id).manageableDepartmentIds);
    expect(decodeUser(profile)).toEqual(user(id));
  });

  it('serves a user as JSON in the spec\'s {"response": …} envelope when Accept asks for JSON', async () => {
    const response = await getJson(`/user/${DEMO.ispring.inheritsThroughTwoDepartments}/v2`);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({ response: user(DEMO.ispring.inheritsThroughTwoDepartments) });
  });

  it('writes the same data in XML as in JSON for every user', async () => {
    const xml = await getXml('/users/v2');
    const json = await getJson('/users/v2');
    expect(json.body.userProfiles).toEqual(users);
    expect(xml.xml.userProfiles[0].userProfile.map(decodeUser)).toEqual(users);
  });

  it('escapes XML-special characters and keeps empty values as empty elements', async () => {
    const special = user(DEMO.ispring.specialCharacters);
    const response = await getXml(`/user/${special.userId}/v2`);
    expect(response.text).toContain('&amp;');
    expect(response.text).toContain('&lt;');
    expect(response.text).toMatch(/<value\/>|<value><\/value>/);
    expect(decodeUser(response.xml.userProfile[0])).toEqual(special);
  });

  it('reports status 5 as 3 on the v1 endpoints and as 5 on the v2 endpoints', async () => {
    const id = DEMO.ispring.employmentEnded;
    expect((await getJson(`/user/${id}/v2`)).body.response.status).toBe(5);
    expect((await getJson(`/user/${id}`)).body.response.status).toBe(3);
    expect((await getXml(`/user/${id}`)).xml.userProfile[0].status).toEqual(['3']);
    expect((await getXml(`/user/${id}/v2`)).xml.userProfile[0].status).toEqual(['5']);
    const v1List = (await getJson('/user')).body as IspringUserProfile[];
    expect(v1List.find((u) => u.userId === id)!.status).toBe(3);
    expect(v1List.some((u) => u.status === 5)).toBe(false);
    expect((await getJson(`/user/${DEMO.ispring.unknownStatus}`)).body.response.status).toBe(7);
    expect((await getJson(`/user/${DEMO.ispring.legacyDeleted}`)).body.response.status).toBe(2);
  });

  it('names the consent date personalDataConsentAcceptanceDate on v1 and privacyPolicyConsentAcceptanceDate on v2', async () => {
    const consenting = users.find((u) => u.privacyPolicyConsentAcceptanceDate)!;
    const v1 = (await getJson(`/user/${consenting.userId}`)).body.response;
    expect(v1.personalDataConsentAcceptanceDate).toBe(consenting.privacyPolicyConsentAcceptanceDate);
    expect(v1.privacyPolicyConsentAcceptanceDate).toBeUndefined();
  });
});

describe('iSpring user lists', () => {
  it('serves GET /user as a bare JSON array, and as repeated <userProfile> in XML', async () => {
    const json = await getJson('/user/v2');
    expect(json.body).toEqual(users);
    const xml = await getXml('/user/v2');
    expect(Object.keys(xml.xml)).toEqual(['userProfile']);
    expect(xml.xml.userProfile).toHaveLength(users.length);
  });

  it('filters by departments[], groups[], logins[] and emails[], also with percent-encoded brackets', async () => {
    const target = user(DEMO.ispring.inheritsThroughTwoDepartments);
    const inDepartment = users.filter((u) => u.departmentId === target.departmentId);
    expect((await getJson(`/user/v2?departments[]=${target.departmentId}`)).body).toEqual(inDepartment);
    expect((await getJson(`/user/v2?departments%5B%5D=${target.departmentId}`)).body).toEqual(inDepartment);

    const group = DEMO.ispring.smartGroup;
    const other = sandbox.organisation.ispring.groups.find((g) => g.groupId !== group)!.groupId;
    const inGroups = users.filter((u) => u.groups?.includes(group) || u.groups?.includes(other));
    expect((await getJson(`/user/v2?groups[]=${group}&groups[]=${other}`)).body).toEqual(inGroups);

    const email = encodeURIComponent(field(target, 'EMAIL').toUpperCase());
    expect((await getJson(`/user/v2?emails[]=${email}`)).body).toEqual([target]);
    const login = encodeURIComponent(field(target, 'LOGIN'));
    expect(
      (await getJson(`/user/v2?logins[]=${login}&departments[]=${DEMO.ispring.rootDepartment}`)).body,
    ).toEqual([]);
    expect((await getJson(`/user?emails[]=nobody%40nowhere.example`)).body).toEqual([]);
    expect((await getXml(`/user?emails[]=nobody%40nowhere.example`)).text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><response/>',
    );
  });

  it('pages GET /users/v2 with pageSize and base64 page tokens, leaving nextPageToken out on the last page', async () => {
    const collected: IspringUserProfile[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const query = `pageSize=50${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
      const body = (await getJson(`/users/v2?${query}`)).body;
      collected.push(...body.userProfiles);
      pageToken = body.nextPageToken;
      if (pageToken) {
        expect(Buffer.from(pageToken, 'base64').toString('utf8')).toBe(users[collected.length]!.userId);
      } else {
        expect('nextPageToken' in body).toBe(false);
      }
      pages += 1;
    } while (pageToken);
    expect(pages).toBe(Math.ceil(users.length / 50));
    expect(collected).toEqual(users);
  });

  it('writes a users page in XML as <userProfiles> and <nextPageToken>', async () => {
    const first = await getXml('/users/v2?pageSize=2');
    expect(Object.keys(first.xml)).toEqual(['userProfiles', 'nextPageToken']);
    expect(first.xml.userProfiles[0].userProfile).toHaveLength(2);
    const next = first.xml.nextPageToken[0];
    const second = await getXml(`/users/v2?pageSize=2&pageToken=${encodeURIComponent(next)}`);
    expect(second.xml.userProfiles[0].userProfile[0].userId).toEqual([users[2]!.userId]);
    const all = await getXml('/users/v2');
    expect(Object.keys(all.xml)).toEqual(['userProfiles']);
  });

  it('defaults pageSize to 1000 and refuses one out of range, or a bad page token, with 400', async () => {
    expect((await getJson('/users/v2')).body.userProfiles).toHaveLength(users.length);
    const unknownId = Buffer.from('00000000-0000-0000-0000-000000000000').toString('base64');
    for (const query of [
      'pageSize=0',
      'pageSize=1001',
      'pageSize=ten',
      'pageToken=%%%',
      `pageToken=${unknownId}`,
    ]) {
      const json = await getJson(`/users/v2?${query}`);
      expect(json.status, query).toBe(400);
      expect(json.body).toEqual({ code: 400, message: expect.any(String) });
      const xml = await getXml(`/users?${query}`);
      expect(xml.status, query).toBe(400);
      expect(xml.xml.code).toEqual(['400']);
    }
  });

  it('returns the existing users of userIds[] on /users/v2 and leaves unknown ids out (unknownUserIdInBatch omit)', async () => {
    const wanted = [users[5]!.userId, '00000000-0000-0000-0000-000000000000', users[1]!.userId];
    const query = wanted.map((id) => `userIds%5B%5D=${id}`).join('&');
    const body = (await getJson(`/users/v2?${query}`)).body;
    expect(body.userProfiles.map((u: IspringUserProfile) => u.userId)).toEqual([
      users[1]!.userId,
      users[5]!.userId,
    ]);
    expect(body.nextPageToken).toBeUndefined();
    const bracketed = (await getJson(`/users/v2?userIds[]=${users[7]!.userId}`)).body;
    expect(bracketed.userProfiles).toEqual([users[7]]);
  });

  it('ignores userIds[] on the v1 /users endpoint, where it is not documented', async () => {
    const body = (await getJson(`/users?userIds[]=${users[7]!.userId}`)).body;
    expect(body.userProfiles).toHaveLength(users.length);
  });

  it('answers an unknown user with 400 User not found in the format asked for', async () => {
    const json = await getJson('/user/00000000-0000-0000-0000-000000000000/v2');
    expect(json.status).toBe(400);
    expect(json.body).toEqual({ code: 400, message: 'User not found' });
    const xml = await getXml('/user/00000000-0000-0000-0000-000000000000');
    expect(xml.status).toBe(400);
    expect(xml.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><response><code>400</code><message>User not found</message></response>',
    );
  });
});

describe('iSpring departments', () => {
  it('serves GET /department as {"departments": […]} in JSON, and as repeated <department> in XML with no wrapper', async () => {
    const departments = sandbox.organisation.ispring.departments;
    expect((await getJson('/department')).body).toEqual({ departments });
    const xml = await getXml('/department');
    expect(Object.keys(xml.xml)).toEqual(['department']);
    expect(xml.xml.department).toHaveLength(departments.length);
    const root = xml.xml.department.find((d: any) => d.departmentId[0] === DEMO.ispring.rootDepartment);
    expect(root.parentDepartmentId).toBeUndefined();
    expect(root.subordination[0]).toEqual({
      subordinationType: ['manual'],
      supervisorId: [DEMO.ispring.ceo],
    });
    expect(root.coSubordination[0]).toEqual({ subordinationType: ['no_supervisor'] });
  });

  it('serves GET /department/{id}, and 400 Department not found for an unknown one', async () => {
    const deep = sandbox.organisation.ispring.departments.find(
      (d) => d.departmentId === DEMO.ispring.deepDepartment,
    );
    expect((await getJson(`/department/${DEMO.ispring.deepDepartment}`)).body).toEqual({ response: deep });
    const xml = await getXml(`/department/${DEMO.ispring.deepDepartment}`);
    expect(xml.xml.department[0].parentDepartmentId).toEqual([deep!.parentDepartmentId]);
    const unknown = await getJson('/department/00000000-0000-0000-0000-000000000000');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ code: 400, message: 'Department not found' });
  });

  it('pages GET /departments with <departments> and nextPageToken', async () => {
    const departments = sandbox.organisation.ispring.departments;
    const first = await getJson('/departments?pageSize=10');
    expect(first.body.departments).toEqual(departments.slice(0, 10));
    const second = await getXml(
      `/departments?pageSize=10&pageToken=${encodeURIComponent(first.body.nextPageToken)}`,
    );
    expect(second.xml.departments[0].department[0].departmentId).toEqual([departments[10]!.departmentId]);
    expect(second.xml.nextPageToken).toHaveLength(1);
    const all = await getJson('/departments');
    expect(all.body).toEqual({ departments });
  });
});

describe('iSpring groups', () => {
  it('serves GET /group as {"groups": […]} with isSmart as true/false', async () => {
    const groups = sandbox.organisation.ispring.groups;
    const json = await getJson('/group');
    expect(Object.keys(json.body)).toEqual(['groups']);
    expect(json.body.groups.map((g: any) => g.isSmart)).toEqual(groups.map((g) => g.isSmart === true));
    const xml = await getXml('/group');
    expect(Object.keys(xml.xml)).toEqual(['group']);
    expect(new Set(xml.xml.group.map((g: any) => g.isSmart[0]))).toEqual(new Set(['true', 'false']));
  });

  it('serves GET /group/{id} as a DetailedGroup with usersCount, userIds and isSmart 0/1', async () => {
    const members = users.filter((u) => u.groups?.includes(DEMO.ispring.smartGroup)).map((u) => u.userId);
    const json = await getJson(`/group/${DEMO.ispring.smartGroup}`);
    expect(json.body).toEqual({
      response: {
        usersCount: members.length,
        userIds: members,
        groupId: DEMO.ispring.smartGroup,
        name: expect.any(String),
        isSmart: 1,
      },
    });
    const xml = await getXml(`/group/${DEMO.ispring.smartGroup}`);
    expect(xml.xml.group[0].userIds[0].id).toEqual(members);
    expect(xml.xml.group[0].isSmart).toEqual(['1']);
    const empty = await getXml(`/group/${DEMO.ispring.emptyGroup}`);
    expect(empty.xml.group[0]).toMatchObject({ usersCount: ['0'], userIds: [''], isSmart: ['0'] });
    const unknown = await getJson('/group/00000000-0000-0000-0000-000000000000');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ code: 400, message: 'Group not found' });
  });

  it('pages GET /groups with a <groups> wrapper, isSmart 0/1 and nextPageToken', async () => {
    const groups = sandbox.organisation.ispring.groups;
    const first = await getXml('/groups?pageSize=5');
    expect(first.xml.groups[0].group).toHaveLength(5);
    expect(first.xml.groups[0].group[0].isSmart[0]).toMatch(/^[01]$/);
    expect(Buffer.from(first.xml.nextPageToken[0], 'base64').toString()).toBe(groups[5]!.groupId);
    const all = await getJson('/groups');
    expect(all.body.groups.map((g: any) => g.isSmart)).toEqual(
      groups.map((g) => (g.isSmart === true ? 1 : 0)),
    );
    expect(all.body.nextPageToken).toBeUndefined();
  });
});

describe('iSpring paths that are not endpoints', () => {
  it('answers an unknown path with 404 in the format asked for', async () => {
    expect((await getXml('/nothing')).xml).toEqual({ code: ['404'], message: [expect.any(String)] });
    expect((await getJson('/user/a/b/c')).body).toEqual({ code: 404, message: expect.any(String) });
    expect((await getJson('/api/v3/users')).status).toBe(404);
    expect((await getJson('/api/v2')).status).toBe(404);
  });

  it('answers another method on an endpoint with 405 and an Allow header naming the methods it takes', async () => {
    const response = await fetch(`${sandbox.ispring.baseUrl}/users`, {
      method: 'POST',
      headers: { ...headerAuth, ...JSON_ACCEPT },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(((await response.json()) as any).code).toBe(405);
    const both = await fetch(`${sandbox.ispring.baseUrl}/users/v2`, {
      method: 'DELETE',
      headers: headerAuth,
    });
    expect(both.status).toBe(405);
    expect(both.headers.get('allow')).toBe('GET, POST');
    expect((await fetch(`${sandbox.ispring.baseUrl}/api/v3/token`)).status).toBe(405);
  });

  it('survives bad percent-encoding, a body over 1 MiB and the longest query it takes', async () => {
    expect((await getJson('/user/%E0%A4%A/v2')).status).toBe(400);
    const big = await fetch(`${sandbox.ispring.baseUrl}/api/v3/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...JSON_ACCEPT },
      body: `client_id=${'x'.repeat(1024 * 1024)}`,
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).code).toBe(413);
    // 150 ids of 50 bytes each: a request line of about 7.6 KB, under the 8 KiB front end's limit.
    const ids = Array.from({ length: 150 }, () => `userIds%5B%5D=${users[0]!.userId}`).join('&');
    expect((await getJson(`/users/v2?${ids}`)).body.userProfiles).toEqual([users[0]]);
    expect((await getJson(`/user/${DEMO.ispring.ceo}/v2`)).status).toBe(200);
  });
});
