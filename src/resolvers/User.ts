import { toProviderEnum } from '../provider-facts.js';
import { GraphQLError } from 'graphql';
import type { UserResolvers } from '../generated/resolvers-types.js';
import type { UserModel } from '../models.js';
import type { RequestContext } from '../context.js';
import { loadPresent, peekPresent, userByIdItem } from './shared.js';

/** The deepest `managementChain(maxDepth:)` served. */
export const MAX_CHAIN_DEPTH = 50;

/** The user's primary manager when it is at hand (`Loaders.peekUser`), else undefined. */
function primaryManagerAtHand(user: UserModel, { loaders }: RequestContext): UserModel | null | undefined {
  const [rule] = user.managerRules;
  if (!rule) return null;
  const managerId = loaders.peekManager({ rule, subjectId: user.id });
  if (managerId === undefined || managerId === null) return managerId;
  return loaders.peekUser(managerId);
}

/** The user's primary manager, through the manager loader (rule resolution is batched per depth). */
async function primaryManager(user: UserModel, { loaders }: RequestContext): Promise<UserModel | null> {
  const [rule] = user.managerRules;
  if (!rule) return null;
  const managerId = await loaders.manager({ rule, subjectId: user.id });
  return managerId === null ? null : loaders.user(managerId);
}

export const User: UserResolvers = {
  // A bad id rejects this representation alone (`userByIdItem`): @apollo/subgraph maps the
  // representations synchronously, and a synchronous throw would fail all of `_entities`.
  __resolveReference: (reference, { loaders }) => userByIdItem(loaders, reference.id, 'representation id'),

  provider: (user) => toProviderEnum(user.provider),

  positions: (user) => user.positions.map((position) => ({ ...position, holderId: user.id })),

  manager: (user, _, context) => {
    const atHand = primaryManagerAtHand(user, context);
    return atHand !== undefined ? atHand : primaryManager(user, context);
  },

  managers: async (user, _, { loaders }) => {
    const ids = await Promise.all(
      user.managerRules.map((rule) => loaders.manager({ rule, subjectId: user.id })),
    );
    return loadPresent(
      ids.filter((id): id is string => id !== null),
      loaders.user,
    );
  },

  managementChain: async (user, { maxDepth }, context) => {
    if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > MAX_CHAIN_DEPTH) {
      throw new GraphQLError(
        `managementChain(maxDepth:) must be from 0 to ${MAX_CHAIN_DEPTH}; got ${maxDepth}.`,
        {
          extensions: { code: 'BAD_USER_INPUT' },
        },
      );
    }
    const chain: UserModel[] = [];
    const seen = new Set([user.id]);
    let current = user;
    while (chain.length < maxDepth) {
      const manager = await primaryManager(current, context);
      if (manager === null || seen.has(manager.id)) break;
      seen.add(manager.id);
      chain.push(manager);
      current = manager;
    }
    return chain;
  },

  department: (user, _, { loaders }) => {
    if (user.departmentId === null) return null;
    const atHand = loaders.peekNamedDepartment(user.departmentId);
    return atHand !== undefined ? atHand : loaders.namedDepartment(user.departmentId);
  },

  groups: (user, _, { loaders }) =>
    peekPresent(user.groupIds, loaders.peekGroup) ?? loadPresent(user.groupIds, loaders.group),

  manageableDepartments: (user, _, { loaders }) =>
    loadPresent(user.manageableDepartmentIds, loaders.department),
};
