import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInMemoryDirectory } from '../../src/dev/bench/directory.ts';
import { createPlainDirectory } from '../../src/dev/bench/plain-directory.ts';
import { DirectoryIndex, type UserFilter, type UserSearchResult } from '../../src/directory/index-store.ts';
import { PersonIds, personIdKey } from '../../src/directory/person-ids.ts';
import {
  foldForSearch,
  idOfOrderKey,
  normaliseEmail,
  orderKey,
  personEmailOf,
} from '../../src/directory/text.ts';
import { resolveManagerRule } from '../../src/manager-walk.ts';
import { NO_MANAGER, type DepartmentModel, type GroupModel, type UserModel } from '../../src/models.ts';
import { createDemoOrganisation } from '../../src/sandbox/seed/index.ts';

/**
 * The directory index over the whole demo organisation (the sandbox's, mapped through the
 * providers' own mappers): the invariants of README "The directory" for every user, department and
 * group, search folding and ranking, and that an index changed step by step equals one built from
 * scratch with the same records.
 */

const idsOf = (result: UserSearchResult): readonly string[] =>
  result.ranked ? result.ids : result.sortKeys.map(idOfOrderKey);

const organisation = createDemoOrganisation();
const model = createInMemoryDirectory(organisation);
const users = [...model.users.values()];
const departments = [...model.departments.values()];
const groups = [...model.groups.values()];
const byProvider = <T extends { provider: string }>(items: readonly T[], provider: string) =>
  items.filter((item) => item.provider === provider);

const personIds = new PersonIds(personIdKey('index-store test key', []));

function buildIndex(userList: readonly UserModel[] = users): DirectoryIndex {
  const index = new DirectoryIndex({ personIdOf: (email) => personIds.idOf(email) });
  for (const provider of ['thrive', 'ispring'] as const) {
    index.replaceCatalog(provider, byProvider(departments, provider), byProvider(groups, provider));
  }
  index.putUsers(userList, 1);
  return index;
}

/** The manager `User.manager` gives (the loaders' asynchronous walk), for every user. */
async function managersByTheLoadersWalk(userList: readonly UserModel[]): Promise<Map<string, string | null>> {
  const present = new Set(userList.map((user) => user.id));
  const managers = new Map<string, string | null>();
  for (const user of userList) {
    const resolved = await resolveManagerRule(
      { rule: user.managerRules[0] ?? NO_MANAGER, subjectId: user.id },
      async (id) => model.departments.get(id) ?? null,
    );
    // `User.manager` is null when the resolved id names no user.
    managers.set(user.id, resolved !== null && present.has(resolved) ? resolved : null);
  }
  return managers;
}

/** Emails (normalised) the step-by-step test compares persons by: the organisation's and its variants'. */
const everyEmail = new Set<string>();
for (const user of users) {
  const email = personEmailOf(user.email);
  if (email !== undefined) everyEmail.add(email);
}
/** Spellings of one address that are one person: case, padding, decomposed accents. */
const spell = (email: string, variant: number): string =>
  [email.toUpperCase(), `  ${email}\t`, email.normalize('NFD'), email.replace(/^./, (c) => c.toUpperCase())][
    variant
  ]!;
const ACCENTED = 'zoë.ärger@northwind.example';
everyEmail.add(ACCENTED);

/** Whether each email's person id finds it (the map of person ids, made on first use). */
async function personIdsOf(index: DirectoryIndex): Promise<Array<string | null>> {
  return Promise.all(
    [...everyEmail].map(async (email) => (await index.personEmail(personIds.idOf(email))) ?? null),
  );
}

/** Every structure of the index, in a form two indexes can be compared by. */
function snapshot(index: DirectoryIndex, userList: readonly UserModel[]) {
  const ids = userList.map((user) => user.id).sort();
  return {
    users: ids.map((id) => index.user(id)?.user ?? null),
    reports: ids.map((id) => index.directReports(id)),
    managers: ids.map((id) => index.managerOf(id) ?? null),
    departmentMembers: departments.map((department) => [
      index.departmentMembers(department.id, false),
      index.departmentMembers(department.id, true),
    ]),
    groupMembers: groups.map((group) => index.groupMembers(group.id)),
    all: idsOf(index.searchUsers(undefined, {})),
    counts: [index.userCount('thrive'), index.userCount('ispring')],
    // Every email any user had or has: who has it now.
    persons: [...everyEmail].map((email) => index.usersWithEmail(email)),
  };
}

