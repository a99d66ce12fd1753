import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { secretsOf, type IspringConfig } from '../../config.js';
import { SecretRedactor } from '../../errors.js';
import type { DepartmentModel, GroupModel } from '../../models.js';
import type { DirectoryProvider, ProviderSession } from '../types.js';
import { createIspringClient, type IspringClient } from './client.js';
import { toDepartmentModel, toGroupModel } from './mapper.js';

export { createIspringClient, ISPRING_CLIENT_ENDPOINTS, type IspringClient } from './client.js';
export { toDepartmentModel, toGroupModel, toUserModel, toUserStatus } from './mapper.js';

export interface IspringProviderOptions {
  /** Shared with the logger and the error formatter; issued tokens are added to it. */
  redactor?: SecretRedactor;
  /** Keeps the token across requests (the cross-request cache); without it, in the client. */
  tokenStore?: KeyValueCache<string>;
}

/**
 * iSpring Learn as a `DirectoryProvider` (contract sections 5 and 7).
 *
 * - Users: one `GET /users/v2?userIds[]=…` per batch (DataLoader gives at most `userBatchSize`).
 * - Departments and groups: one list read (`GET /department`, `GET /group`) per session when more
 *   than one is needed, a read by id when one is; once a list is read, ids are answered from it.
 */
export function createIspringProvider(
  config: IspringConfig,
  options: IspringProviderOptions = {},
): DirectoryProvider {
  const redactor =
    options.redactor ??
    new SecretRedactor(secretsOf({ thrive: undefined, ispring: config, routerSecret: undefined }));
  const client = createIspringClient(config, redactor, options.tokenStore);
  return {
    name: 'ispring',
    userBatchSize: config.userBatchSize,
    openSession: () => openIspringSession(client),
    checkCredentials: () => client.checkCredentials(),
    // An iSpring department is always readable by id: one that is not there does not exist.
    unknownDepartment: () => null,
  };
}

function openIspringSession(client: IspringClient): ProviderSession {
  let departmentList: Promise<DepartmentModel[]> | undefined;
  let groupList: Promise<GroupModel[]> | undefined;
  return {
    async fetchUsers(ids) {
      if (ids.length === 0) return new Map();
      // A token that cannot be had fails every id alike: the whole call rejects, once.
      await client.prepare();
      return client.fetchUsers(ids);
    },
    async fetchDepartment(id) {
      if (departmentList)
        return (await departmentList).find((department) => department.externalId === id) ?? null;
      const department = await client.fetchDepartment(id);
      return department && toDepartmentModel(department);
    },
    listDepartments: () =>
      (departmentList ??= client.listDepartments().then((list) => list.map(toDepartmentModel))),
    async fetchGroup(id) {
      if (groupList) return (await groupList).find((group) => group.externalId === id) ?? null;
      const group = await client.fetchGroup(id);
      return group && toGroupModel(group);
    },
    listGroups: () => (groupList ??= client.listGroups().then((list) => list.map(toGroupModel))),
  };
}
