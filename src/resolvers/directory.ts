import type { DirectoryQueries } from '../directory/queries.js';
import type { UserFilter } from '../directory/index-store.js';
import { idOfOrderKey, orderKey } from '../directory/text.js';
import type {
  UserFilter as SchemaUserFilter,
  DepartmentResolvers,
  GroupResolvers,
  QueryResolvers,
  UserResolvers,
} from '../generated/resolvers-types.js';
import { providerOf } from '../ids.js';
import type { DepartmentModel, GroupModel, ProviderName, UserModel } from '../models.js';
import { fromProviderEnum } from '../provider-facts.js';
import type { RequestContext } from '../context.js';
import { pageMapped, pageOf, type OrderedList, type PageArguments } from './connection.js';
import { validId } from './shared.js';

/**
 * The directory's fields (schema `directory.graphql`): search, lists and the ways down, answered
 * from the directory index with no upstream request. Each first checks that the index can answer
 * for the providers it covers (`DIRECTORY_NOT_READY`, `DIRECTORY_DISABLED`).
 */

/** `first` bounds: users 0 to 100, departments and groups 0 to 1000 (their defaults are the schema's). */
const USER_PAGES = { defaultFirst: 20, maxFirst: 100 } as const;
const CATALOG_PAGES = { defaultFirst: 100, maxFirst: 1000 } as const;
const MEMBER_PAGES = { defaultFirst: 50, maxFirst: 100 } as const;

export function directoryOf(context: RequestContext): DirectoryQueries {
  if (!context.directory) throw new Error('The request context has no directory.');
  return context.directory;
}

/** The index's users for `ids`, in the same order (an id the index dropped meanwhile is left out). */
function usersOf(directory: DirectoryQueries, ids: readonly string[]): UserModel[] {
  const users: UserModel[] = [];
  for (const id of ids) {
    const user = directory.user(id);
    if (user) users.push(user);
  }
  return users;
}

function usersInOrder(directory: DirectoryQueries, ids: readonly string[]): OrderedList<UserModel> {
  return {
    kind: 'keyed',
    items: usersOf(directory, ids),
    keyOf: (user) => directory.sortKeyOf(user.id) ?? orderKey(user.displayName, user.id),
  };
}

const catalogKey = (entity: DepartmentModel | GroupModel) => orderKey(entity.name, entity.id);

function userPage(
  connection: string,
  directory: DirectoryQueries,
  ids: readonly string[],
  args: PageArguments,
  limits: { defaultFirst: number; maxFirst: number },
) {
  return pageOf(connection, usersInOrder(directory, ids), args, limits);
}

export const directoryQueryFields: Pick<QueryResolvers, 'searchUsers' | 'departments' | 'groups'> = {
  searchUsers: (_, { query, filter, first, after }, context) => {
    const directory = directoryOf(context);
    const indexFilter = toIndexFilter(filter ?? undefined);
    directory.requireReady(coveredProviders(directory, indexFilter));
    const found = directory.searchUsers(query ?? undefined, indexFilter);
    const userOf = (id: string) => directory.user(id)!;
    if (found.ranked) {
      return pageMapped(
        'searchUsers(query)',
        { kind: 'ranked', items: found.ids },
        { first, after },
        USER_PAGES,
        userOf,
      );
    }
    return pageMapped(
      'searchUsers',
      { kind: 'keyed', items: found.sortKeys, keyOf: (key) => key },
      { first, after },
      USER_PAGES,
      (key) => userOf(idOfOrderKey(key)),
    );
  },

  departments: (_, { provider, first, after }, context) => {
    const directory = directoryOf(context);
    const name = provider ? fromProviderEnum(provider) : undefined;
    directory.requireReady(name ? [name] : directory.providers());
    return pageOf(
      'departments',
      { kind: 'keyed', items: directory.departments(name), keyOf: catalogKey },
      { first, after },
      CATALOG_PAGES,
    );
  },

  groups: (_, { provider, first, after }, context) => {
    const directory = directoryOf(context);
    const name = provider ? fromProviderEnum(provider) : undefined;
    directory.requireReady(name ? [name] : directory.providers());
    return pageOf(
      'groups',
      { kind: 'keyed', items: directory.groups(name), keyOf: catalogKey },
      { first, after },
      CATALOG_PAGES,
    );
  },
};

export const directoryUserFields: Pick<UserResolvers, 'directReports'> = {
  directReports: (user, { first, after }, context) => {
    const directory = directoryOf(context);
    directory.requireReady([user.provider]);
    return userPage(
      'directReports',
      directory,
      directory.directReports(user.id),
      { first, after },
      MEMBER_PAGES,
    );
  },
};

export const directoryDepartmentFields: Pick<DepartmentResolvers, 'children' | 'members'> = {
  children: (department, _, context) => {
    const directory = directoryOf(context);
    directory.requireReady([department.provider]);
    return directory.children(department.id);
  },
  members: (department, { first, after, includeSubdepartments }, context) => {
    const directory = directoryOf(context);
    directory.requireReady([department.provider]);
    const ids = directory.departmentMembers(department.id, includeSubdepartments === true);
    return userPage(
      includeSubdepartments ? 'members(includeSubdepartments)' : 'members',
      directory,
      ids,
      { first, after },
      MEMBER_PAGES,
    );
  },
};

export const directoryGroupFields: Pick<GroupResolvers, 'members'> = {
  members: (group, { first, after }, context) => {
    const directory = directoryOf(context);
    directory.requireReady([group.provider]);
    return userPage('members', directory, directory.groupMembers(group.id), { first, after }, MEMBER_PAGES);
  },
};

/** The filter argument with its ids checked (`BAD_USER_INPUT` for a malformed one). */
function toIndexFilter(filter: SchemaUserFilter | undefined): UserFilter {
  if (!filter) return {};
  return {
    provider: filter.provider ? fromProviderEnum(filter.provider) : undefined,
    status: filter.status ?? undefined,
    departmentId: filter.departmentId ? validId(filter.departmentId, 'filter.departmentId') : undefined,
    includeSubdepartments: filter.includeSubdepartments === true,
    groupId: filter.groupId ? validId(filter.groupId, 'filter.groupId') : undefined,
    managerId: filter.managerId ? validId(filter.managerId, 'filter.managerId') : undefined,
  };
}

/**
 * The providers whose index a search needs: the one its filter names (by provider, or through a
 * department, group or manager id, which belong to one provider), else all.
 */
function coveredProviders(directory: DirectoryQueries, filter: UserFilter): ProviderName[] {
  const named = new Set<ProviderName>();
  if (filter.provider) named.add(filter.provider);
  for (const id of [filter.departmentId, filter.groupId, filter.managerId]) {
    if (id !== undefined) named.add(providerOf(id));
  }
  return named.size > 0 ? [...named] : directory.providers();
}
