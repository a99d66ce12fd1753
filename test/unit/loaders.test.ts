import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createCatalogLoader, type CatalogKind } from '../../src/loaders/catalog.ts';
import { createLoaders } from '../../src/loaders/index.ts';
import { createManagerLoader } from '../../src/loaders/managers.ts';
import { resolveManagerRule, resolveManagerRuleNow } from '../../src/manager-walk.ts';
import {
  NO_MANAGER,
  type DepartmentModel,
  type GroupModel,
  type ManagerRule,
  type UserModel,
} from '../../src/models.ts';
import type { DirectoryProvider } from '../../src/providers/types.ts';
import { unusedListing } from '../helpers/listing.ts';

/** A department or group entity with just what the catalog loader reads. */
function entity(kind: CatalogKind, id: string): DepartmentModel & GroupModel {
  return {
    id: `p:${id}`,
    provider: 'ispring',
    externalId: id,
    name: `${kind} ${id}`,
    code: null,
    isSmart: null,
    parentId: null,
    supervisor: { kind: 'none' },
    functionalManager: { kind: 'none' },
  };
}

/** A catalog over `ids` of both kinds that records every read it is asked for. */
function catalog(ids: string[], shared = false) {
  const calls: string[] = [];
  const loader = createCatalogLoader({
    shared,
    fetchOne: async (kind, id) => {
      calls.push(`one:${kind}:${id}`);
      return ids.includes(id) ? entity(kind, id) : null;
    },
    listAll: async (kind) => {
      calls.push(`list:${kind}`);
      return ids.map((id) => entity(kind, id));
    },
  });
  return { loader, calls };
}

describe('catalog loader (README, How requests are batched)', () => {
  it('asks by id when a batch has one key', async () => {
    const { loader, calls } = catalog(['a', 'b']);
    expect(await loader.load('department', 'a')).toMatchObject({ externalId: 'a', name: 'department a' });
    expect(calls).toEqual(['one:department:a']);
  });

  it('reads the list once when a batch has several keys, and answers later keys from it', async () => {
    const { loader, calls } = catalog(['a', 'b', 'c']);
    const [a, b] = await Promise.all([loader.load('department', 'a'), loader.load('department', 'b')]);
    expect([a?.externalId, b?.externalId]).toEqual(['a', 'b']);
    expect((await loader.load('department', 'c'))?.externalId).toBe('c');
    expect(await loader.load('department', 'zzz')).toBeNull();
    expect(calls).toEqual(['list:department']);
  });

  it('reads the list for one key loaded for a walk', async () => {
    const { loader, calls } = catalog(['a', 'b']);
    expect((await loader.load('department', 'a', 'walk'))?.externalId).toBe('a');
    expect(calls).toEqual(['list:department']);
  });

  it('keeps the kinds apart where each has its own list: one department and one group are two reads by id', async () => {
    const { loader, calls } = catalog(['a', 'b']);
    await Promise.all([loader.load('department', 'a'), loader.load('group', 'b')]);
    expect(calls.sort()).toEqual(['one:department:a', 'one:group:b']);
  });

  it('counts both kinds together where one list serves both (Thrive audiences): two ids read the list', async () => {
    const { loader, calls } = catalog(['a', 'b'], true);
    const [department, group] = await Promise.all([
      loader.load('department', 'a'),
      loader.load('group', 'b'),
    ]);
    expect([department?.name, group?.name]).toEqual(['department a', 'group b']);
    expect(calls.sort()).toEqual(['list:department', 'list:group']);
    // Later keys of either kind come from the lists.
    await loader.load('group', 'a');
    expect(calls).toHaveLength(2);
  });

  it('reads one id of both kinds by id where one list serves both', async () => {
    const { loader, calls } = catalog(['a'], true);
    await Promise.all([loader.load('department', 'a'), loader.load('group', 'a')]);
    expect(calls.sort()).toEqual(['one:department:a', 'one:group:a']);
  });

  it('answers a key the provider lacks with null', async () => {
    const { loader } = catalog(['a']);
    expect(await Promise.all([loader.load('department', 'a'), loader.load('department', 'nope')])).toEqual([
      expect.objectContaining({ externalId: 'a' }),
      null,
    ]);
  });

  it('maps a list by id once, however many operations it serves', async () => {
    // One list object, as the directory index (and the cache) hands every operation until it changes;
    // its `map` counted, since the loader maps the list to find keys in it.
    const list = ['a', 'b', 'c'].map((id) => entity('department', id));
    let mapped = 0;
    const map = list.map.bind(list);
    Object.defineProperty(list, 'map', {
      value: (...args: Parameters<typeof map>) => {
        mapped += 1;
        return map(...args);
      },
    });
    const source = {
      shared: false,
      fetchOne: async () => null,
      listAll: async () => list,
    };
    for (let operation = 0; operation < 5; operation += 1) {
      const loader = createCatalogLoader(source);
      const found = await Promise.all([loader.load('department', 'a'), loader.load('department', 'c')]);
      expect(found.map((department) => department?.externalId)).toEqual(['a', 'c']);
    }
    expect(mapped).toBe(1);
  });

  it('fails exactly the keys of a batch whose request failed', async () => {
    const loader = createCatalogLoader({
      shared: false,
      fetchOne: async () => {
        throw new Error('down');
      },
      listAll: async (kind) => [entity(kind, 'x')],
    });
    await expect(loader.load('department', 'x')).rejects.toThrow('down');
    expect((await loader.load('group', 'x', 'walk'))?.externalId).toBe('x');
  });
});

