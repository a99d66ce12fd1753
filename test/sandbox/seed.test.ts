import { afterEach, describe, expect, it, vi } from 'vitest';
import { isValidExternalId } from '../../src/ids.ts';
import type {
  IspringDepartment,
  IspringSubordination,
  IspringUserProfile,
} from '../../src/providers/ispring/wire.ts';
import type { ThriveUser } from '../../src/providers/thrive/wire.ts';
import { createDemoOrganisation, DEMO } from '../../src/sandbox/index.ts';

/**
 * The demo organisation's invariants: what the other suites and the README rely on. The supervisor
 * walk below is the one `Department.supervisor` describes, written out here on the wire data.
 */

const org = createDemoOrganisation();
const ispringUsers = org.ispring.users;
const thriveUsers = org.thrive.users;
const departmentsById = new Map(org.ispring.departments.map((d) => [d.departmentId, d]));
const ispringById = new Map(ispringUsers.map((u) => [u.userId, u]));
const thriveById = new Map(thriveUsers.map((u) => [u.id, u]));
const audienceIds = new Set(org.thrive.audiences.map((a) => a.id));

type Slot = 'subordination' | 'coSubordination';

function ispringUser(id: string): IspringUserProfile {
  const user = ispringById.get(id);
  if (!user) throw new Error(`no iSpring user ${id}`);
  return user;
}

function department(id: string | null | undefined): IspringDepartment {
  const found = departmentsById.get(id ?? '');
  if (!found) throw new Error(`no iSpring department ${id}`);
  return found;
}

function field(user: IspringUserProfile, name: string): string | null | undefined {
  return user.fields?.find((f) => f.name === name)?.value;
}

/** The supervisor walk: manual → supervisorId; no_supervisor → none; inherit/absent → up the departments. */
function ispringManager(user: IspringUserProfile, slot: Slot = 'subordination'): string | null {
  const own: IspringSubordination | null | undefined = user[slot];
  if (own?.subordinationType === 'manual') return own.supervisorId ?? null;
  if (own?.subordinationType === 'no_supervisor') return null;
  const seen = new Set<string>();
  for (let id = user.departmentId; id;) {
    if (seen.has(id)) return null;
    seen.add(id);
    const current = department(id);
    const rule = current[slot];
    if (rule?.subordinationType === 'manual' && rule.supervisorId !== user.userId)
      return rule.supervisorId ?? null;
    if (rule?.subordinationType === 'no_supervisor') return null;
    id = current.parentDepartmentId ?? undefined;
  }
  return null;
}

function chain<T>(start: T, next: (item: T) => T | null, limit = 20): T[] {
  const out: T[] = [];
  const seen = new Set<T>([start]);
  for (
    let current = next(start);
    current !== null && !seen.has(current) && out.length < limit;
    current = next(current)
  ) {
    out.push(current);
    seen.add(current);
  }
  return out;
}

const ispringChain = (user: IspringUserProfile) =>
  chain<IspringUserProfile>(user, (u) => {
    const id = ispringManager(u);
    return id === null ? null : (ispringById.get(id) ?? null);
  });

function thrivePrimaryManager(user: ThriveUser): string | null {
  const positions = user.positions ?? [];
  const primary = positions.find((p) => p.isActive !== false) ?? positions[0];
  return primary?.manager?.id ?? null;
}

const thriveChain = (user: ThriveUser) =>
  chain<ThriveUser>(user, (u) => {
    const id = thrivePrimaryManager(u);
    return id === null ? null : (thriveById.get(id) ?? null);
  });

function depthOf(departmentId: string): number {
  let depth = 0;
  for (let d = department(departmentId); d.parentDepartmentId; d = department(d.parentDepartmentId))
    depth += 1;
  return depth;
}

