import type {
  IspringDepartment,
  IspringGroup,
  IspringSubordination,
  IspringUserProfile,
} from '../../providers/ispring/wire.js';
import type { ThriveAudience, ThriveUser, ThriveUserPosition } from '../../providers/thrive/wire.js';
import { COUNTRIES } from './ispring-specs.js';
import type { DemoOrganisation, ThriveAudienceManagerSeed } from './organisation.js';
import { asciiWord, DAY_MS, FIRST_NAMES, instant, LAST_NAMES, type Person } from './people.js';
import { at, Random } from './random.js';

/**
 * A large organisation for scale (`SANDBOX_USERS`, `startSandbox({ users })`): `users` people in
 * each provider, built from scratch (the demo organisation and its anchors are not in it), the same
 * for the same number on every call and every machine. One company, "Northwind", whose department
 * tree (about one department per twelve people, up to seven levels from the company down to cells)
 * both providers hold: iSpring as departments, Thrive as audiences (a department's audience, which
 * the positions name as `ouId`). Every department but a few is headed; the heads form the
 * hierarchy: in iSpring through the departments' `manual` subordination and the users' `inherit`
 * (some users pin their supervisor by hand, `manual`, always someone above them), in Thrive through
 * each position's manager. Groups: about one per two hundred people (iSpring groups; Thrive
 * audiences outside the tree). About a fifth of the people are in both providers under the same work
 * email; every email is unique within a provider.
 *
 * Built for speed: one pass per provider, no lookups by scan, so 100,000 users per provider take
 * about a second or two. test/sandbox/large-organisation.test.ts checks what it must hold.
 */

export const MAX_SANDBOX_USERS = 100_000;

/** Throws a RangeError naming the variable unless `users` is a whole number from 1 to 100,000. */
export function checkSandboxUsers(users: number): number {
  if (!Number.isInteger(users) || users < 1 || users > MAX_SANDBOX_USERS) {
    throw new RangeError(
      `The sandbox's users per provider (SANDBOX_USERS) must be a whole number from 1 to ${MAX_SANDBOX_USERS}; got ${String(users)}.`,
    );
  }
  return users;
}

/** The seed of the PRNG (another than the demo organisation's). */
const SEED = 0x1a26_e000;
const EMAIL_DOMAIN = 'northwind.example';
/** People per department, on average. */
const PEOPLE_PER_DEPARTMENT = 12;
/** People per group, on average. */
const PEOPLE_PER_GROUP = 200;
/** The deepest level below the company (the company is level 0). */
const MAX_DEPTH = 6;
/** The share of people in both providers. */
const SHARED_SHARE = 0.2;

// prettier-ignore
const DIVISIONS = ['Sales', 'Engineering', 'Operations', 'Finance', 'People', 'Marketing', 'Customer Service', 'Product', 'Legal', 'Logistics'] as const;
// prettier-ignore
const AREAS = [
  'North', 'South', 'East', 'West', 'Central', 'EMEA', 'Americas', 'APAC', 'Platform', 'Data',
  'Cloud', 'Mobile', 'Web', 'Payments', 'Billing', 'Onboarding', 'Quality', 'Analytics', 'Support',
  'Partnerships', 'Security', 'Infrastructure', 'Enterprise', 'SMB', 'Retention', 'Growth',
  'Compliance', 'Procurement', 'Facilities', 'Research',
] as const;
/** What a department is called at each level below the divisions. */
const LEVEL_NOUNS = ['', '', 'Department', 'Team', 'Squad', 'Pod', 'Cell'] as const;
// prettier-ignore
const MEMBER_TITLES = [
  'Analyst', 'Specialist', 'Coordinator', 'Associate', 'Engineer', 'Senior Engineer', 'Consultant',
  'Advisor', 'Administrator', 'Designer', 'Account Executive', 'Officer', 'Technician', 'Planner',
] as const;
// prettier-ignore
const GROUP_TOPICS = [
  'Fire Wardens', 'First Aiders', 'Mentors', 'Compliance', 'Leadership Programme', 'Graduate Scheme',
  'Security Champions', 'Sales Academy', 'Remote Workers', 'New Starters', 'Wellbeing', 'Book Club',
  'Data Literacy', 'Inclusion Network', 'Project Management', 'Customer Excellence',
] as const;

type Supervision = 'head' | 'inherit' | 'none';

