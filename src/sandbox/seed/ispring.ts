import type {
  IspringDepartment,
  IspringGroup,
  IspringProfileField,
  IspringSubordination,
  IspringUserProfile,
  IspringUserRole,
  IspringWorkLeaveStatus,
} from '../../providers/ispring/wire.js';
import type { DemoAnchors } from './anchors.js';
import {
  COUNTRIES,
  DEPARTMENT_SPECS,
  DOCUMENTED_FIELD_ORDER,
  FIXTURE_FIELD_ORDER,
  GROUP_SPECS,
  type DepartmentSpec,
} from './ispring-specs.js';
import {
  asciiWord,
  DAY_MS,
  instant,
  ispringDate,
  ispringDateTime,
  type People,
  type Person,
} from './people.js';
import { at, type Ids, type Random } from './random.js';

/**
 * iSpring Learn's side of the demo organisation: the department tree, the groups, and the users with
 * their profile fields, roles, groups, supervisors and functional managers. The steps draw from the
 * one PRNG in a fixed order (ids, heads, members, the list order, statuses, then user by user), so
 * the organisation is the same on every call; test/sandbox/seed.test.ts checks what it must hold.
 */

export interface IspringPerson extends Person {
  userId: string;
  departmentKey: string;
  title: string;
  isHead: boolean;
}

export interface IspringResult {
  users: IspringUserProfile[];
  departments: IspringDepartment[];
  groups: IspringGroup[];
  /** People eligible to be in Thrive too (members, in array order). */
  shareable: IspringPerson[];
  anchors: DemoAnchors['ispring'];
}

export function generateIspring(random: Random, ids: Ids, people: People): IspringResult {
  const recordIds = drawRecordIds(ids);
  const heads = hireHeads(ids, people);
  const tree = departmentTree(heads);
  const departments = DEPARTMENT_SPECS.map((s) => ispringDepartment(s, recordIds, tree));
  const { members, everyone } = inListOrder(random, hireMembers(ids, people), heads, tree);
  const cast = castAnchors(members, tree);
  const statusOf = drawStatuses(random, members, cast);
  const context: UserContext = { random, recordIds, tree, cast, statusOf };
  const users = everyone.map((person, index) => ispringUser(person, index, context));
  const groups: IspringGroup[] = GROUP_SPECS.map((g) => ({
    groupId: recordIds.groupId(g.key),
    name: g.name,
    isSmart: g.isSmart,
  }));
  const anchors = ispringAnchors(users, recordIds, tree, cast);
  // Shared with Thrive: named members (not the login-only one), active or not.
  const shareable = members.filter((m) => m !== cast.special.loginOnly);
  return { users, departments, groups, shareable, anchors };
}

// ---------------------------------------------------------------------------------------------
// Departments, groups, roles, heads and members

/** The ids of the departments, the groups and the roles, drawn before any person. */
interface RecordIds {
  departmentId(key: string): string;
  groupId(key: string): string;
  readonly roleIds: {
    readonly learner: string;
    readonly administrator: string;
    readonly department_administrator: string;
    readonly publisher: string;
    readonly custom: string;
  };
}

function drawRecordIds(ids: Ids): RecordIds {
  const departmentIds = new Map(DEPARTMENT_SPECS.map((s) => [s.key, ids.uuid()]));
  const groupIds = new Map(GROUP_SPECS.map((g) => [g.key, ids.uuid()]));
  const roleIds = {
    learner: ids.uuid(),
    administrator: ids.uuid(),
    department_administrator: ids.uuid(),
    publisher: ids.uuid(),
    custom: ids.uuid(),
  };
  return {
    departmentId: (key) => {
      const id = departmentIds.get(key);
      if (!id) throw new Error(`seed: unknown department ${key}`);
      return id;
    },
    groupId: (key) => groupIds.get(key)!,
    roleIds,
  };
}

/** Heads first: departments name them, members' supervisors are worked out from them. */
function hireHeads(ids: Ids, people: People): Map<string, IspringPerson> {
  const heads = new Map<string, IspringPerson>();
  for (const s of DEPARTMENT_SPECS) {
    if (s.supervisor !== 'head') continue;
    const fixed = s.key === 'automation' ? { firstName: 'Siobhán', lastName: "O'Brien" } : undefined;
    heads.set(s.key, {
      ...people.next(fixed),
      userId: ids.uuid(),
      departmentKey: s.key,
      title: s.headTitle,
      isHead: true,
    });
  }
  return heads;
}

