import { isDeepStrictEqual } from 'node:util';
import { LRUCache } from 'lru-cache';
import { resolveManagerRuleNow } from '../manager-walk.js';
import {
  NO_MANAGER,
  type DepartmentModel,
  type GroupModel,
  type ProviderName,
  type UserModel,
  type UserStatusValue,
} from '../models.js';
import { IdSets } from './id-sets.js';
import { UserSearch } from './search.js';
import { UserRecordCodec } from './user-record.js';
import { SortedKeys } from './sorted-keys.js';
import { PROVIDER_NAMES } from '../provider-facts.js';
import { idOfOrderKey, orderKey, personEmailOf } from './text.js';

/**
 * The directory index: a replica of each provider's users, departments and groups, with the
 * structures the directory's queries need (README, "The directory"):
 * by id, by normalised email, by manager (each user's primary manager, resolved by the same walk
 * as `User.manager`, so that `directReports` and `manager` agree), by department, by group,
 * departments by parent, users in display-name order, and the search index.
 *
 * Everything here is synchronous and in memory; `sync.ts` fills it, the loaders and resolvers read
 * it. Ids are global ids.
 */

/** A user as the index gives it: the record, and when it was read from the provider. */
export interface IndexedUser {
  readonly user: UserModel;
  /** `Date.now()` when the request that read it was sent. */
  readonly fetchedAt: number;
}

/**
 * A user encoded for an index ahead of `putUsers` (`DirectoryIndex.prepare`): what a full sync holds
 * for each user until it applies, a third of the memory of the user's objects, and none of the
 * response body the user was parsed from.
 */
export class PreparedUser {
  constructor(
    readonly id: string,
    /** The user's record (`UserRecordCodec`) in the index that prepared it. */
    readonly record: string,
  ) {}
}

/**
 * What the index keeps of a user: its record (`user-record.ts`), when it was read, and the fields
 * that `searchUsers` filters on, so that a filter reads no record.
 */
class HeldUser {
  constructor(
    /** The user's id: the string the index holds it by, which a sync's records of it share. */
    readonly id: string,
    readonly record: string,
    /** `Date.now()` when the request that read it was sent. */
    public fetchedAt: number,
    readonly provider: ProviderName,
    readonly status: UserStatusValue,
    readonly departmentId: string | null,
  ) {}
}

/**
 * Users decoded from their records at most, the most recently read kept: a query reads the same
 * users again and again (a manager chain, a team), and decoding one costs some microseconds.
 */
const DECODED_USERS = 5_000;

export interface UserFilter {
  readonly provider?: ProviderName | undefined;
  readonly status?: readonly UserStatusValue[] | undefined;
  readonly departmentId?: string | undefined;
  readonly includeSubdepartments?: boolean | undefined;
  readonly groupId?: string | undefined;
  readonly managerId?: string | undefined;
}

/** `searchUsers`: ranked ids, or (with no query) sort keys in display-name order. */
export type UserSearchResult =
  | { readonly ranked: true; readonly ids: readonly string[] }
  | { readonly ranked: false; readonly sortKeys: readonly string[] };

/** True when a filter names more than a provider: a status, a department, a group or a manager. */
function narrowsBeyondProvider(filter: UserFilter): boolean {
  return (
    (filter.status?.length ?? 0) > 0 ||
    filter.departmentId !== undefined ||
    filter.groupId !== undefined ||
    filter.managerId !== undefined
  );
}

