import type {
  IspringDepartment,
  IspringGroup,
  IspringProfileField,
  IspringSubordination,
  IspringUserProfile,
  IspringUserRole,
} from '../providers/ispring/wire.js';
import type { ThriveAudience, ThriveUser, ThriveUserPosition } from '../providers/thrive/wire.js';

/**
 * The deterministic demo organisation both sandbox providers serve: one company, "Northwind", whose
 * people are in iSpring Learn (a department tree) and in Thrive Learning (audiences and positions),
 * about fifty of them in both. Every record is typed with the providers' wire types and holds the
 * variants the public sources document, so that every mapping rule (the schema's descriptions) has
 * data to work on. A seeded PRNG (mulberry32) makes it the same on every call and every machine:
 * nothing here reads the clock or `Math.random`.
 */

/** `permissions` of an audience manager (`GET /audiences/{id}/managers`, as Thrive documents it). */
export interface ThriveAudienceManagerPermissions {
  audienceManager: { manageContent: boolean; assignments: boolean };
  peopleManager: { canViewLearnPage: boolean; insights: boolean; manage: boolean };
  /** Structures only. */
  administrator?: { canAddAudienceManagers: boolean };
}

/** Who manages an audience; the server fills in the user's `reference` and `email`. */
export interface ThriveAudienceManagerSeed {
  audienceId: string;
  userId: string;
  permissions: ThriveAudienceManagerPermissions;
}

export interface DemoOrganisation {
  thrive: {
    users: ThriveUser[];
    audiences: ThriveAudience[];
    /** Audience managers; an organisation without them serves `[]` for every audience. */
    audienceManagers?: ThriveAudienceManagerSeed[];
  };
  ispring: {
    /** Statuses as the v2 endpoints report them (1/3/5, legacy 2 and 4, one unknown value). */
    users: IspringUserProfile[];
    departments: IspringDepartment[];
    groups: IspringGroup[];
  };
}

/** Well-known records of the demo organisation (the providers' own ids), for tests and the README. */
export interface DemoAnchors {
  readonly ispring: {
    /** The CEO: `no_supervisor`, in the root department, which names them as its supervisor. */
    readonly ceo: string;
    /** The root department: no parent, supervisor the CEO, functional manager `no_supervisor`. */
    readonly rootDepartment: string;
    /** Head of the Engineering division, named by their own division: their manager is the CEO. */
    readonly divisionHead: string;
    /** Head of Platform, named as supervisor by their own department (user `inherit`): manager `divisionHead`. */
    readonly departmentHead: string;
    /** A Pipelines Squad member (`inherit`); Pipelines and Data say `inherit`; Platform names `departmentHead`. */
    readonly inheritsThroughTwoDepartments: string;
    /** Pipelines Squad: `inherit`, below Data (`inherit`), below Platform (`manual`, `departmentHead`). */
    readonly twoLevelInheritDepartment: string;
    /** A user with no `subordination` element at all (inherit), in a department with a supervisor. */
    readonly noSubordination: string;
    /** A user other than the CEO whose subordination is `no_supervisor`. */
    readonly noSupervisor: string;
    /** A user with a `manual` supervisor other than whom `inherit` would give (their boss's boss). */
    readonly manualSupervisor: string;
    /** A user whose coSubordination is `manual`, naming a functional manager other than their supervisor. */
    readonly functionalManagerUser: string;
    /** The functional manager `functionalManagerUser` names. */
    readonly functionalManager: string;
    /** A Quality member with coSubordination `inherit`: the Quality department names the functional manager. */
    readonly inheritedFunctionalManagerUser: string;
    /** The functional manager the Quality department names (head of People). */
    readonly qualityFunctionalManager: string;
    /** Three users whose `manual` supervisors form a loop: [0] → [1] → [2] → [0]. */
    readonly cycle: readonly string[];
    /** The deepest department: FinOps Guild, five levels below the root. */
    readonly deepDepartment: string;
    /** A FinOps Guild member, `inherit`: six managers above them, the last the CEO. */
    readonly deepUser: string;
    /** Learning & Development: its subordination is `no_supervisor`. */
    readonly noSupervisorDepartment: string;
    /** A Learning & Development member with `inherit`: no supervisor at all. */
    readonly noSupervisorDepartmentMember: string;
    /** Status 5 (employment ended) on the v2 endpoints; the v1 endpoints report 3. */
    readonly employmentEnded: string;
    /** Status 3 (inactive). */
    readonly inactive: string;
    /** Legacy status 2 (deleted). */
    readonly legacyDeleted: string;
    /** Legacy status 4 (unconfirmed); never logged in. */
    readonly legacyUnconfirmed: string;
    /** Status 7, a value no source documents. */
    readonly unknownStatus: string;
    /** A department administrator: `userRoles` and `manageableDepartmentIds` name their division. */
    readonly departmentAdministrator: string;
    /** A user without `lastLoginDate` (never logged in). */
    readonly neverLoggedIn: string;
    /** A user whose `addedDate` is a date-time (`2021-09-14T08:30:00+00:00`), not a date. */
    readonly dateTimeAddedDate: string;
    /** A user with empty FIRST_NAME, LAST_NAME and EMAIL: only LOGIN names them. */
    readonly loginOnly: string;
    /** Siobhán O'Brien, "Test & Automation Lead <QA>": fields with XML-special and non-ASCII characters. */
    readonly specialCharacters: string;
    /** A user on leave (`workLeaveStatus`). */
    readonly onLeave: string;
    /** A smart group. */
    readonly smartGroup: string;
    /** A group nobody is in. */
    readonly emptyGroup: string;
  };
  readonly thrive: {
    /** The CEO: one position, manager null, in the Head Office structure. */
    readonly ceo: string;
    /** Three positions: two active under different managers and units, then an inactive one. */
    readonly multiPosition: string;
    /** First position inactive (with endDate), second active: the primary is the second. */
    readonly inactiveFirstPosition: string;
    /** Two contractors whose primary managers are each other. */
    readonly cycle: readonly string[];
    /** `deleted: true` while `status` still says `active`. */
    readonly deleted: string;
    /** Audiences as plain id strings (documented variant), `rank.currentRank`. */
    readonly stringAudiences: string;
    /** Audiences as `{ id }` objects (observed variant), `rank.currentLevel`, position titles. */
    readonly objectAudiences: string;
    /** A position whose `ouId` is null. */
    readonly nullOu: string;
    /** A position without an `ouId` key. */
    readonly absentOu: string;
    /** A position whose `ouId` matches no audience. */
    readonly unknownOu: string;
    /** That `ouId`. */
    readonly unknownOuId: string;
    /** A user whose primary manager id matches no user. */
    readonly danglingManager: string;
    /** That manager id. */
    readonly missingManagerId: string;
    /** A manager given as `{ id, name, ref }`. */
    readonly managerWithName: string;
    /** Status `new`: never logged in, no audiences yet. */
    readonly newUser: string;
    /** Status `inactive`. */
    readonly inactive: string;
    /** Status `expired`, every position inactive. */
    readonly expired: string;
    /** Four levels of managers above them (team lead, manager, director, CEO). */
    readonly deepUser: string;
    /** A user with `ref: null`. */
    readonly noRef: string;
    /** A user with `email: null` (logs in by ref). */
    readonly noEmail: string;
    /** A user with `additionalFields: null` and `audiences: null`. */
    readonly nullAdditionalFields: string;
    /** The `ref` of `deepUser`, for `GET /users/ref/{ref}`. */
    readonly userRef: string;
    /** The Technology structure (category `structure`, no parent). */
    readonly structure: string;
    /** Engineering, a child audience of Technology (category `audience`, with `parent`). */
    readonly childAudience: string;
    /** The `reference` of `childAudience`, which `GET /audiences/{id}` also accepts. */
    readonly childAudienceReference: string;
    /** A smart audience. */
    readonly smartAudience: string;
    /** An audience with no managers. */
    readonly unmanagedAudience: string;
  };
  /** One person present in both providers under the same email. */
  readonly sharedEmail: { readonly email: string; readonly thriveId: string; readonly ispringId: string };
}

