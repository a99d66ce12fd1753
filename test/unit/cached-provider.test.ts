import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { describe, expect, it } from 'vitest';
import { cacheHintMaxAgeSeconds, withCache, type CacheTtls } from '../../src/cache/cached-provider.ts';
import { JsonCodecCache } from '../../src/cache/json-codec.ts';
import { createCacheStore, type CacheEntry } from '../../src/cache/store.ts';
import { ProviderError } from '../../src/errors.ts';
import { NO_MANAGER, type DepartmentModel, type GroupModel, type UserModel } from '../../src/models.ts';
import type { DirectoryProvider } from '../../src/providers/types.ts';
import { unusedListing } from '../helpers/listing.ts';

/**
 * The caching decorator over a fake provider that counts what it is asked: hits, "not found",
 * errors, sharing what is in flight between operations, lists, and TTLs on a fake clock.
 */

function user(id: string): UserModel {
  return {
    id: `ispring:${id}`,
    provider: 'ispring',
    externalId: id,
    ref: null,
    login: null,
    email: `${id}@example.com`,
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

function department(id: string): DepartmentModel {
  return {
    id: `ispring:${id}`,
    provider: 'ispring',
    externalId: id,
    name: `Department ${id}`,
    code: null,
    parentId: null,
    supervisor: NO_MANAGER,
    functionalManager: NO_MANAGER,
  };
}

function group(id: string): GroupModel {
  return {
    id: `ispring:${id}`,
    provider: 'ispring',
    externalId: id,
    name: `Group ${id}`,
    isSmart: false,
    parentId: null,
  };
}

/** A promise the test settles when it chooses: what keeps an upstream call in flight. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

const unavailable = () => new ProviderError('UPSTREAM_UNAVAILABLE', 'ispring', 'iSpring is unavailable.');

/**
 * A provider with users u1 to u9, departments d1 to d3 and groups g1 to g3. `failing` ids come
 * back as that id's ProviderError; `failNext` makes the next call of a kind reject as a whole;
 * `hold` keeps every call in flight until the gate opens.
 */
function fakeProvider() {
  const users = new Map(Array.from({ length: 9 }, (_, i) => [`u${i + 1}`, user(`u${i + 1}`)]));
  const departments = ['d1', 'd2', 'd3'].map(department);
  const groups = ['g1', 'g2', 'g3'].map(group);
  const calls = {
    fetchUsers: [] as string[][],
    fetchDepartment: [] as string[],
    listDepartments: 0,
    fetchGroup: [] as string[],
    listGroups: 0,
  };
  const state = {
    failing: new Set<string>(),
    failNext: undefined as 'users' | 'groups' | undefined,
    hold: undefined as Promise<void> | undefined,
  };
  const wait = async () => state.hold;
  const failIf = (kind: 'users' | 'groups') => {
    if (state.failNext === kind) {
      state.failNext = undefined;
      throw unavailable();
    }
  };

  const provider: DirectoryProvider = {
    name: 'ispring',
    userBatchSize: 100,
    checkCredentials: async () => {},
    sharesOneCatalog: false,
    unknownDepartment: () => null,
    listing: unusedListing(),
    openSession: () => ({
      async fetchUsers(ids) {
        calls.fetchUsers.push([...ids]);
        await wait();
        failIf('users');
        const found = new Map<string, UserModel | ProviderError>();
        for (const id of ids) {
          if (state.failing.has(id)) found.set(id, unavailable());
          else if (users.has(id)) found.set(id, users.get(id)!);
        }
        return found;
      },
      async fetchDepartment(id) {
        calls.fetchDepartment.push(id);
        await wait();
        return departments.find((entity) => entity.externalId === id) ?? null;
      },
      async listDepartments() {
        calls.listDepartments += 1;
        await wait();
        return departments;
      },
      async fetchGroup(id) {
        calls.fetchGroup.push(id);
        await wait();
        return groups.find((entity) => entity.externalId === id) ?? null;
      },
      async listGroups() {
        calls.listGroups += 1;
        await wait();
        failIf('groups');
        return groups;
      },
    }),
  };
  return { provider, calls, state, users };
}

const TTLS: CacheTtls = { users: 60, departments: 300, groups: 300 };

function cached(ttls: CacheTtls = TTLS, store?: KeyValueCache<CacheEntry>) {
  let now = 1_000_000;
  const fake = fakeProvider();
  const cache =
    store ?? createCacheStore({ maxEntries: 1000, maxBytes: 1024 * 1024, perf: { now: () => now } });
  return {
    ...fake,
    cache,
    provider: withCache(fake.provider, cache, ttls),
    advanceSeconds: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

const ids = (found: ReadonlyMap<string, unknown>) => [...found.keys()].sort();

describe('withCache: users', () => {
  it('answers a later operation from the cache, with no upstream call', async () => {
    const { provider, calls } = cached();
    const first = await provider.openSession().fetchUsers(['u1', 'u2']);
    const second = await provider.openSession().fetchUsers(['u1', 'u2']);
    expect(calls.fetchUsers).toEqual([['u1', 'u2']]);
    expect(second.get('u1')).toStrictEqual(first.get('u1'));
    expect(ids(second)).toEqual(['u1', 'u2']);
  });

  it('answers from a store that can only read asynchronously (a shared string store) the same way', async () => {
    const strings = new InMemoryLRUCache<string>();
    const store = new JsonCodecCache<CacheEntry>(strings);
    expect('getNow' in store).toBe(false);
    const { provider, calls } = cached(TTLS, store);
    await provider.openSession().fetchUsers(['u1', 'nobody']);
    const second = await provider.openSession().fetchUsers(['u1', 'nobody']);
    expect(calls.fetchUsers).toEqual([['u1', 'nobody']]);
    expect(ids(second)).toEqual(['u1']);
    expect(strings.keys().sort()).toEqual(['user:ispring:nobody', 'user:ispring:u1']);
  });

  it('keeps "not found" for the user TTL: a missing id is asked for once', async () => {
    const { provider, calls } = cached();
    expect(ids(await provider.openSession().fetchUsers(['nobody']))).toEqual([]);
    expect(ids(await provider.openSession().fetchUsers(['nobody']))).toEqual([]);
    expect(calls.fetchUsers).toEqual([['nobody']]);
  });

  it('asks again once the user TTL has passed, and not before', async () => {
    const { provider, calls, advanceSeconds } = cached();
    await provider.openSession().fetchUsers(['u1', 'nobody']);
    advanceSeconds(60);
    await provider.openSession().fetchUsers(['u1', 'nobody']);
    expect(calls.fetchUsers).toHaveLength(1);
    advanceSeconds(0.001);
    await provider.openSession().fetchUsers(['u1', 'nobody']);
    expect(calls.fetchUsers).toEqual([
      ['u1', 'nobody'],
      ['u1', 'nobody'],
    ]);
  });

  it('fetches only the ids it does not hold, in one call', async () => {
    const { provider, calls } = cached();
    await provider.openSession().fetchUsers(['u1']);
    const found = await provider.openSession().fetchUsers(['u1', 'u2', 'u3', 'u2']);
    expect(ids(found)).toEqual(['u1', 'u2', 'u3']);
    expect(calls.fetchUsers).toEqual([['u1'], ['u2', 'u3']]);
  });

  it('makes no upstream call for a call that is all hits', async () => {
    const { provider, calls } = cached();
    await provider.openSession().fetchUsers(['u1', 'u2']);
    await provider.openSession().fetchUsers(['u2']);
    expect(calls.fetchUsers).toHaveLength(1);
  });

  it("never keeps one id's ProviderError: the next operation asks for that id again", async () => {
    const { provider, calls, state } = cached();
    state.failing.add('u2');
    const first = await provider.openSession().fetchUsers(['u1', 'u2']);
    expect(first.get('u2')).toBeInstanceOf(ProviderError);
    state.failing.clear();
    const second = await provider.openSession().fetchUsers(['u1', 'u2']);
    expect(second.get('u2')).toMatchObject({ id: 'ispring:u2' });
    expect(calls.fetchUsers).toEqual([['u1', 'u2'], ['u2']]);
  });

  it('never keeps a call that failed as a whole', async () => {
    const { provider, calls, state } = cached();
    state.failNext = 'users';
    await expect(provider.openSession().fetchUsers(['u1'])).rejects.toThrow(ProviderError);
    expect(ids(await provider.openSession().fetchUsers(['u1']))).toEqual(['u1']);
    expect(calls.fetchUsers).toEqual([['u1'], ['u1']]);
  });

  it('lets two operations that need the same ids at once share one upstream call', async () => {
    const { provider, calls, state } = cached();
    const held = gate();
    state.hold = held.opened;
    const first = provider.openSession().fetchUsers(['u1', 'u2']);
    const second = provider.openSession().fetchUsers(['u2', 'u1']);
    await new Promise((resolve) => setImmediate(resolve));
    held.open();
    const [a, b] = await Promise.all([first, second]);
    expect(calls.fetchUsers).toEqual([['u1', 'u2']]);
    expect(ids(a)).toEqual(['u1', 'u2']);
    expect(b.get('u1')).toBe(a.get('u1'));
  });

  it('fetches only the ids not already in flight when operations overlap in part', async () => {
    const { provider, calls, state } = cached();
    const held = gate();
    state.hold = held.opened;
    const first = provider.openSession().fetchUsers(['u1', 'u2']);
    await new Promise((resolve) => setImmediate(resolve));
    const second = provider.openSession().fetchUsers(['u2', 'u3', 'u4']);
    await new Promise((resolve) => setImmediate(resolve));
    held.open();
    const [a, b] = await Promise.all([first, second]);
    expect(calls.fetchUsers).toEqual([
      ['u1', 'u2'],
      ['u3', 'u4'],
    ]);
    expect(ids(a)).toEqual(['u1', 'u2']);
    expect(ids(b)).toEqual(['u2', 'u3', 'u4']);
  });

  it('gives an operation waiting for a failed shared call its error, and keeps nothing', async () => {
    const { provider, calls, state } = cached();
    const held = gate();
    state.hold = held.opened;
    state.failNext = 'users';
    const first = provider.openSession().fetchUsers(['u1']);
    const second = provider.openSession().fetchUsers(['u1', 'u2']);
    await new Promise((resolve) => setImmediate(resolve));
    held.open();
    await expect(first).rejects.toThrow(ProviderError);
    const waited = await second;
    expect(waited.get('u1')).toBeInstanceOf(ProviderError);
    expect(waited.get('u2')).toMatchObject({ id: 'ispring:u2' });
    state.hold = undefined;
    expect(ids(await provider.openSession().fetchUsers(['u1']))).toEqual(['u1']);
    expect(calls.fetchUsers).toEqual([['u1'], ['u2'], ['u1']]);
  });

  it('with a user TTL of 0, sends every read upstream, even reads of ids in flight', async () => {
    const { provider, calls, state } = cached({ ...TTLS, users: 0 });
    await provider.openSession().fetchUsers(['u1']);
    await provider.openSession().fetchUsers(['u1']);
    const held = gate();
    state.hold = held.opened;
    const both = Promise.all([
      provider.openSession().fetchUsers(['u1']),
      provider.openSession().fetchUsers(['u1']),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    held.open();
    await both;
    expect(calls.fetchUsers).toEqual([['u1'], ['u1'], ['u1'], ['u1']]);
  });

  it('is the provider itself when every TTL is 0', () => {
    const { provider } = fakeProvider();
    const cache = createCacheStore({ maxEntries: 10, maxBytes: 1024 * 1024 });
    expect(withCache(provider, cache, { users: 0, departments: 0, groups: 0 })).toBe(provider);
  });

  it('goes upstream as if nothing were cached when the store fails', async () => {
    const failingStore: KeyValueCache<CacheEntry> = {
      get: async () => {
        throw new Error('store down');
      },
      set: async () => {
        throw new Error('store down');
      },
      delete: async () => {
        throw new Error('store down');
      },
    };
    const { provider, calls } = cached(TTLS, failingStore);
    expect(ids(await provider.openSession().fetchUsers(['u1']))).toEqual(['u1']);
    expect(ids(await provider.openSession().fetchUsers(['u1']))).toEqual(['u1']);
    expect(await provider.openSession().listGroups()).toHaveLength(3);
    expect(calls.fetchUsers).toEqual([['u1'], ['u1']]);
  });
});

describe('withCache: departments and groups', () => {
  it('answers later list reads from a cached list', async () => {
    const { provider, calls } = cached();
    expect(await provider.openSession().listDepartments()).toHaveLength(3);
    expect(await provider.openSession().listDepartments()).toHaveLength(3);
    expect(calls.listDepartments).toBe(1);
  });

  it('answers a by-id read from a cached list, with no upstream call', async () => {
    const { provider, calls } = cached();
    await provider.openSession().listGroups();
    expect(await provider.openSession().fetchGroup('g2')).toMatchObject({ id: 'ispring:g2' });
    expect(calls).toMatchObject({ listGroups: 1, fetchGroup: [] });
  });

  it('asks by id for an id a cached list does not hold, and keeps that "not found"', async () => {
    const { provider, calls } = cached();
    await provider.openSession().listDepartments();
    expect(await provider.openSession().fetchDepartment('d9')).toBeNull();
    expect(await provider.openSession().fetchDepartment('d9')).toBeNull();
    expect(calls).toMatchObject({ listDepartments: 1, fetchDepartment: ['d9'] });
  });

  it('keeps an entity read by id for the next operation', async () => {
    const { provider, calls } = cached();
    const first = await provider.openSession().fetchDepartment('d1');
    expect(await provider.openSession().fetchDepartment('d1')).toStrictEqual(first);
    expect(calls.fetchDepartment).toEqual(['d1']);
  });

  it('lets operations that read the same list at once share one upstream read', async () => {
    const { provider, calls, state } = cached();
    const held = gate();
    state.hold = held.opened;
    const reads = Promise.all([provider.openSession().listGroups(), provider.openSession().listGroups()]);
    await new Promise((resolve) => setImmediate(resolve));
    held.open();
    const [a, b] = await reads;
    expect(b).toBe(a);
    expect(calls.listGroups).toBe(1);
  });

  it('lets operations that read the same id at once share one upstream read', async () => {
    const { provider, calls, state } = cached();
    const held = gate();
    state.hold = held.opened;
    const reads = Promise.all([
      provider.openSession().fetchGroup('g1'),
      provider.openSession().fetchGroup('g1'),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    held.open();
    await reads;
    expect(calls.fetchGroup).toEqual(['g1']);
  });

  it('never keeps a failed list read', async () => {
    const { provider, calls, state } = cached();
    state.failNext = 'groups';
    await expect(provider.openSession().listGroups()).rejects.toThrow(ProviderError);
    expect(await provider.openSession().listGroups()).toHaveLength(3);
    expect(calls.listGroups).toBe(2);
  });

  it('reads the list again once its TTL has passed', async () => {
    const { provider, calls, advanceSeconds } = cached();
    await provider.openSession().listDepartments();
    advanceSeconds(300);
    await provider.openSession().listDepartments();
    expect(calls.listDepartments).toBe(1);
    advanceSeconds(0.001);
    await provider.openSession().listDepartments();
    expect(calls.listDepartments).toBe(2);
  });

  it.each([
    [
      { departments: 300, groups: 30 },
      { listDepartments: 1, listGroups: 2 },
    ],
    [
      { departments: 30, groups: 300 },
      { listDepartments: 2, listGroups: 1 },
    ],
  ])(
    'keeps departments and groups each for its own TTL (%o): at 31 s only the shorter-lived is read again',
    async (kinds, reads) => {
      const { provider, calls, advanceSeconds } = cached({ users: 60, ...kinds });
      const readBoth = async () => {
        const session = provider.openSession();
        await session.listDepartments();
        await session.listGroups();
      };
      await readBoth();
      advanceSeconds(31);
      await readBoth();
      expect(calls).toMatchObject(reads);
    },
  );

  it('keeps each kind for its own TTL, and a kind with TTL 0 not at all', async () => {
    const { provider, calls } = cached({ users: 60, departments: 0, groups: 300 });
    for (let i = 0; i < 2; i += 1) {
      const session = provider.openSession();
      await session.listDepartments();
      await session.fetchDepartment('d1');
      await session.listGroups();
    }
    expect(calls).toMatchObject({ listDepartments: 2, fetchDepartment: ['d1', 'd1'], listGroups: 1 });
  });
});

describe('withCache: the listing', () => {
  it("is the provider's own: the directory index keeps its own replica, so listing reads are never cached", () => {
    const { provider } = fakeProvider();
    const cache = createCacheStore({ maxEntries: 10, maxBytes: 1024 * 1024 });
    const decorated = withCache(provider, cache, TTLS);
    expect(decorated).not.toBe(provider);
    expect(decorated.listing).toBe(provider.listing);
  });
});

describe('cacheHintMaxAgeSeconds', () => {
  it('is the shortest TTL', () => {
    expect(cacheHintMaxAgeSeconds({ users: 60, departments: 300, groups: 120 })).toBe(60);
  });

  it('is 0 (no hint) as soon as one kind is not cached', () => {
    expect(cacheHintMaxAgeSeconds({ users: 60, departments: 0, groups: 300 })).toBe(0);
  });
});