/** One department of the tree both providers hold. */
interface LargeDepartment {
  readonly index: number;
  readonly parent: number | null;
  readonly depth: number;
  readonly name: string;
  readonly code: string;
  /** `head`: the department names its head; `inherit`: it has none; `none`: `no_supervisor`. */
  readonly supervision: Supervision;
}

interface LargeGroup {
  readonly name: string;
  readonly isSmart: boolean;
}

/** Where one person of a provider sits: their department, whether they head it, their title. */
interface Seat {
  readonly department: number;
  readonly isHead: boolean;
  readonly title: string;
}

export function createLargeOrganisation(users: number): DemoOrganisation {
  checkSandboxUsers(users);
  const random = new Random(SEED);
  const ids = new Ids(random);
  const dates = new Dates();
  const tree = departmentTree(random, users);
  const groups = groupList(users);
  const emails = new EmailBook();
  const ispringPeople = Array.from({ length: users }, () => person(random, emails));
  // The shared people: evenly spread over iSpring's list, and over Thrive's.
  const shared = Math.round(users * SHARED_SHARE);
  const sharedSlots = new Map<number, Person>();
  for (let k = 0; k < shared; k += 1) {
    const slot = Math.floor(((k + 0.5) * users) / shared);
    sharedSlots.set(slot, at(ispringPeople, slot));
  }
  const thrivePeople = Array.from(
    { length: users },
    (_, slot) => sharedSlots.get(slot) ?? person(random, emails),
  );
  const ispring = ispringSide(random, ids, dates, tree, groups, ispringPeople);
  const thrive = thriveSide(random, ids, dates, tree, groups, thrivePeople);
  return { ispring, thrive };
}

// ---------------------------------------------------------------------------------------------
// The shape both providers share

/**
 * Breadth first from the company: the company has the divisions as children, every other
 * department two to seven children, until there are enough; nothing below `MAX_DEPTH`.
 */
function departmentTree(random: Random, users: number): LargeDepartment[] {
  const count = Math.max(1, Math.round(users / PEOPLE_PER_DEPARTMENT));
  const departments: LargeDepartment[] = [
    { index: 0, parent: null, depth: 0, name: 'Northwind Group', code: 'NW', supervision: 'head' },
  ];
  const names = new Map<string, number>();
  const uniqueName = (base: string): string => {
    const seen = (names.get(base) ?? 0) + 1;
    names.set(base, seen);
    return seen === 1 ? base : `${base} ${seen}`;
  };
  const divisions = Math.min(count - 1, random.int(6, DIVISIONS.length));
  for (let i = 0; i < divisions; i += 1) {
    departments.push({
      index: departments.length,
      parent: 0,
      depth: 1,
      name: uniqueName(at(DIVISIONS, i)),
      code: `NW-${i + 1}`,
      supervision: 'head',
    });
  }
  for (let next = 1; departments.length < count && next < departments.length; next += 1) {
    const parent = at(departments, next);
    if (parent.depth >= MAX_DEPTH) break;
    const children = random.int(2, 7);
    for (let k = 1; k <= children && departments.length < count; k += 1) {
      const depth = parent.depth + 1;
      const r = random.next();
      departments.push({
        index: departments.length,
        parent: parent.index,
        depth,
        name: uniqueName(`${random.pick(AREAS)} ${at(LEVEL_NOUNS, depth)}`),
        code: `${parent.code}-${k}`,
        // Some departments name no supervisor of their own (`inherit`); a very few none at all.
        supervision: r < 0.08 ? 'inherit' : r < 0.09 && depth >= 2 ? 'none' : 'head',
      });
    }
  }
  return departments;
}

function groupList(users: number): LargeGroup[] {
  const count = Math.max(1, Math.round(users / PEOPLE_PER_GROUP));
  const groups: LargeGroup[] = [{ name: 'People Managers', isSmart: true }];
  for (let i = 1; i < count; i += 1) {
    const topic = at(GROUP_TOPICS, (i - 1) % GROUP_TOPICS.length);
    const round = Math.floor((i - 1) / GROUP_TOPICS.length);
    groups.push({ name: round === 0 ? topic : `${topic} ${round + 1}`, isSmart: i % 5 === 0 });
  }
  return groups;
}

/** Unique emails: `first.last@`, then `first.last2@`, … */
class EmailBook {
  private readonly seen = new Map<string, number>();