describe('the directory index over the whole demo organisation', () => {
  let index: DirectoryIndex;
  beforeAll(() => {
    index = buildIndex();
  });

  it('holds every user, department and group', () => {
    expect(index.userCount('thrive')).toBe(organisation.thrive.users.length);
    expect(index.userCount('ispring')).toBe(organisation.ispring.users.length);
    for (const user of users) expect(index.user(user.id)?.user).toEqual(user);
    expect(index.departments().length).toBe(departments.length);
    expect(index.groups().length).toBe(groups.length);
  });

  it('v is in directReports(u) exactly when v.manager is u, the manager as the loaders resolve it', async () => {
    const managers = await managersByTheLoadersWalk(users);
    let withManager = 0;
    for (const user of users) {
      const manager = managers.get(user.id)!;
      if (manager !== null) {
        withManager += 1;
        expect(index.directReports(manager), `${user.id} reports to ${manager}`).toContain(user.id);
      }
      for (const report of index.directReports(user.id)) expect(managers.get(report)).toBe(user.id);
    }
    // The organisation has managers (iSpring inherit walks among them), so the check is not empty.
    expect(withManager).toBeGreaterThan(users.length / 2);
  });

  it('m is in members(d) exactly when m.department is d; with sub-departments, d or an ancestor of it', () => {
    const ancestorsOf = (id: string | null): string[] => {
      const chain: string[] = [];
      const seen = new Set<string>();
      while (id !== null && !seen.has(id)) {
        seen.add(id);
        chain.push(id);
        id = model.departments.get(id)?.parentId ?? null;
      }
      return chain;
    };
    for (const department of departments) {
      const direct = index.departmentMembers(department.id, false);
      const deep = new Set(index.departmentMembers(department.id, true));
      for (const user of users) {
        expect(direct.includes(user.id)).toBe(user.departmentId === department.id);
        expect(deep.has(user.id)).toBe(ancestorsOf(user.departmentId).includes(department.id));
      }
    }
  });

  it('m is in members(g) exactly when g is in m.groups; c is in children(d) exactly when c.parent is d', () => {
    for (const group of groups) {
      const members = new Set(index.groupMembers(group.id));
      for (const user of users) expect(members.has(user.id)).toBe(user.groupIds.includes(group.id));
    }
    for (const department of departments) {
      const children = index.children(department.id).map((child) => child.id);
      expect(children.sort()).toEqual(
        departments
          .filter((other) => other.parentId === department.id)
          .map((other) => other.id)
          .sort(),
      );
    }
  });

  it('lists users in display-name order (folded), then id, and every filter narrows exactly', () => {
    const all = idsOf(index.searchUsers(undefined, {}));
    expect(all.length).toBe(users.length);
    const keys = all.map((id) => `${foldForSearch(model.users.get(id)!.displayName)}\u0000${id}`);
    expect(keys).toEqual([...keys].sort());

    const department = departments.find((d) => index.departmentMembers(d.id, true).length > 3)!;
    const group = groups.find((g) => index.groupMembers(g.id).length > 3)!;
    const filters: UserFilter[] = [
      { provider: 'ispring' },
      { status: ['ACTIVE'] },
      { departmentId: department.id },
      { departmentId: department.id, includeSubdepartments: true },
      { groupId: group.id },
      { provider: 'thrive', status: ['INACTIVE', 'PENDING'] },
    ];
    for (const filter of filters) {
      const expected = all.filter((id) => {
        const user = model.users.get(id)!;
        if (filter.provider && user.provider !== filter.provider) return false;
        if (filter.status && !filter.status.includes(user.status)) return false;
        if (filter.groupId && !user.groupIds.includes(filter.groupId)) return false;
        if (filter.departmentId) {
          const members = index.departmentMembers(filter.departmentId, filter.includeSubdepartments === true);
          if (!members.includes(id)) return false;
        }
        return true;
      });
      expect(idsOf(index.searchUsers(undefined, filter)), JSON.stringify(filter)).toEqual(expected);
    }
  });
});

describe('settling after a full sync', () => {
  it('sorts one list a turn of the event loop, and answers in order between the turns', async () => {
    // Every user put at once leaves the name orders and the search's words to sort (SortedKeys).
    const answersOf = (index: DirectoryIndex) =>
      [
        index.searchUsers(undefined, {}),
        index.searchUsers(undefined, { provider: 'ispring' }),
        index.searchUsers(undefined, { provider: 'thrive' }),
        index.searchUsers('a', {}),
      ].map((answer) => JSON.stringify(answer));
    const answers = answersOf(buildIndex());

    const index = buildIndex();
    let turns = 0;
    await index.settle(async () => {
      // Between two sorts: whatever is asked is answered in order, sorted or not yet.
      expect(answersOf(index)).toEqual(answers);
      turns += 1;
    });
    // The name order of all users, one per provider, and the search's words: four sorts, three waits.
    expect(turns).toBe(3);
    expect(answersOf(index)).toEqual(answers);
  });
});

