import { SecretRedactor } from '../../redaction.js';
import type { DepartmentModel, GroupModel } from '../../models.js';
import type { CallOptions } from '../http/types.js';
import { createResilience } from '../resilience/index.js';
import type { DirectoryProvider, ProviderListing, ProviderOptions, ProviderSession } from '../types.js';
import { createIspringClient, type IspringClient } from './client.js';
import { ISPRING_DEFAULTS, ispringSecrets, type IspringConfig } from './config.js';
import { toDepartmentModel, toGroupModel } from './mapper.js';

export { createIspringClient, type IspringClient } from './client.js';
export { ISPRING_ENDPOINTS } from './endpoints.js';
export { toDepartmentModel, toGroupModel, toUserModel, toUserStatus } from './mapper.js';

/** What `createIspringProvider` takes besides its configuration (every provider takes the same). */
export type IspringProviderOptions = ProviderOptions;

/**
 * iSpring Learn as a `DirectoryProvider` (batching: README, "How requests are batched").
 *
 * - Users: one `GET /users/v2?userIds[]=…` per batch (DataLoader gives at most `userBatchSize`).
 * - Departments and groups: one list read (`GET /department`, `GET /group`) per session when more
 *   than one is needed, a read by id when one is; once a list is read, ids are answered from it.
 */
export function createIspringProvider(
  config: IspringConfig,
  options: IspringProviderOptions = {},
): DirectoryProvider {
  const redactor = options.redactor ?? new SecretRedactor(ispringSecrets(config));
  // One per provider: every session and token request shares its breaker and in-flight bound.
  const resilience = createResilience('ispring', config.resilience, options.clock, options.observer);
  const client = createIspringClient(config, redactor, options.tokenStore, resilience);
  return {
    name: 'ispring',
    userBatchSize: config.userBatchSize,
    openSession: (session) =>
      openIspringSession(client, {
        deadline: session?.deadline ?? resilience.deadlineFromNow(),
        caller: session?.caller,
      }),
    checkCredentials: () => client.checkCredentials(),
    sharesOneCatalog: false,
    // An iSpring department is always readable by id: one that is not there does not exist.
    unknownDepartment: () => null,
    listing: createIspringListing(client, config.userPageSize ?? ISPRING_DEFAULTS.userPageSize),
  };
}

/**
 * iSpring's whole content for the directory index, one request a call, each with its own
 * `UPSTREAM_DEADLINE_MS`:
 *
 * - users: `GET /users/v2?pageSize=<userPageSize>`, the cursor iSpring's `nextPageToken`. The list
 *   ends when a page has no token (absent or empty) or no profiles. iSpring has no `updatedSince`:
 *   asked with one, the page is every user's, and says so (`ignoredUpdatedSince`);
 * - departments: `GET /department`, which gives every department whole (its parent);
 * - groups: `GET /group` (iSpring's groups are flat).
 */
function createIspringListing(client: IspringClient, pageSize: number): ProviderListing {
  return {
    supportsUpdatedSince: false,

    async readUsersPage(cursor, options) {
      if (cursor === '') throw new RangeError("An empty cursor is not one of iSpring's page tokens.");
      const page = await client.listUsersPage(cursor ?? undefined, pageSize);
      const next = page.received === 0 ? undefined : page.nextPageToken;
      return {
        users: page.users,
        next: next ?? null,
        ...(options?.updatedSince === undefined ? {} : { ignoredUpdatedSince: true }),
      };
    },

    readAllDepartments: async () => (await client.listDepartments()).map(toDepartmentModel),

    readAllGroups: async () => (await client.listGroups()).map(toGroupModel),
  };
}

function openIspringSession(client: IspringClient, call: CallOptions): ProviderSession {
  let departmentList: Promise<DepartmentModel[]> | undefined;
  let groupList: Promise<GroupModel[]> | undefined;
  return {
    async fetchUsers(ids) {
      if (ids.length === 0) return new Map();
      // A token that cannot be had fails every id alike: the whole call rejects, once.
      await client.prepare(call);
      return client.fetchUsers(ids, call);
    },
    async fetchDepartment(id) {
      if (departmentList)
        return (await departmentList).find((department) => department.externalId === id) ?? null;
      const department = await client.fetchDepartment(id, call);
      return department && toDepartmentModel(department);
    },
    listDepartments: () =>
      (departmentList ??= client.listDepartments(call).then((list) => list.map(toDepartmentModel))),
    async fetchGroup(id) {
      if (groupList) return (await groupList).find((group) => group.externalId === id) ?? null;
      const group = await client.fetchGroup(id, call);
      return group && toGroupModel(group);
    },
    listGroups: () => (groupList ??= client.listGroups(call).then((list) => list.map(toGroupModel))),
  };
}