  next(local: string): string {
    const count = (this.seen.get(local) ?? 0) + 1;
    this.seen.set(local, count);
    return `${count === 1 ? local : `${local}${count}`}@${EMAIL_DOMAIN}`;
  }
}

/**
 * Ids in the vendors' shapes, unique by construction (a counter in each), so that a few hundred
 * thousand of them need no set to check them against: Thrive's are Mongo ObjectIds (a timestamp, a
 * random part and a counter, as Mongo makes them: `646767d82535201223349e09`); iSpring's look like
 * version-1 UUIDs (`f29d887c-5cff-11e9-9e6a-0a580af40692`), whose first part, the low bits of the
 * clock, is what differs between two made in a row.
 */
class Ids {
  private count = 0;
  private readonly start: number;

  constructor(private readonly random: Random) {
    this.start = Math.floor(random.next() * 4294967296);
  }

  uuid(): string {
    // An odd step walks all 2^32 values before coming back: no two alike.
    const low = (this.start + this.count * 7919) % 4294967296;
    this.count += 1;
    const mid = this.hex(16);
    return `${hex(low, 8)}-${mid}-11e${'9abc'[this.random.int(0, 3)]!}-${'89ab'[this.random.int(0, 3)]!}${this.hex(12)}-${this.hex(24)}${this.hex(24)}`;
  }

  objectId(): string {
    // Seconds from 2021 to 2024 (hex 6xxxxxxx), five random bytes, a three-byte counter.
    const seconds = 0x6000_0000 + this.random.int(0, 0x0fff_ffff);
    const counter = (this.start + this.count) % 0x100_0000;
    this.count += 1;
    return `${hex(seconds, 8)}${this.hex(24)}${this.hex(16)}${hex(counter, 6)}`;
  }

  /** `bits / 4` hex digits (`bits` ≤ 32). */
  private hex(bits: number): string {
    return hex(Math.floor(this.random.next() * 2 ** bits), bits / 4);
  }
}

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

/**
 * The demo organisation's date formats (`thriveDate`, `ispringDate` in people.ts) for whole-second
 * instants, from a cache of days: `toISOString` a million times is most of a second.
 */
class Dates {
  private readonly days = new Map<number, string>();

  /** `2021-09-14`. */
  day(ms: number): string {
    const day = Math.floor(ms / DAY_MS);
    let text = this.days.get(day);
    if (text === undefined) {
      text = new Date(day * DAY_MS).toISOString().slice(0, 10);
      this.days.set(day, text);
    }
    return text;
  }

  /** `2021-01-01T09:00:00Z`. */
  instant(ms: number): string {
    const seconds = Math.floor((ms % DAY_MS) / 1000);
    return `${this.day(ms)}T${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}Z`;
  }
}

const two = (value: number): string => (value < 10 ? `0${value}` : String(value));

const ASCII_FIRST = FIRST_NAMES.map(asciiWord);
const ASCII_LAST = LAST_NAMES.map(asciiWord);

function person(random: Random, emails: EmailBook): Person {
  const first = random.int(0, FIRST_NAMES.length - 1);
  const last = random.int(0, LAST_NAMES.length - 1);
  return {
    firstName: at(FIRST_NAMES, first),
    lastName: at(LAST_NAMES, last),
    email: emails.next(`${at(ASCII_FIRST, first)}.${at(ASCII_LAST, last)}`),
  };
}

/**
 * The seats of one provider's `count` people, in list order: the heads first (the company's head,
 * the CEO, first; then the departments breadth first), then the members, each in a department drawn
 * at random (so the company and the divisions have some staff of their own too).
 */
function seatPeople(random: Random, tree: readonly LargeDepartment[], count: number): Seat[] {
  const seats: Seat[] = [];
  for (const department of tree) {
    if (seats.length === count) break;
    if (department.supervision !== 'head') continue;
    const title =
      department.index === 0
        ? 'Chief Executive Officer'
        : department.depth === 1
          ? `Director of ${department.name}`
          : `Head of ${department.name}`;
    seats.push({ department: department.index, isHead: true, title });
  }
  while (seats.length < count) {
    seats.push({
      department: random.int(0, tree.length - 1),
      isHead: false,
      title: random.pick(MEMBER_TITLES),
    });
  }
  return seats;
}