describe('search', () => {
  let index: DirectoryIndex;
  beforeAll(() => {
    index = buildIndex();
  });

  it('finds every user by the folded prefix of each word of their name, whatever the case and accents', () => {
    for (const user of users) {
      for (const word of user.displayName.split(/\s+/).filter((w) => w.length >= 2)) {
        const prefix = foldForSearch(word).slice(0, 3).toUpperCase();
        const ids = idsOf(index.searchUsers(prefix, {}));
        expect(ids, `${prefix} → ${user.displayName}`).toContain(user.id);
      }
    }
  });

  it('ignores accents and case: "zoe" and "ZOE" find Zoë, "arger" finds Ärger, "jose" finds José', () => {
    // Names only: the email, login and ref hold none of these words, so a match is the name's.
    const [first, second] = users.filter((user) => user.provider === 'thrive');
    const zoe: UserModel = {
      ...first!,
      firstName: 'Zoë',
      lastName: 'Ärger',
      displayName: 'Zoë Ärger',
      email: 'z1@x.test',
      login: null,
      ref: null,
    };
    const jose: UserModel = {
      ...second!,
      displayName: 'José Núñez',
      email: 'j2@x.test',
      login: null,
      ref: null,
    };
    const local = buildIndex(
      users.map((user) => (user.id === zoe.id ? zoe : user.id === jose.id ? jose : user)),
    );
    for (const [query, id] of [
      ['zoe', zoe.id],
      ['ZOE', zoe.id],
      ['arger', zoe.id],
      ['zoë ärg', zoe.id],
      ['jose', jose.id],
      ['nunez', jose.id],
      ['José NÚÑEZ', jose.id],
    ] as const) {
      expect(idsOf(local.searchUsers(query, {})), query).toContain(id);
    }
    expect(idsOf(local.searchUsers('zoe nunez', {}))).not.toContain(zoe.id);
  });

  it('every result has, for each query word, a word of its name, email, login or ref starting with it', () => {
    for (const query of ['jo', 'an pa', 'north', 'zo', 'ma']) {
      const ids = idsOf(index.searchUsers(query, {}));
      expect(ids.length, query).toBeGreaterThan(0);
      for (const id of ids) {
        const user = model.users.get(id)!;
        const words = [user.displayName, user.email, user.login, user.ref]
          .filter((value): value is string => !!value)
          .flatMap((value) => foldForSearch(value).split(/[\s\p{P}]+/u));
        for (const part of query.split(' ')) {
          expect(
            words.some((word) => word.startsWith(part)),
            `${query} → ${user.displayName}`,
          ).toBe(true);
        }
      }
    }
  });

  it('finds a name in a script without case or accents', () => {
    const someone = users.find((user) => user.provider === 'ispring')!;
    const renamed: UserModel = { ...someone, firstName: '山田', lastName: '太郎', displayName: '山田 太郎' };
    const local = buildIndex(users.map((user) => (user.id === someone.id ? renamed : user)));
    expect(idsOf(local.searchUsers('山田', {}))).toEqual([someone.id]);
  });

  it('needs every word: two words find only users matching both', () => {
    const user = users.find((u) => u.firstName && u.lastName)!;
    const query = `${user.firstName!.slice(0, 3)} ${user.lastName!.slice(0, 3)}`;
    const ids = idsOf(index.searchUsers(query, {}));
    expect(ids).toContain(user.id);
    for (const id of ids) {
      const name = foldForSearch(model.users.get(id)!.displayName);
      const words = name.split(/\s+/);
      for (const part of foldForSearch(query).split(' ')) {
        const inName = words.some((word) => word.startsWith(part));
        const other = model.users.get(id)!;
        const inRest = [other.email, other.login, other.ref]
          .filter((value): value is string => !!value)
          .some((value) =>
            foldForSearch(value)
              .split(/[\s\p{P}]+/u)
              .some((word) => word.startsWith(part)),
          );
        expect(inName || inRest).toBe(true);
      }
    }
  });

  it('ranks an exact email, login or ref first', () => {
    for (const user of users.filter((u) => u.email).slice(0, 40)) {
      const result = index.searchUsers(user.email!.toUpperCase(), {});
      const { ranked } = result;
      const ids = idsOf(result);
      expect(ranked).toBe(true);
      // Several accounts may share an email (the same person in both providers): they come first.
      const sharing = users.filter(
        (other) => other.email && normaliseEmail(other.email) === normaliseEmail(user.email!),
      );
      expect(new Set(ids.slice(0, sharing.length))).toEqual(new Set(sharing.map((other) => other.id)));
    }
  });
});