/** The department specs with their heads: who heads a department, how deep it is, whom `inherit` gives. */
interface DepartmentTree {
  spec(key: string): DepartmentSpec;
  headOf(key: string): IspringPerson;
  depthOf(key: string): number;
  /** Whom `inherit` gives a user of department `key` (`Department.supervisor`'s walk, on the specs). */
  inheritedSupervisor(key: string | null, userId: string): IspringPerson | null;
}

function departmentTree(heads: ReadonlyMap<string, IspringPerson>): DepartmentTree {
  const specs = new Map(DEPARTMENT_SPECS.map((spec) => [spec.key, spec]));
  const spec = (key: string): DepartmentSpec => {
    const found = specs.get(key);
    if (!found) throw new Error(`seed: unknown department ${key}`);
    return found;
  };
  const headOf = (key: string): IspringPerson => {
    const head = heads.get(key);
    if (!head) throw new Error(`seed: department ${key} has no head`);
    return head;
  };
  const depthOf = (key: string): number => {
    let depth = 0;
    for (let parent = spec(key).parent; parent !== null; parent = spec(parent).parent) depth += 1;
    return depth;
  };
  const inheritedSupervisor = (key: string | null, userId: string): IspringPerson | null => {
    for (let current = key; current !== null;) {
      const s = spec(current);
      if (s.supervisor === 'none') return null;
      if (s.supervisor === 'head' && headOf(current).userId !== userId) return headOf(current);
      current = s.parent;
    }
    return null;
  };
  return { spec, headOf, depthOf, inheritedSupervisor };
}

function ispringDepartment(s: DepartmentSpec, recordIds: RecordIds, tree: DepartmentTree): IspringDepartment {
  const { departmentId } = recordIds;
  const department: IspringDepartment = { departmentId: departmentId(s.key), name: s.name };
  if (s.parent !== null) department.parentDepartmentId = departmentId(s.parent);
  department.code = s.code;
  department.subordination =
    s.supervisor === 'head'
      ? { subordinationType: 'manual', supervisorId: tree.headOf(s.key).userId }
      : { subordinationType: s.supervisor === 'inherit' ? 'inherit' : 'no_supervisor' };
  department.coSubordination =
    typeof s.functional === 'object'
      ? { subordinationType: 'manual', supervisorId: tree.headOf(s.functional.headOf).userId }
      : { subordinationType: s.functional === 'inherit' ? 'inherit' : 'no_supervisor' };
  return department;
}

/** Members, department by department. */
function hireMembers(ids: Ids, people: People): IspringPerson[] {
  const members: IspringPerson[] = [];
  for (const s of DEPARTMENT_SPECS) {
    for (let i = 0; i < s.members; i += 1) {
      members.push({
        ...people.next(),
        userId: ids.uuid(),
        departmentKey: s.key,
        title: at(s.memberTitles, i % s.memberTitles.length),
        isHead: false,
      });
    }
  }
  return members;
}

/**
 * Members first, the deepest departments' first (shuffled within a depth), then heads from the
 * deepest up, the CEO last: the first hundred users are people whose managers, three levels up,
 * are mostly not among them (test/subgraph/batching.test.ts relies on it). `members` is sorted in
 * place, and the anchors are chosen in that order.
 */
function inListOrder(
  random: Random,
  members: IspringPerson[],
  heads: ReadonlyMap<string, IspringPerson>,
  { depthOf }: DepartmentTree,
): { members: IspringPerson[]; everyone: IspringPerson[] } {
  random.shuffle(members);
  members.sort((a, b) => depthOf(b.departmentKey) - depthOf(a.departmentKey));
  const headList = [...heads.values()].sort((a, b) => depthOf(b.departmentKey) - depthOf(a.departmentKey));
  return { members, everyone: [...members, ...headList] };
}

// ---------------------------------------------------------------------------------------------
// Who plays which part