/**
 * For each department, the person index of its head, when it has a head and one was seated (a
 * small organisation may have too few people for every department).
 */
function headsOf(tree: readonly LargeDepartment[], seats: readonly Seat[]): (number | undefined)[] {
  const heads: (number | undefined)[] = new Array<number | undefined>(tree.length);
  seats.forEach((seat, index) => {
    if (seat.isHead) heads[seat.department] = index;
  });
  return heads;
}

/**
 * For each department, who its members report to: its head, or when it has none the nearest head
 * above it; `undefined` below a `none` department (and above the company).
 */
function reportsTo(
  tree: readonly LargeDepartment[],
  heads: readonly (number | undefined)[],
): (number | undefined)[] {
  const out: (number | undefined)[] = new Array<number | undefined>(tree.length);
  // Parents come before their children in the tree's order.
  for (const department of tree) {
    if (department.supervision === 'none') out[department.index] = undefined;
    else if (heads[department.index] !== undefined) out[department.index] = heads[department.index];
    else out[department.index] = department.parent === null ? undefined : out[department.parent];
  }
  return out;
}

/** Whom a person reports to: their department's head, or for a head the one above their department. */
function managerOf(
  seat: Seat,
  tree: readonly LargeDepartment[],
  above: readonly (number | undefined)[],
): number | undefined {
  if (!seat.isHead) return above[seat.department];
  const parent = at(tree, seat.department).parent;
  return parent === null ? undefined : above[parent];
}