/** The seed of the PRNG: change it and every id changes. */
const SEED = 0x5eed_2024;
const EMAIL_DOMAIN = 'northwind.example';
/** How many people are in both providers. */
const SHARED_PEOPLE = 50;
/** Thrive users besides the shared people. */
const THRIVE_ONLY_PEOPLE = 110;

export function createDemoOrganisation(): DemoOrganisation {
  return generate().organisation;
}

// ---------------------------------------------------------------------------------------------
// Deterministic building blocks

/** mulberry32: tiny, fast, and good enough for demo data. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return at(items, Math.floor(this.next() * items.length));
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += String(Math.floor(this.next() * 10));
    return out;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [at(items, j), at(items, i)];
    }
    return items;
  }
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`seed: no item at index ${index} of ${items.length}`);
  return item;
}

class Ids {
  private readonly used = new Set<string>();

  constructor(private readonly random: Random) {}

  /** A version-1-looking UUID like iSpring's (`f29d887c-5cff-11e9-9e6a-0a580af40692`). */
  uuid(): string {
    const r = this.random;
    return this.unique(
      () =>
        `${r.hex(8)}-${r.hex(4)}-11e${r.pick(['9', 'a', 'b', 'c'])}-${r.pick(['8', '9', 'a', 'b'])}${r.hex(3)}-${r.hex(12)}`,
    );
  }

  /** A 24-hex Mongo-style id like Thrive's (`646767d82535201223349e09`). */
  objectId(): string {
    const r = this.random;
    return this.unique(() => `6${r.pick(['3', '4', '5'])}${r.hex(6)}${r.hex(16)}`);
  }

  private unique(make: () => string): string {
    for (;;) {
      const id = make();
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}

const DAY_MS = 86_400_000;
/** 2019-01-01T00:00:00Z: every date of the demo organisation is after it. */
const EPOCH_MS = Date.UTC(2019, 0, 1);

/** A whole-second instant some days after the epoch. */
function instant(random: Random, fromDay: number, toDay: number): number {
  return EPOCH_MS + random.int(fromDay, toDay) * DAY_MS + random.int(6 * 3600, 19 * 3600) * 1000;
}

/** `2021-01-01T09:00:00Z`, as Thrive's samples write it. */
function thriveDate(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `2021-09-14`, as iSpring's samples write dates. */
function ispringDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `2021-09-14T08:30:00+00:00`, the date-time form iSpring uses elsewhere. */
function ispringDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

// ---------------------------------------------------------------------------------------------
// People

interface Person {
  firstName: string;
  lastName: string;
  email: string;
}

// prettier-ignore
const FIRST_NAMES = [
  'Olivia', 'Liam', 'Amelia', 'Noah', 'Isla', 'Oliver', 'Ava', 'George', 'Mia', 'Arthur',
  'Freya', 'Leo', 'Grace', 'Harry', 'Lily', 'Oscar', 'Ella', 'Jack', 'Sophia', 'Henry',
  'Ivy', 'Charlie', 'Florence', 'Theo', 'Willow', 'Alfie', 'Evie', 'Jacob', 'Daisy', 'Thomas',
  'Zoë', 'José', 'Siobhán', 'Ngozi', 'Björn', 'Amélie', 'Priya', 'Mateo', 'Aisha', 'Hiroshi',
  'Elena', 'Kwame', 'Ingrid', 'Rafael', 'Mei', 'Dmitri', 'Chloé', 'Tomasz', 'Fatima', 'Lars',
  'Ana', 'Yusuf', 'Nora', 'Pedro', 'Hannah', 'Samuel', 'Leila', 'Finn', 'Ruth', 'Omar',
] as const;

// prettier-ignore
const LAST_NAMES = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Robinson',
  'Wright', 'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson',
  'Clarke', 'Müller', 'Núñez', "O'Brien", 'Okafor-Smith', 'Ångström', 'Lefèvre', 'Kowalski', 'Rossi', 'García',
  'Nakamura', 'Chen', 'Mensah', 'Ivanova', 'Haddad', 'Lindqvist', 'Moreau', 'Silva', 'Novak', 'Khan',
  'Schmidt', 'Dubois', 'Costa', 'Fischer', 'Yilmaz', 'Murphy', 'Kelly', 'Byrne', 'Ahmed', 'Singh',
  'Martin', 'Bennett', 'Cooper', 'Hughes', 'Price', 'Reid', 'Fraser', 'Baker',
] as const;

function asciiWord(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '');
}

class People {
  private readonly names = new Set<string>();
  private readonly emails = new Set<string>();

  constructor(private readonly random: Random) {}