/** Accounts of one person in the contract's order: by provider (`PROVIDER_NAMES`), then by id. */
export function inAccountOrder(ids: Iterable<string>): string[] {
  const rank = (id: string) => PROVIDER_NAMES.indexOf(id.slice(0, id.indexOf(':')) as ProviderName);
  return [...ids].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Person ids made per turn of the event loop (some 4 µs each). */
const PERSON_ID_BATCH = 2000;

/**
 * What a write changed in the index, as it was applied: the users that changed (not those read
 * again the same), the users that went, a provider's new catalog. The shared directory
 * (`replica.ts`) publishes these to the other processes.
 */
export type AppliedChange =
  | {
      readonly kind: 'users';
      readonly put: readonly IndexedUser[];
      readonly removed: readonly string[];
      /** The removals were of users read before this (null: whatever their read). */
      readonly readBefore: number | null;
    }
  | {
      readonly kind: 'catalog';
      readonly provider: ProviderName;
      readonly departments: readonly DepartmentModel[];
      readonly groups: readonly GroupModel[];
    };

export interface DirectoryIndexOptions {
  /** A person's id from their normalised email (`person-ids.ts`); without it, `personEmail` finds none. */
  readonly personIdOf?: ((email: string) => string) | undefined;
}

export class DirectoryIndex {
  readonly #users = new Map<string, HeldUser>();
  readonly #codec = new UserRecordCodec();
  /** Users decoded lately, with the record they were decoded from. */
  readonly #decoded = new LRUCache<string, { readonly user: UserModel; readonly record: string }>({
    max: DECODED_USERS,
  });
  readonly #departments = new Map<string, DepartmentModel>();
  readonly #groups = new Map<string, GroupModel>();
  /** Sorted lists of departments and groups, by provider (`*`: all), until the next catalog change. */
  readonly #departmentLists = new Map<string, readonly DepartmentModel[]>();
  readonly #groupLists = new Map<string, readonly GroupModel[]>();

  /** Each user's resolved primary manager. */
  readonly #managerOf = new Map<string, string | null>();
  readonly #reports = new IdSets();
  readonly #departmentMembers = new IdSets();
  readonly #groupMembers = new IdSets();
  /** Users by normalised email, for those whose email is an address (`personEmailOf`). */
  readonly #byEmail = new IdSets();
  readonly #personIdOf: ((email: string) => string) | undefined;
  /**
   * Normalised emails by person id, made when a person is first looked up by id (most deployments
   * never do: it costs an HMAC per email, 0.8 s at 200,000 emails) and kept current from then on.
   */
  #emailOfPerson: Map<string, string> | undefined;
  #personIdsMade: Promise<void> | undefined;
  /** Department ids by parent id. */
  readonly #children = new IdSets();

  /** Each user's place in display-name order: folded name, then id. */
  readonly #sortKeyOf = new Map<string, string>();
  readonly #usersInOrder = new SortedKeys();
  readonly #providerUsersInOrder = new Map<ProviderName, SortedKeys>();
  readonly #search = new UserSearch(
    (id) => this.user(id)?.user,
    (ids) => this.#inOrder(ids),
  );

  /** How many users each provider has in the index. */
  readonly #userCounts = new Map<ProviderName, number>();

  /** Hears every change a write made (`AppliedChange`), right after it is applied. */
  #onApplied: ((change: AppliedChange) => void) | undefined;

  constructor(options: DirectoryIndexOptions = {}) {
    this.#personIdOf = options.personIdOf;
  }

  /** Sets who hears the changes each write makes (one listener: the shared directory's). */
  onApplied(listener: ((change: AppliedChange) => void) | undefined): void {
    this.#onApplied = listener;
  }

  // --- reads ------------------------------------------------------------------------------------

  user(id: string): IndexedUser | undefined {
    const held = this.#users.get(id);
    if (held === undefined) return undefined;
    return { user: this.#decode(id, held.record, { keep: true }), fetchedAt: held.fetchedAt };
  }

  /**
   * The user a record holds: as decoded lately, or decoded now. Reads keep what they decode among
   * the users read lately; writes do not (a full sync puts every user, and keeping each for a while
   * would make all of them old garbage for V8 to collect).
   */
  #decode(id: string, record: string, { keep }: { keep: boolean }): UserModel {
    const decoded = keep ? this.#decoded.get(id) : this.#decoded.peek(id);
    if (decoded !== undefined && decoded.record === record) return decoded.user;
    const user = this.#codec.decode(id, record);
    if (keep) this.#decoded.set(id, { user, record });
    return user;
  }

  department(id: string): DepartmentModel | undefined {
    return this.#departments.get(id);
  }

  group(id: string): GroupModel | undefined {
    return this.#groups.get(id);
  }

  userCount(provider: ProviderName): number {
    return this.#userCounts.get(provider) ?? 0;
  }

  /** The ids of a provider's users. */
  userIdsOf(provider: ProviderName): string[] {
    const prefix = `${provider}:`;
    return [...this.#users.keys()].filter((id) => id.startsWith(prefix));
  }

  /**
   * These users as the index would keep them (`PreparedUser`), one page of a sync at a time, so
   * that a full sync holds neither the users' objects nor the page bodies they were parsed from
   * until it applies them.
   */
  prepare(users: readonly UserModel[]): PreparedUser[] {
    return users.map((user) => {
      const record = this.#codec.encode(user);
      // An unchanged user's id and record are those held already: a sync holds no second copy.
      const held = this.#users.get(user.id);
      return held?.record === record
        ? new PreparedUser(held.id, held.record)
        : new PreparedUser(user.id, record);
    });
  }

  /**
   * Puts in order what many changes left unordered (a full sync's users and words), so that the
   * first query after them does not wait for the sort, and the changes are not held until then.
   * One list a turn of the event loop (`between` is the wait for the next): each of a
   * 200,000-user index's lists takes 50 to 150 ms to sort, and all of them at once kept queries
   * and probes waiting some 0.4 s at the end of a first sync. A query between two of them that
   * needs a list not yet sorted sorts it itself.
   */
  async settle(between: () => Promise<unknown>): Promise<void> {
    const steps = [
      () => this.#usersInOrder.values(),
      ...[...this.#providerUsersInOrder.values()].map((keys) => () => keys.values()),
      () => this.#search.settle(),
    ];
    for (const [n, step] of steps.entries()) {
      if (n > 0) await between();
      step();
    }
  }

  /** The resolved primary manager of a user in the index. */
  managerOf(id: string): string | null | undefined {
    return this.#managerOf.get(id);
  }

  /** Users whose manager is `id`, in display-name order. */
  directReports(id: string): string[] {
    return this.#inOrder(this.#reports.ids(id));
  }

  /** Users whose department is `id` (or one below it), in display-name order. */
  departmentMembers(id: string, includeSubdepartments: boolean): string[] {
    if (!includeSubdepartments) return this.#inOrder(this.#departmentMembers.ids(id));
    return this.#inOrder(this.#membersOf(this.#selfAndDescendants(id)));
  }

  groupMembers(id: string): string[] {
    return this.#inOrder(this.#groupMembers.ids(id));
  }

  /** Departments whose parent is `id`, by name then id. */
  children(id: string): DepartmentModel[] {
    const children = [...this.#children.ids(id)]
      .map((child) => this.#departments.get(child))
      .filter((child): child is DepartmentModel => child !== undefined);
    return inNameOrder(children);
  }

  /**
   * Every department (of a provider, or of all), by name then id. Kept until the departments change:
   * by-id reads list a provider's departments for walks on every operation, and sorting thousands
   * each time cost tens of milliseconds.
   */
  departments(provider?: ProviderName): readonly DepartmentModel[] {
    return this.#catalogList(this.#departmentLists, this.#departments, provider);
  }

  groups(provider?: ProviderName): readonly GroupModel[] {
    return this.#catalogList(this.#groupLists, this.#groups, provider);
  }

  #catalogList<T extends DepartmentModel | GroupModel>(
    lists: Map<string, readonly T[]>,
    entries: ReadonlyMap<string, T>,
    provider: ProviderName | undefined,
  ): readonly T[] {
    const key = provider ?? '*';
    let list = lists.get(key);
    if (list === undefined) {
      list = Object.freeze(
        inNameOrder(
          [...entries.values()].filter((entry) => provider === undefined || entry.provider === provider),
        ),
      );
      lists.set(key, list);
    }
    return list;
  }

  /**
   * The ids of the users whose email normalises to `normalisedEmail` (`normaliseEmail`), in account
   * order (`inAccountOrder`); none for an email that is not an address (`personEmailOf`).
   */
  usersWithEmail(normalisedEmail: string): string[] {
    return inAccountOrder(this.#byEmail.ids(normalisedEmail));
  }

  /**
   * The normalised email of the person with this id, when some user has it. The first call makes
   * the map of person ids (`PERSON_ID_BATCH` emails per turn of the event loop, so that a large
   * index does not hold the loop for the best part of a second); later calls find it made.
   */
  async personEmail(personId: string): Promise<string | undefined> {
    if (this.#personIdOf === undefined) return undefined;
    await (this.#personIdsMade ??= this.#makePersonIds(this.#personIdOf));
    return this.#emailOfPerson!.get(personId);
  }

  async #makePersonIds(personIdOf: (email: string) => string): Promise<void> {
    // The map exists from the start, so that users linked and unlinked meanwhile keep it current;
    // an email of the snapshot is added only while some user still has it.
    const made = new Map<string, string>();
    this.#emailOfPerson = made;
    const emails = [...this.#byEmail.keys()];
    for (let start = 0; start < emails.length; start += PERSON_ID_BATCH) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const email of emails.slice(start, start + PERSON_ID_BATCH)) {
        if (this.#byEmail.has(email)) made.set(personIdOf(email), email);
      }
    }
  }

  /** The sort key of a user: folded display name, then id (for key-paged lists). */
  sortKeyOf(id: string): string | undefined {
    return this.#sortKeyOf.get(id);
  }

  /**
   * Users that match `query` (best first) and pass `filter`; with no query, every user that passes
   * it, as sort keys in display-name order (the whole list, or a provider's, is not copied).
   */
  searchUsers(query: string | undefined, filter: UserFilter): UserSearchResult {
    const narrows = narrowsBeyondProvider(filter);
    // The departments a filter admits, walked once for the candidates and the check alike.
    const departments =
      filter.departmentId === undefined
        ? undefined
        : filter.includeSubdepartments
          ? this.#selfAndDescendants(filter.departmentId)
          : new Set([filter.departmentId]);
    const passes = this.#filterOf(filter, departments);
    const words = query?.trim() ?? '';
    if (words !== '') {
      const found = this.#search.search(words);
      const everyone = filter.provider === undefined && !narrows;
      return { ranked: true, ids: everyone ? found : found.filter(passes) };
    }
    const { provider } = filter;
    const ordered = provider === undefined ? this.#usersInOrder : this.#providerUsersInOrder.get(provider);
    if (!narrows) return { ranked: false, sortKeys: ordered?.values() ?? [] };
    const narrowest = this.#narrowestCandidates(filter, departments);
    const keys = narrowest ? this.#sortKeysOf(narrowest) : (ordered?.values() ?? []);
    return { ranked: false, sortKeys: keys.filter((key) => passes(idOfOrderKey(key))) };
  }

  // --- writes -----------------------------------------------------------------------------------

  /**
   * Puts users read at `fetchedAt` (as models, or as this index prepared them), each unless the
   * index holds a newer read of it. Returns how many changed.
   */
  putUsers(users: readonly (UserModel | PreparedUser)[], fetchedAt: number): number {
    let changed = 0;
    const put: IndexedUser[] | undefined = this.#onApplied && [];
    for (const item of users) {
      const { id } = item;
      const held = this.#users.get(id);
      if (held && held.fetchedAt > fetchedAt) continue;
      const record = item instanceof PreparedUser ? item.record : this.#codec.encode(item);
      if (held && held.record === record) {
        held.fetchedAt = fetchedAt;
        continue;
      }
      // The index links the user as decoded from its record: strings of their own, none of them a
      // slice of the response body the user was parsed from.
      if (held) this.#unlinkUser(this.#decode(id, held.record, { keep: false }));
      const user = this.#decode(id, record, { keep: false });
      this.#decoded.delete(id);
      if (!held) this.#count(user.provider, 1);
      this.#users.set(id, new HeldUser(id, record, fetchedAt, user.provider, user.status, user.departmentId));
      this.#linkUser(user);
      put?.push({ user, fetchedAt });
      changed += 1;
    }
    if (put && put.length > 0) this.#onApplied?.({ kind: 'users', put, removed: [], readBefore: null });
    return changed;
  }

  /** Removes users, each unless the index read it after `readBefore`. Returns how many went. */
  removeUsers(ids: Iterable<string>, readBefore = Number.POSITIVE_INFINITY): number {
    const removed: string[] = [];
    for (const id of ids) {
      const held = this.#users.get(id);
      if (!held || held.fetchedAt >= readBefore) continue;
      this.#unlinkUser(this.#decode(id, held.record, { keep: false }));
      this.#users.delete(id);
      this.#decoded.delete(id);
      this.#count(held.provider, -1);
      removed.push(id);
    }
    if (removed.length > 0) {
      this.#onApplied?.({
        kind: 'users',
        put: [],
        removed,
        readBefore: Number.isFinite(readBefore) ? readBefore : null,
      });
    }
    return removed.length;
  }

  /**
   * Replaces a provider's departments and groups. When its departments changed, its users'
   * managers are resolved again (an inherited supervisor comes from the departments). Returns how
   * many departments and groups changed.
   */
  replaceCatalog(
    provider: ProviderName,
    departments: readonly DepartmentModel[],
    groups: readonly GroupModel[],
  ): { departments: number; groups: number } {
    const departmentChanges = replaceEntries(this.#departments, provider, departments, {
      unlink: (department) => this.#children.delete(department.parentId, department.id),
      link: (department) => this.#children.add(department.parentId, department.id),
    });
    const groupChanges = replaceEntries(this.#groups, provider, groups, {});
    if (departmentChanges > 0) this.#departmentLists.clear();
    if (groupChanges > 0) this.#groupLists.clear();
    if (departmentChanges > 0) {
      for (const held of this.#users.values()) {
        if (held.provider === provider)
          this.#relinkManager(this.#decode(held.id, held.record, { keep: false }));
      }
    }
    if (departmentChanges + groupChanges > 0) {
      this.#onApplied?.({ kind: 'catalog', provider, departments, groups });
    }
    return { departments: departmentChanges, groups: groupChanges };
  }

  // --- the derived structures -------------------------------------------------------------------

  #linkUser(user: UserModel): void {
    const sortKey = orderKey(user.displayName, user.id);
    this.#sortKeyOf.set(user.id, sortKey);
    this.#usersInOrder.add(sortKey);
    let ofProvider = this.#providerUsersInOrder.get(user.provider);
    if (!ofProvider) this.#providerUsersInOrder.set(user.provider, (ofProvider = new SortedKeys()));
    ofProvider.add(sortKey);
    this.#departmentMembers.add(user.departmentId, user.id);
    for (const group of new Set(user.groupIds)) this.#groupMembers.add(group, user.id);
    const email = personEmailOf(user.email);
    if (email !== undefined) {
      if (this.#emailOfPerson !== undefined && !this.#byEmail.has(email))
        this.#emailOfPerson.set(this.#personIdOf!(email), email);
      this.#byEmail.add(email, user.id);
    }
    const manager = this.#resolveManager(user);
    this.#managerOf.set(user.id, manager);
    this.#reports.add(manager, user.id);
    this.#search.put(user);
  }

  #unlinkUser(user: UserModel): void {
    const sortKey = this.#sortKeyOf.get(user.id);
    if (sortKey !== undefined) {
      this.#usersInOrder.delete(sortKey);
      this.#providerUsersInOrder.get(user.provider)?.delete(sortKey);
    }
    this.#sortKeyOf.delete(user.id);
    this.#departmentMembers.delete(user.departmentId, user.id);
    for (const group of new Set(user.groupIds)) this.#groupMembers.delete(group, user.id);
    const email = personEmailOf(user.email);
    if (email !== undefined) {
      this.#byEmail.delete(email, user.id);
      if (this.#emailOfPerson !== undefined && !this.#byEmail.has(email))
        this.#emailOfPerson.delete(this.#personIdOf!(email));
    }
    this.#reports.delete(this.#managerOf.get(user.id) ?? null, user.id);
    this.#managerOf.delete(user.id);
    this.#search.delete(user);
  }

  #relinkManager(user: UserModel): void {
    const before = this.#managerOf.get(user.id) ?? null;
    const after = this.#resolveManager(user);
    if (before === after) return;
    this.#reports.delete(before, user.id);
    this.#reports.add(after, user.id);
    this.#managerOf.set(user.id, after);
  }

  /** `User.manager`: the primary rule, walked over the index's departments. */
  #resolveManager(user: UserModel): string | null {
    const rule = user.managerRules[0] ?? NO_MANAGER;
    return resolveManagerRuleNow({ rule, subjectId: user.id }, (id) => this.#departments.get(id) ?? null);
  }

  #count(provider: ProviderName, delta: number): void {
    this.#userCounts.set(provider, (this.#userCounts.get(provider) ?? 0) + delta);
  }

  /** Ids in display-name order. */
  #inOrder(ids: Iterable<string>): string[] {
    // Many ids (a search for one letter): the list in order, filtered, rather than a sort of them.
    if (ids instanceof Set && ids.size * 8 > this.#users.size) {
      const keys = new Set(this.#sortKeysOf(ids, false));
      return this.#usersInOrder
        .values()
        .filter((key) => keys.has(key))
        .map(idOfOrderKey);
    }
    return this.#sortKeysOf(ids).map(idOfOrderKey);
  }

  /** The sort keys of these ids, in order (or as they came). */
  #sortKeysOf(ids: Iterable<string>, sorted = true): string[] {
    const keys: string[] = [];
    for (const id of ids) {
      const key = this.#sortKeyOf.get(id);
      if (key !== undefined) keys.push(key);
    }
    return sorted ? keys.sort() : keys;
  }

  #selfAndDescendants(id: string): Set<string> {
    const found = new Set<string>([id]);
    const queue = [id];
    while (queue.length > 0) {
      for (const child of this.#children.ids(queue.pop()!)) {
        if (found.has(child)) continue; // a cycle in the provider's tree: each department once
        found.add(child);
        queue.push(child);
      }
    }
    return found;
  }

  /** The smallest set a filter names (its manager, group or department), if it names one. */
  #narrowestCandidates(
    filter: UserFilter,
    departments: ReadonlySet<string> | undefined,
  ): Iterable<string> | undefined {
    const sets: { readonly size: number; readonly ids: Iterable<string> }[] = [];
    const { managerId, groupId } = filter;
    if (managerId !== undefined)
      sets.push({ size: this.#reports.count(managerId), ids: this.#reports.ids(managerId) });
    if (groupId !== undefined)
      sets.push({ size: this.#groupMembers.count(groupId), ids: this.#groupMembers.ids(groupId) });
    if (departments !== undefined) {
      const members = this.#membersOf(departments);
      sets.push({ size: members.size, ids: members });
    }
    return sets.sort((a, b) => a.size - b.size)[0]?.ids;
  }

  /** The users of these departments. */
  #membersOf(departments: Iterable<string>): Set<string> {
    const members = new Set<string>();
    for (const department of departments) {
      for (const member of this.#departmentMembers.ids(department)) members.add(member);
    }
    return members;
  }

  #filterOf(filter: UserFilter, departments: ReadonlySet<string> | undefined): (id: string) => boolean {
    const statuses = filter.status && filter.status.length > 0 ? new Set(filter.status) : undefined;
    const { groupId } = filter;
    return (id) => {
      const user = this.#users.get(id);
      if (!user) return false;
      if (filter.provider !== undefined && user.provider !== filter.provider) return false;
      if (statuses && !statuses.has(user.status)) return false;
      if (departments && (user.departmentId === null || !departments.has(user.departmentId))) return false;
      if (groupId !== undefined && !this.#groupMembers.holds(groupId, id)) return false;
      if (filter.managerId !== undefined && this.#managerOf.get(id) !== filter.managerId) return false;
      return true;
    };
  }
}

/** Departments or groups by name (folded), then id. */
function inNameOrder<T extends DepartmentModel | GroupModel>(entries: readonly T[]): T[] {
  return entries
    .map((entry) => ({ entry, key: orderKey(entry.name, entry.id) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ entry }) => entry);
}

/** Replaces one provider's entries of `map` with `entries`; returns how many were added, changed or removed. */
function replaceEntries<T extends { id: string; provider: ProviderName }>(
  map: Map<string, T>,
  provider: ProviderName,
  entries: readonly T[],
  hooks: { unlink?: (entry: T) => void; link?: (entry: T) => void },
): number {
  let changes = 0;
  const incoming = new Map(entries.map((entry) => [entry.id, entry]));
  for (const [id, held] of map) {
    if (held.provider !== provider || incoming.has(id)) continue;
    hooks.unlink?.(held);
    map.delete(id);
    changes += 1;
  }
  for (const [id, entry] of incoming) {
    const held = map.get(id);
    if (held && isDeepStrictEqual(held, entry)) continue;
    if (held) hooks.unlink?.(held);
    map.set(id, entry);
    hooks.link?.(entry);
    changes += 1;
  }
  return changes;
}
