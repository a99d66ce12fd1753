import { isDeepStrictEqual } from 'node:util';
import { resolveManagerRuleNow } from '../manager-walk.js';
import {
  NO_MANAGER,
  type CustomFieldModel,
  type DepartmentModel,
  type GroupModel,
  type ManagerRule,
  type PositionModel,
  type ProviderName,
  type UserModel,
  type UserStatusValue,
} from '../models.js';
import { UserSearch } from './search.js';
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

/** A user as the index holds it: the record, and when it was read from the provider. */
export interface IndexedUser {
  readonly user: UserModel;
  /** `Date.now()` when the request that read it was sent. */
  readonly fetchedAt: number;
}

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

/**
 * Ids by key (a manager, a department, a group, an email). Most keys hold one id (an email, most
 * managers' single report): that id is kept as itself, and a Set is made only for a second one,
 * which at 200,000 users saves some 200,000 Sets.
 */
class IdSets {
  readonly #sets = new Map<string, string | Set<string>>();

  add(key: string | null, id: string): void {
    if (key === null) return;
    const held = this.#sets.get(key);
    if (held === undefined) this.#sets.set(key, id);
    else if (typeof held === 'string') {
      if (held !== id) this.#sets.set(key, new Set([held, id]));
    } else held.add(id);
  }

  delete(key: string | null, id: string): void {
    if (key === null) return;
    const held = this.#sets.get(key);
    if (held === undefined) return;
    if (typeof held === 'string') {
      if (held === id) this.#sets.delete(key);
      return;
    }
    held.delete(id);
    if (held.size === 1) this.#sets.set(key, held.values().next().value!);
  }

  get(key: string): ReadonlySet<string> {
    const held = this.#sets.get(key);
    if (held === undefined) return EMPTY;
    return typeof held === 'string' ? new Set([held]) : held;
  }

  has(key: string): boolean {
    return this.#sets.has(key);
  }

  keys(): IterableIterator<string> {
    return this.#sets.keys();
  }
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

const EMPTY: ReadonlySet<string> = new Set();

export class DirectoryIndex {
  readonly #users = new Map<string, IndexedUser>();
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
  readonly #search = new UserSearch((id) => this.#users.get(id)?.user);

  /** How many users each provider has in the index. */
  readonly #userCounts = new Map<ProviderName, number>();
  /** Job titles, countries, roles and custom field names, one string each (`#shareStrings`). */
  readonly #vocabulary = new Map<string, string>();
  /** Copies `ownCopies` made, not yet put: `putUsers` keeps them as they are. */
  readonly #compact = new WeakSet<UserModel>();

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
    return this.#users.get(id);
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
   * The records the index would keep for these users, one page of a sync at a time: its own record
   * of each user that is the same in every field, and a compact copy of every other
   * (`compactCopy`), so that a full sync holds neither a second copy of unchanged users nor the
   * page bodies of changed ones until it applies.
   */
  ownCopies(users: readonly UserModel[]): UserModel[] {
    const fresh: UserModel[] = [];
    const result = users.map((user) => {
      const held = this.#users.get(user.id)?.user;
      if (held !== undefined && isDeepStrictEqual(held, user)) return held;
      fresh.push(user);
      return user;
    });
    if (fresh.length === 0) return result;
    const copies = compactCopy(fresh);
    for (const copy of copies) this.#compact.add(copy);
    let next = 0;
    return result.map((user) => (user === fresh[next] ? copies[next++]! : user));
  }

  /**
   * Makes a fresh copy (one `compactCopy` made, held by no one else) use the strings the index holds
   * already, in place: department and group ids become the catalog's own id strings, a manager's id
   * the indexed manager's, "no manager" the shared `NO_MANAGER`, and job titles, countries, roles and
   * custom field names one string per value. A copy has its own string for each of them, and a user
   * names its department some three times (its own, its position's, its manager rule's): sharing
   * them keeps one copy per department rather than one per mention.
   */
  #shareStrings(user: UserModel): void {
    const own = user as Writable<UserModel>;
    own.departmentId = this.#catalogId(own.departmentId);
    shareEach(own.groupIds, (id) => this.#catalogId(id) ?? id);
    shareEach(own.manageableDepartmentIds, (id) => this.#catalogId(id) ?? id);
    shareEach(own.managerRules, (rule) => this.#sharedRule(rule));
    own.jobTitle = this.#word(own.jobTitle);
    own.country = this.#word(own.country);
    own.role = this.#word(own.role);
    for (const position of own.positions as Array<Writable<PositionModel>>) {
      position.title = this.#word(position.title);
      position.departmentId = this.#catalogId(position.departmentId);
      position.manager = this.#sharedRule(position.manager);
    }
    for (const field of own.customFields as Array<Writable<CustomFieldModel>>)
      field.name = this.#word(field.name)!;
  }

  #catalogId(id: string | null): string | null {
    if (id === null) return null;
    return this.#departments.get(id)?.id ?? this.#groups.get(id)?.id ?? id;
  }

  #sharedRule(rule: ManagerRule): ManagerRule {
    switch (rule.kind) {
      case 'none':
        return NO_MANAGER;
      case 'department':
        (rule as { departmentId: string }).departmentId = this.#catalogId(rule.departmentId)!;
        return rule;
      case 'user':
        (rule as { userId: string }).userId = this.#users.get(rule.userId)?.user.id ?? rule.userId;
        return rule;
    }
  }