/** Group memberships: none to three groups; every head in the first (People Managers). */
function groupIndexes(random: Random, seat: Seat, groupCount: number): number[] {
  const chosen = new Set<number>();
  if (seat.isHead) chosen.add(0);
  const wanted = groupCount > 1 ? at([0, 0, 1, 1, 1, 2, 3], random.int(0, 6)) : 0;
  for (let i = 0; i < wanted; i += 1) chosen.add(random.int(1, groupCount - 1));
  return [...chosen].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// iSpring

function ispringSide(
  random: Random,
  ids: Ids,
  dates: Dates,
  tree: readonly LargeDepartment[],
  groupSpecs: readonly LargeGroup[],
  people: readonly Person[],
): DemoOrganisation['ispring'] {
  const departmentIds = tree.map(() => ids.uuid());
  const groupIds = groupSpecs.map(() => ids.uuid());
  const roleIds = { learner: ids.uuid(), administrator: ids.uuid(), departmentAdministrator: ids.uuid() };
  const userIds = people.map(() => ids.uuid());
  const seats = seatPeople(random, tree, people.length);
  const heads = headsOf(tree, seats);
  const above = reportsTo(tree, heads);
  const headIds = heads.filter((head): head is number => head !== undefined).map((head) => at(userIds, head));

  const departments: IspringDepartment[] = tree.map((department) => {
    const out: IspringDepartment = {
      departmentId: at(departmentIds, department.index),
      name: department.name,
    };
    if (department.parent !== null) out.parentDepartmentId = at(departmentIds, department.parent);
    out.code = department.code;
    const head = heads[department.index];
    out.subordination =
      department.supervision === 'head' && head !== undefined
        ? { subordinationType: 'manual', supervisorId: at(userIds, head) }
        : { subordinationType: department.supervision === 'none' ? 'no_supervisor' : 'inherit' };
    // A few departments name a functional manager: some head of another department.
    out.coSubordination =
      department.parent === null
        ? { subordinationType: 'no_supervisor' }
        : headIds.length > 1 && random.chance(0.03)
          ? { subordinationType: 'manual', supervisorId: random.pick(headIds) }
          : { subordinationType: 'inherit' };
    return out;
  });

  const groups: IspringGroup[] = groupSpecs.map((group, index) => ({
    groupId: at(groupIds, index),
    name: group.name,
    isSmart: group.isSmart,
  }));

  const users = people.map((person, index): IspringUserProfile => {
    const seat = at(seats, index);
    const department = at(tree, seat.department);
    const userId = at(userIds, index);
    const isCeo = seat.isHead && department.parent === null;
    const administersDepartment = seat.isHead && department.depth === 1;
    const role = isCeo ? 'administrator' : administersDepartment ? 'department_administrator' : 'learner';
    const roleId = isCeo
      ? roleIds.administrator
      : administersDepartment
        ? roleIds.departmentAdministrator
        : roleIds.learner;
    const r = random.next();
    const status = seat.isHead ? 1 : r < 0.04 ? 3 : r < 0.06 ? 5 : 1;
    const added = instant(random, 0, 1500);
    const local = person.email.slice(0, person.email.indexOf('@'));
    const user: IspringUserProfile = {
      userId,
      role,
      roleId,
      departmentId: at(departmentIds, seat.department),
      status,
      fields: [
        { name: 'LOGIN', value: local },
        { name: 'EMAIL', value: person.email },
        { name: 'FIRST_NAME', value: person.firstName },
        { name: 'LAST_NAME', value: person.lastName },
        { name: 'JOB_TITLE', value: seat.title },
        { name: 'PHONE', value: random.chance(0.3) ? '' : `+44 20 7946 ${random.digits(4)}` },
        { name: 'COUNTRY', value: random.pick(COUNTRIES) },
      ],
      addedDate: dates.day(added),
    };
    if (random.chance(0.9)) user.lastLoginDate = dates.day(added + random.int(1, 400) * DAY_MS);
    user.groups = groupIndexes(random, seat, groupSpecs.length).map((group) => at(groupIds, group));
    const manageable = isCeo ? [at(departmentIds, 0)] : administersDepartment ? [user.departmentId!] : [];
    if (manageable.length > 0) user.manageableDepartmentIds = manageable;
    user.userRoles = [
      manageable.length > 0
        ? { roleId, roleType: role, manageableDepartmentIds: manageable }
        : { roleId, roleType: role },
    ];
    const manager = managerOf(seat, tree, above);
    const skipLevel = manager === undefined ? undefined : managerOf(at(seats, manager), tree, above);
    const subordination = ispringSubordination(random, isCeo, manager, skipLevel, userIds);
    if (subordination) user.subordination = subordination;
    const s = random.next();
    if (isCeo) user.coSubordination = { subordinationType: 'no_supervisor' };
    else if (s < 0.05 && headIds.length > 1) {
      const functional = random.pick(headIds);
      user.coSubordination =
        functional === userId
          ? { subordinationType: 'inherit' }
          : { subordinationType: 'manual', supervisorId: functional };
    } else if (s < 0.95) user.coSubordination = { subordinationType: 'inherit' };
    return user;
  });
  return { users, departments, groups };
}

/**
 * Mostly `inherit` (what the departments say); one in ten pinned by hand (`manual`) to the same
 * person, or sometimes to that person's own manager; a few with no subordination element at all
 * (which reads as `inherit`). Never anyone below them, so the hierarchy has no loop.
 */
function ispringSubordination(
  random: Random,
  isCeo: boolean,
  manager: number | undefined,
  skipLevel: number | undefined,
  userIds: readonly string[],
): IspringSubordination | undefined {
  if (isCeo) return { subordinationType: 'no_supervisor' };
  const r = random.next();
  if (r < 0.04) return undefined;
  if (r < 0.14 && manager !== undefined) {
    const pinned = skipLevel !== undefined && random.chance(0.3) ? skipLevel : manager;
    return { subordinationType: 'manual', supervisorId: at(userIds, pinned) };
  }
  return { subordinationType: 'inherit' };
}

// ---------------------------------------------------------------------------------------------
// Thrive

function thriveSide(
  random: Random,
  ids: Ids,
  dates: Dates,
  tree: readonly LargeDepartment[],
  groupSpecs: readonly LargeGroup[],
  people: readonly Person[],
): DemoOrganisation['thrive'] {
  const departmentIds = tree.map(() => ids.objectId());
  const groupIds = groupSpecs.map(() => ids.objectId());
  const userIds = people.map(() => ids.objectId());
  const seats = seatPeople(random, tree, people.length);
  const heads = headsOf(tree, seats);
  const above = reportsTo(tree, heads);

  const departmentAudiences: ThriveAudience[] = tree.map((department) => {
    const created = instant(random, 0, 300);
    const audience: ThriveAudience = {
      id: at(departmentIds, department.index),
      name: department.name,
      reference: `dept-${department.code.toLowerCase()}`,
      apiControlled: true,
      category: department.parent === null ? 'structure' : 'audience',
      type: 'manual',
    };
    if (department.parent !== null) {
      const parent = at(tree, department.parent);
      audience.parent = {
        id: at(departmentIds, parent.index),
        name: parent.name,
        reference: `dept-${parent.code.toLowerCase()}`,
      };
    }
    audience.createdAt = dates.instant(created);
    audience.updatedAt = dates.instant(created + random.int(0, 700) * DAY_MS);
    return audience;
  });
  const groupAudiences: ThriveAudience[] = groupSpecs.map((group, index) => {
    const created = instant(random, 0, 300);
    return {
      id: at(groupIds, index),
      name: group.name,
      reference: `group-${index + 1}`,
      apiControlled: false,
      category: 'audience',
      type: group.isSmart ? 'smart' : 'manual',
      createdAt: dates.instant(created),
      updatedAt: dates.instant(created + random.int(0, 700) * DAY_MS),
    };
  });

  const users = people.map((person, index): ThriveUser => {
    const seat = at(seats, index);
    const department = at(tree, seat.department);
    const id = at(userIds, index);
    const isCeo = seat.isHead && department.parent === null;
    const manager = managerOf(seat, tree, above);
    const r = random.next();
    const status = seat.isHead
      ? 'active'
      : r < 0.05
        ? 'inactive'
        : r < 0.08
          ? 'new'
          : r < 0.1
            ? 'expired'
            : 'active';
    const created = instant(random, 100, 1400);
    const createdAt = dates.instant(created);
    const positions: ThriveUserPosition[] = [
      position(
        id,
        manager === undefined ? null : at(userIds, manager),
        at(departmentIds, seat.department),
        seat.title,
        status !== 'expired',
        createdAt,
      ),
    ];
    if (random.chance(0.05) && index > 0) {
      // An earlier post elsewhere, under someone listed before them.
      const earlier = random.int(0, index - 1);
      const started = created - random.int(400, 900) * DAY_MS;
      const ended: ThriveUserPosition = position(
        id,
        at(userIds, earlier),
        at(departmentIds, at(seats, earlier).department),
        `Junior ${seat.title}`,
        false,
        dates.instant(started),
      );
      ended.endDate = dates.instant(started + random.int(60, 300) * DAY_MS);
      positions.push(ended);
    }
    const audiences = [at(departmentIds, seat.department)];
    // Their division too, as audiences list a unit's structure (the department at level 1).
    let division = department;
    while (division.depth > 1 && division.parent !== null) division = at(tree, division.parent);
    if (division !== department) audiences.push(at(departmentIds, division.index));
    for (const group of groupIndexes(random, seat, groupSpecs.length)) audiences.push(at(groupIds, group));
    const neverLoggedIn = status === 'new';
    const firstLogin = created + random.int(0, 20) * DAY_MS;
    return {
      id,
      ref: `EMP-${String(index + 1).padStart(6, '0')}`,
      firstName: person.firstName,
      lastName: person.lastName,
      email: person.email,
      role: isCeo ? 'administrator' : seat.isHead ? 'learneradmin' : 'learner',
      status,
      positions,
      additionalFields: {
        department: department.name,
        location: random.pick(['London', 'Manchester', 'Leeds', 'Remote', 'Bristol']),
      },
      languageCode: 'en-gb',
      deleted: false,
      firstLogin: neverLoggedIn ? null : dates.instant(firstLogin),
      lastLogin: neverLoggedIn ? null : dates.instant(firstLogin + random.int(0, 600) * DAY_MS),
      createdAt,
      updatedAt: dates.instant(created + random.int(1, 300) * DAY_MS),
      audiences,
    };
  });

  const audienceManagers: ThriveAudienceManagerSeed[] = [];
  heads.forEach((head, department) => {
    if (head === undefined) return;
    audienceManagers.push({
      audienceId: at(departmentIds, department),
      userId: at(userIds, head),
      permissions: {
        audienceManager: { manageContent: true, assignments: true },
        peopleManager: { canViewLearnPage: true, insights: true, manage: true },
      },
    });
  });
  return { users, audiences: [...departmentAudiences, ...groupAudiences], audienceManagers };
}

function position(
  userId: string,
  managerId: string | null,
  ouId: string,
  title: string,
  active: boolean,
  start: string,
): ThriveUserPosition {
  return {
    id: userId,
    manager: managerId === null ? null : { id: managerId },
    ouId,
    title,
    isActive: active,
    startDate: start,
    endDate: null,
    createdAt: start,
    updatedAt: start,
  };
}
