import { inAccountOrder, type UserFilter } from '../../directory/index-store.js';
import type { PersonIds } from '../../directory/person-ids.js';
import type { DirectoryQueries } from '../../directory/queries.js';
import { foldForSearch, orderKey, personEmailOf } from '../../directory/text.js';
import { resolveManagerRuleNow } from '../../manager-walk.js';
import {
  NO_MANAGER,
  type DepartmentModel,
  type GroupModel,
  type ProviderName,
  type UserModel,
} from '../../models.js';

/**
 * The directory's questions answered from plain arrays, by scanning them: what the bench's
 * baseline B1 answers with, to measure the index against (README, "Benchmark"). Each user's
 * manager is resolved once at start (the same walk as `User.manager`); everything else is a scan
 * per question. Search keeps the index's rule (every query word starts a word of the name, email,
 * login or ref; case and accents folded) and its order (an exact email, login or ref first, then
 * users with every query word as a whole word, then the rest; by display name within each).
 */
export function createPlainDirectory(
  users: readonly UserModel[],
  departments: readonly DepartmentModel[],
  groups: readonly GroupModel[],
  personIds: PersonIds,
): DirectoryQueries {
  const departmentById = new Map(departments.map((department) => [department.id, department]));
  const userById = new Map(users.map((user) => [user.id, user]));
  const sortKey = (user: UserModel) => orderKey(user.displayName, user.id);
  const inOrder = [...users].sort((a, b) => compare(sortKey(a), sortKey(b)));
  const managerOf = new Map(
    users.map((user) => {
      const id = resolveManagerRuleNow(
        { rule: user.managerRules[0] ?? NO_MANAGER, subjectId: user.id },
        (departmentId) => departmentById.get(departmentId) ?? null,
      );
      return [user.id, id !== null && userById.has(id) ? id : null] as const;
    }),
  );
  const words = new Map(
    users.map((user) => [
      user.id,
      [user.displayName, user.email, user.login, user.ref]
        .filter((value): value is string => !!value)
        .flatMap((value) => foldForSearch(value).split(/[\s\p{P}\p{Z}]+/u))
        .filter((word) => word !== ''),
    ]),
  );
  const exactOf = (user: UserModel) =>
    [user.email, user.login, user.ref]
      .filter((value): value is string => !!value)
      .map((v) => foldForSearch(v.trim()));

  const descendantsOf = (id: string): Set<string> => {
    const found = new Set([id]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const department of departments) {
        if (department.parentId !== null && found.has(department.parentId) && !found.has(department.id)) {
          found.add(department.id);
          grew = true;
        }
      }
    }
    return found;
  };

  const passes = (filter: UserFilter) => {
    const inDepartments =
      filter.departmentId === undefined
        ? undefined
        : filter.includeSubdepartments
          ? descendantsOf(filter.departmentId)
          : new Set([filter.departmentId]);
    return (user: UserModel) =>
      (filter.provider === undefined || user.provider === filter.provider) &&
      (!filter.status?.length || filter.status.includes(user.status)) &&
      (inDepartments === undefined || (user.departmentId !== null && inDepartments.has(user.departmentId))) &&
      (filter.groupId === undefined || user.groupIds.includes(filter.groupId)) &&
      (filter.managerId === undefined || managerOf.get(user.id) === filter.managerId);
  };

  const byName = (a: { name: string | null; id: string }, b: { name: string | null; id: string }) =>
    compare(orderKey(a.name, a.id), orderKey(b.name, b.id));
  const providersOf = [...new Set(users.map((user) => user.provider))];

  return {
    requireReady: () => {},
    providers: () => providersOf,
    user: (id) => userById.get(id),
    sortKeyOf: (id) => {
      const user = userById.get(id);
      return user && sortKey(user);
    },
    searchUsers(query, filter) {
      const keep = passes(filter);
      const parts = foldForSearch(query?.trim() ?? '')
        .split(/[\s\p{P}\p{Z}]+/u)
        .filter((part) => part !== '');
      if (parts.length === 0) return { ranked: false, sortKeys: inOrder.filter(keep).map(sortKey) };
      const wanted = foldForSearch(query!.trim());
      const exact: string[] = [];
      const whole: string[] = [];
      const rest: string[] = [];
      for (const user of inOrder) {
        if (!keep(user)) continue;
        const own = words.get(user.id)!;
        if (!parts.every((part) => own.some((word) => word.startsWith(part)))) continue;
        const tier = exactOf(user).includes(wanted)
          ? exact
          : parts.every((part) => own.includes(part))
            ? whole
            : rest;
        tier.push(user.id);
      }
      return { ranked: true, ids: [...exact, ...whole, ...rest] };
    },
    directReports: (id) => inOrder.filter((user) => managerOf.get(user.id) === id).map((user) => user.id),
    departmentMembers(id, includeSubdepartments) {
      const within = includeSubdepartments ? descendantsOf(id) : new Set([id]);
      return inOrder
        .filter((user) => user.departmentId !== null && within.has(user.departmentId))
        .map((user) => user.id);
    },
    groupMembers: (id) => inOrder.filter((user) => user.groupIds.includes(id)).map((user) => user.id),
    children: (id) => departments.filter((department) => department.parentId === id).sort(byName),
    departments: (provider?: ProviderName) =>
      departments
        .filter((department) => provider === undefined || department.provider === provider)
        .sort(byName),
    groups: (provider?: ProviderName) =>
      groups.filter((group) => provider === undefined || group.provider === provider).sort(byName),
    personIdOf: (email) => personIds.idOf(email),
    usersWithEmail: (email) =>
      inAccountOrder(users.filter((user) => personEmailOf(user.email) === email).map((user) => user.id)),
    async personEmail(personId) {
      for (const user of users) {
        const email = personEmailOf(user.email);
        if (email !== undefined && personIds.idOf(email) === personId) return email;
      }
      return undefined;
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