  /** One string per value, for the first `MAX_VOCABULARY` values (a tenant has some hundreds). */
  #word(value: string | null): string | null {
    if (value === null) return null;
    const held = this.#vocabulary.get(value);
    if (held !== undefined) return held;
    if (this.#vocabulary.size < MAX_VOCABULARY) this.#vocabulary.set(value, value);
    return value;
  }

  /** The resolved primary manager of a user in the index. */
  managerOf(id: string): string | null | undefined {
    return this.#managerOf.get(id);
  }

  /** Users whose manager is `id`, in display-name order. */
  directReports(id: string): string[] {
    return this.#inOrder(this.#reports.get(id));
  }

  /** Users whose department is `id` (or one below it), in display-name order. */
  departmentMembers(id: string, includeSubdepartments: boolean): string[] {
    if (!includeSubdepartments) return this.#inOrder(this.#departmentMembers.get(id));
    return this.#inOrder(this.#membersOf(this.#selfAndDescendants(id)));
  }

  groupMembers(id: string): string[] {
    return this.#inOrder(this.#groupMembers.get(id));
  }

  /** Departments whose parent is `id`, by name then id. */
  children(id: string): DepartmentModel[] {
    const children = [...this.#children.get(id)]
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
    return inAccountOrder(this.#byEmail.get(normalisedEmail));
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
   * Puts users read at `fetchedAt`, each unless the index holds a newer read of it. Returns how
   * many changed.
   */
  putUsers(users: readonly UserModel[], fetchedAt: number): number {
    let changed = 0;
    const put: IndexedUser[] | undefined = this.#onApplied && [];
    for (const user of users) {
      const held = this.#users.get(user.id);
      if (held && held.fetchedAt > fetchedAt) continue;
      if (held && (held.user === user || isDeepStrictEqual(held.user, user))) {
        this.#users.set(user.id, { user: held.user, fetchedAt });
        continue;
      }
      const own = this.#compact.delete(user) ? user : compactCopy(user);
      this.#shareStrings(own);
      if (held) this.#unlinkUser(held.user);
      else this.#count(own.provider, 1);
      const entry = { user: own, fetchedAt };
      this.#users.set(own.id, entry);
      this.#linkUser(own);
      put?.push(entry);
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
      this.#unlinkUser(held.user);
      this.#users.delete(id);
      this.#count(held.user.provider, -1);
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
      for (const id of this.userIdsOf(provider)) this.#relinkManager(this.#users.get(id)!.user);
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
    this.#search.delete(user.id);
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
    return this.#sortKeysOf(ids).map(idOfOrderKey);
  }

  /** The sort keys of these ids, in order. */
  #sortKeysOf(ids: Iterable<string>): string[] {
    const keys: string[] = [];
    for (const id of ids) {
      const key = this.#sortKeyOf.get(id);
      if (key !== undefined) keys.push(key);
    }
    return keys.sort();
  }

  #selfAndDescendants(id: string): Set<string> {
    const found = new Set<string>([id]);
    const queue = [id];
    while (queue.length > 0) {
      for (const child of this.#children.get(queue.pop()!)) {
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
  ): ReadonlySet<string> | undefined {
    const sets: ReadonlySet<string>[] = [];
    if (filter.managerId !== undefined) sets.push(this.#reports.get(filter.managerId));
    if (filter.groupId !== undefined) sets.push(this.#groupMembers.get(filter.groupId));
    if (departments !== undefined) sets.push(this.#membersOf(departments));
    return sets.sort((a, b) => a.size - b.size)[0];
  }

  /** The users of these departments. */
  #membersOf(departments: Iterable<string>): Set<string> {
    const members = new Set<string>();
    for (const department of departments) {
      for (const member of this.#departmentMembers.get(department)) members.add(member);
    }
    return members;
  }

  #filterOf(filter: UserFilter, departments: ReadonlySet<string> | undefined): (id: string) => boolean {
    const statuses = filter.status && filter.status.length > 0 ? new Set(filter.status) : undefined;
    return (id) => {
      const user = this.#users.get(id)?.user;
      if (!user) return false;
      if (filter.provider !== undefined && user.provider !== filter.provider) return false;
      if (statuses && !statuses.has(user.status)) return false;
      if (departments && (user.departmentId === null || !departments.has(user.departmentId))) return false;
      if (filter.groupId !== undefined && !user.groupIds.includes(filter.groupId)) return false;
      if (filter.managerId !== undefined && this.#managerOf.get(id) !== filter.managerId) return false;
      return true;
    };
  }
}

/**
 * A copy of parsed records whose strings stand alone. A value parsed from a response body is often
 * a slice of it (the XML parser cuts text out of the body; so does `trim`), and V8 keeps a whole
 * body alive for as long as one slice of it lives: an index of 40,000 users kept 22 MiB of iSpring
 * pages for the ids, logins and phone numbers cut out of them. Ids built by concatenation are
 * flattened too. JSON holds every field of the models (strings, booleans, null, arrays, plain
 * objects; no undefined), so the copy is equal to the original in every field.
 */
function compactCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Replaces each item of a fresh copy's array in place. */
function shareEach<T>(items: readonly T[], share: (item: T) => T): void {
  const writable = items as T[];
  for (let at = 0; at < writable.length; at += 1) writable[at] = share(writable[at]!);
}

/**
 * Distinct job titles, countries, roles and custom field names shared at most (past it, new values
 * are kept as they come): a bound on the table whatever a tenant sends.
 */
const MAX_VOCABULARY = 50_000;

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