/** The anchors and the people with a role other than learner, chosen before the random traits are drawn. */
interface Cast {
  readonly ceo: IspringPerson;
  /** Their `manual` supervisors form a loop. */
  readonly cycle: readonly IspringPerson[];
  readonly special: {
    readonly inheritsTwo: IspringPerson;
    readonly noSubordination: IspringPerson;
    readonly noSupervisor: IspringPerson;
    readonly manual: IspringPerson;
    readonly functional: IspringPerson;
    readonly inheritedFunctional: IspringPerson;
    readonly deep: IspringPerson;
    readonly lndMember: IspringPerson;
    readonly employmentEnded: IspringPerson;
    readonly inactive: IspringPerson;
    readonly legacyDeleted: IspringPerson;
    readonly legacyDeleted2: IspringPerson;
    readonly legacyUnconfirmed: IspringPerson;
    readonly legacyUnconfirmed2: IspringPerson;
    readonly unknownStatus: IspringPerson;
    readonly neverLoggedIn: IspringPerson;
    readonly dateTimeAdded: IspringPerson;
    readonly loginOnly: IspringPerson;
    readonly onLeave: IspringPerson;
  };
  /** The anchors and the heads on their chains: their subordination is set, not drawn. */
  readonly anchored: ReadonlySet<IspringPerson>;
  readonly departmentAdministrator: IspringPerson;
  readonly administrators: readonly IspringPerson[];
  readonly departmentAdministrators: readonly IspringPerson[];
  readonly publishers: readonly IspringPerson[];
  readonly customRole: readonly IspringPerson[];
  /** Whom a `manual` coSubordination may name. */
  readonly functionalPool: readonly IspringPerson[];
}

/** Anchors chosen among members by department, before the random traits are drawn. */
function castAnchors(members: readonly IspringPerson[], { headOf }: DepartmentTree): Cast {
  const memberOf = (key: string, skip = 0): IspringPerson => {
    const found = members.filter((m) => m.departmentKey === key)[skip];
    if (!found) throw new Error(`seed: department ${key} has fewer than ${skip + 1} members`);
    return found;
  };
  const ceo = headOf('root');
  const cycle = [memberOf('accounting', 0), memberOf('accounting', 1), memberOf('accounting', 2)];
  const special = {
    inheritsTwo: memberOf('pipelines', 0),
    noSubordination: memberOf('checkout', 0),
    noSupervisor: memberOf('americas', 0),
    manual: memberOf('search', 0),
    functional: memberOf('ios', 0),
    inheritedFunctional: memberOf('quality', 0),
    deep: memberOf('finops', 0),
    lndMember: memberOf('lnd', 0),
    employmentEnded: memberOf('dach', 0),
    inactive: memberOf('nordics', 0),
    legacyDeleted: memberOf('network', 0),
    legacyDeleted2: memberOf('inside', 1),
    legacyUnconfirmed: memberOf('cloud', 0),
    legacyUnconfirmed2: memberOf('americas', 1),
    unknownStatus: memberOf('inside', 0),
    neverLoggedIn: memberOf('web', 0),
    dateTimeAdded: memberOf('mobile', 0),
    loginOnly: memberOf('recruiting', 0),
    onLeave: memberOf('techHiring', 0),
  };
  // Heads on the anchors' chains keep `inherit`, so the chains the anchors describe hold.
  const pinnedHeads = ['finops', 'cloud', 'infra', 'platform', 'eng', 'quality', 'people'].map(headOf);
  const departmentAdministrator = headOf('eng');
  return {
    ceo,
    cycle,
    special,
    anchored: new Set<IspringPerson>([...cycle, ...Object.values(special), ...pinnedHeads]),
    departmentAdministrator,
    administrators: [ceo, memberOf('ops', 0)],
    departmentAdministrators: [
      departmentAdministrator,
      headOf('sales'),
      headOf('ops'),
      headOf('platform'),
      headOf('product'),
      headOf('finance'),
    ],
    publishers: members.filter((m) => m.departmentKey === 'lnd').slice(1, 4),
    customRole: [headOf('quality'), memberOf('quality', 1), memberOf('people', 0)],
    functionalPool: [
      headOf('people'),
      headOf('automation'),
      headOf('recruiting'),
      headOf('finance'),
      headOf('quality'),
    ],
  };
}