describe('the demo organisation as a whole', () => {
  it('has at least 300 users: about 170 in iSpring and 160 in Thrive', () => {
    expect(ispringUsers.length + thriveUsers.length).toBeGreaterThanOrEqual(300);
    expect(ispringUsers.length).toBeGreaterThanOrEqual(150);
    expect(thriveUsers.length).toBeGreaterThanOrEqual(150);
  });

  it('gives every record a unique id in its provider’s id form (UUIDs for iSpring, 24-hex for Thrive)', () => {
    const ispringIds = [
      ...ispringUsers.map((u) => u.userId),
      ...org.ispring.departments.map((d) => d.departmentId),
      ...org.ispring.groups.map((g) => g.groupId),
    ];
    expect(new Set(ispringIds).size).toBe(ispringIds.length);
    for (const id of ispringIds)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const thriveIds = [...thriveUsers.map((u) => u.id), ...org.thrive.audiences.map((a) => a.id)];
    expect(new Set(thriveIds).size).toBe(thriveIds.length);
    for (const id of thriveIds) expect(id).toMatch(/^[0-9a-f]{24}$/);
    for (const id of ispringIds) expect(isValidExternalId('ispring', id)).toBe(true);
    for (const id of thriveIds) expect(isValidExternalId('thrive', id)).toBe(true);
  });

  it('has about fifty people in both providers under the same email and names, with different ids', () => {
    const ispringByEmail = new Map(ispringUsers.map((u) => [field(u, 'EMAIL'), u]));
    const shared = thriveUsers.filter((u) => u.email && ispringByEmail.has(u.email));
    expect(shared.length).toBeGreaterThanOrEqual(45);
    expect(shared.length).toBeLessThanOrEqual(55);
    for (const thrive of shared) {
      const ispring = ispringByEmail.get(thrive.email)!;
      expect([field(ispring, 'FIRST_NAME'), field(ispring, 'LAST_NAME')]).toEqual([
        thrive.firstName,
        thrive.lastName,
      ]);
    }
    const anchor = DEMO.sharedEmail;
    expect(thriveById.get(anchor.thriveId)?.email).toBe(anchor.email);
    expect(field(ispringUser(anchor.ispringId), 'EMAIL')).toBe(anchor.email);
  });

  it('is the same on every call, and each call returns fresh objects', () => {
    const again = createDemoOrganisation();
    expect(again).toEqual(org);
    again.ispring.users[0]!.status = 99;
    expect(createDemoOrganisation().ispring.users[0]!.status).not.toBe(99);
  });

  describe('without clock or Math.random', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('never calls Math.random or Date.now', () => {
      const random = vi.spyOn(Math, 'random');
      const now = vi.spyOn(Date, 'now');
      createDemoOrganisation();
      expect(random).not.toHaveBeenCalled();
      expect(now).not.toHaveBeenCalled();
    });
  });
});

describe('iSpring departments', () => {
  it('form one tree under a single root, at least four levels deep, with 25 to 40 departments', () => {
    const departments = org.ispring.departments;
    expect(departments.length).toBeGreaterThanOrEqual(25);
    expect(departments.length).toBeLessThanOrEqual(40);
    const roots = departments.filter((d) => !d.parentDepartmentId);
    expect(roots.map((d) => d.departmentId)).toEqual([DEMO.ispring.rootDepartment]);
    for (const d of departments)
      if (d.parentDepartmentId) expect(departmentsById.has(d.parentDepartmentId)).toBe(true);
    expect(Math.max(...departments.map((d) => depthOf(d.departmentId)))).toBeGreaterThanOrEqual(4);
    expect(depthOf(DEMO.ispring.deepDepartment)).toBeGreaterThanOrEqual(4);
  });

  it('all carry subordination and coSubordination, using manual, inherit and no_supervisor', () => {
    const types = (slot: Slot) => new Set(org.ispring.departments.map((d) => d[slot]?.subordinationType));
    expect(types('subordination')).toEqual(new Set(['manual', 'inherit', 'no_supervisor']));
    expect(types('coSubordination')).toEqual(new Set(['manual', 'inherit', 'no_supervisor']));
    for (const d of org.ispring.departments) {
      if (d.subordination?.subordinationType === 'manual')
        expect(ispringById.has(d.subordination.supervisorId!)).toBe(true);
    }
  });

  it('include a department head named as supervisor by their own department, managed from the parent', () => {
    const head = ispringUser(DEMO.ispring.departmentHead);
    const own = department(head.departmentId);
    expect(own.subordination).toEqual({ subordinationType: 'manual', supervisorId: head.userId });
    expect(head.subordination?.subordinationType ?? 'inherit').toBe('inherit');
    expect(ispringManager(head)).toBe(DEMO.ispring.divisionHead);
    expect(ispringManager(ispringUser(DEMO.ispring.divisionHead))).toBe(DEMO.ispring.ceo);
  });
});

