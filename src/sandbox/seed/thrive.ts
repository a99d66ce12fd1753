import type { ThriveAudience, ThriveUser, ThriveUserPosition } from '../../providers/thrive/wire.js';
import type { DemoAnchors } from './anchors.js';
import type { IspringPerson } from './ispring.js';
import type { ThriveAudienceManagerPermissions, ThriveAudienceManagerSeed } from './organisation.js';
import { DAY_MS, instant, thriveDate, type People, type Person } from './people.js';
import { at, type Ids, type Random } from './random.js';
import { AUDIENCE_SPECS, DIRECTOR_TITLES, STAFF_TITLES, type AudienceSpec } from './thrive-specs.js';

/**
 * Thrive Learning's side of the demo organisation: the audiences, the users with their positions
 * (a CEO, directors, unit managers, team leads, staff and contractors) and the audience managers.
 * The steps draw from the one PRNG in a fixed order (audiences, people, the org chart, statuses,
 * position shapes, then user by user, then audience managers), so the organisation is the same on
 * every call; test/sandbox/seed.test.ts checks what it must hold.
 */

/** Thrive users besides the shared people. */
const THRIVE_ONLY_PEOPLE = 110;

export interface ThriveResult {
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

/** `shared`: the people in iSpring too, who keep their names and email. */
export function generateThrive(
  random: Random,
  ids: Ids,
  people: People,
  shared: readonly IspringPerson[],
): ThriveResult {
  const catalogue = thriveAudiences(random, ids);
  const chart = staffTheOrganisation(random, ids, thrivePeople(random, people, shared));
  const cast = castAnchors(ids, chart);
  const { statusOf, others } = drawStatuses(random, chart.staff, cast);
  const shapes = drawPositionShapes(random, statusOf, others, cast, chart.leadList);
  const context: UserContext = { random, ids, catalogue, chart, cast, statusOf, shapes };
  const users = chart.everyone.map((person) => thriveUser(person, context));
  const audienceManagers = audienceManagersOf(random, chart, catalogue.audienceId);
  const { sharedPerson } = cast;
  return {
    users,
    audiences: catalogue.audiences,
    audienceManagers,
    anchors: thriveAnchors(chart, cast, catalogue),
    sharedEmail: { email: sharedPerson.email, thriveId: sharedPerson.id, ispringId: sharedPerson.ispringId! },
  };
}

/** A stable employee ref from the id, like the docs' `xyzabc` but readable. */
function refOf(person: { id: string }): string {
  return `EMP-${person.id.slice(-6).toUpperCase()}`;
}

// ---------------------------------------------------------------------------------------------
// Audiences, people and the org chart

interface Catalogue {
  readonly audiences: ThriveAudience[];
  audienceId(key: string): string;
  readonly audienceSpec: ReadonlyMap<string, AudienceSpec>;
}

/** Every audience's id first, then each audience's dates. */
function thriveAudiences(random: Random, ids: Ids): Catalogue {
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
  return { audiences, audienceId, audienceSpec };
}

type Newcomer = Person & { ispringId: string | undefined };

/** People: the shared ones keep their names and email; the rest are Thrive-only. Shuffled. */
function thrivePeople(random: Random, people: People, shared: readonly IspringPerson[]): Newcomer[] {
  const persons: Newcomer[] = [
    ...shared.map((p) => ({
      firstName: p.firstName,
      lastName: p.lastName,
      email: p.email,
      ispringId: p.userId,
    })),
    ...Array.from({ length: THRIVE_ONLY_PEOPLE }, () => ({ ...people.next(), ispringId: undefined })),
  ];
  random.shuffle(persons);
  return persons;
}

/** Who is where: one person per post, top down, then staff spread over the units. */
interface OrgChart {
  /** The audiences people hold positions in. */
  readonly units: readonly AudienceSpec[];
  readonly ceo: ThrivePerson;
  /** By structure. */
  readonly directors: ReadonlyMap<string, ThrivePerson>;
  /** By unit. */
  readonly managers: ReadonlyMap<string, ThrivePerson>;
  /** Two per unit. */
  readonly leads: ReadonlyMap<string, readonly ThrivePerson[]>;
  readonly leadList: readonly ThrivePerson[];
  /** The first two are each other's manager. */
  readonly contractors: readonly ThrivePerson[];
  readonly staff: readonly ThrivePerson[];
  /** Staff first, then leads, managers, directors and the CEO (see the iSpring order). */
  readonly everyone: readonly ThrivePerson[];
  readonly byId: ReadonlyMap<string, ThrivePerson>;
}

function staffTheOrganisation(random: Random, ids: Ids, persons: readonly Newcomer[]): OrgChart {
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
  return { units, ceo, directors, managers, leads, leadList, contractors, staff, everyone, byId };
}

// ---------------------------------------------------------------------------------------------
// Who plays which part, statuses and positions

/** Who gets which special shape: staff by position in the list, and ids that match nothing. */
interface Cast {
  readonly special: {
    readonly multiPosition: ThrivePerson;
    readonly inactiveFirst: ThrivePerson;
    readonly deleted: ThrivePerson;
    readonly stringAudiences: ThrivePerson;
    readonly objectAudiences: ThrivePerson;
    readonly nullOu: ThrivePerson;
    readonly absentOu: ThrivePerson;
    readonly unknownOu: ThrivePerson;
    readonly dangling: ThrivePerson;
    readonly managerWithName: ThrivePerson;
    readonly newUser: ThrivePerson;
    readonly inactive: ThrivePerson;
    readonly expired: ThrivePerson;
    readonly deep: ThrivePerson;
    readonly noRef: ThrivePerson;
    readonly noEmail: ThrivePerson;
    readonly nullAdditionalFields: ThrivePerson;
  };
  /** A staff member in iSpring too, for `sharedEmail`. */
  readonly sharedPerson: ThrivePerson;
  /** The manager id of `special.dangling`: no user has it. */
  readonly missingManagerId: string;
  /** The `ouId` of `special.unknownOu`: no audience has it. */
  readonly unknownOuId: string;
}

function castAnchors(ids: Ids, { staff }: OrgChart): Cast {
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
  return { special, sharedPerson, missingManagerId, unknownOuId };
}

interface Status {
  readonly status: string;
  readonly deleted: boolean;
}

/**
 * Statuses other than active (and `deleted`), drawn among the staff who play no part; set for
 * those who do. `others` is what is left of that staff, for the position shapes.
 */
function drawStatuses(
  random: Random,
  staff: readonly ThrivePerson[],
  { special, sharedPerson }: Cast,
): { statusOf: Map<ThrivePerson, Status>; others: ThrivePerson[] } {
  const statusOf = new Map<ThrivePerson, Status>();
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
  return { statusOf, others };
}

type Shape = 'twoActive' | 'inactiveFirst' | 'activeThenInactive' | 'three' | 'allInactive';

/** Several positions: ≥ 15 people beyond the anchors. */
function drawPositionShapes(
  random: Random,
  statusOf: ReadonlyMap<ThrivePerson, Status>,
  others: readonly ThrivePerson[],
  { special }: Cast,
  leadList: readonly ThrivePerson[],
): Map<ThrivePerson, Shape> {
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
  return shapes;
}

// ---------------------------------------------------------------------------------------------
// Users, one by one

interface UserContext {
  readonly random: Random;
  readonly ids: Ids;
  readonly catalogue: Catalogue;
  readonly chart: OrgChart;
  readonly cast: Cast;
  readonly statusOf: ReadonlyMap<ThrivePerson, Status>;
  readonly shapes: ReadonlyMap<ThrivePerson, Shape>;
}

/** A user; the draws happen in the order of the steps below, so keep it. */
function thriveUser(person: ThrivePerson, context: UserContext): ThriveUser {
  const { random, cast } = context;
  const { special } = cast;
  // Documented variant (strings, currentRank, nested tags) or observed one (objects, currentLevel).
  const observed =
    person === special.objectAudiences
      ? true
      : person === special.stringAudiences
        ? false
        : random.chance(0.5);
  const { status, deleted } = context.statusOf.get(person) ?? { status: 'active', deleted: false };
  const created = instant(random, 100, 1400);
  const updated = created + random.int(1, 300) * DAY_MS;
  const positions = positionsOf(person, observed, status, created, context);
  const audiences = audiencesOf(person, positions, status, observed, context);

  const neverLoggedIn = status === 'new';
  const firstLogin = created + random.int(0, 20) * DAY_MS;
  const lastLogin = firstLogin + random.int(0, 600) * DAY_MS;
  const unitName = context.catalogue.audienceSpec.get(person.unit)?.name ?? 'Head Office';
  const additionalFields = additionalFieldsOf(person, unitName, context);
  const languageCode = random.chance(0.08)
    ? null
    : random.pick(['en-gb', 'en-gb', 'en-gb', 'en-us', 'fr-fr', 'de-de']);
  const compliance = random.int(0, 100);
  const level = random.int(0, 12);

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
    additionalFields,
    languageCode,
    deleted,
    compliance,
    level,
    firstLogin: neverLoggedIn ? null : thriveDate(firstLogin),
    lastLogin: neverLoggedIn ? null : thriveDate(lastLogin),
  };
  addTags(user, observed, context);
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
  user.audiences = audiences;
  user.singleSignOn = random.chance(0.6);
  return user;
}