/** Statuses: drawn for members who are not anchors (mostly 1, some 3 and 5); set for the anchors. */
function drawStatuses(
  random: Random,
  members: readonly IspringPerson[],
  cast: Cast,
): Map<IspringPerson, number> {
  const { special } = cast;
  const statusOf = new Map<IspringPerson, number>();
  for (const member of members) {
    if (cast.anchored.has(member)) continue;
    const r = random.next();
    statusOf.set(member, r < 0.07 ? 3 : r < 0.12 ? 5 : 1);
  }
  statusOf.set(special.employmentEnded, 5);
  statusOf.set(special.inactive, 3);
  statusOf.set(special.legacyDeleted, 2);
  statusOf.set(special.legacyDeleted2, 2);
  statusOf.set(special.legacyUnconfirmed, 4);
  statusOf.set(special.legacyUnconfirmed2, 4);
  statusOf.set(special.unknownStatus, 7);
  return statusOf;
}

// ---------------------------------------------------------------------------------------------
// Users, one by one

interface UserContext {
  readonly random: Random;
  readonly recordIds: RecordIds;
  readonly tree: DepartmentTree;
  readonly cast: Cast;
  readonly statusOf: ReadonlyMap<IspringPerson, number>;
}

/** A user profile; the draws happen in the order of the steps below, so keep it. */
function ispringUser(person: IspringPerson, index: number, context: UserContext): IspringUserProfile {
  const { random, cast } = context;
  const status = context.statusOf.get(person) ?? 1;
  const neverLoggedIn =
    person === cast.special.neverLoggedIn || status === 4 || (!person.isHead && random.chance(0.1));
  const fields = profileFields(person, index, context);
  const dates = signUpDates(person, context);
  const roles = rolesOf(person, context);
  const groups = groupsOf(person, context);

  const user: IspringUserProfile = {
    userId: person.userId,
    role: roles.role,
    roleId: roles.roleId,
    departmentId: context.recordIds.departmentId(person.departmentKey),
    status,
    fields,
    addedDate: dates.addedDate,
  };
  if (!neverLoggedIn)
    user.lastLoginDate = dates.dateTimeStyle
      ? ispringDateTime(dates.lastLogin)
      : ispringDate(dates.lastLogin);
  if (groups.length > 0 || random.chance(0.5)) user.groups = groups;
  if (roles.manageable) user.manageableDepartmentIds = [...roles.manageable];
  user.userRoles = roles.userRoles;
  const subordination = subordinationOf(person, context);
  if (subordination) user.subordination = subordination;
  const coSubordination = coSubordinationOf(person, subordination, context);
  if (coSubordination) user.coSubordination = coSubordination;
  const leave = workLeaveOf(person, dates.lastLogin, context);
  if (leave) user.workLeaveStatus = leave;
  if (random.chance(0.4)) user.securityPolicyAcceptanceDate = ispringDateTime(dates.added + DAY_MS);
  if (random.chance(0.3)) user.privacyPolicyConsentAcceptanceDate = ispringDateTime(dates.added + 2 * DAY_MS);
  return user;
}

/** Profile fields: uppercase names as in the docs, every field listed, empty ones as "". */
function profileFields(
  person: IspringPerson,
  index: number,
  { random, tree, cast }: UserContext,
): IspringProfileField[] {
  const s = tree.spec(person.departmentKey);
  const login =
    person === cast.special.loginOnly || (!person.isHead && random.chance(0.1))
      ? `${asciiWord(person.firstName).slice(0, 1)}${asciiWord(person.lastName).replace(/-/g, '')}${random.digits(2)}`
      : person.email;
  const named = person !== cast.special.loginOnly;
  const phone = random.chance(0.3) ? '' : `+44 20 7946 ${random.digits(4)}`;
  const country = random.chance(0.15) ? '' : random.pick(COUNTRIES);
  const employeeNumber = `E${String(10_000 + index * 7 + random.int(0, 6))}`;
  const costCentre = random.chance(0.25) ? '' : `CC-${s.code}`;
  const contract = random.chance(0.5) ? '' : random.pick(['Permanent', 'Fixed term', 'Contractor']);
  const fieldValues: Record<string, string> = {
    LOGIN: login,
    EMAIL: named ? person.email : '',
    FIRST_NAME: named ? person.firstName : '',
    LAST_NAME: named ? person.lastName : '',
    JOB_TITLE: person.title,
    PHONE: phone,
    COUNTRY: country,
    USER_DEFINED_FIELD1: employeeNumber,
    USER_DEFINED_FIELD2: costCentre,
    USER_DEFINED_FIELD3: contract,
  };
  // Most users list fields in the documented sample's order; some in the public fixture's.
  const order = random.chance(0.2) ? FIXTURE_FIELD_ORDER : DOCUMENTED_FIELD_ORDER;
  return order.map((name) => ({ name, value: fieldValues[name] ?? '' }));
}