/** The words a user is found by, folded, as the README says: of its name, email, login and ref. */
function searchWordsOf(user: UserModel): string[] {
  return [user.displayName, user.email, user.login, user.ref]
    .filter((value): value is string => !!value)
    .flatMap((value) => value.split(/[\s\p{Z}\p{P}]+/u))
    .map((word) => foldForSearch(word))
    .filter((word) => word !== '');
}

/** Users in display-name order (folded), then id. */
function inNameOrder(list: readonly UserModel[]): UserModel[] {
  const keyed = list.map((user) => ({ user, key: orderKey(user.displayName, user.id) }));
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ user }) => user);
}

describe('search order', () => {
  const index = buildIndex();
  /** The README's order worked out from the users alone: exact, then whole words, then the rest; by name within each. */
  function expected(query: string): string[] {
    const words = query
      .split(/[\s\p{Z}\p{P}]+/u)
      .map((word) => foldForSearch(word))
      .filter((word) => word !== '');
    // No query is everyone, by name; a query with no word (only punctuation) finds no one.
    if (query.trim() === '') return inNameOrder(users).map((user) => user.id);
    if (words.length === 0) return [];
    const wanted = foldForSearch(query.trim());
    const tierOf = (user: UserModel): number | undefined => {
      const own = searchWordsOf(user);
      if (!words.every((word) => own.some((candidate) => candidate.startsWith(word)))) return undefined;
      const exact = [user.email, user.login, user.ref].some(
        (value) => value !== null && foldForSearch(value.trim()) === wanted,
      );
      return exact ? 0 : words.every((word) => own.includes(word)) ? 1 : 2;
    };
    return inNameOrder(users)
      .map((user) => ({ user, tier: tierOf(user) }))
      .filter((entry) => entry.tier !== undefined)
      .sort((a, b) => a.tier! - b.tier!)
      .map((entry) => entry.user.id);
  }

  it('is exact email, login or ref first, then users with every word whole, then the rest, by name within each', () => {
    const queries = fc.oneof(
      fc.constantFrom(...users).chain((user) => {
        const words = searchWordsOf(user);
        return fc.oneof(
          fc.constantFrom(
            ...[user.email, user.login, user.ref].filter((value): value is string => !!value),
            user.displayName,
          ),
          fc
            .subarray(words, { minLength: 1, maxLength: Math.min(3, words.length) })
            .chain((picked) =>
              fc.tuple(...picked.map((word) => fc.nat(word.length - 1).map((cut) => word.slice(0, cut + 1)))),
            )
            .map((parts) => parts.join(' ')),
        );
      }),
      fc.string({ minLength: 1, maxLength: 3 }),
    );
    fc.assert(
      fc.property(queries, (query) => {
        expect(idsOf(index.searchUsers(query, {}))).toEqual(expected(query));
      }),
      { numRuns: 300 },
    );
  });
  it('puts a whole-word match before a prefix match that sorts before it, and an exact ref before both', () => {
    const template = users[0]!;
    const person = (id: string, displayName: string, ref: string | null): UserModel => ({
      ...template,
      id: `${template.provider}:${id}`,
      externalId: id,
      displayName,
      firstName: null,
      lastName: null,
      email: null,
      login: null,
      ref,
    });
    const small = new DirectoryIndex();
    small.putUsers(
      [person('a', 'Abbott Joanna', null), person('b', 'Walker Jo', null), person('c', 'Zed Zed', 'JO')],
      1,
    );
    expect(idsOf(small.searchUsers('jo', {}))).toEqual([
      `${template.provider}:c`,
      `${template.provider}:b`,
      `${template.provider}:a`,
    ]);
  });
});

