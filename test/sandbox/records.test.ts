import xml2js from 'xml2js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  IspringDepartment,
  IspringGroup,
  IspringUserProfile,
} from '../../src/providers/ispring/wire.ts';
import type { ThriveAudience, ThriveUser } from '../../src/providers/thrive/wire.ts';
import { DEMO, SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';

/**
 * Records put into and removed from running sandboxes: served verbatim, however odd, with the
 * organisation edited in place and every index following.
 */

const thriveAuth = {
  authorization: `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.thrive.tenantId}:${SANDBOX_CREDENTIALS.thrive.apiSecret}`).toString('base64')}`,
};
const ispringAuth = {
  'x-auth-account-url': SANDBOX_CREDENTIALS.ispring.accountUrl,
  'x-auth-email': SANDBOX_CREDENTIALS.ispring.email,
  'x-auth-password': SANDBOX_CREDENTIALS.ispring.password,
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

async function thrive(path: string) {
  const response = await fetch(`${sandbox.thrive.baseUrl}${path}`, { headers: thriveAuth });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as any };
}

async function ispringJson(path: string) {
  const response = await fetch(`${sandbox.ispring.baseUrl}${path}`, {
    headers: { ...ispringAuth, accept: 'application/json' },
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** The `<response>` element; `$` and `_` are element names like any other. */
async function ispringXml(path: string) {
  const response = await fetch(`${sandbox.ispring.baseUrl}${path}`, { headers: ispringAuth });
  const text = await response.text();
  const parsed = await xml2js.parseStringPromise(text, { attrkey: ' attributes', charkey: ' text' });
  return { status: response.status, text, xml: (parsed as any).response };
}

/** A cast for the payloads the wire types do not allow, as odd tenants send them. */
const odd = <T>(value: unknown) => value as T;

describe('Thrive records', () => {
  const oddUser = (id: string) =>
    odd<ThriveUser>({
      id,
      ref: `ODD-${id.slice(-4)}`,
      firstName: 'Jo',
      lastName: 'Bloggs',
      email: `jo.${id.slice(-4)}@example.com`,
      role: 'learner',
      status: 'active',
      positions: [
        {
          id,
          title: 'Analyst',
          manager: { id: null, name: null, ref: null },
          ouId: 'ou.123',
          isActive: true,
          startDate: '0000-00-00',
          endDate: 'n/a',
          createdAt: '',
          updatedAt: '2021-01-01T09:00:00Z',
        },
        { id, manager: {}, isActive: false },
        { id, manager: { id: '' }, isActive: false },
        null,
      ],
      audiences: [null, { id: DEMO.thrive.childAudience }, 42],
      lastLogin: '0000-00-00',
      deleted: false,
    });

  it('putUser appends a new user, served verbatim by id, by ref, in /users and among its audience’s members', async () => {
    const id = '646767d82535201223349e09';
    const user = oddUser(id);
    const users = sandbox.organisation.thrive.users;
    const countBefore = users.length;
    sandbox.thrive.putUser(user);
    expect(users).toHaveLength(countBefore + 1);
    expect(users.at(-1)).toBe(user);
    const byId = await thrive(`/user/${id}`);
    expect(byId.status).toBe(200);
    expect(byId.text).toBe(JSON.stringify(user));
    expect((await thrive(`/users/ref/${user.ref}`)).body.positions).toEqual(user.positions);
    const last = await thrive(`/users?perPage=1000`);
    expect(last.body.results.at(-1)).toEqual(user);
    expect(last.body.pagination.totalResults).toBe(countBefore + 1);
    const members = await thrive(`/audiences/${DEMO.thrive.childAudience}/members?perPage=1000`);
    expect(members.body.results.at(-1)).toEqual({ userId: id, reference: user.ref, email: user.email });
  });

  it('putUser replaces a user in place, and removeUser takes one out (true), then finds none (false)', async () => {
    const users = sandbox.organisation.thrive.users;
    const at = users.findIndex((user) => user.id === DEMO.thrive.deepUser);
    const changed = { ...users[at]!, firstName: 'Renamed', audiences: [] };
    sandbox.thrive.putUser(changed);
    expect(users.indexOf(changed)).toBe(at);
    expect((await thrive(`/user/${DEMO.thrive.deepUser}`)).body.firstName).toBe('Renamed');
    expect((await thrive(`/users/ref/${DEMO.thrive.userRef}`)).body.firstName).toBe('Renamed');
    expect(sandbox.thrive.removeUser(DEMO.thrive.deepUser)).toBe(true);
    expect(sandbox.thrive.removeUser(DEMO.thrive.deepUser)).toBe(false);
    expect(users.some((user) => user.id === DEMO.thrive.deepUser)).toBe(false);
    expect((await thrive(`/user/${DEMO.thrive.deepUser}`)).status).toBe(404);
    expect((await thrive(`/users/ref/${DEMO.thrive.userRef}`)).status).toBe(404);
  });

  it('putAudience adds an audience by id and reference, replaces one in place, and removeAudience takes it out', async () => {
    const audience = odd<ThriveAudience>({
      id: '673db100e5c0503ac23b0e2b',
      name: 'Technology & <Ops>',
      reference: 'tech-odd',
      apiControlled: true,
      category: 'structure',
      type: 'manual',
      parent: { id: null },
      createdAt: '0000-00-00',
    });
    sandbox.thrive.putAudience(audience);
    expect(sandbox.organisation.thrive.audiences.at(-1)).toBe(audience);
    expect((await thrive(`/audiences/${audience.id}`)).text).toBe(JSON.stringify(audience));
    expect((await thrive('/audiences/tech-odd')).body).toEqual(audience);
    const list = (await thrive('/audiences?perPage=1000')).body.results;
    expect(list.at(-1)).toEqual({
      id: audience.id,
      name: audience.name,
      reference: 'tech-odd',
      apiControlled: true,
      category: 'structure',
      type: 'manual',
    });
    sandbox.thrive.putAudience({ ...audience, name: 'Renamed' });
    expect(sandbox.organisation.thrive.audiences.filter((a) => a.id === audience.id)).toHaveLength(1);
    expect((await thrive(`/audiences/${audience.id}`)).body.name).toBe('Renamed');
    expect(sandbox.thrive.removeAudience(audience.id)).toBe(true);
    expect((await thrive(`/audiences/${audience.id}`)).status).toBe(404);
    expect((await thrive('/audiences/tech-odd')).status).toBe(404);
  });

  it('putUser of the same object edited in place, and a list edited without a put, are served as they are now', async () => {
    const users = sandbox.organisation.thrive.users;
    const user = users.find((item) => item.id === DEMO.thrive.multiPosition)!;
    const oldRef = user.ref!;
    user.ref = 'EDITED-IN-PLACE';
    user.audiences = [DEMO.thrive.unmanagedAudience];
    sandbox.thrive.putUser(user);
    expect((await thrive('/users/ref/EDITED-IN-PLACE')).body.id).toBe(user.id);
    expect((await thrive(`/users/ref/${oldRef}`)).status).toBe(404);
    const members = await thrive(`/audiences/${DEMO.thrive.unmanagedAudience}/members?perPage=1000`);
    expect(members.body.results.map((member: any) => member.userId)).toContain(user.id);

    // Pushed straight into the list: the next put indexes it too.
    const pushed = { ...users[0]!, id: '646767d82535201223349e0a', ref: 'PUSHED' };
    users.push(pushed);
    sandbox.thrive.putUsers([{ ...users[1]! }, { ...users[2]! }]);
    expect((await thrive(`/user/${pushed.id}`)).status).toBe(200);
    expect((await thrive('/users/ref/PUSHED')).body.id).toBe(pushed.id);
    expect(sandbox.thrive.removeUser(pushed.id)).toBe(true);
    expect((await thrive(`/user/${pushed.id}`)).status).toBe(404);
  });

  it('refuses a record without a string id, before changing anything', () => {
    const count = sandbox.organisation.thrive.users.length;
    expect(() => sandbox.thrive.putUser(odd<ThriveUser>({ firstName: 'No id' }))).toThrow(TypeError);
    expect(() => sandbox.thrive.putAudience(odd<ThriveAudience>(null))).toThrow(TypeError);
    expect(sandbox.organisation.thrive.users).toHaveLength(count);
  });
});

describe('iSpring records', () => {
  const NEW_USER = '3d7e1028-1545-11ec-b8d1-0242ac17002a';

  it('putUser appends a user with odd dates, object-form fields and unknown roles, served verbatim in JSON and XML', async () => {
    const profile = odd<IspringUserProfile>({
      userId: NEW_USER,
      role: 'account_administrators',
      roleId: 'eaf01e14-2ae1-11e9-89a5-0242ac13000a',
      departmentId: DEMO.ispring.rootDepartment,
      status: 5,
      fields: {
        login: 'kate.smith',
        email: 'kate.smith@test.com',
        first_name: 'Kate',
        job_title: 'Sales Manager',
        country_id: '224',
      },
      addedDate: '2021-09-14 08:30:00',
      lastLoginDate: '0000-00-00',
      groups: [DEMO.ispring.emptyGroup],
      userRoles: [
        { roleId: 'eaf01e14-2ae1-11e9-89a5-0242ac13000a', roleType: 'owner' },
        { roleId: 'eaf01e14-2ae1-11e9-89a5-0242ac13000b', roleType: 'studio_author' },
      ],
      subordination: {
        subordinationType: 'inherit',
        supervisorId: '0ccca211-b60f-11ea-bc49-028d9ecdf612',
      },
      coSubordination: { subordinationType: 'no_supervisor' },
    });
    const users = sandbox.organisation.ispring.users;
    sandbox.ispring.putUser(profile);
    expect(users.at(-1)).toBe(profile);
    expect((await ispringJson(`/user/${NEW_USER}/v2`)).body).toEqual({ response: profile });
    const xml = await ispringXml(`/user/${NEW_USER}/v2`);
    expect(xml.status).toBe(200);
    expect(xml.text).toContain('<addedDate>2021-09-14 08:30:00</addedDate>');
    expect(xml.text).toContain('<lastLoginDate>0000-00-00</lastLoginDate>');
    expect(xml.text).toContain(
      '<fields><login>kate.smith</login><email>kate.smith@test.com</email><first_name>Kate</first_name>',
    );
    expect(xml.text).toContain(
      '<userRole><roleId>eaf01e14-2ae1-11e9-89a5-0242ac13000b</roleId><roleType>studio_author</roleType></userRole>',
    );
    expect(xml.text).toContain(
      '<subordination><subordinationType>inherit</subordinationType><supervisorId>0ccca211-b60f-11ea-bc49-028d9ecdf612</supervisorId></subordination>',
    );
    expect((await ispringJson('/users/v2?logins[]=KATE.SMITH')).body.userProfiles).toEqual([profile]);
    const group = (await ispringJson(`/group/${DEMO.ispring.emptyGroup}`)).body.response;
    expect(group).toMatchObject({ usersCount: 1, userIds: [NEW_USER] });
  });

  it('serves a user XML cannot carry as it is in JSON, and as well-formed XML with the rest replaced', async () => {
    const id = '3d7e1028-1545-11ec-b8d1-0242ac170099';
    const profile = odd<IspringUserProfile>({
      userId: id,
      status: null,
      fields: [{ name: 'login', value: 'control\u0001char' }, { name: 'EMAIL', value: null }, null, 'loose'],
      lastLoginDate: '',
      groups: null,
      userRoles: { roleId: 'not-a-list' },
      subordination: 'manual',
      'bad key': 1,
      $: 'dollar',
      nested: [[1, 2], undefined],
    });
    sandbox.ispring.putUser(profile);
    expect((await ispringJson(`/user/${id}`)).body).toEqual({
      response: JSON.parse(JSON.stringify(profile)),
    });
    const xml = await ispringXml(`/user/${id}/v2`);
    expect(xml.status).toBe(200);
    const node = xml.xml.userProfile[0];
    expect(node.fields[0].field[0]).toEqual({ name: ['login'], value: ['control\uFFFDchar'] });
    expect(node.lastLoginDate).toEqual(['']);
    expect(node.subordination).toEqual(['manual']);
    expect(node.bad_key).toEqual(['1']);
    expect(node._).toEqual(['dollar']);
    expect(node.nested).toEqual(['', '']);
    expect((await ispringJson('/users/v2?logins[]=control%01char')).body.userProfiles).toEqual([
      JSON.parse(JSON.stringify(profile)),
    ]);
  });

  it('putUser of the same object, edited, serves the edit: the XML built before is not reused', async () => {
    const profile = sandbox.organisation.ispring.users.find((user) => user.userId === DEMO.ispring.ceo)!;
    const at = sandbox.organisation.ispring.users.indexOf(profile);
    expect((await ispringXml(`/user/${DEMO.ispring.ceo}/v2`)).text).not.toContain('2099-01-01');
    profile.lastLoginDate = '2099-01-01';
    sandbox.ispring.putUser(profile);
    expect(sandbox.organisation.ispring.users.indexOf(profile)).toBe(at);
    expect((await ispringXml(`/user/${DEMO.ispring.ceo}/v2`)).text).toContain(
      '<lastLoginDate>2099-01-01</lastLoginDate>',
    );
    expect((await ispringXml(`/users/v2?userIds[]=${DEMO.ispring.ceo}`)).text).toContain('2099-01-01');
  });

  it('putUser of the same object with new groups and email, and a list edited without a put, are served as they are now', async () => {
    const users = sandbox.organisation.ispring.users;
    const profile = users.find((user) => user.userId === DEMO.ispring.deepUser)!;
    profile.groups = [DEMO.ispring.emptyGroup];
    profile.fields = (profile.fields ?? []).map((field) =>
      field.name === 'EMAIL' ? { ...field, value: 'edited.in.place@northwind.example' } : field,
    );
    sandbox.ispring.putUser(profile);
    expect((await ispringJson(`/group/${DEMO.ispring.emptyGroup}`)).body.response.userIds).toContain(
      DEMO.ispring.deepUser,
    );
    const byEmail = await ispringJson('/users/v2?emails[]=edited.in.place@northwind.example');
    expect(byEmail.body.userProfiles.map((user: any) => user.userId)).toEqual([DEMO.ispring.deepUser]);

    // Pushed straight into the list: the next put indexes it too, pages and page tokens included.
    const pushed = { ...users[0]!, userId: 'f0000000-0000-11e9-8000-000000000001' };
    users.push(pushed);
    sandbox.ispring.putUsers([{ ...users[1]! }]);
    expect((await ispringJson(`/user/${pushed.userId}/v2`)).status).toBe(200);
    const token = Buffer.from(pushed.userId).toString('base64');
    const page = await ispringJson(`/users/v2?pageSize=1&pageToken=${encodeURIComponent(token)}`);
    expect(page.body.userProfiles.map((user: any) => user.userId)).toEqual([pushed.userId]);
    expect(sandbox.ispring.removeUser(pushed.userId)).toBe(true);
  });

  it('page tokens follow users put and removed', async () => {
    const users = sandbox.organisation.ispring.users;
    const third = users[2]!.userId;
    const token = encodeURIComponent(Buffer.from(third).toString('base64'));
    expect((await ispringJson(`/users/v2?pageSize=1&pageToken=${token}`)).body.userProfiles[0].userId).toBe(
      third,
    );
    expect(sandbox.ispring.removeUser(users[0]!.userId)).toBe(true);
    const after = await ispringJson(`/users/v2?pageSize=2&pageToken=${token}`);
    expect(after.body.userProfiles.map((user: any) => user.userId)).toEqual([third, users[2]!.userId]);
  });

  it('removeUser takes a user out of every read: by id, the lists and its groups', async () => {
    const profile = sandbox.organisation.ispring.users.find((user) => (user.groups ?? []).length > 0)!;
    const groupId = profile.groups![0]!;
    expect(sandbox.ispring.removeUser(profile.userId)).toBe(true);
    expect(sandbox.ispring.removeUser(profile.userId)).toBe(false);
    expect((await ispringJson(`/user/${profile.userId}/v2`)).body).toEqual({
      code: 400,
      message: 'User not found',
    });
    expect((await ispringJson(`/users/v2?userIds[]=${profile.userId}`)).body.userProfiles).toEqual([]);
    expect((await ispringJson(`/group/${groupId}`)).body.response.userIds).not.toContain(profile.userId);
  });

  it('putDepartment and removeDepartment: a root with an empty parent, a manual one with no supervisor', async () => {
    const root = odd<IspringDepartment>({
      departmentId: 'b00ba37c-5b6f-11e9-bb45-0a580af40556',
      name: 'Root & Co',
      parentDepartmentId: '',
      code: '5',
      subordination: { subordinationType: 'manual' },
      coSubordination: { subordinationType: 'inherit', supervisorId: '0ccca211-b60f-11ea-bc49-028d9ecdf612' },
    });
    sandbox.ispring.putDepartment(root);
    expect(sandbox.organisation.ispring.departments.at(-1)).toBe(root);
    const xml = await ispringXml(`/department/${root.departmentId}`);
    expect(xml.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><response><department><departmentId>b00ba37c-5b6f-11e9-bb45-0a580af40556</departmentId><name>Root &amp; Co</name><parentDepartmentId/><code>5</code><subordination><subordinationType>manual</subordinationType></subordination><coSubordination><subordinationType>inherit</subordinationType><supervisorId>0ccca211-b60f-11ea-bc49-028d9ecdf612</supervisorId></coSubordination></department></response>',
    );
    expect((await ispringJson('/department?code=5')).body).toEqual({ departments: [root] });
    sandbox.ispring.putDepartment({ ...root, name: 'Renamed' });
    expect((await ispringJson(`/department/${root.departmentId}`)).body.response.name).toBe('Renamed');
    expect(sandbox.ispring.removeDepartment(root.departmentId)).toBe(true);
    expect((await ispringJson(`/department/${root.departmentId}`)).status).toBe(400);
  });

  it('putGroup and removeGroup: a new group lists the users that name it', async () => {
    const group: IspringGroup = {
      groupId: '2aa6c5d2-fa51-11e9-b3bf-0a580af40a83',
      name: 'Odd',
      isSmart: 'yes',
    };
    const member = sandbox.organisation.ispring.users[2]!;
    sandbox.ispring.putUser({ ...member, groups: [...(member.groups ?? []), group.groupId] });
    expect((await ispringJson(`/group/${group.groupId}`)).status).toBe(400);
    sandbox.ispring.putGroup(group);
    expect(sandbox.organisation.ispring.groups.at(-1)).toBe(group);
    expect((await ispringJson(`/group/${group.groupId}`)).body.response).toEqual({
      usersCount: 1,
      userIds: [member.userId],
      groupId: group.groupId,
      name: 'Odd',
      isSmart: 0,
    });
    expect(sandbox.ispring.removeGroup(group.groupId)).toBe(true);
    expect(
      (await ispringJson('/group')).body.groups.some((g: IspringGroup) => g.groupId === group.groupId),
    ).toBe(false);
  });

  it('refuses a record without its string id', () => {
    expect(() => sandbox.ispring.putUser(odd<IspringUserProfile>({ fields: [] }))).toThrow(TypeError);
    expect(() => sandbox.ispring.putDepartment(odd<IspringDepartment>({ departmentId: 7 }))).toThrow(
      TypeError,
    );
    expect(() => sandbox.ispring.putGroup(odd<IspringGroup>('group'))).toThrow(TypeError);
  });
});