/** The positions of the person's shape: the primary one, and one in another unit or an earlier one. */
function positionsOf(
  person: ThrivePerson,
  observed: boolean,
  status: string,
  start: number,
  context: UserContext,
): ThriveUserPosition[] {
  const { random, chart } = context;
  const position = positionWriter(person, observed, context);
  const otherUnitLead = (unit: string): ThrivePerson => {
    const candidates = chart.units.filter((u) => u.key !== unit);
    return random.pick(chart.leads.get(random.pick(candidates).key)!);
  };
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
  const shape = context.shapes.get(person);
  return shape === 'twoActive'
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
}

/** Writes one position of `person`, in the documented or the observed variant. */
function positionWriter(
  person: ThrivePerson,
  observed: boolean,
  { random, ids, catalogue, chart, cast }: UserContext,
): (
  managerId: string | null,
  unit: string,
  title: string,
  active: boolean,
  startMs: number,
) => ThriveUserPosition {
  const { special } = cast;
  const managerRef = (managerId: string | null): ThriveUserPosition['manager'] => {
    if (managerId === null) return null;
    const manager = chart.byId.get(managerId);
    if (manager && (person === special.managerWithName || random.chance(0.2))) {
      return { id: managerId, name: `${manager.firstName} ${manager.lastName}`, ref: refOf(manager) };
    }
    return { id: managerId };
  };
  const ouFor = (unit: string): { ouId?: string | null } => {
    if (person === special.nullOu) return { ouId: null };
    if (person === special.absentOu) return {};
    if (person === special.unknownOu) return { ouId: cast.unknownOuId };
    const r = random.next();
    if (r < 0.03) return { ouId: null };
    if (r < 0.06) return {};
    return { ouId: catalogue.audienceId(unit) };
  };
  return (managerId, unit, title, active, startMs) => {
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
}

/** Audiences: the units of active positions, their structures, and smart ones. */
function audiencesOf(
  person: ThrivePerson,
  positions: readonly ThriveUserPosition[],
  status: string,
  observed: boolean,
  { catalogue, cast }: UserContext,
): ThriveUser['audiences'] {
  const { audienceId, audienceSpec } = catalogue;
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
  return person === cast.special.newUser
    ? []
    : person === cast.special.nullAdditionalFields
      ? null
      : observed
        ? audienceList.map((id) => ({ id }))
        : audienceList;
}

function additionalFieldsOf(
  person: ThrivePerson,
  unitName: string,
  { random, cast }: UserContext,
): ThriveUser['additionalFields'] {
  return person === cast.special.nullAdditionalFields || (person.level === 'staff' && random.chance(0.05))
    ? null
    : {
        location: random.pick(['London', 'Manchester', 'Leeds', 'Remote', 'Bristol']),
        department: unitName,
        team: `${unitName} ${random.pick(['A', 'B', 'C'])}`,
        employmenttype:
          person.level === 'contractor' ? 'Contractor' : random.pick(['Full time', 'Part time']),
        onleave: random.chance(0.05) ? 'true' : 'false',
      };
}

/** Skills and whom they follow: nested in `tags` (documented) or beside it (observed). */
function addTags(user: ThriveUser, observed: boolean, { random, chart }: UserContext): void {
  const skills = Array.from({ length: random.int(0, 3) }, () =>
    random.pick(['Negotiation', 'Excel', 'Coaching', 'TypeScript', 'First Aid', 'Forklift']),
  );
  const following = Array.from({ length: random.int(0, 2) }, () => random.pick(chart.everyone).id);
  if (observed) {
    user.tags = { skills };
    user.usersFollowing = following;
    user.tagsFollowing = [];
  } else {
    user.tags = { skills, usersFollowing: following, tagsFollowing: [] };
  }
}

// ---------------------------------------------------------------------------------------------

/** Audience managers: directors administer their structures; unit managers manage their units. */
function audienceManagersOf(
  random: Random,
  { directors, managers, leads }: OrgChart,
  audienceId: (key: string) => string,
): ThriveAudienceManagerSeed[] {
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
  return audienceManagers;
}

function thriveAnchors(
  { ceo, contractors }: OrgChart,
  { special, missingManagerId, unknownOuId }: Cast,
  { audienceId, audienceSpec }: Catalogue,
): DemoAnchors['thrive'] {
  return {
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
}