describe('iSpring users', () => {
  it('use all three subordination types, and a few have no subordination element at all', () => {
    const types = new Set(ispringUsers.map((u) => u.subordination?.subordinationType ?? 'absent'));
    expect(types).toEqual(new Set(['manual', 'inherit', 'no_supervisor', 'absent']));
    expect(ispringUsers.filter((u) => !u.subordination).length).toBeGreaterThanOrEqual(3);
    expect(ispringUser(DEMO.ispring.noSubordination).subordination).toBeUndefined();
    expect(ispringManager(ispringUser(DEMO.ispring.noSubordination))).not.toBeNull();
    expect(ispringUser(DEMO.ispring.noSupervisor).subordination).toEqual({
      subordinationType: 'no_supervisor',
    });
  });

  it('name only existing users as supervisors', () => {
    for (const user of ispringUsers) {
      for (const slot of ['subordination', 'coSubordination'] as const) {
        const rule = user[slot];
        if (rule?.subordinationType === 'manual') expect(ispringById.has(rule.supervisorId!)).toBe(true);
      }
    }
  });

  it('include a user who inherits their supervisor through two inheriting departments', () => {
    const user = ispringUser(DEMO.ispring.inheritsThroughTwoDepartments);
    expect(user.subordination?.subordinationType).toBe('inherit');
    const own = department(user.departmentId);
    const parent = department(own.parentDepartmentId);
    const grandparent = department(parent.parentDepartmentId);
    expect(own.departmentId).toBe(DEMO.ispring.twoLevelInheritDepartment);
    expect(own.subordination?.subordinationType).toBe('inherit');
    expect(parent.subordination?.subordinationType).toBe('inherit');
    expect(grandparent.subordination).toEqual({
      subordinationType: 'manual',
      supervisorId: DEMO.ispring.departmentHead,
    });
    expect(ispringManager(user)).toBe(DEMO.ispring.departmentHead);
  });

  it('include a manual supervisor who is not whom inherit would give', () => {
    const user = ispringUser(DEMO.ispring.manualSupervisor);
    expect(user.subordination?.subordinationType).toBe('manual');
    const inherited = ispringManager({ ...user, subordination: { subordinationType: 'inherit' } });
    expect(user.subordination?.supervisorId).not.toBe(inherited);
  });

  it('include functional managers different from the supervisor, named and inherited', () => {
    const user = ispringUser(DEMO.ispring.functionalManagerUser);
    expect(user.coSubordination).toEqual({
      subordinationType: 'manual',
      supervisorId: DEMO.ispring.functionalManager,
    });
    expect(ispringManager(user)).not.toBe(DEMO.ispring.functionalManager);
    const inheriting = ispringUser(DEMO.ispring.inheritedFunctionalManagerUser);
    expect(inheriting.coSubordination?.subordinationType).toBe('inherit');
    expect(ispringManager(inheriting, 'coSubordination')).toBe(DEMO.ispring.qualityFunctionalManager);
    expect(ispringManager(inheriting, 'coSubordination')).not.toBe(ispringManager(inheriting));
    const withDistinctFunctional = ispringUsers.filter((u) => {
      const functional = ispringManager(u, 'coSubordination');
      return functional !== null && functional !== ispringManager(u);
    });
    expect(withDistinctFunctional.length).toBeGreaterThanOrEqual(10);
  });

  it('include manual supervisors that form a cycle', () => {
    const [a, b, c] = DEMO.ispring.cycle;
    expect(ispringManager(ispringUser(a!))).toBe(b);
    expect(ispringManager(ispringUser(b!))).toBe(c);
    expect(ispringManager(ispringUser(c!))).toBe(a);
  });

  it('have three levels of managers above most users, and up to six', () => {
    const deep = ispringUsers.filter((u) => ispringChain(u).length >= 3);
    expect(deep.length / ispringUsers.length).toBeGreaterThan(0.75);
    expect(Math.max(...ispringUsers.map((u) => ispringChain(u).length))).toBe(6);
    expect(
      ispringChain(ispringUser(DEMO.ispring.deepUser))
        .map((u) => u.userId)
        .at(-1),
    ).toBe(DEMO.ispring.ceo);
    expect(ispringChain(ispringUser(DEMO.ispring.deepUser)).length).toBe(6);
    expect(ispringManager(ispringUser(DEMO.ispring.noSupervisorDepartmentMember))).toBeNull();
    expect(department(DEMO.ispring.noSupervisorDepartment).subordination?.subordinationType).toBe(
      'no_supervisor',
    );
  });

  it('bring new managers at each of three levels above the first hundred users', () => {
    const seen = new Set<string>();
    let level = ispringUsers.slice(0, 100);
    level.forEach((u) => seen.add(u.userId));
    for (let depth = 1; depth <= 3; depth += 1) {
      level = level
        .map((u) => ispringManager(u))
        .filter((id): id is string => id !== null)
        .map((id) => ispringUser(id));
      const fresh = new Set(level.map((u) => u.userId).filter((id) => !seen.has(id)));
      expect(fresh.size).toBeGreaterThan(0);
      expect(fresh.size).toBeLessThanOrEqual(100);
      fresh.forEach((id) => seen.add(id));
    }
  });

  it('have v2 statuses 1, 3 and 5, the legacy 2 and 4, and one undocumented value', () => {
    const statuses = new Set(ispringUsers.map((u) => u.status));
    expect(statuses).toEqual(new Set([1, 2, 3, 4, 5, 7]));
    expect(ispringUser(DEMO.ispring.employmentEnded).status).toBe(5);
    expect(ispringUser(DEMO.ispring.inactive).status).toBe(3);
    expect(ispringUser(DEMO.ispring.legacyDeleted).status).toBe(2);
    expect(ispringUser(DEMO.ispring.legacyUnconfirmed).status).toBe(4);
    expect(ispringUser(DEMO.ispring.unknownStatus).status).toBe(7);
  });

  it('list the documented profile fields, some of them empty', () => {
    for (const user of ispringUsers) {
      expect(user.fields!.map((f) => f.name).sort()).toEqual([
        'COUNTRY',
        'EMAIL',
        'FIRST_NAME',
        'JOB_TITLE',
        'LAST_NAME',
        'LOGIN',
        'PHONE',
        'USER_DEFINED_FIELD1',
        'USER_DEFINED_FIELD2',
        'USER_DEFINED_FIELD3',
      ]);
      expect(field(user, 'COUNTRY')).toMatch(/^(\d+)?$/);
    }
    for (const name of ['PHONE', 'COUNTRY', 'USER_DEFINED_FIELD2', 'USER_DEFINED_FIELD3']) {
      expect(ispringUsers.some((u) => field(u, name) === '')).toBe(true);
      expect(ispringUsers.some((u) => field(u, name) !== '')).toBe(true);
    }
    const loginOnly = ispringUser(DEMO.ispring.loginOnly);
    expect([
      field(loginOnly, 'FIRST_NAME'),
      field(loginOnly, 'LAST_NAME'),
      field(loginOnly, 'EMAIL'),
    ]).toEqual(['', '', '']);
    expect(field(loginOnly, 'LOGIN')).not.toBe('');
    const special = ispringUser(DEMO.ispring.specialCharacters);
    expect(field(special, 'JOB_TITLE')).toMatch(/[&<]/);
    expect(`${field(special, 'FIRST_NAME')} ${field(special, 'LAST_NAME')}`).toMatch(/['\u00c0-\u024f]/);
  });

  it('have date-only and date-time addedDate values, and no lastLoginDate when never logged in', () => {
    expect(ispringUsers.filter((u) => /^\d{4}-\d{2}-\d{2}$/.test(u.addedDate!)).length).toBeGreaterThan(
      ispringUsers.length / 2,
    );
    expect(ispringUsers.some((u) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/.test(u.addedDate!))).toBe(
      true,
    );
    expect(ispringUser(DEMO.ispring.dateTimeAddedDate).addedDate).toMatch(/T08|T\d{2}:\d{2}:\d{2}\+00:00$/);
    expect('lastLoginDate' in ispringUser(DEMO.ispring.neverLoggedIn)).toBe(false);
    expect(ispringUsers.filter((u) => u.lastLoginDate).length).toBeGreaterThan(ispringUsers.length / 2);
  });

  it('use the five documented roles, with manageable departments for department administrators', () => {
    expect(new Set(ispringUsers.map((u) => u.role))).toEqual(
      new Set(['learner', 'administrator', 'department_administrator', 'publisher', 'custom']),
    );
    const admin = ispringUser(DEMO.ispring.departmentAdministrator);
    expect(admin.role).toBe('department_administrator');
    expect(admin.manageableDepartmentIds!.length).toBeGreaterThan(0);
    expect(admin.userRoles![0]).toMatchObject({
      roleType: 'department_administrator',
      manageableDepartmentIds: admin.manageableDepartmentIds,
    });
    for (const user of ispringUsers) {
      for (const id of user.manageableDepartmentIds ?? []) expect(departmentsById.has(id)).toBe(true);
      expect(user.userRoles!.length).toBeGreaterThan(0);
    }
  });

  it('belong to zero to four existing groups; about twelve groups, some smart, one empty', () => {
    const groupIds = new Set(org.ispring.groups.map((g) => g.groupId));
    expect(org.ispring.groups.length).toBeGreaterThanOrEqual(10);
    expect(org.ispring.groups.length).toBeLessThanOrEqual(15);
    expect(org.ispring.groups.filter((g) => g.isSmart === true).length).toBeGreaterThanOrEqual(2);
    for (const user of ispringUsers) {
      expect((user.groups ?? []).length).toBeLessThanOrEqual(4);
      for (const id of user.groups ?? []) expect(groupIds.has(id)).toBe(true);
    }
    expect(new Set(ispringUsers.map((u) => (u.groups ?? []).length))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(ispringUsers.some((u) => u.groups === undefined)).toBe(true);
    expect(ispringUsers.some((u) => u.groups?.length === 0)).toBe(true);
    expect(ispringUsers.some((u) => u.groups?.includes(DEMO.ispring.emptyGroup))).toBe(false);
    expect(org.ispring.groups.find((g) => g.groupId === DEMO.ispring.smartGroup)?.isSmart).toBe(true);
  });
});

describe('Thrive audiences', () => {
  it('are about twenty structures and child audiences, smart and manual', () => {
    const audiences = org.thrive.audiences;
    expect(audiences.length).toBeGreaterThanOrEqual(15);
    expect(audiences.length).toBeLessThanOrEqual(25);
    expect(new Set(audiences.map((a) => a.type))).toEqual(new Set(['smart', 'manual']));
    const byId = new Map(audiences.map((a) => [a.id, a]));
    for (const audience of audiences) {
      if (audience.category === 'structure') {
        expect(audience.parent ?? null).toBeNull();
      } else {
        expect(audience.category).toBe('audience');
        const parent = byId.get(audience.parent!.id)!;
        expect(parent.category).toBe('structure');
        expect(audience.parent).toEqual({ name: parent.name, reference: parent.reference, id: parent.id });
      }
    }
    expect(byId.get(DEMO.thrive.structure)?.category).toBe('structure');
    expect(byId.get(DEMO.thrive.childAudience)?.parent?.id).toBe(DEMO.thrive.structure);
    expect(byId.get(DEMO.thrive.smartAudience)?.type).toBe('smart');
  });
});

describe('Thrive users', () => {
  it('hold one position mostly, several (2 or 3) on at least fifteen users, some inactive with an end date', () => {
    const counts = thriveUsers.map((u) => u.positions?.length ?? 0);
    expect(counts.filter((n) => n === 1).length).toBeGreaterThan(thriveUsers.length / 2);
    expect(counts.filter((n) => n === 2 || n === 3).length).toBeGreaterThanOrEqual(15);
    const inactive = thriveUsers.flatMap((u) => u.positions ?? []).filter((p) => p.isActive === false);
    expect(inactive.length).toBeGreaterThan(5);
    for (const position of inactive) expect(position.endDate).toEqual(expect.any(String));
    const multi = thriveById.get(DEMO.thrive.multiPosition)!;
    const active = multi.positions!.filter((p) => p.isActive);
    expect(active.length).toBe(2);
    expect(active[0]!.manager!.id).not.toBe(active[1]!.manager!.id);
    const inactiveFirst = thriveById.get(DEMO.thrive.inactiveFirstPosition)!.positions!;
    expect(inactiveFirst.map((p) => p.isActive)).toEqual([false, true]);
  });

  it('have positions whose ouId is null, absent, an audience, or no audience at all', () => {
    const positions = thriveUsers.flatMap((u) => u.positions ?? []);
    expect(positions.some((p) => p.ouId === null)).toBe(true);
    expect(positions.some((p) => !('ouId' in p))).toBe(true);
    expect(positions.some((p) => p.ouId && audienceIds.has(p.ouId))).toBe(true);
    expect(thriveById.get(DEMO.thrive.nullOu)!.positions![0]!.ouId).toBeNull();
    expect('ouId' in thriveById.get(DEMO.thrive.absentOu)!.positions![0]!).toBe(false);
    expect(thriveById.get(DEMO.thrive.unknownOu)!.positions![0]!.ouId).toBe(DEMO.thrive.unknownOuId);
    expect(audienceIds.has(DEMO.thrive.unknownOuId)).toBe(false);
  });

  it('name managers as {id}, {id, name, ref} or null, all existing but one', () => {
    const managers = thriveUsers.flatMap((u) => u.positions ?? []).map((p) => p.manager);
    expect(managers.some((m) => m === null)).toBe(true);
    expect(managers.some((m) => m && Object.keys(m).join() === 'id')).toBe(true);
    expect(managers.some((m) => m?.name && m.ref)).toBe(true);
    const missing = new Set(managers.filter((m) => m && !thriveById.has(m.id)).map((m) => m!.id));
    expect(missing).toEqual(new Set([DEMO.thrive.missingManagerId]));
    expect(thrivePrimaryManager(thriveById.get(DEMO.thrive.danglingManager)!)).toBe(
      DEMO.thrive.missingManagerId,
    );
  });

  it('list audiences as plain strings on some users and as {id} objects on others, all existing', () => {
    const stringUsers = thriveUsers.filter((u) => u.audiences?.some((a) => typeof a === 'string'));
    const objectUsers = thriveUsers.filter((u) => u.audiences?.some((a) => typeof a === 'object'));
    expect(stringUsers.length).toBeGreaterThan(20);
    expect(objectUsers.length).toBeGreaterThan(20);
    expect(thriveById.get(DEMO.thrive.stringAudiences)!.audiences!.every((a) => typeof a === 'string')).toBe(
      true,
    );
    expect(thriveById.get(DEMO.thrive.objectAudiences)!.audiences!.every((a) => typeof a === 'object')).toBe(
      true,
    );
    for (const user of thriveUsers) {
      for (const entry of user.audiences ?? [])
        expect(audienceIds.has(typeof entry === 'string' ? entry : entry.id)).toBe(true);
    }
  });

  it('carry rank as currentRank on some users and currentLevel on others', () => {
    expect(thriveUsers.some((u) => u.rank?.currentRank !== undefined)).toBe(true);
    expect(thriveUsers.some((u) => u.rank?.currentLevel !== undefined)).toBe(true);
    expect(thriveById.get(DEMO.thrive.stringAudiences)!.rank?.currentLevel).toBeUndefined();
    expect(thriveById.get(DEMO.thrive.objectAudiences)!.rank?.currentRank).toBeUndefined();
  });

  it('have the statuses active, new, inactive and expired, some deleted, and documented nulls', () => {
    expect(new Set(thriveUsers.map((u) => u.status))).toEqual(
      new Set(['active', 'new', 'inactive', 'expired']),
    );
    expect(thriveUsers.filter((u) => u.deleted).length).toBeGreaterThanOrEqual(3);
    expect(thriveById.get(DEMO.thrive.deleted)).toMatchObject({ deleted: true, status: 'active' });
    expect(thriveById.get(DEMO.thrive.newUser)).toMatchObject({
      status: 'new',
      lastLogin: null,
      audiences: [],
    });
    expect(thriveById.get(DEMO.thrive.expired)!.positions!.every((p) => p.isActive === false)).toBe(true);
    expect(thriveById.get(DEMO.thrive.noRef)!.ref).toBeNull();
    expect(thriveById.get(DEMO.thrive.noEmail)!.email).toBeNull();
    expect(thriveById.get(DEMO.thrive.nullAdditionalFields)!.additionalFields).toBeNull();
    for (const user of thriveUsers) {
      for (const value of Object.values(user.additionalFields ?? {})) expect(typeof value).toBe('string');
    }
  });

  it('have a two-person manager cycle, and three or four levels of managers above most users', () => {
    const [a, b] = DEMO.thrive.cycle;
    expect(thrivePrimaryManager(thriveById.get(a!)!)).toBe(b);
    expect(thrivePrimaryManager(thriveById.get(b!)!)).toBe(a);
    const deepUser = thriveById.get(DEMO.thrive.deepUser)!;
    expect(thriveChain(deepUser).map((u) => u.id)).toHaveLength(4);
    expect(thriveChain(deepUser).at(-1)!.id).toBe(DEMO.thrive.ceo);
    expect(deepUser.ref).toBe(DEMO.thrive.userRef);
    expect(thriveUsers.filter((u) => thriveChain(u).length >= 3).length / thriveUsers.length).toBeGreaterThan(
      0.75,
    );
  });
});
