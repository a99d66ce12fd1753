import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IspringUserProfile } from '../../src/providers/ispring/wire.ts';
import type { ThriveUser } from '../../src/providers/thrive/wire.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { departmentSupervisor } from '../helpers/demo.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

/**
 * Every query of the schema (`schema/query.graphql`) through the subgraph's HTTP endpoint, against the
 * sandbox organisation. Expectations come from the anchors' documented roles in `seed/anchors.ts` and
 * from the organisation's own data, not from a previous run.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const ispringId = (id: string) => `ispring:${id}`;
const thriveId = (id: string) => `thrive:${id}`;

async function data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await stack.query<T>(query, variables);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

const ispringUser = (id: string) => stack.sandbox.organisation.ispring.users.find((u) => u.userId === id)!;
const ispringField = (id: string, name: string) =>
  ispringUser(id).fields?.find((field) => field.name === name)?.value ?? null;
const thriveUser = (id: string) => stack.sandbox.organisation.thrive.users.find((u) => u.id === id)!;

const USER_FIELDS = `
  id provider externalId ref login email firstName lastName displayName jobTitle phone country
  languageCode timeZone role status providerStatus createdAt lastLoginAt
  positions { title department { id } manager { id } isPrimary isActive startDate endDate }
  manager { id } managers { id } department { id name } groups { id name }
  manageableDepartments { id } customFields { name value }
`;

describe('user(id:) for iSpring', () => {
  it('maps every field of a user, with the v2 status and the JOB_TITLE position', async () => {
    const id = DEMO.ispring.departmentHead;
    const { user } = await data(`query ($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`, {
      id: ispringId(id),
    });
    const wire = ispringUser(id);
    expect(user).toMatchObject({
      id: ispringId(id),
      provider: 'ISPRING',
      externalId: id,
      ref: null,
      login: ispringField(id, 'LOGIN'),
      email: ispringField(id, 'EMAIL'),
      firstName: ispringField(id, 'FIRST_NAME'),
      lastName: ispringField(id, 'LAST_NAME'),
      displayName: `${ispringField(id, 'FIRST_NAME')} ${ispringField(id, 'LAST_NAME')}`,
      jobTitle: ispringField(id, 'JOB_TITLE'),
      role: wire.role,
      status: 'ACTIVE',
      providerStatus: '1',
      department: { id: ispringId(wire.departmentId!) },
    });
    expect(user.positions).toEqual([
      {
        title: ispringField(id, 'JOB_TITLE'),
        department: { id: ispringId(wire.departmentId!) },
        manager: { id: ispringId(DEMO.ispring.divisionHead) },
        isPrimary: true,
        isActive: true,
        startDate: null,
        endDate: null,
      },
    ]);
    expect(user.groups.map((group: { id: string }) => group.id)).toEqual((wire.groups ?? []).map(ispringId));
    expect(user.groups.every((group: { name: string | null }) => typeof group.name === 'string')).toBe(true);
    expect(user.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('walks `inherit` through two departments to the supervisor a third one names', async () => {
    const { user } = await data(`{ user(id: "${ispringId(DEMO.ispring.inheritsThroughTwoDepartments)}") {
      manager { id } } }`);
    expect(user.manager).toEqual({ id: ispringId(DEMO.ispring.departmentHead) });
  });

  it('skips a department head named by their own department and goes on to the parent', async () => {
    const { user } = await data(
      `{ user(id: "${ispringId(DEMO.ispring.departmentHead)}") { manager { id } } }`,
    );
    expect(user.manager).toEqual({ id: ispringId(DEMO.ispring.divisionHead) });
  });

  it('follows a `manual` supervisor, and no subordination at all as `inherit`', async () => {
    const manual = DEMO.ispring.manualSupervisor;
    const { a, b } = await data(`{
      a: user(id: "${ispringId(manual)}") { manager { id } }
      b: user(id: "${ispringId(DEMO.ispring.noSubordination)}") { manager { id } department { supervisor { id } } }
    }`);
    expect(a.manager).toEqual({ id: ispringId(ispringUser(manual).subordination!.supervisorId!) });
    const unruled = ispringUser(DEMO.ispring.noSubordination);
    expect(unruled.subordination ?? null).toBeNull();
    // No rule at all reads as `inherit`: the supervisor a walk up from their department finds.
    const inherited = departmentSupervisor(
      stack.sandbox.organisation,
      unruled.departmentId,
      DEMO.ispring.noSubordination,
    );
    expect(inherited).not.toBeNull();
    expect(b.manager).toEqual({ id: ispringId(inherited!) });
    expect(b.department.supervisor).toEqual(b.manager);
  });

  it('gives no manager for `no_supervisor`, on the user or on their department', async () => {
    const { a, b, ceo } = await data(`{
      a: user(id: "${ispringId(DEMO.ispring.noSupervisor)}") { manager { id } managers { id } }
      b: user(id: "${ispringId(DEMO.ispring.noSupervisorDepartmentMember)}") { manager { id } }
      ceo: user(id: "${ispringId(DEMO.ispring.ceo)}") { manager { id } managementChain { id } }
    }`);
    expect(a.manager).toBeNull();
    expect(b.manager).toBeNull();
    expect(ceo).toEqual({ manager: null, managementChain: [] });
  });

  it('lists the functional manager second in `managers`, manual or inherited', async () => {
    const { a, b } = await data(`{
      a: user(id: "${ispringId(DEMO.ispring.functionalManagerUser)}") { manager { id } managers { id } }
      b: user(id: "${ispringId(DEMO.ispring.inheritedFunctionalManagerUser)}") { manager { id } managers { id } }
    }`);
    expect(a.managers).toEqual([a.manager, { id: ispringId(DEMO.ispring.functionalManager) }]);
    expect(b.managers).toEqual([b.manager, { id: ispringId(DEMO.ispring.qualityFunctionalManager) }]);
  });

  it('climbs the management chain to the CEO, honours maxDepth, and stops at a cycle', async () => {
    const { deep, short, cycle } = await data(`{
      deep: user(id: "${ispringId(DEMO.ispring.deepUser)}") { managementChain { id } }
      short: user(id: "${ispringId(DEMO.ispring.deepUser)}") { managementChain(maxDepth: 2) { id } }
      cycle: user(id: "${ispringId(DEMO.ispring.cycle[0]!)}") { managementChain { id } }
    }`);
    expect(deep.managementChain).toHaveLength(6);
    expect(deep.managementChain.at(-1)).toEqual({ id: ispringId(DEMO.ispring.ceo) });
    expect(short.managementChain).toEqual(deep.managementChain.slice(0, 2));
    expect(cycle.managementChain).toEqual([
      { id: ispringId(DEMO.ispring.cycle[1]!) },
      { id: ispringId(DEMO.ispring.cycle[2]!) },
    ]);
  });

  it('maps every documented status, keeping the raw value', async () => {
    const anchors = {
      employmentEnded: ['EMPLOYMENT_ENDED', '5'],
      inactive: ['INACTIVE', '3'],
      legacyDeleted: ['DELETED', '2'],
      legacyUnconfirmed: ['PENDING', '4'],
    } as const;
    const query = Object.keys(anchors)
      .map(
        (key) =>
          `${key}: user(id: "${ispringId(DEMO.ispring[key as keyof typeof anchors])}") { status providerStatus }`,
      )
      .join('\n');
    const result = await data(`{ ${query}
      unknown: user(id: "${ispringId(DEMO.ispring.unknownStatus)}") { status providerStatus } }`);
    for (const [key, [status, raw]] of Object.entries(anchors)) {
      expect(result[key], key).toEqual({ status, providerStatus: raw });
    }
    expect(result.unknown.status).toBe('UNKNOWN');
    expect(result.unknown.providerStatus).toBe(String(ispringUser(DEMO.ispring.unknownStatus).status));
  });

  it('reads date-time and date-only dates, and a user who never logged in', async () => {
    const { a, b } = await data(`{
      a: user(id: "${ispringId(DEMO.ispring.dateTimeAddedDate)}") { createdAt }
      b: user(id: "${ispringId(DEMO.ispring.neverLoggedIn)}") { lastLoginAt }
    }`);
    const added = ispringUser(DEMO.ispring.dateTimeAddedDate).addedDate!;
    expect(added).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    expect(a.createdAt).toBe(`${added.slice(0, 19)}.000Z`);
    expect(b.lastLoginAt).toBeNull();
  });

  it('names a user by login when first and last name are empty, and keeps special characters', async () => {
    const { a, b } = await data(`{
      a: user(id: "${ispringId(DEMO.ispring.loginOnly)}") { displayName firstName email }
      b: user(id: "${ispringId(DEMO.ispring.specialCharacters)}") { displayName jobTitle }
    }`);
    expect(a).toEqual({
      displayName: ispringField(DEMO.ispring.loginOnly, 'LOGIN'),
      firstName: null,
      email: null,
    });
    expect(b.displayName).toContain("Siobhán O'Brien");
    expect(b.jobTitle).toBe('Test & Automation Lead <QA>');
  });

  it('gives a department administrator their manageable departments, and custom fields in order', async () => {
    const id = DEMO.ispring.departmentAdministrator;
    const { user } = await data(`{ user(id: "${ispringId(id)}") {
      manageableDepartments { id } customFields { name value } } }`);
    expect(user.manageableDepartments).toEqual(
      (ispringUser(id).manageableDepartmentIds ?? []).map((department) => ({ id: ispringId(department) })),
    );
    expect(user.manageableDepartments.length).toBeGreaterThan(0);
    const named = new Set(['LOGIN', 'EMAIL', 'FIRST_NAME', 'LAST_NAME', 'JOB_TITLE', 'PHONE', 'COUNTRY']);
    expect(user.customFields).toEqual(
      (ispringUser(id).fields ?? [])
        .filter((field) => !named.has(field.name))
        .map((field) => ({ name: field.name, value: field.value === '' ? null : field.value })),
    );
  });
});

describe('user(id:) for Thrive', () => {
  it('maps several positions: the first active is primary, managers of active positions are distinct', async () => {
    const id = DEMO.thrive.multiPosition;
    const { user } = await data(`{ user(id: "${thriveId(id)}") { ${USER_FIELDS} } }`);
    const wire = thriveUser(id);
    expect(user).toMatchObject({
      id: thriveId(id),
      provider: 'THRIVE',
      externalId: id,
      ref: wire.ref ?? null,
      email: wire.email ?? null,
      firstName: wire.firstName ?? null,
      lastName: wire.lastName ?? null,
      status: 'ACTIVE',
      providerStatus: wire.status,
    });
    const positions = wire.positions!;
    expect(user.positions.map((position: { isPrimary: boolean }) => position.isPrimary)).toEqual([
      true,
      false,
      false,
    ]);
    expect(user.positions.map((position: { isActive: boolean }) => position.isActive)).toEqual(
      positions.map((position) => position.isActive !== false),
    );
    expect(user.manager).toEqual({ id: thriveId(positions[0]!.manager!.id) });
    const activeManagers = [
      ...new Set(positions.filter((p) => p.isActive !== false && p.manager).map((p) => p.manager!.id)),
    ];
    expect(user.managers).toEqual(activeManagers.map((manager) => ({ id: thriveId(manager) })));
    expect(user.managers.length).toBe(2);
    expect(user.department).toEqual({
      id: thriveId(positions[0]!.ouId!),
      name:
        stack.sandbox.organisation.thrive.audiences.find((a) => a.id === positions[0]!.ouId)?.name ?? null,
    });
  });

  it('takes the first active position as primary when the first has ended', async () => {
    const id = DEMO.thrive.inactiveFirstPosition;
    const { user } = await data(
      `{ user(id: "${thriveId(id)}") { positions { isPrimary isActive } manager { id } } }`,
    );
    expect(user.positions).toEqual([
      { isPrimary: false, isActive: false },
      { isPrimary: true, isActive: true },
    ]);
    expect(user.manager).toEqual({ id: thriveId(thriveUser(id).positions![1]!.manager!.id) });
  });

  it('maps every documented status (UserStatus in the schema), keeping the raw value', async () => {
    const anchors = {
      newUser: ['PENDING', 'new'],
      inactive: ['INACTIVE', 'inactive'],
      expired: ['EXPIRED', 'expired'],
    } as const;
    const result = await data(
      `{ ${Object.keys(anchors)
        .map(
          (key) =>
            `${key}: user(id: "${thriveId(DEMO.thrive[key as keyof typeof anchors])}") { status providerStatus }`,
        )
        .join('\n')} }`,
    );
    for (const [key, [status, raw]] of Object.entries(anchors)) {
      expect(thriveUser(DEMO.thrive[key as keyof typeof anchors]).status, key).toBe(raw);
      expect(result[key], key).toEqual({ status, providerStatus: raw });
    }
  });

  it('reads deleted: true as DELETED whatever the status says', async () => {
    const { user } = await data(`{ user(id: "${thriveId(DEMO.thrive.deleted)}") { status providerStatus } }`);
    expect(user).toEqual({ status: 'DELETED', providerStatus: 'active' });
  });

  it('stops the management chain at a cycle and at a manager who does not exist', async () => {
    const { cycle, dangling } = await data(`{
      cycle: user(id: "${thriveId(DEMO.thrive.cycle[0]!)}") { managementChain { id } }
      dangling: user(id: "${thriveId(DEMO.thrive.danglingManager)}") { manager { id } managementChain { id } }
    }`);
    expect(cycle.managementChain.map((user: { id: string }) => user.id)).toEqual(
      DEMO.thrive.cycle.slice(1).map(thriveId),
    );
    expect(dangling).toEqual({ manager: null, managementChain: [] });
  });

  it('reads audiences given as strings and as {id} objects as the same groups', async () => {
    const { a, b } = await data(`{
      a: user(id: "${thriveId(DEMO.thrive.stringAudiences)}") { groups { id name } }
      b: user(id: "${thriveId(DEMO.thrive.objectAudiences)}") { groups { id name } }
    }`);
    for (const [user, id] of [
      [a, DEMO.thrive.stringAudiences],
      [b, DEMO.thrive.objectAudiences],
    ] as const) {
      const expected = (thriveUser(id).audiences ?? []).map((audience) =>
        thriveId(typeof audience === 'string' ? audience : audience.id),
      );
      expect(user.groups.map((group: { id: string }) => group.id)).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
    }
  });

  it('gives a unit no audience names a department with no name', async () => {
    const { user } = await data(
      `{ user(id: "${thriveId(DEMO.thrive.unknownOu)}") { department { id name } } }`,
    );
    expect(user.department).toEqual({ id: thriveId(DEMO.thrive.unknownOuId), name: null });
  });
});

describe('users(ids:)', () => {
  it('returns both providers in the order asked, with null where nobody has the id', async () => {
    const missing = 'ispring:00000000-0000-4000-8000-000000000000';
    const ids = [
      thriveId(DEMO.sharedEmail.thriveId),
      missing,
      ispringId(DEMO.sharedEmail.ispringId),
      'thrive:nobodyhasthisid',
    ];
    const { users } = await data(`query ($ids: [ID!]!) { users(ids: $ids) { id email } }`, { ids });
    expect(users).toEqual([
      { id: ids[0], email: DEMO.sharedEmail.email },
      null,
      { id: ids[2], email: DEMO.sharedEmail.email },
      null,
    ]);
  });

  it('keeps the length and order of ids when an id is repeated, found or missing', async () => {
    const found = ispringId(DEMO.ispring.departmentHead);
    const missing = 'thrive:nobodyhasthisid';
    const { users } = await data(`query ($ids: [ID!]!) { users(ids: $ids) { id } }`, {
      ids: [found, missing, found, missing],
    });
    expect(users).toEqual([{ id: found }, null, { id: found }, null]);
  });

  it('answers an empty list with an empty list and no upstream request', async () => {
    stack.resetCounts();
    const { users } = await data(`{ users(ids: []) { id } }`);
    expect(users).toEqual([]);
    expect(stack.sandbox.ispring.count() + stack.sandbox.thrive.count()).toBe(0);
  });
});

describe('a person named as their own manager', () => {
  // Neither provider's demo data has one, though the Thrive docs' own sample user is one: each
  // test puts its person into the sandbox and takes them out again.
  const SELF = `query ($id: ID!) { user(id: $id) {
    id manager { id } managers { id } managementChain { id } positions { manager { id } } } }`;

  it('gives a Thrive user whose only position names them as manager no manager, managers or chain', async () => {
    const id = '65e1f00000000000000000aa';
    expect(stack.sandbox.organisation.thrive.users.some((user) => user.id === id)).toBe(false);
    const template = thriveUser(DEMO.thrive.ceo);
    const self: ThriveUser = {
      ...structuredClone(template),
      id,
      ref: 'EMP-SELF-AA',
      email: 'self.managed.thrive@northwind.example',
      positions: [{ ...structuredClone(template.positions![0]!), isActive: true, manager: { id } }],
    };
    stack.sandbox.thrive.putUser(self);
    try {
      const { user } = await data(SELF, { id: thriveId(id) });
      expect(user).toEqual({
        id: thriveId(id),
        manager: null,
        managers: [],
        managementChain: [],
        positions: [{ manager: null }],
      });
    } finally {
      stack.sandbox.thrive.removeUser(id);
    }
  });

  it('gives an iSpring user whose manual supervisor and functional manager are themself no manager, managers or chain', async () => {
    const id = '5e1f0000-0000-11e9-8000-0000000000aa';
    expect(stack.sandbox.organisation.ispring.users.some((user) => user.userId === id)).toBe(false);
    const template = ispringUser(DEMO.ispring.manualSupervisor);
    const email = 'self.managed.ispring@northwind.example';
    const self: IspringUserProfile = {
      ...structuredClone(template),
      userId: id,
      fields: (template.fields ?? []).map((field) =>
        field.name === 'LOGIN' || field.name === 'EMAIL' ? { ...field, value: email } : { ...field },
      ),
      subordination: { subordinationType: 'manual', supervisorId: id },
      coSubordination: { subordinationType: 'manual', supervisorId: id },
    };
    stack.sandbox.ispring.putUser(self);
    try {
      const { user } = await data(SELF, { id: ispringId(id) });
      expect(user).toEqual({
        id: ispringId(id),
        manager: null,
        managers: [],
        managementChain: [],
        positions: [{ manager: null }],
      });
    } finally {
      stack.sandbox.ispring.removeUser(id);
    }
  });
});

describe('department(id:)', () => {
  it('gives an iSpring department its parent, its ancestors up to the root, and its supervisor', async () => {
    const id = DEMO.ispring.deepDepartment;
    const { department } = await data(`{ department(id: "${ispringId(id)}") {
      id provider externalId name code parent { id } ancestors { id name } supervisor { id } } }`);
    const departments = stack.sandbox.organisation.ispring.departments;
    const byId = new Map(departments.map((d) => [d.departmentId, d]));
    const expectedAncestors: string[] = [];
    for (
      let parent = byId.get(id)!.parentDepartmentId;
      parent;
      parent = byId.get(parent)!.parentDepartmentId
    ) {
      expectedAncestors.push(ispringId(parent));
    }
    expect(department).toMatchObject({
      id: ispringId(id),
      provider: 'ISPRING',
      externalId: id,
      name: byId.get(id)!.name,
      code: byId.get(id)!.code ?? null,
      parent: { id: expectedAncestors[0] },
    });
    expect(department.ancestors.map((a: { id: string }) => a.id)).toEqual(expectedAncestors);
    expect(expectedAncestors).toHaveLength(5);
    expect(department.ancestors.at(-1).id).toBe(ispringId(DEMO.ispring.rootDepartment));
    const supervisor = departmentSupervisor(stack.sandbox.organisation, id, null);
    expect(supervisor).not.toBeNull();
    expect(department.supervisor).toEqual({ id: ispringId(supervisor!) });
  });

  it('resolves the supervisor of a department that inherits through two levels', async () => {
    const { department } =
      await data(`{ department(id: "${ispringId(DEMO.ispring.twoLevelInheritDepartment)}") {
      supervisor { id } } }`);
    expect(department.supervisor).toEqual({ id: ispringId(DEMO.ispring.departmentHead) });
  });

  it('gives the root department no parent and no ancestors, and a Thrive unit its audience name', async () => {
    const { root, unit } = await data(`{
      root: department(id: "${ispringId(DEMO.ispring.rootDepartment)}") { parent { id } ancestors { id } supervisor { id } }
      unit: department(id: "${thriveId(DEMO.thrive.childAudience)}") { name parent { id } ancestors { id } supervisor { id } }
    }`);
    expect(root).toEqual({ parent: null, ancestors: [], supervisor: { id: ispringId(DEMO.ispring.ceo) } });
    const audience = stack.sandbox.organisation.thrive.audiences.find(
      (a) => a.id === DEMO.thrive.childAudience,
    )!;
    expect(unit).toEqual({
      name: audience.name,
      parent: { id: thriveId(DEMO.thrive.structure) },
      ancestors: [{ id: thriveId(DEMO.thrive.structure) }],
      supervisor: null,
    });
  });

  it('returns null for a department nobody has', async () => {
    const { department } = await data(
      `{ department(id: "ispring:00000000-0000-4000-8000-000000000000") { id } }`,
    );
    expect(department).toBeNull();
  });
});

describe('group(id:)', () => {
  it('reads iSpring smart and plain groups, and a Thrive audience with its parent', async () => {
    const { smart, empty, audience } = await data(`{
      smart: group(id: "${ispringId(DEMO.ispring.smartGroup)}") { id provider externalId name isSmart parent { id } }
      empty: group(id: "${ispringId(DEMO.ispring.emptyGroup)}") { isSmart }
      audience: group(id: "${thriveId(DEMO.thrive.childAudience)}") { provider name parent { id } }
    }`);
    const group = stack.sandbox.organisation.ispring.groups.find(
      (g) => g.groupId === DEMO.ispring.smartGroup,
    )!;
    expect(smart).toEqual({
      id: ispringId(group.groupId),
      provider: 'ISPRING',
      externalId: group.groupId,
      name: group.name,
      isSmart: true,
      parent: null,
    });
    expect(empty).toEqual({ isSmart: false });
    expect(audience.provider).toBe('THRIVE');
    expect(audience.parent).toEqual({ id: thriveId(DEMO.thrive.structure) });
  });

  it('returns null for a group nobody has', async () => {
    const { group } = await data(`{ group(id: "thrive:nosuchaudience") { id } }`);
    expect(group).toBeNull();
  });
});