/** When they were added (a date, or for some a date-time) and last logged in. */
function signUpDates(
  person: IspringPerson,
  { random, cast }: UserContext,
): { added: number; addedDate: string; dateTimeStyle: boolean; lastLogin: number } {
  const added = instant(random, 0, 1500);
  const dateTimeStyle = person === cast.special.dateTimeAdded || random.chance(0.15);
  const addedDate =
    dateTimeStyle && person !== cast.special.neverLoggedIn ? ispringDateTime(added) : ispringDate(added);
  const lastLogin = added + random.int(1, 400) * DAY_MS + random.int(0, 36_000) * 1000;
  return { added, addedDate, dateTimeStyle, lastLogin };
}

/** The role, the departments it manages, and `userRoles` (sometimes with learner besides). */
function rolesOf(
  person: IspringPerson,
  { random, recordIds, cast }: UserContext,
): { role: string; roleId: string; manageable: string[] | undefined; userRoles: IspringUserRole[] } {
  const { roleIds, departmentId } = recordIds;
  let role = 'learner';
  let roleId = roleIds.learner;
  let manageable: string[] | undefined;
  if (cast.administrators.includes(person)) {
    role = 'administrator';
    roleId = roleIds.administrator;
    manageable = [departmentId('root')];
  } else if (cast.departmentAdministrators.includes(person)) {
    role = 'department_administrator';
    roleId = roleIds.department_administrator;
    manageable = [departmentId(person.departmentKey)];
    if (person === cast.departmentAdministrator) manageable.push(departmentId('quality'));
  } else if (cast.publishers.includes(person)) {
    role = 'publisher';
    roleId = roleIds.publisher;
  } else if (cast.customRole.includes(person)) {
    role = 'custom';
    roleId = roleIds.custom;
    manageable = [departmentId(person.departmentKey)];
  }
  const userRoles: IspringUserRole[] = [
    manageable
      ? { roleId, roleType: role, manageableDepartmentIds: [...manageable] }
      : { roleId, roleType: role },
  ];
  if (role !== 'learner' && random.chance(0.5))
    userRoles.push({ roleId: roleIds.learner, roleType: 'learner' });
  return { role, roleId, manageable, userRoles };
}

/** Groups: 0 to 4; the smart "People Managers" group holds every head. */
function groupsOf(person: IspringPerson, { random, recordIds }: UserContext): string[] {
  const groupCount = [0, 0, 1, 1, 1, 2, 2, 3, 4][random.int(0, 8)] ?? 0;
  const chosen = new Set<string>();
  if (person.isHead) chosen.add('managers');
  const pool = GROUP_SPECS.filter((g) => g.key !== 'bookClub' && g.key !== 'managers');
  while (chosen.size < Math.max(groupCount, person.isHead ? 1 : 0)) chosen.add(random.pick(pool).key);
  return GROUP_SPECS.filter((g) => chosen.has(g.key)).map((g) => recordIds.groupId(g.key));
}

/** Supervisor (subordination): set for the anchors, drawn for the rest (mostly `inherit`). */
function subordinationOf(
  person: IspringPerson,
  { random, tree, cast }: UserContext,
): IspringSubordination | undefined {
  const { ceo, cycle, special } = cast;
  const { inheritedSupervisor } = tree;
  if (person === ceo) return { subordinationType: 'no_supervisor' };
  const cycleIndex = cycle.indexOf(person);
  if (cycleIndex >= 0) {
    return {
      subordinationType: 'manual',
      supervisorId: at(cycle, (cycleIndex + 1) % cycle.length).userId,
    };
  }
  if (person === special.noSubordination) return undefined;
  if (person === special.noSupervisor) return { subordinationType: 'no_supervisor' };
  const inherited = inheritedSupervisor(person.departmentKey, person.userId);
  if (person === special.manual) {
    const skipLevel = inherited && inheritedSupervisor(inherited.departmentKey, inherited.userId);
    return { subordinationType: 'manual', supervisorId: skipLevel!.userId };
  }
  if (cast.anchored.has(person)) return { subordinationType: 'inherit' };
  const r = random.next();
  if (r < 0.06) return undefined;
  if (r < 0.2 && inherited) {
    // Pinned by hand: usually the same person `inherit` gives, sometimes their boss.
    const boss = random.chance(0.3) ? inheritedSupervisor(inherited.departmentKey, inherited.userId) : null;
    return { subordinationType: 'manual', supervisorId: (boss ?? inherited).userId };
  }
  if (r < 0.22 && !person.isHead) return { subordinationType: 'no_supervisor' };
  return { subordinationType: 'inherit' };
}

