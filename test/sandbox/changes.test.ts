import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO,
  SANDBOX_CREDENTIALS,
  SandboxChangeError,
  startSandbox,
  type Sandbox,
} from '../../src/sandbox/index.ts';

/**
 * The changes API (src/sandbox/changes.ts): each change is served at once by the by-id reads and
 * the lists, over real HTTP; bad changes are refused before anything changes.
 */

const thriveAuth = {
  authorization: `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.thrive.tenantId}:${SANDBOX_CREDENTIALS.thrive.apiSecret}`).toString('base64')}`,
};
const ispringAuth = {
  'x-auth-account-url': SANDBOX_CREDENTIALS.ispring.accountUrl,
  'x-auth-email': SANDBOX_CREDENTIALS.ispring.email,
  'x-auth-password': SANDBOX_CREDENTIALS.ispring.password,
  accept: 'application/json',
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

async function thrive(path: string) {
  const response = await fetch(`${sandbox.thrive.baseUrl}${path}`, { headers: thriveAuth });
  return { status: response.status, body: (await response.json()) as any };
}

async function ispring(path: string) {
  const response = await fetch(`${sandbox.ispring.baseUrl}${path}`, { headers: ispringAuth });
  return { status: response.status, body: (await response.json()) as any };
}

/** Every Thrive user of `GET /users`, page by page. */
async function thriveUsers(): Promise<any[]> {
  const users: any[] = [];
  for (let page = 1; ; page += 1) {
    const { body } = await thrive(`/users?perPage=100&page=${page}`);
    users.push(...body.results);
    if (page >= body.pagination.totalPages) return users;
  }
}

/** Every iSpring user of `GET /users/v2`, page by page. */
async function ispringUsers(): Promise<any[]> {
  const users: any[] = [];
  let token: string | undefined;
  do {
    const { body } = await ispring(
      `/users/v2?pageSize=50${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`,
    );
    users.push(...body.userProfiles);
    token = body.nextPageToken;
  } while (token);
  return users;
}

const field = (user: any, name: string) => user.fields.find((f: any) => f.name === name)?.value;

describe('Thrive changes', () => {
  it('addUser serves a new user by id, by ref, in GET /users and among its department’s members', async () => {
    const department = DEMO.thrive.childAudience;
    const added = sandbox.changes.thrive.addUser({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada.lovelace@northwind.example',
      departmentId: department,
      managerId: DEMO.thrive.ceo,
      jobTitle: 'Analyst',
      audienceIds: [DEMO.thrive.smartAudience],
    });
    expect(added.id).toMatch(/^[0-9a-f]{24}$/);
    const byId = await thrive(`/user/${added.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({
      firstName: 'Ada',
      email: 'ada.lovelace@northwind.example',
      status: 'active',
      role: 'learner',
      positions: [{ ouId: department, manager: { id: DEMO.thrive.ceo }, title: 'Analyst', isActive: true }],
      audiences: [department, DEMO.thrive.smartAudience],
      additionalFields: { department: 'Engineering' },
    });
    expect(byId.body.createdAt).toBe(byId.body.updatedAt);
    expect((await thrive(`/users/ref/${added.ref}`)).body.id).toBe(added.id);
    const listed = (await thriveUsers()).filter((user) => user.id === added.id);
    expect(listed).toEqual([byId.body]);
    const members = await thrive(`/audiences/${department}/members?perPage=1000`);
    expect(members.body.results.map((member: any) => member.userId)).toContain(added.id);
  });

  it('updateUser changes names, email, status, manager and title, and moves updatedAt on past every earlier change', async () => {
    const id = DEMO.thrive.deepUser;
    const before = (await thrive(`/user/${id}`)).body;
    const started = Date.now();
    const first = sandbox.changes.thrive.updateUser(id, {
      firstName: 'Renamed',
      email: 'renamed@northwind.example',
    });
    const second = sandbox.changes.thrive.updateUser(id, {
      status: 'inactive',
      managerId: DEMO.thrive.ceo,
      jobTitle: 'Principal',
    });
    expect(Date.parse(first.updatedAt!)).toBeGreaterThanOrEqual(started);
    expect(Date.parse(second.updatedAt!)).toBeGreaterThan(Date.parse(first.updatedAt!));
    const after = (await thrive(`/user/${id}`)).body;
    expect(after).toMatchObject({
      firstName: 'Renamed',
      lastName: before.lastName,
      email: 'renamed@northwind.example',
      status: 'inactive',
      createdAt: before.createdAt,
      updatedAt: second.updatedAt,
    });
    const primary = after.positions.find((position: any) => position.isActive !== false);
    expect(primary.manager).toEqual({ id: DEMO.thrive.ceo });
    expect(primary.title).toBe('Principal');
    expect(primary.updatedAt).toBe(second.updatedAt);
    expect((await thriveUsers()).find((user) => user.id === id)).toEqual(after);
  });

  it('moveUser moves the primary position, the membership and additionalFields.department', async () => {
    const id = DEMO.thrive.multiPosition;
    const before = (await thrive(`/user/${id}`)).body;
    const from = before.positions.find((position: any) => position.isActive !== false).ouId;
    const to = DEMO.thrive.unmanagedAudience;
    sandbox.changes.thrive.moveUser(id, to);
    const after = (await thrive(`/user/${id}`)).body;
    expect(after.positions.find((position: any) => position.isActive !== false).ouId).toBe(to);
    const memberships = after.audiences.map((entry: any) => (typeof entry === 'string' ? entry : entry.id));
    expect(memberships).toContain(to);
    expect(memberships).not.toContain(from);
    expect(after.additionalFields.department).toBe('Contractors');
    const members = (await thrive(`/audiences/${to}/members?perPage=1000`)).body.results;
    expect(members.map((member: any) => member.userId)).toContain(id);
    const left = (await thrive(`/audiences/${from}/members?perPage=1000`)).body.results;
    expect(left.map((member: any) => member.userId)).not.toContain(id);
  });

  it('deleteUser obfuscates and keeps the record by default, or takes it out with mode remove', async () => {
    const kept = sandbox.organisation.thrive.users[30]!;
    sandbox.changes.thrive.deleteUser(kept.id);
    const obfuscated = (await thrive(`/user/${kept.id}`)).body;
    expect(obfuscated).toMatchObject({
      id: kept.id,
      firstName: 'Deleted',
      lastName: 'User',
      email: null,
      ref: null,
      status: 'inactive',
      deleted: true,
      audiences: [],
    });
    expect(obfuscated.positions.every((position: any) => position.isActive === false)).toBe(true);
    const gone = sandbox.organisation.thrive.users[31]!;
    const count = sandbox.organisation.thrive.users.length;
    sandbox.changes.thrive.deleteUser(gone.id, { mode: 'remove' });
    expect((await thrive(`/user/${gone.id}`)).status).toBe(404);
    const users = await thriveUsers();
    expect(users).toHaveLength(count - 1);
    expect(users.some((user) => user.id === gone.id)).toBe(false);
  });

  it('adds, renames, re-parents and deletes audiences, children following a rename', async () => {
    const parent = sandbox.changes.thrive.addAudience({ name: 'Research', reference: 'structure-research' });
    expect(parent.category).toBe('structure');
    const child = sandbox.changes.thrive.addAudience({ name: 'Labs', parentId: parent.id });
    expect((await thrive(`/audiences/${child.id}`)).body.parent).toEqual({
      id: parent.id,
      name: 'Research',
      reference: 'structure-research',
    });
    sandbox.changes.thrive.renameAudience(parent.id, 'Research & Development');
    expect((await thrive('/audiences/structure-research')).body.name).toBe('Research & Development');
    expect((await thrive(`/audiences/${child.id}`)).body.parent.name).toBe('Research & Development');
    sandbox.changes.thrive.reparentAudience(child.id, DEMO.thrive.structure);
    expect((await thrive(`/audiences/${child.id}`)).body.parent.id).toBe(DEMO.thrive.structure);
    sandbox.changes.thrive.reparentAudience(child.id, null);
    expect((await thrive(`/audiences/${child.id}`)).body).not.toHaveProperty('parent');
    const list = (await thrive('/audiences?perPage=1000')).body.results;
    expect(list.filter((audience: any) => audience.id === child.id)).toHaveLength(1);

    // A member of the child loses it when it goes, silently.
    const member = sandbox.changes.thrive.addUser({
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace.hopper@northwind.example',
      audienceIds: [child.id, parent.id],
    });
    sandbox.changes.thrive.deleteAudience(child.id);
    expect((await thrive(`/audiences/${child.id}`)).status).toBe(404);
    const after = (await thrive(`/user/${member.id}`)).body;
    expect(after.audiences).toEqual([parent.id]);
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(member.updatedAt!));
  });

  it('refuses unknown ids, loops and the deletion of a unit people hold, changing nothing', async () => {
    const users = JSON.stringify(sandbox.organisation.thrive.users);
    const audiences = JSON.stringify(sandbox.organisation.thrive.audiences);
    const changes = sandbox.changes.thrive;
    expect(() => changes.updateUser('000000000000000000000000', { firstName: 'X' })).toThrow(
      SandboxChangeError,
    );
    expect(() => changes.moveUser(DEMO.thrive.ceo, '000000000000000000000000')).toThrow(/No Thrive audience/);
    expect(() => changes.updateUser(DEMO.thrive.ceo, { managerId: 'nobody' })).toThrow(/No Thrive user/);
    expect(() =>
      changes.addUser({ id: DEMO.thrive.ceo, firstName: 'A', lastName: 'B', email: null }),
    ).toThrow(/already has/);
    expect(() => changes.reparentAudience(DEMO.thrive.structure, DEMO.thrive.childAudience)).toThrow(
      /itself or below it/,
    );
    expect(() => changes.deleteAudience(DEMO.thrive.structure)).toThrow(/child audiences/);
    expect(() => changes.deleteAudience(DEMO.thrive.childAudience)).toThrow(/positions/);
    expect(JSON.stringify(sandbox.organisation.thrive.users)).toBe(users);
    expect(JSON.stringify(sandbox.organisation.thrive.audiences)).toBe(audiences);
  });
});

