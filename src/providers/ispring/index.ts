import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { secretsOf, type IspringConfig } from '../../config.js';
import { SecretRedactor } from '../../redaction.js';
import type { DepartmentModel, GroupModel } from '../../models.js';
import type { CallOptions } from '../http/types.js';
import type { UpstreamObserver } from '../observer.js';
import { createResilience, type ResilienceClock } from '../resilience/index.js';
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
  /** Time for retries, deadlines and the circuit breaker; tests pass their own. */
  clock?: ResilienceClock;
  /** Hears every upstream request and breaker change (logs and metrics); silent without it. */
  observer?: UpstreamObserver;
}

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
  const redactor =
    options.redactor ??
    new SecretRedactor(secretsOf({ thrive: undefined, ispring: config, routerSecret: undefined }));
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