/** Functional manager (coSubordination): someone other than the supervisor, when `manual`. */
function coSubordinationOf(
  person: IspringPerson,
  subordination: IspringSubordination | undefined,
  { random, tree, cast }: UserContext,
): IspringSubordination | undefined {
  if (person === cast.ceo) return { subordinationType: 'no_supervisor' };
  const supervisorId =
    subordination?.supervisorId ?? tree.inheritedSupervisor(person.departmentKey, person.userId)?.userId;
  const functionalOther = () => {
    const candidates = cast.functionalPool.filter(
      (p) => p.userId !== supervisorId && p.userId !== person.userId,
    );
    return { subordinationType: 'manual', supervisorId: random.pick(candidates).userId };
  };
  if (person === cast.special.functional) return functionalOther();
  if (cast.anchored.has(person)) return { subordinationType: 'inherit' };
  const r = random.next();
  if (r < 0.05) return undefined;
  if (r < 0.15) return functionalOther();
  if (r < 0.18) return { subordinationType: 'no_supervisor' };
  return { subordinationType: 'inherit' };
}

/** Leave after their last login: the `onLeave` anchor (parental leave), and a few others. */
function workLeaveOf(
  person: IspringPerson,
  lastLogin: number,
  { random, cast }: UserContext,
): IspringWorkLeaveStatus | undefined {
  if (person === cast.special.onLeave || (!person.isHead && random.chance(0.02))) {
    const start = lastLogin + random.int(1, 30) * DAY_MS;
    const leave: IspringWorkLeaveStatus = {
      workLeaveReason: random.pick(['OnVacation', 'SickLeave', 'ParentalLeave', 'BusinessTrip']),
      startDate: ispringDate(start),
      endDate: ispringDate(start + random.int(3, 90) * DAY_MS),
    };
    if (person === cast.special.onLeave) leave.workLeaveReason = 'ParentalLeave';
    return leave;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

function ispringAnchors(
  users: readonly IspringUserProfile[],
  { departmentId, groupId }: RecordIds,
  { headOf }: DepartmentTree,
  { ceo, cycle, special, departmentAdministrator }: Cast,
): DemoAnchors['ispring'] {
  return {
    ceo: ceo.userId,
    rootDepartment: departmentId('root'),
    divisionHead: headOf('eng').userId,
    departmentHead: headOf('platform').userId,
    inheritsThroughTwoDepartments: special.inheritsTwo.userId,
    twoLevelInheritDepartment: departmentId('pipelines'),
    noSubordination: special.noSubordination.userId,
    noSupervisor: special.noSupervisor.userId,
    manualSupervisor: special.manual.userId,
    functionalManagerUser: special.functional.userId,
    functionalManager: users.find((u) => u.userId === special.functional.userId)!.coSubordination!
      .supervisorId!,
    inheritedFunctionalManagerUser: special.inheritedFunctional.userId,
    qualityFunctionalManager: headOf('people').userId,
    cycle: cycle.map((p) => p.userId),
    deepDepartment: departmentId('finops'),
    deepUser: special.deep.userId,
    noSupervisorDepartment: departmentId('lnd'),
    noSupervisorDepartmentMember: special.lndMember.userId,
    employmentEnded: special.employmentEnded.userId,
    inactive: special.inactive.userId,
    legacyDeleted: special.legacyDeleted.userId,
    legacyUnconfirmed: special.legacyUnconfirmed.userId,
    unknownStatus: special.unknownStatus.userId,
    departmentAdministrator: departmentAdministrator.userId,
    neverLoggedIn: special.neverLoggedIn.userId,
    dateTimeAddedDate: special.dateTimeAdded.userId,
    loginOnly: special.loginOnly.userId,
    specialCharacters: headOf('automation').userId,
    onLeave: special.onLeave.userId,
    smartGroup: groupId('newStarters'),
    emptyGroup: groupId('bookClub'),
  };
}