describe('iSpring changes', () => {
  it('addUser serves a new user by id, in GET /users/v2, in its department’s and groups’ lists', async () => {
    const added = sandbox.changes.ispring.addUser({
      firstName: 'Alan',
      lastName: 'Turing',
      email: 'alan.turing@northwind.example',
      departmentId: DEMO.ispring.deepDepartment,
      groupIds: [DEMO.ispring.emptyGroup],
      jobTitle: 'Cryptanalyst',
    });
    const byId = await ispring(`/user/${added.userId}/v2`);
    expect(byId.status).toBe(200);
    const user = byId.body.response;
    expect(user).toMatchObject({
      userId: added.userId,
      departmentId: DEMO.ispring.deepDepartment,
      status: 1,
      role: 'learner',
      groups: [DEMO.ispring.emptyGroup],
      subordination: { subordinationType: 'inherit' },
    });
    expect(field(user, 'EMAIL')).toBe('alan.turing@northwind.example');
    expect(field(user, 'LOGIN')).toBe('alan.turing@northwind.example');
    expect(field(user, 'JOB_TITLE')).toBe('Cryptanalyst');
    expect((await ispringUsers()).filter((item) => item.userId === added.userId)).toEqual([user]);
    const inDepartment = await ispring(`/users/v2?departments[]=${DEMO.ispring.deepDepartment}`);
    expect(inDepartment.body.userProfiles.map((item: any) => item.userId)).toContain(added.userId);
    const group = await ispring(`/group/${DEMO.ispring.emptyGroup}`);
    expect(group.body.response.userIds).toEqual([added.userId]);
  });

  it('updateUser changes fields, status, manager, groups and department; moveUser moves', async () => {
    const id = DEMO.ispring.deepUser;
    sandbox.changes.ispring.updateUser(id, {
      lastName: 'Changed',
      email: 'changed@northwind.example',
      status: 3,
      managerId: DEMO.ispring.ceo,
      groupIds: [DEMO.ispring.smartGroup],
    });
    const user = (await ispring(`/user/${id}/v2`)).body.response;
    expect(field(user, 'LAST_NAME')).toBe('Changed');
    expect(field(user, 'EMAIL')).toBe('changed@northwind.example');
    expect(user.status).toBe(3);
    expect(user.subordination).toEqual({ subordinationType: 'manual', supervisorId: DEMO.ispring.ceo });
    expect(user.groups).toEqual([DEMO.ispring.smartGroup]);
    const byEmail = await ispring('/users/v2?emails[]=changed@northwind.example');
    expect(byEmail.body.userProfiles.map((item: any) => item.userId)).toEqual([id]);

    sandbox.changes.ispring.moveUser(id, DEMO.ispring.rootDepartment);
    expect((await ispring(`/user/${id}/v2`)).body.response.departmentId).toBe(DEMO.ispring.rootDepartment);
    const inDeep = await ispring(`/users/v2?departments[]=${DEMO.ispring.deepDepartment}`);
    expect(inDeep.body.userProfiles.map((item: any) => item.userId)).not.toContain(id);
    sandbox.changes.ispring.updateUser(id, { managerId: null, subordination: undefined });
    expect((await ispring(`/user/${id}/v2`)).body.response.subordination).toEqual({
      subordinationType: 'no_supervisor',
    });
  });

  it('deleteUser takes the user out of every read', async () => {
    const user = sandbox.organisation.ispring.users[5]!;
    const count = sandbox.organisation.ispring.users.length;
    sandbox.changes.ispring.deleteUser(user.userId);
    expect((await ispring(`/user/${user.userId}/v2`)).status).toBe(400);
    const users = await ispringUsers();
    expect(users).toHaveLength(count - 1);
    expect(users.some((item) => item.userId === user.userId)).toBe(false);
  });

  it('adds, renames, re-parents and deletes departments', async () => {
    const added = sandbox.changes.ispring.addDepartment({
      name: 'Quantum',
      parentDepartmentId: DEMO.ispring.deepDepartment,
      code: 'Q-1',
      supervisorId: DEMO.ispring.deepUser,
    });
    expect((await ispring(`/department/${added.departmentId}`)).body.response).toEqual({
      departmentId: added.departmentId,
      name: 'Quantum',
      parentDepartmentId: DEMO.ispring.deepDepartment,
      code: 'Q-1',
      subordination: { subordinationType: 'manual', supervisorId: DEMO.ispring.deepUser },
      coSubordination: { subordinationType: 'inherit' },
    });
    sandbox.changes.ispring.renameDepartment(added.departmentId, 'Quantum Computing');
    sandbox.changes.ispring.reparentDepartment(added.departmentId, DEMO.ispring.rootDepartment);
    const listed = (await ispring('/departments?pageSize=1000')).body.departments.filter(
      (department: any) => department.departmentId === added.departmentId,
    );
    expect(listed).toMatchObject([
      { name: 'Quantum Computing', parentDepartmentId: DEMO.ispring.rootDepartment },
    ]);
    expect(() =>
      sandbox.changes.ispring.reparentDepartment(DEMO.ispring.rootDepartment, added.departmentId),
    ).toThrow(/itself or below it/);
    const member = sandbox.changes.ispring.addUser({
      firstName: 'Q',
      lastName: 'Bit',
      email: 'q.bit@northwind.example',
      departmentId: added.departmentId,
    });
    expect(() => sandbox.changes.ispring.deleteDepartment(added.departmentId)).toThrow(/1 users/);
    sandbox.changes.ispring.moveUser(member.userId, DEMO.ispring.rootDepartment);
    sandbox.changes.ispring.deleteDepartment(added.departmentId);
    expect((await ispring(`/department/${added.departmentId}`)).status).toBe(400);
  });

  it('adds, renames and deletes groups, members losing a deleted group', async () => {
    const group = sandbox.changes.ispring.addGroup({ name: 'Chess Club' });
    const member = sandbox.changes.ispring.addUser({
      firstName: 'Magnus',
      lastName: 'C',
      email: 'magnus@northwind.example',
      groupIds: [group.groupId],
    });
    expect((await ispring(`/group/${group.groupId}`)).body.response).toMatchObject({
      name: 'Chess Club',
      userIds: [member.userId],
      isSmart: 0,
    });
    sandbox.changes.ispring.renameGroup(group.groupId, 'Chess & Go Club');
    expect((await ispring('/group')).body.groups.find((g: any) => g.groupId === group.groupId).name).toBe(
      'Chess & Go Club',
    );
    sandbox.changes.ispring.deleteGroup(group.groupId);
    expect((await ispring(`/group/${group.groupId}`)).status).toBe(400);
    expect((await ispring(`/user/${member.userId}/v2`)).body.response.groups).toEqual([]);
  });

  it('refuses unknown ids, changing nothing', () => {
    const users = JSON.stringify(sandbox.organisation.ispring.users);
    const changes = sandbox.changes.ispring;
    expect(() => changes.updateUser('nobody', { firstName: 'X' })).toThrow(/No iSpring user/);
    expect(() => changes.moveUser(DEMO.ispring.ceo, 'nowhere')).toThrow(/No iSpring department/);
    expect(() => changes.updateUser(DEMO.ispring.ceo, { groupIds: ['none'] })).toThrow(/No iSpring group/);
    expect(() => changes.addUser({ firstName: 'A', lastName: 'B', email: 'c', managerId: 'nobody' })).toThrow(
      /No iSpring user/,
    );
    expect(JSON.stringify(sandbox.organisation.ispring.users)).toBe(users);
  });
});