  next(fixed?: { firstName: string; lastName: string }): Person {
    for (;;) {
      const firstName = fixed?.firstName ?? this.random.pick(FIRST_NAMES);
      const lastName = fixed?.lastName ?? this.random.pick(LAST_NAMES);
      const name = `${firstName} ${lastName}`;
      if (this.names.has(name) && !fixed) continue;
      this.names.add(name);
      const local = `${asciiWord(firstName)}.${asciiWord(lastName)}`;
      let email = `${local}@${EMAIL_DOMAIN}`;
      for (let n = 2; this.emails.has(email); n += 1) email = `${local}${n}@${EMAIL_DOMAIN}`;
      this.emails.add(email);
      return { firstName, lastName, email };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// iSpring: the department tree

type Supervision = 'head' | 'inherit' | 'none';

interface DepartmentSpec {
  readonly key: string;
  readonly name: string;
  readonly code: string;
  readonly parent: string | null;
  /** `head`: the department names its head (`manual`); `inherit`; `none` (`no_supervisor`). */
  readonly supervisor: Supervision;
  /** coSubordination: `inherit`, `none`, or `manual` naming the head of another department. */
  readonly functional: 'inherit' | 'none' | { readonly headOf: string };
  /** People besides the head. */
  readonly members: number;
  readonly headTitle: string;
  readonly memberTitles: readonly string[];
}

/** The iSpring tree. Columns: key, name, code, parent, supervisor, functional manager, members, head's title, members' titles. */
// prettier-ignore
const DEPARTMENT_SPECS: readonly DepartmentSpec[] = [
  // Level 0: the company.
  dept('root', 'Northwind Learning Group', '1000', null, 'head', 'none', 2, 'Chief Executive Officer', ['Executive Assistant', 'General Counsel']),
  // Level 1: divisions.
  dept('sales', 'Sales', '1100', 'root', 'head', 'inherit', 1, 'Chief Revenue Officer', ['Sales Operations Lead']),
  dept('eng', 'Engineering', '1200', 'root', 'head', 'inherit', 1, 'Chief Technology Officer', ['Staff Engineer']),
  dept('ops', 'Operations', '1300', 'root', 'head', 'inherit', 1, 'Chief Operating Officer', ['Operations Analyst']),
  // Level 2: departments.
  dept('entSales', 'Enterprise Sales', '1110', 'sales', 'head', 'inherit', 2, 'VP Enterprise Sales', ['Deal Desk Analyst']),
  dept('smbSales', 'SMB Sales', '1120', 'sales', 'inherit', 'inherit', 3, '', ['Sales Enablement Specialist']),
  dept('platform', 'Platform', '1210', 'eng', 'head', 'inherit', 2, 'Head of Platform', ['Principal Engineer']),
  dept('product', 'Product Engineering', '1220', 'eng', 'head', 'inherit', 2, 'Head of Product Engineering', ['Product Manager']),
  dept('quality', 'Quality', '1230', 'eng', 'head', { headOf: 'people' }, 3, 'Head of Quality', ['QA Analyst']),
  dept('people', 'People', '1310', 'ops', 'head', 'inherit', 2, 'Head of People', ['HR Business Partner']),
  dept('finance', 'Finance', '1320', 'ops', 'head', 'inherit', 2, 'Finance Director', ['Financial Analyst']),
  // Level 3: teams.
  dept('emea', 'EMEA Accounts', '1111', 'entSales', 'head', 'inherit', 4, 'EMEA Sales Manager', ['Account Executive']),
  dept('americas', 'Americas Accounts', '1112', 'entSales', 'head', 'inherit', 7, 'Americas Sales Manager', ['Account Executive', 'Solutions Consultant']),
  dept('inside', 'Inside Sales', '1121', 'smbSales', 'head', 'inherit', 8, 'Inside Sales Manager', ['Sales Development Representative']),
  dept('infra', 'Infrastructure', '1211', 'platform', 'head', 'inherit', 3, 'Infrastructure Manager', ['Site Reliability Engineer']),
  dept('data', 'Data', '1212', 'platform', 'inherit', 'inherit', 3, '', ['Data Engineer', 'Analytics Engineer']),
  dept('web', 'Web', '1221', 'product', 'head', { headOf: 'automation' }, 3, 'Web Engineering Manager', ['Frontend Engineer']),
  dept('mobile', 'Mobile', '1222', 'product', 'head', 'inherit', 3, 'Mobile Engineering Manager', ['Mobile Engineer']),
  dept('automation', 'Test Automation', '1231', 'quality', 'head', 'inherit', 6, 'Test & Automation Lead <QA>', ['Test Engineer', 'R&D Engineer']),
  dept('recruiting', 'Recruiting', '1311', 'people', 'head', 'inherit', 4, 'Talent Acquisition Manager', ['Recruiter']),
  dept('lnd', 'Learning & Development', '1312', 'people', 'none', 'inherit', 4, '', ['Learning Designer', 'Course Author']),
  dept('accounting', 'Accounting', '1321', 'finance', 'head', 'inherit', 7, 'Financial Controller', ['Accountant']),
  // Level 4: squads.
  dept('cloud', 'Cloud Squad', '1211-1', 'infra', 'head', 'inherit', 7, 'Cloud Squad Lead', ['Cloud Engineer']),
  dept('network', 'Network Squad', '1211-2', 'infra', 'inherit', 'inherit', 7, '', ['Network Engineer']),
  dept('pipelines', 'Pipelines Squad', '1212-1', 'data', 'inherit', 'inherit', 8, '', ['Data Engineer']),
  dept('checkout', 'Checkout Squad', '1221-1', 'web', 'head', 'inherit', 9, 'Checkout Squad Lead', ['Software Engineer']),
  dept('search', 'Search Squad', '1221-2', 'web', 'head', 'inherit', 8, 'Search Squad Lead', ['Software Engineer']),
  dept('ios', 'iOS Squad', '1222-1', 'mobile', 'head', 'inherit', 8, 'iOS Squad Lead', ['iOS Engineer']),
  dept('dach', 'DACH Squad', '1111-1', 'emea', 'head', 'inherit', 7, 'DACH Squad Lead', ['Account Executive']),
  dept('nordics', 'Nordics Squad', '1111-2', 'emea', 'head', 'inherit', 7, 'Nordics Squad Lead', ['Account Executive']),
  dept('techHiring', 'Tech Hiring Squad', '1311-1', 'recruiting', 'head', 'inherit', 6, 'Tech Hiring Lead', ['Technical Recruiter']),
  // Level 5.
  dept('finops', 'FinOps Guild', '1211-1-1', 'cloud', 'head', 'inherit', 4, 'FinOps Guild Lead', ['FinOps Analyst']),
];

function dept(
  key: string,
  name: string,
  code: string,
  parent: string | null,
  supervisor: Supervision,
  functional: DepartmentSpec['functional'],
  members: number,
  headTitle: string,
  memberTitles: readonly string[],
): DepartmentSpec {
  return { key, name, code, parent, supervisor, functional, members, headTitle, memberTitles };
}

const GROUP_SPECS: ReadonlyArray<{ key: string; name: string; isSmart: boolean }> = [
  { key: 'newStarters', name: 'New Starters', isSmart: true },
  { key: 'managers', name: 'People Managers', isSmart: true },
  { key: 'compliance', name: 'Compliance 2024', isSmart: false },
  { key: 'fireWardens', name: 'Fire Wardens', isSmart: false },
  { key: 'firstAiders', name: 'First Aiders', isSmart: false },
  { key: 'mentors', name: 'Mentors', isSmart: false },
  { key: 'salesAcademy', name: 'Sales Academy', isSmart: false },
  { key: 'leadership', name: 'Leadership Programme', isSmart: false },
  { key: 'remote', name: 'Remote Workers', isSmart: true },
  { key: 'graduates', name: 'Graduate Scheme', isSmart: false },
  { key: 'security', name: 'Security Champions', isSmart: false },
  { key: 'bookClub', name: 'Book Club', isSmart: false },
];

/** Profile fields in the documented sample's order, and in the public JSON fixture's. */
// prettier-ignore
const DOCUMENTED_FIELD_ORDER = ['LOGIN', 'EMAIL', 'FIRST_NAME', 'LAST_NAME', 'JOB_TITLE', 'PHONE', 'COUNTRY', 'USER_DEFINED_FIELD1', 'USER_DEFINED_FIELD2', 'USER_DEFINED_FIELD3'] as const;
// prettier-ignore
const FIXTURE_FIELD_ORDER = ['USER_DEFINED_FIELD1', 'FIRST_NAME', 'LAST_NAME', 'LOGIN', 'EMAIL', 'JOB_TITLE', 'PHONE', 'USER_DEFINED_FIELD2', 'USER_DEFINED_FIELD3', 'COUNTRY'] as const;

/** Numeric country ids as iSpring stores them ("224" in a public fixture). */
const COUNTRIES = ['826', '840', '276', '250', '752', '724', '224', '380'] as const;

interface IspringPerson extends Person {
  userId: string;
  departmentKey: string;
  title: string;
  isHead: boolean;
}

interface IspringResult {
  users: IspringUserProfile[];
  departments: IspringDepartment[];
  groups: IspringGroup[];
  /** People eligible to be in Thrive too (members, in array order). */
  shareable: IspringPerson[];
  anchors: DemoAnchors['ispring'];
}

function generateIspring(random: Random, ids: Ids, people: People): IspringResult {
  const specs = new Map(DEPARTMENT_SPECS.map((spec) => [spec.key, spec]));
  const spec = (key: string): DepartmentSpec => {
    const found = specs.get(key);
    if (!found) throw new Error(`seed: unknown department ${key}`);
    return found;
  };
  const departmentIds = new Map(DEPARTMENT_SPECS.map((s) => [s.key, ids.uuid()]));
  const departmentId = (key: string): string => {
    const id = departmentIds.get(key);
    if (!id) throw new Error(`seed: unknown department ${key}`);
    return id;
  };
  const groupIds = new Map(GROUP_SPECS.map((g) => [g.key, ids.uuid()]));
  const groupId = (key: string): string => groupIds.get(key)!;

  const roleIds = {
    learner: ids.uuid(),
    administrator: ids.uuid(),
    department_administrator: ids.uuid(),
    publisher: ids.uuid(),
    custom: ids.uuid(),
  };

  // Heads first: departments name them, members' supervisors are worked out from them.
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
  const headOf = (key: string): IspringPerson => {
    const head = heads.get(key);
    if (!head) throw new Error(`seed: department ${key} has no head`);
    return head;
  };

  const subordinationOf = (s: DepartmentSpec): IspringSubordination =>
    s.supervisor === 'head'
      ? { subordinationType: 'manual', supervisorId: headOf(s.key).userId }
      : { subordinationType: s.supervisor === 'inherit' ? 'inherit' : 'no_supervisor' };
  const coSubordinationOf = (s: DepartmentSpec): IspringSubordination =>
    typeof s.functional === 'object'
      ? { subordinationType: 'manual', supervisorId: headOf(s.functional.headOf).userId }
      : { subordinationType: s.functional === 'inherit' ? 'inherit' : 'no_supervisor' };

  const departments: IspringDepartment[] = DEPARTMENT_SPECS.map((s) => {
    const department: IspringDepartment = { departmentId: departmentId(s.key), name: s.name };
    if (s.parent !== null) department.parentDepartmentId = departmentId(s.parent);
    department.code = s.code;
    department.subordination = subordinationOf(s);
    department.coSubordination = coSubordinationOf(s);
    return department;
  });

  /** Whom `inherit` gives a user of department `key` (`Department.supervisor`'s walk, on the specs). */
  const inheritedSupervisor = (key: string | null, userId: string): IspringPerson | null => {
    for (let current = key; current !== null;) {
      const s = spec(current);
      if (s.supervisor === 'none') return null;
      if (s.supervisor === 'head' && headOf(current).userId !== userId) return headOf(current);
      current = s.parent;
    }
    return null;
  };

  // Members, department by department.
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
  // Members first, the deepest departments' first (shuffled within a depth), then heads from the
  // deepest up, the CEO last: the first hundred users are people whose managers, three levels up,
  // are mostly not among them (test/subgraph/batching.test.ts relies on it).
  const depthOf = (key: string): number => {
    let depth = 0;
    for (let parent = spec(key).parent; parent !== null; parent = spec(parent).parent) depth += 1;
    return depth;
  };
  random.shuffle(members);
  members.sort((a, b) => depthOf(b.departmentKey) - depthOf(a.departmentKey));
  const headList = [...heads.values()].sort((a, b) => depthOf(b.departmentKey) - depthOf(a.departmentKey));
  const everyone = [...members, ...headList];

  // Anchors chosen among members by department, before the random traits are drawn.
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
  const anchored = new Set<IspringPerson>([...cycle, ...Object.values(special), ...pinnedHeads]);
  const departmentAdministrator = headOf('eng');
  const publishers = members.filter((m) => m.departmentKey === 'lnd').slice(1, 4);
  const customRole = [headOf('quality'), memberOf('quality', 1), memberOf('people', 0)];
  const administrators = [ceo, memberOf('ops', 0)];
  const departmentAdministrators = [
    departmentAdministrator,
    headOf('sales'),
    headOf('ops'),
    headOf('platform'),
    headOf('product'),
    headOf('finance'),
  ];
  const functionalPool = [
    headOf('people'),
    headOf('automation'),
    headOf('recruiting'),
    headOf('finance'),
    headOf('quality'),
  ];

  const statusOf = new Map<IspringPerson, number>();
  for (const member of members) {
    if (anchored.has(member)) continue;
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

  const users: IspringUserProfile[] = everyone.map((person, index) => {
    const s = spec(person.departmentKey);
    const status = statusOf.get(person) ?? 1;
    const neverLoggedIn =
      person === special.neverLoggedIn || status === 4 || (!person.isHead && random.chance(0.1));

    // Profile fields: uppercase names as in the docs, every field listed, empty ones as "".
    const login =
      person === special.loginOnly || (!person.isHead && random.chance(0.1))
        ? `${asciiWord(person.firstName).slice(0, 1)}${asciiWord(person.lastName).replace(/-/g, '')}${random.digits(2)}`
        : person.email;
    const named = person !== special.loginOnly;
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
    const fields: IspringProfileField[] = order.map((name) => ({ name, value: fieldValues[name] ?? '' }));

    const added = instant(random, 0, 1500);
    const dateTimeStyle = person === special.dateTimeAdded || random.chance(0.15);
    const addedDate =
      dateTimeStyle && person !== special.neverLoggedIn ? ispringDateTime(added) : ispringDate(added);
    const lastLogin = added + random.int(1, 400) * DAY_MS + random.int(0, 36_000) * 1000;

    // Roles.
    let role = 'learner';
    let roleId = roleIds.learner;
    let manageable: string[] | undefined;
    if (administrators.includes(person)) {
      role = 'administrator';
      roleId = roleIds.administrator;
      manageable = [departmentId('root')];
    } else if (departmentAdministrators.includes(person)) {
      role = 'department_administrator';
      roleId = roleIds.department_administrator;
      manageable = [departmentId(person.departmentKey)];
      if (person === departmentAdministrator) manageable.push(departmentId('quality'));
    } else if (publishers.includes(person)) {
      role = 'publisher';
      roleId = roleIds.publisher;
    } else if (customRole.includes(person)) {
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

    // Groups: 0 to 4; the smart "People Managers" group holds every head.
    const groupCount = [0, 0, 1, 1, 1, 2, 2, 3, 4][random.int(0, 8)] ?? 0;
    const chosen = new Set<string>();
    if (person.isHead) chosen.add('managers');
    const pool = GROUP_SPECS.filter((g) => g.key !== 'bookClub' && g.key !== 'managers');
    while (chosen.size < Math.max(groupCount, person.isHead ? 1 : 0)) chosen.add(random.pick(pool).key);
    const groups = GROUP_SPECS.filter((g) => chosen.has(g.key)).map((g) => groupId(g.key));

    const user: IspringUserProfile = {
      userId: person.userId,
      role,
      roleId,
      departmentId: departmentId(person.departmentKey),
      status,
      fields,
      addedDate,
    };
    if (!neverLoggedIn)
      user.lastLoginDate = dateTimeStyle ? ispringDateTime(lastLogin) : ispringDate(lastLogin);
    if (groups.length > 0 || random.chance(0.5)) user.groups = groups;
    if (manageable) user.manageableDepartmentIds = [...manageable];
    user.userRoles = userRoles;

    // Supervisor (subordination).
    const subordination = ((): IspringSubordination | undefined => {
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
      if (anchored.has(person)) return { subordinationType: 'inherit' };
      const r = random.next();
      if (r < 0.06) return undefined;
      if (r < 0.2 && inherited) {
        // Pinned by hand: usually the same person `inherit` gives, sometimes their boss.
        const boss = random.chance(0.3)
          ? inheritedSupervisor(inherited.departmentKey, inherited.userId)
          : null;
        return { subordinationType: 'manual', supervisorId: (boss ?? inherited).userId };
      }
      if (r < 0.22 && !person.isHead) return { subordinationType: 'no_supervisor' };
      return { subordinationType: 'inherit' };
    })();
    if (subordination) user.subordination = subordination;

    // Functional manager (coSubordination).
    const coSubordination = ((): IspringSubordination | undefined => {
      if (person === ceo) return { subordinationType: 'no_supervisor' };
      const supervisorId =
        subordination?.supervisorId ?? inheritedSupervisor(person.departmentKey, person.userId)?.userId;
      const functionalOther = () => {
        const candidates = functionalPool.filter(
          (p) => p.userId !== supervisorId && p.userId !== person.userId,
        );
        return { subordinationType: 'manual', supervisorId: random.pick(candidates).userId };
      };
      if (person === special.functional) return functionalOther();
      if (anchored.has(person)) return { subordinationType: 'inherit' };
      const r = random.next();
      if (r < 0.05) return undefined;
      if (r < 0.15) return functionalOther();
      if (r < 0.18) return { subordinationType: 'no_supervisor' };
      return { subordinationType: 'inherit' };
    })();
    if (coSubordination) user.coSubordination = coSubordination;

    if (person === special.onLeave || (!person.isHead && random.chance(0.02))) {
      const start = lastLogin + random.int(1, 30) * DAY_MS;
      user.workLeaveStatus = {
        workLeaveReason: random.pick(['OnVacation', 'SickLeave', 'ParentalLeave', 'BusinessTrip']),
        startDate: ispringDate(start),
        endDate: ispringDate(start + random.int(3, 90) * DAY_MS),
      };
      if (person === special.onLeave) user.workLeaveStatus.workLeaveReason = 'ParentalLeave';
    }
    if (random.chance(0.4)) user.securityPolicyAcceptanceDate = ispringDateTime(added + DAY_MS);
    if (random.chance(0.3)) user.privacyPolicyConsentAcceptanceDate = ispringDateTime(added + 2 * DAY_MS);
    return user;
  });

  const groups: IspringGroup[] = GROUP_SPECS.map((g) => ({
    groupId: groupId(g.key),
    name: g.name,
    isSmart: g.isSmart,
  }));

  const anchors: DemoAnchors['ispring'] = {
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

  // Shared with Thrive: named members (not the login-only one), active or not.
  const shareable = members.filter((m) => m !== special.loginOnly);
  return { users, departments, groups, shareable, anchors };
}

// ---------------------------------------------------------------------------------------------
// Thrive: audiences and positions

interface AudienceSpec {
  readonly key: string;
  readonly name: string;
  readonly reference: string;
  readonly parent: string | null;
  readonly type: 'smart' | 'manual';
  readonly apiControlled: boolean;
  /** An organisational unit people hold positions in (smart audiences are not). */
  readonly unit: boolean;
}

const AUDIENCE_SPECS: readonly AudienceSpec[] = [
  aud('headOffice', 'Head Office', 'structure-head-office', null, 'manual', true),
  aud('retail', 'Retail', 'structure-retail', null, 'manual', true),
  aud('logistics', 'Logistics', 'structure-logistics', null, 'manual', false),
  aud('technology', 'Technology', 'structure-technology', null, 'manual', true),
  aud('service', 'Customer Service', 'structure-customer-service', null, 'smart', false),
  aud('contractors', 'Contractors', 'structure-contractors', null, 'manual', false),
  aud('finance', 'Finance', 'ho-finance', 'headOffice', 'manual', true),
  aud('peopleCulture', 'People & Culture', 'ho-people-culture', 'headOffice', 'manual', true),
  aud('legal', 'Legal', 'ho-legal', 'headOffice', 'manual', true),
  aud('newStarters', 'New Starters', 'ho-new-starters', 'headOffice', 'smart', false, false),
  aud('london', 'London Stores', 'retail-london', 'retail', 'manual', true),
  aud('manchester', 'Manchester Stores', 'retail-manchester', 'retail', 'manual', true),
  aud('storeManagers', 'Store Managers', 'retail-store-managers', 'retail', 'smart', false, false),
  aud('warehouse', 'Warehouse North', 'logistics-warehouse-north', 'logistics', 'manual', false),
  aud('fleet', 'Fleet', 'logistics-fleet', 'logistics', 'manual', false),
  aud('engineering', 'Engineering', 'tech-engineering', 'technology', 'manual', true),
  aud('dataAnalytics', 'Data & Analytics', 'tech-data-analytics', 'technology', 'manual', true),
  aud('itSupport', 'IT Support', 'tech-it-support', 'technology', 'manual', true),
  aud('tier1', 'Tier 1 Support', 'cs-tier-1', 'service', 'manual', false),
  aud('tier2', 'Tier 2 Support', 'cs-tier-2', 'service', 'manual', false),
];

function aud(
  key: string,
  name: string,
  reference: string,
  parent: string | null,
  type: 'smart' | 'manual',
  apiControlled: boolean,
  unit = true,
): AudienceSpec {
  return { key, name, reference, parent, type, apiControlled, unit };
}

const DIRECTOR_TITLES: Readonly<Record<string, string>> = {
  headOffice: 'Chief Operating Officer',
  retail: 'Retail Director',
  logistics: 'Logistics Director',
  technology: 'Chief Technology Officer',
  service: 'Customer Service Director',
};

const STAFF_TITLES: Readonly<Record<string, readonly string[]>> = {
  finance: ['Accountant', 'Payroll Specialist'],
  peopleCulture: ['HR Advisor', 'Learning Coordinator'],
  legal: ['Paralegal', 'Legal Counsel'],
  london: ['Sales Assistant', 'Visual Merchandiser'],
  manchester: ['Sales Assistant', 'Stock Controller'],
  warehouse: ['Warehouse Operative', 'Forklift Driver'],
  fleet: ['HGV Driver', 'Fleet Planner'],
  engineering: ['Software Engineer', 'QA Engineer'],
  dataAnalytics: ['Data Analyst', 'Data Engineer'],
  itSupport: ['Service Desk Analyst', 'Systems Administrator'],
  tier1: ['Customer Advisor'],
  tier2: ['Senior Customer Advisor', 'Technical Support Specialist'],
};

interface ThriveResult {
  users: ThriveUser[];
  audiences: ThriveAudience[];
  audienceManagers: ThriveAudienceManagerSeed[];
  anchors: DemoAnchors['thrive'];
  sharedEmail: DemoAnchors['sharedEmail'];
}

type ThriveLevel = 'ceo' | 'director' | 'manager' | 'lead' | 'staff' | 'contractor';

interface ThrivePerson extends Person {
  id: string;
  level: ThriveLevel;
  /** The audience key of the unit of their primary position. */
  unit: string;
  title: string;
  managerId: string | null;
  ispringId: string | undefined;
}

function generateThrive(random: Random, ids: Ids, people: People, shared: IspringPerson[]): ThriveResult {
  const audienceIds = new Map(AUDIENCE_SPECS.map((a) => [a.key, ids.objectId()]));
  const audienceId = (key: string): string => audienceIds.get(key)!;
  const audienceSpec = new Map(AUDIENCE_SPECS.map((a) => [a.key, a]));

  const audiences: ThriveAudience[] = AUDIENCE_SPECS.map((a) => {
    const created = instant(random, 0, 300);
    const audience: ThriveAudience = {
      id: audienceId(a.key),
      name: a.name,
      reference: a.reference,
      apiControlled: a.apiControlled,
      category: a.parent === null ? 'structure' : 'audience',
      type: a.type,
    };
    if (a.parent !== null) {
      const parent = audienceSpec.get(a.parent)!;
      audience.parent = { name: parent.name, reference: parent.reference, id: audienceId(parent.key) };
    } else if (a.key === 'contractors') {
      // "Otherwise absent or null": one structure says null.
      audience.parent = null;
    }
    audience.createdAt = thriveDate(created);
    audience.updatedAt = thriveDate(created + random.int(0, 700) * DAY_MS);
    return audience;
  });

  // People: the shared ones keep their names and email; the rest are Thrive-only.
  const persons: Array<Person & { ispringId: string | undefined }> = [
    ...shared.map((p) => ({
      firstName: p.firstName,
      lastName: p.lastName,
      email: p.email,
      ispringId: p.userId,
    })),
    ...Array.from({ length: THRIVE_ONLY_PEOPLE }, () => ({ ...people.next(), ispringId: undefined })),
  ];
  random.shuffle(persons);
  let nextPerson = 0;
  const take = (level: ThriveLevel, unit: string, title: string, managerId: string | null): ThrivePerson => {
    const person = at(persons, nextPerson);
    nextPerson += 1;
    return { ...person, id: ids.objectId(), level, unit, title, managerId };
  };

  const units = AUDIENCE_SPECS.filter((a) => a.parent !== null && a.unit);
  const ceo = take('ceo', 'headOffice', 'Chief Executive Officer', null);
  const directors = new Map<string, ThrivePerson>();
  for (const [key, title] of Object.entries(DIRECTOR_TITLES))
    directors.set(key, take('director', key, title, ceo.id));
  const managers = new Map<string, ThrivePerson>();
  for (const unit of units) {
    const director = directors.get(unit.parent!)!;
    managers.set(unit.key, take('manager', unit.key, `${unit.name} Manager`, director.id));
  }
  const leads = new Map<string, ThrivePerson[]>();
  for (const unit of units) {
    const manager = managers.get(unit.key)!;
    leads.set(unit.key, [
      take('lead', unit.key, `${unit.name} Team Lead`, manager.id),
      take('lead', unit.key, `Senior ${unit.name} Team Lead`, manager.id),
    ]);
  }
  const contractors = [
    take('contractor', 'contractors', 'Interim Programme Director', null),
    take('contractor', 'contractors', 'Interim Delivery Lead', null),
    take('contractor', 'contractors', 'Freelance Trainer', null),
    take('contractor', 'contractors', 'Freelance Designer', null),
  ];
  // The cycle: each is the other's manager.
  contractors[0]!.managerId = contractors[1]!.id;
  contractors[1]!.managerId = contractors[0]!.id;
  const staff: ThrivePerson[] = [];
  for (let i = 0; nextPerson < persons.length; i += 1) {
    const unit = at(units, i % units.length);
    const lead = random.pick(leads.get(unit.key)!);
    staff.push(take('staff', unit.key, random.pick(STAFF_TITLES[unit.key] ?? ['Associate']), lead.id));
  }
  // Staff first, then leads, managers, directors and the CEO (see the iSpring order).
  const leadList = [...leads.values()].flat();
  const everyone: ThrivePerson[] = [
    ...staff,
    ...contractors,
    ...leadList,
    ...managers.values(),
    ...directors.values(),
    ceo,
  ];
  const byId = new Map(everyone.map((p) => [p.id, p]));

  // Who gets which special shape.
  const pickStaff = (n: number) => at(staff, n);
  const missingManagerId = ids.objectId();
  const unknownOuId = ids.objectId();
  const special = {
    multiPosition: pickStaff(0),
    inactiveFirst: pickStaff(1),
    deleted: pickStaff(2),
    stringAudiences: pickStaff(3),
    objectAudiences: pickStaff(4),
    nullOu: pickStaff(5),
    absentOu: pickStaff(6),
    unknownOu: pickStaff(7),
    dangling: pickStaff(8),
    managerWithName: pickStaff(9),
    newUser: pickStaff(10),
    inactive: pickStaff(11),
    expired: pickStaff(12),
    deep: pickStaff(13),
    noRef: pickStaff(14),
    noEmail: pickStaff(15),
    nullAdditionalFields: pickStaff(16),
  };
  special.dangling.managerId = missingManagerId;
  const sharedPerson = staff.find((p, index) => index > 20 && p.ispringId !== undefined)!;

  const statusOf = new Map<ThrivePerson, { status: string; deleted: boolean }>();
  const others = staff.filter((p) => !Object.values(special).includes(p) && p !== sharedPerson);
  const assign = (count: number, status: string, deleted = false) => {
    for (let i = 0; i < count; i += 1) {
      const person = others.splice(random.int(0, others.length - 1), 1)[0]!;
      statusOf.set(person, { status, deleted });
    }
  };
  assign(7, 'new');
  assign(7, 'inactive');
  assign(4, 'expired');
  assign(2, 'inactive', true);
  assign(1, 'active', true);
  statusOf.set(special.newUser, { status: 'new', deleted: false });
  statusOf.set(special.inactive, { status: 'inactive', deleted: false });
  statusOf.set(special.expired, { status: 'expired', deleted: false });
  statusOf.set(special.deleted, { status: 'active', deleted: true });

  // Several positions: ≥ 15 people beyond the anchors.
  type Shape = 'twoActive' | 'inactiveFirst' | 'activeThenInactive' | 'three' | 'allInactive';
  const shapes = new Map<ThrivePerson, Shape>([
    [special.multiPosition, 'three'],
    [special.inactiveFirst, 'inactiveFirst'],
    [special.expired, 'allInactive'],
  ]);
  for (const [person, state] of statusOf) if (state.status === 'expired') shapes.set(person, 'allInactive');
  const plain = others.filter((p) => !statusOf.has(p));
  const shapePlan: Shape[] = [
    ...Array<Shape>(6).fill('twoActive'),
    ...Array<Shape>(5).fill('inactiveFirst'),
    ...Array<Shape>(4).fill('activeThenInactive'),
    ...Array<Shape>(2).fill('three'),
  ];
  for (const shape of shapePlan) shapes.set(plain.splice(random.int(0, plain.length - 1), 1)[0]!, shape);
  for (const lead of leadList.slice(0, 3)) shapes.set(lead, 'twoActive');

  // Documented variant (strings, currentRank, nested tags) or observed one (objects, currentLevel).
  const observedVariant = (person: ThrivePerson): boolean =>
    person === special.objectAudiences
      ? true
      : person === special.stringAudiences
        ? false
        : random.chance(0.5);

  const otherUnitLead = (unit: string): ThrivePerson => {
    const candidates = units.filter((u) => u.key !== unit);
    return random.pick(leads.get(random.pick(candidates).key)!);
  };

  const users: ThriveUser[] = everyone.map((person) => {
    const observed = observedVariant(person);
    const { status, deleted } = statusOf.get(person) ?? { status: 'active', deleted: false };
    const created = instant(random, 100, 1400);
    const updated = created + random.int(1, 300) * DAY_MS;

    const managerRef = (managerId: string | null): ThriveUserPosition['manager'] => {
      if (managerId === null) return null;
      const manager = byId.get(managerId);
      if (manager && (person === special.managerWithName || random.chance(0.2))) {
        return { id: managerId, name: `${manager.firstName} ${manager.lastName}`, ref: refOf(manager) };
      }
      return { id: managerId };
    };
    const ouFor = (unit: string): { ouId?: string | null } => {
      if (person === special.nullOu) return { ouId: null };
      if (person === special.absentOu) return {};
      if (person === special.unknownOu) return { ouId: unknownOuId };
      const r = random.next();
      if (r < 0.03) return { ouId: null };
      if (r < 0.06) return {};
      return { ouId: audienceId(unit) };
    };
    const position = (
      managerId: string | null,
      unit: string,
      title: string,
      active: boolean,
      startMs: number,
    ): ThriveUserPosition => {
      const endMs = active ? null : startMs + random.int(60, 500) * DAY_MS;
      const out: ThriveUserPosition = {
        id: observed ? ids.objectId() : person.id,
        manager: managerRef(managerId),
      };
      Object.assign(out, ouFor(unit));
      if (observed) out.title = title;
      out.isActive = active;
      out.startDate = thriveDate(startMs);
      if (endMs !== null || !observed) out.endDate = endMs === null ? null : thriveDate(endMs);
      out.createdAt = thriveDate(startMs);
      out.updatedAt = thriveDate(endMs ?? startMs + random.int(0, 200) * DAY_MS);
      return out;
    };
    const start = created;
    const primary = (active: boolean) => position(person.managerId, person.unit, person.title, active, start);
    const secondary = (active: boolean) => {
      const lead = otherUnitLead(person.unit);
      const title = random.pick(STAFF_TITLES[lead.unit] ?? ['Associate']);
      return position(lead.id, lead.unit, title, active, start + random.int(10, 200) * DAY_MS);
    };
    const earlier = () => {
      const lead = otherUnitLead(person.unit);
      return position(
        lead.id,
        lead.unit,
        `Junior ${person.title}`,
        false,
        start - random.int(400, 900) * DAY_MS,
      );
    };
    const shape = shapes.get(person);
    const positions: ThriveUserPosition[] =
      shape === 'twoActive'
        ? [primary(true), secondary(true)]
        : shape === 'inactiveFirst'
          ? [earlier(), primary(true)]
          : shape === 'activeThenInactive'
            ? [primary(true), earlier()]
            : shape === 'three'
              ? [primary(true), secondary(true), earlier()]
              : shape === 'allInactive'
                ? [primary(false), earlier()]
                : [primary(status !== 'expired')];

    // Audiences: the units of active positions, their structures, and smart ones.
    const audienceKeys = new Set<string>();
    if (status !== 'new') {
      for (const p of positions) {
        if (p.isActive === false || !p.ouId) continue;
        const key = AUDIENCE_SPECS.find((a) => audienceId(a.key) === p.ouId)?.key;
        if (!key) continue;
        audienceKeys.add(key);
        const parent = audienceSpec.get(key)?.parent;
        if (parent) audienceKeys.add(parent);
      }
      if (person.level === 'manager' && person.unit && audienceSpec.get(person.unit)?.parent === 'retail') {
        audienceKeys.add('storeManagers');
      }
    } else {
      audienceKeys.add('newStarters');
    }
    const audienceList = AUDIENCE_SPECS.filter((a) => audienceKeys.has(a.key)).map((a) => audienceId(a.key));
    const audiencesValue: ThriveUser['audiences'] =
      person === special.newUser
        ? []
        : person === special.nullAdditionalFields
          ? null
          : observed
            ? audienceList.map((id) => ({ id }))
            : audienceList;

    const neverLoggedIn = status === 'new';
    const firstLogin = created + random.int(0, 20) * DAY_MS;
    const lastLogin = firstLogin + random.int(0, 600) * DAY_MS;
    const unitName = audienceSpec.get(person.unit)?.name ?? 'Head Office';

    const user: ThriveUser = {
      id: person.id,
      ref: person === special.noRef ? null : refOf(person),
      firstName: person.firstName,
      lastName: person.lastName,
      email: person === special.noEmail ? null : person.email,
      role:
        person.level === 'ceo'
          ? 'administrator'
          : person.level === 'director' || person.level === 'manager'
            ? 'learneradmin'
            : 'learner',
      status,
      positions,
      additionalFields:
        person === special.nullAdditionalFields || (person.level === 'staff' && random.chance(0.05))
          ? null
          : {
              location: random.pick(['London', 'Manchester', 'Leeds', 'Remote', 'Bristol']),
              department: unitName,
              team: `${unitName} ${random.pick(['A', 'B', 'C'])}`,
              employmenttype:
                person.level === 'contractor' ? 'Contractor' : random.pick(['Full time', 'Part time']),
              onleave: random.chance(0.05) ? 'true' : 'false',
            },
      languageCode: random.chance(0.08)
        ? null
        : random.pick(['en-gb', 'en-gb', 'en-gb', 'en-us', 'fr-fr', 'de-de']),
      deleted,
      compliance: random.int(0, 100),
      level: random.int(0, 12),
      firstLogin: neverLoggedIn ? null : thriveDate(firstLogin),
      lastLogin: neverLoggedIn ? null : thriveDate(lastLogin),
    };
    const skills = Array.from({ length: random.int(0, 3) }, () =>
      random.pick(['Negotiation', 'Excel', 'Coaching', 'TypeScript', 'First Aid', 'Forklift']),
    );
    const following = Array.from({ length: random.int(0, 2) }, () => random.pick(everyone).id);
    if (observed) {
      user.tags = { skills };
      user.usersFollowing = following;
      user.tagsFollowing = [];
    } else {
      user.tags = { skills, usersFollowing: following, tagsFollowing: [] };
    }
    user.createdAt = thriveDate(created);
    user.updatedAt = thriveDate(updated);
    user.hasPicture = random.chance(0.4);
    user.timeZone = random.chance(0.1)
      ? null
      : random.pick(['Europe/London', 'Europe/London', 'Europe/Paris', 'America/New_York']);
    user.summary = random.chance(0.8) ? null : `${person.title} in ${unitName}.`;
    if (!observed) user.relevancy = random.int(0, 100);
    user.rank = random.chance(0.1)
      ? null
      : observed
        ? { currentCategory: random.int(1, 5), currentLevel: random.int(1, 10) }
        : { currentCategory: random.pick(['Bronze', 'Silver', 'Gold']), currentRank: random.int(1, 10) };
    user.agreedTerms = neverLoggedIn ? null : observed ? thriveDate(firstLogin) : true;
    user.onboarded = neverLoggedIn ? false : random.chance(0.9);
    user.audiences = audiencesValue;
    user.singleSignOn = random.chance(0.6);
    return user;
  });

  // Audience managers: directors administer their structures; unit managers manage their units.
  const permissions = (administrator: boolean): ThriveAudienceManagerPermissions => ({
    audienceManager: { manageContent: true, assignments: true },
    peopleManager: { canViewLearnPage: true, insights: true, manage: !administrator || random.chance(0.5) },
    ...(administrator ? { administrator: { canAddAudienceManagers: true } } : {}),
  });
  const audienceManagers: ThriveAudienceManagerSeed[] = [];
  for (const [key, director] of directors) {
    audienceManagers.push({
      audienceId: audienceId(key),
      userId: director.id,
      permissions: permissions(true),
    });
  }
  for (const [key, manager] of managers) {
    audienceManagers.push({
      audienceId: audienceId(key),
      userId: manager.id,
      permissions: permissions(false),
    });
    if (random.chance(0.3)) {
      audienceManagers.push({
        audienceId: audienceId(key),
        userId: at(leads.get(key)!, 0).id,
        permissions: permissions(false),
      });
    }
  }
  audienceManagers.push({
    audienceId: audienceId('newStarters'),
    userId: managers.get('peopleCulture')!.id,
    permissions: permissions(false),
  });
  audienceManagers.push({
    audienceId: audienceId('storeManagers'),
    userId: directors.get('retail')!.id,
    permissions: permissions(false),
  });

  const anchors: DemoAnchors['thrive'] = {
    ceo: ceo.id,
    multiPosition: special.multiPosition.id,
    inactiveFirstPosition: special.inactiveFirst.id,
    cycle: [contractors[0]!.id, contractors[1]!.id],
    deleted: special.deleted.id,
    stringAudiences: special.stringAudiences.id,
    objectAudiences: special.objectAudiences.id,
    nullOu: special.nullOu.id,
    absentOu: special.absentOu.id,
    unknownOu: special.unknownOu.id,
    unknownOuId,
    danglingManager: special.dangling.id,
    missingManagerId,
    managerWithName: special.managerWithName.id,
    newUser: special.newUser.id,
    inactive: special.inactive.id,
    expired: special.expired.id,
    deepUser: special.deep.id,
    noRef: special.noRef.id,
    noEmail: special.noEmail.id,
    nullAdditionalFields: special.nullAdditionalFields.id,
    userRef: refOf(special.deep),
    structure: audienceId('technology'),
    childAudience: audienceId('engineering'),
    childAudienceReference: audienceSpec.get('engineering')!.reference,
    smartAudience: audienceId('storeManagers'),
    unmanagedAudience: audienceId('contractors'),
  };
  return {
    users,
    audiences,
    audienceManagers,
    anchors,
    sharedEmail: { email: sharedPerson.email, thriveId: sharedPerson.id, ispringId: sharedPerson.ispringId! },
  };
}

/** A stable employee ref from the id, like the docs' `xyzabc` but readable. */
function refOf(person: { id: string }): string {
  return `EMP-${person.id.slice(-6).toUpperCase()}`;
}

// ---------------------------------------------------------------------------------------------

function generate(): { organisation: DemoOrganisation; anchors: DemoAnchors } {
  const random = new Random(SEED);
  const ids = new Ids(random);
  const people = new People(random);
  const ispring = generateIspring(random, ids, people);
  // Every third shareable member, then the rest in order, until there are enough.
  const candidates = ispring.shareable;
  const shared = [
    ...candidates.filter((_, i) => i % 3 === 1),
    ...candidates.filter((_, i) => i % 3 !== 1),
  ].slice(0, SHARED_PEOPLE);
  const thrive = generateThrive(random, ids, people, shared);
  return {
    organisation: {
      thrive: { users: thrive.users, audiences: thrive.audiences, audienceManagers: thrive.audienceManagers },
      ispring: { users: ispring.users, departments: ispring.departments, groups: ispring.groups },
    },
    anchors: { ispring: ispring.anchors, thrive: thrive.anchors, sharedEmail: thrive.sharedEmail },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The anchors of `createDemoOrganisation()`'s data (the same on every call). */
export const DEMO: DemoAnchors = deepFreeze(generate().anchors);