const department = (
  id: string,
  parentId: string | null,
  supervisor: ManagerRule,
  functionalManager: ManagerRule = { kind: 'none' },
): DepartmentModel => ({
  id,
  provider: 'ispring',
  externalId: id,
  name: id,
  code: null,
  parentId,
  supervisor,
  functionalManager,
});

const inherit = (parent: string): ManagerRule => ({
  kind: 'department',
  departmentId: parent,
  slot: 'supervisor',
});
const user = (userId: string): ManagerRule => ({ kind: 'user', userId });

function tree(departments: DepartmentModel[]) {
  const byId = new Map(departments.map((d) => [d.id, d]));
  const loads: string[] = [];
  return {
    loads,
    load: async (id: string) => {
      loads.push(id);
      return byId.get(id) ?? null;
    },
  };
}

describe('manager rule resolution (User.manager, Department.supervisor)', () => {
  const org = tree([
    department('root', null, user('ceo')),
    department('division', 'root', inherit('root')),
    department('team', 'division', inherit('division')),
    department('quiet', 'root', { kind: 'none' }),
    department('headed', 'root', user('head')),
    department('loopA', 'loopB', inherit('loopB')),
    department('loopB', 'loopA', inherit('loopA')),
  ]);
  const walk = (rule: ManagerRule, subjectId: string | null = 'someone') =>
    resolveManagerRule({ rule, subjectId }, org.load);

  it('a named user is the manager', async () => {
    expect(await walk(user('boss'))).toBe('boss');
  });

  it('a user rule naming the person themself gives no manager', async () => {
    expect(await walk(user('someone'), 'someone')).toBeNull();
  });

  it('no_supervisor means no manager', async () => {
    expect(await walk({ kind: 'none' })).toBeNull();
    expect(await walk({ kind: 'department', departmentId: 'quiet', slot: 'supervisor' })).toBeNull();
  });

  it('inherit walks up through two departments to the one that names a supervisor', async () => {
    expect(await walk({ kind: 'department', departmentId: 'team', slot: 'supervisor' })).toBe('ceo');
  });

  it('skips a supervisor who is the person themself and goes on to the parent department', async () => {
    expect(await walk({ kind: 'department', departmentId: 'headed', slot: 'supervisor' }, 'head')).toBe(
      'ceo',
    );
    expect(await walk({ kind: 'department', departmentId: 'headed', slot: 'supervisor' }, 'other')).toBe(
      'head',
    );
  });

  it('ends with no manager when a department repeats', async () => {
    expect(await walk({ kind: 'department', departmentId: 'loopA', slot: 'supervisor' })).toBeNull();
  });

  it('reads the functional manager slot separately from the supervisor slot', async () => {
    const functional = tree([department('d', null, user('supervisor'), user('functional'))]);
    const rule: ManagerRule = { kind: 'department', departmentId: 'd', slot: 'functional' };
    expect(await resolveManagerRule({ rule, subjectId: 'x' }, functional.load)).toBe('functional');
  });

  it('answers a peek as the walk done afresh does, whatever peeks and loads came before it in the operation', async () => {
    // The loader keeps the first manager a department's walk finds, for everyone but that manager
    // (loaders/managers.ts): any tree, any order of people and rules, the same answers as the rule;
    // a peek whose walk needs a department not at hand gives what a load gave, else undefined.
    const people = ['u0', 'u1', 'u2', 'u3'];
    const ids = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'];
    const rule = fc.oneof(
      fc.constant<ManagerRule>({ kind: 'none' }),
      fc.constantFrom(...people).map((userId): ManagerRule => ({ kind: 'user', userId })),
      fc.constantFrom(...ids).map(inherit),
    );
    const org = fc.array(
      fc.record({
        parent: fc.option(fc.constantFrom(...ids)),
        supervisor: rule,
        functional: rule,
        present: fc.boolean(),
        atHand: fc.boolean(),
      }),
      { minLength: ids.length, maxLength: ids.length },
    );
    const request = fc.record({
      departmentId: fc.constantFrom(...ids),
      slot: fc.constantFrom('supervisor' as const, 'functional' as const),
      subjectId: fc.option(fc.constantFrom(...people, 'someone')),
      loadedFirst: fc.boolean(),
    });
    const notAtHand = Symbol('not at hand');
    await fc.assert(
      fc.asyncProperty(org, fc.array(request, { minLength: 1, maxLength: 30 }), async (shape, requests) => {
        const departments = new Map(
          shape.flatMap((d, n) =>
            d.present ? [[ids[n]!, department(ids[n]!, d.parent, d.supervisor, d.functional)] as const] : [],
          ),
        );
        const at = (id: string) => departments.get(id) ?? null;
        const atHand = (id: string) => (shape[ids.indexOf(id)]!.atHand ? at(id) : undefined);
        const loader = createManagerLoader(async (id) => at(id), atHand);
        const loaded = new Set<string>();
        for (const { departmentId, slot, subjectId, loadedFirst } of requests) {
          const asked = { rule: { kind: 'department', departmentId, slot } as const, subjectId };
          const key = JSON.stringify(asked);
          if (loadedFirst) {
            await loader.load(asked);
            loaded.add(key);
          }
          let walkedNow: string | null | undefined;
          try {
            walkedNow = resolveManagerRuleNow(asked, (id) => {
              const found = atHand(id);
              if (found === undefined) throw notAtHand;
              return found;
            });
          } catch (error) {
            if (error !== notAtHand) throw error;
            walkedNow = undefined;
          }
          const expected = loaded.has(key) ? resolveManagerRuleNow(asked, at) : walkedNow;
          expect(loader.peek(asked)).toBe(expected);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('releases every resolution of a batch together, so the next depth is one batch', async () => {
    const slowTree = tree([
      department('team', 'root', inherit('root')),
      department('root', null, user('ceo')),
    ]);
    const slowLoad = async (id: string) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return slowTree.load(id);
    };
    const loader = createManagerLoader(slowLoad);
    let departmentsLoadedWhenDirectSettled: string[] = [];
    const [direct, walked] = await Promise.all([
      loader.load({ rule: user('direct'), subjectId: 'a' }).then((id) => {
        departmentsLoadedWhenDirectSettled = [...slowTree.loads];
        return id;
      }),
      loader.load({ rule: { kind: 'department', departmentId: 'team', slot: 'supervisor' }, subjectId: 'b' }),
    ]);
    expect([direct, walked]).toEqual(['direct', 'ceo']);
    // 'a' needed no department, yet it was held until the walk of 'b' had finished.
    expect(departmentsLoadedWhenDirectSettled).toEqual(['team', 'root']);
  });
});

describe('user loader (README, "How requests are batched")', () => {
  function userModel(id: string): UserModel {
    return {
      id: `ispring:${id}`,
      provider: 'ispring',
      externalId: id,
      ref: null,
      login: null,
      email: null,
      firstName: null,
      lastName: null,
      displayName: id,
      jobTitle: null,
      phone: null,
      country: null,
      languageCode: null,
      timeZone: null,
      role: null,
      status: 'ACTIVE',
      providerStatus: '1',
      createdAt: null,
      lastLoginAt: null,
      positions: [],
      managerRules: [NO_MANAGER],
      departmentId: null,
      groupIds: [],
      manageableDepartmentIds: [],
      customFields: [],
    };
  }

  /**
   * A provider of users u1 to u4 that takes at most two ids a call and answers each call when the
   * test says (`answer(i)`, in any order); `failing` ids make their whole call reject.
   */
  function heldProvider(failing: readonly string[] = []) {
    const calls: string[][] = [];
    const answers: Array<() => void> = [];
    const provider: DirectoryProvider = {
      name: 'ispring',
      userBatchSize: 2,
      checkCredentials: async () => {},
      sharesOneCatalog: false,
      unknownDepartment: () => null,
      listing: unusedListing(),
      openSession: () => ({
        async fetchUsers(ids) {
          calls.push([...ids]);
          await new Promise<void>((resolve) => answers.push(resolve));
          if (ids.some((id) => failing.includes(id))) throw new Error(`batch ${ids.join(',')} failed`);
          return new Map(ids.filter((id) => id !== 'u5').map((id) => [id, userModel(id)]));
        },
        fetchDepartment: async () => null,
        listDepartments: async () => [],
        fetchGroup: async () => null,
        listGroups: async () => [],
      }),
    };
    return { provider, calls, answer: (index: number) => answers[index]!() };
  }

  const ids = ['u1', 'u2', 'u3', 'u4', 'u5'];

  it('hands the provider batches of at most userBatchSize, and releases a round only when every batch is answered', async () => {
    const { provider, calls, answer } = heldProvider();
    const loaders = createLoaders(new Map([['ispring', provider]]));
    const released: string[] = [];
    const loads = ids.map((id) =>
      loaders.user(`ispring:${id}`).then((user) => {
        released.push(id);
        return user;
      }),
    );
    await vi.waitFor(() => expect(calls).toEqual([['u1', 'u2'], ['u3', 'u4'], ['u5']]));

    answer(0);
    answer(2);
    await new Promise((resolve) => setImmediate(resolve));
    // Released one batch at a time, the users of this round would reach the next round apart.
    expect(released).toEqual([]);

    answer(1);
    const users = await Promise.all(loads);
    expect(users.map((user) => user?.externalId ?? null)).toEqual(['u1', 'u2', 'u3', 'u4', null]);
  });

  it('fails the ids of a batch that failed as a whole, and only those', async () => {
    const { provider, calls, answer } = heldProvider(['u3']);
    const loaders = createLoaders(new Map([['ispring', provider]]));
    const outcomes = Promise.allSettled(ids.map((id) => loaders.user(`ispring:${id}`)));
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    [0, 1, 2].forEach(answer);
    const settled = await outcomes;
    expect(settled.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect(settled[2]).toMatchObject({ reason: new Error('batch u3,u4 failed') });
    expect(settled[4]).toEqual({ status: 'fulfilled', value: null });
  });
});