describe('an index changed step by step', () => {
  /** One change of the organisation, as a sync or a webhook would apply it. */
  type Step =
    | { kind: 'remove'; user: number }
    | { kind: 'move'; user: number; department: number }
    | { kind: 'rename'; user: number; name: string }
    | { kind: 'regroup'; user: number; group: number }
    | { kind: 'restore'; user: number }
    | { kind: 'manager'; user: number; manager: number }
    | { kind: 'email'; user: number; from: number | null; variant: number };

  const step = fc.oneof(
    fc.record({ kind: fc.constant('remove' as const), user: fc.nat(users.length - 1) }),
    fc.record({
      kind: fc.constant('move' as const),
      user: fc.nat(users.length - 1),
      department: fc.nat(departments.length - 1),
    }),
    fc.record({
      kind: fc.constant('rename' as const),
      user: fc.nat(users.length - 1),
      name: fc.constantFrom('Zoë Ärger', 'josé', 'Ana', 'Ａｎａ', 'a'),
    }),
    fc.record({
      kind: fc.constant('regroup' as const),
      user: fc.nat(users.length - 1),
      group: fc.nat(groups.length - 1),
    }),
    fc.record({ kind: fc.constant('restore' as const), user: fc.nat(users.length - 1) }),
    fc.record({
      kind: fc.constant('manager' as const),
      user: fc.nat(users.length - 1),
      manager: fc.nat(users.length - 1),
    }),
    // Another user's email (so two accounts become one person), the accented one, or none.
    fc.record({
      kind: fc.constant('email' as const),
      user: fc.nat(users.length - 1),
      from: fc.option(fc.nat(users.length), { nil: null }),
      variant: fc.nat(3),
    }),
  );

  it('equals an index built from scratch with the same records, whatever the changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps: Step[]) => {
        const current = new Map(users.map((user) => [user.id, user]));
        const index = buildIndex();
        // Looked up once before any change, so that the person ids are kept current from here on
        // (the fresh index below makes them at the end, from what it holds).
        await index.personEmail(personIds.idOf(personEmailOf(users[0]!.email)!));
        let time = 2;
        for (const change of steps) {
          const original = users[change.user]!;
          const held = current.get(original.id);
          time += 1;
          if (change.kind === 'remove') {
            current.delete(original.id);
            index.removeUsers([original.id]);
            continue;
          }
          const base = held ?? original;
          let next: UserModel;
          if (change.kind === 'restore') next = original;
          else if (change.kind === 'rename')
            next = { ...base, displayName: change.name, firstName: change.name };
          else if (change.kind === 'manager') {
            const manager = users[change.manager]!;
            if (manager.provider !== base.provider) continue;
            next = { ...base, managerRules: [{ kind: 'user', userId: manager.id }] };
          } else if (change.kind === 'email') {
            const source = change.from === null ? null : (users[change.from]?.email ?? ACCENTED);
            next = { ...base, email: source === null ? null : spell(source, change.variant) };
          } else if (change.kind === 'move') {
            const department = departments[change.department]!;
            if (department.provider !== base.provider) continue;
            next = { ...base, departmentId: department.id };
          } else {
            const group = groups[change.group]!;
            if (group.provider !== base.provider) continue;
            next = { ...base, groupIds: [group.id] };
          }
          current.set(next.id, next);
          index.putUsers([next], time);
        }
        const fresh = buildIndex([...current.values()]);
        expect(snapshot(index, users)).toEqual(snapshot(fresh, users));
        expect(await personIdsOf(index)).toEqual(await personIdsOf(fresh));
      }),
      { numRuns: 40 },
    );
  });

  it('never replaces a newer read with an older one, and removes only users read before a time', () => {
    const index = buildIndex();
    const user = users[0]!;
    const renamed = { ...user, displayName: 'Renamed Later' };
    expect(index.putUsers([renamed], 10)).toBe(1);
    expect(index.putUsers([user], 5)).toBe(0);
    expect(index.user(user.id)?.user.displayName).toBe('Renamed Later');
    expect(index.removeUsers([user.id], 10)).toBe(0);
    expect(index.removeUsers([user.id], 11)).toBe(1);
    expect(index.user(user.id)).toBeUndefined();
  });

  it('re-resolves inherited managers when the departments change', async () => {
    const index = buildIndex();
    const inheriting = users.find(
      (user) =>
        user.provider === 'ispring' &&
        user.managerRules[0]?.kind === 'department' &&
        index.managerOf(user.id),
    )!;
    const rule = inheriting.managerRules[0] as Extract<
      UserModel['managerRules'][number],
      { kind: 'department' }
    >;
    // The user's own department now names nobody and inherits from no one: no manager.
    const changed: DepartmentModel[] = byProvider(departments, 'ispring').map((department) =>
      department.id === rule.departmentId ? { ...department, supervisor: NO_MANAGER } : department,
    );
    const before = index.managerOf(inheriting.id)!;
    index.replaceCatalog('ispring', changed, byProvider(groups, 'ispring') as GroupModel[]);
    expect(index.managerOf(inheriting.id)).toBeNull();
    expect(index.directReports(before)).not.toContain(inheriting.id);
  });
});

describe('the index against plain scans of the same arrays (the bench baseline)', () => {
  it('answers every question alike: the same ids in the same order, search included', async () => {
    const index = buildIndex();
    const plain = createPlainDirectory(users, departments, groups, personIds);
    for (const user of users) {
      expect(index.directReports(user.id), user.id).toEqual(plain.directReports(user.id));
    }
    for (const department of departments) {
      for (const deep of [false, true]) {
        expect(index.departmentMembers(department.id, deep)).toEqual(
          plain.departmentMembers(department.id, deep),
        );
      }
      expect(index.children(department.id)).toEqual(plain.children(department.id));
    }
    for (const group of groups) expect(index.groupMembers(group.id)).toEqual(plain.groupMembers(group.id));
    for (const email of everyEmail) {
      expect(index.usersWithEmail(email), email).toEqual(plain.usersWithEmail(email));
      expect(await index.personEmail(personIds.idOf(email))).toBe(
        await plain.personEmail(personIds.idOf(email)),
      );
    }
    for (const provider of [undefined, 'thrive', 'ispring'] as const) {
      expect(index.departments(provider)).toEqual(plain.departments(provider));
      expect(index.groups(provider)).toEqual(plain.groups(provider));
    }
    const manager = users.find((user) => index.directReports(user.id).length > 2)!;
    for (const filter of [
      {},
      { provider: 'thrive' as const },
      { managerId: manager.id },
      { status: ['ACTIVE' as const] },
    ]) {
      expect(idsOf(index.searchUsers(undefined, filter))).toEqual(
        idsOf(plain.searchUsers(undefined, filter)),
      );
      expect(idsOf(index.searchUsers('  ', filter))).toEqual(idsOf(plain.searchUsers('  ', filter)));
    }
    for (const query of ['jo', 'an pa', 'north', 'zo', 'ma', 'jos yil', users[7]!.email!]) {
      expect(idsOf(index.searchUsers(query, {})), query).toEqual(idsOf(plain.searchUsers(query, {})));
    }
  });
});

describe('the sorted department and group lists', () => {
  it('are kept between reads and follow a catalog change', () => {
    const index = buildIndex();
    const before = index.departments('ispring');
    expect(index.departments('ispring')).toBe(before);
    const renamed = byProvider(departments, 'ispring').map((department, position) =>
      position === 0 ? { ...department, name: 'Aaaa First By Name' } : department,
    );
    index.replaceCatalog('ispring', renamed, byProvider(groups, 'ispring'));
    const after = index.departments('ispring');
    expect(after).not.toBe(before);
    expect(after[0]!.name).toBe('Aaaa First By Name');
    expect(index.departments()).toContain(after[0]);
    expect(index.groups('ispring')).toBe(index.groups('ispring'));
  });
});

describe('the map of person ids', () => {
  it('is made in batches, yielding between them, and follows changes made meanwhile', async () => {
    // More emails than one batch (2000), so that the map is made over several turns.
    const many = Array.from({ length: 5000 }, (_, n) => ({
      ...users[0]!,
      id: `thrive:bulk${n}`,
      externalId: `bulk${n}`,
      email: `bulk.${n}@northwind.example`,
    }));
    const index = buildIndex([...users, ...many]);
    let turns = 0;
    const counting = setInterval(() => (turns += 1), 0);
    const first = index.personEmail(personIds.idOf('bulk.4999@northwind.example'));
    // While it is made: one user leaves, and another takes a new email.
    index.removeUsers([many[4000]!.id]);
    index.putUsers([{ ...many[10]!, email: 'Changed.Mid.Build@northwind.example' }], 5);
    expect(await first).toBe('bulk.4999@northwind.example');
    clearInterval(counting);
    expect(turns).toBeGreaterThan(0);
    expect(await index.personEmail(personIds.idOf('bulk.4000@northwind.example'))).toBeUndefined();
    expect(await index.personEmail(personIds.idOf('bulk.10@northwind.example'))).toBeUndefined();
    expect(await index.personEmail(personIds.idOf('changed.mid.build@northwind.example'))).toBe(
      'changed.mid.build@northwind.example',
    );
  });
});
