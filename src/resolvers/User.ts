import { toProviderEnum } from '../provider-facts.js';
import { GraphQLError } from 'graphql';
import type { UserResolvers } from '../generated/resolvers-types.js';
import type { UserModel } from '../models.js';
import type { RequestContext } from '../context.js';
import { loadPresent, validId } from './shared.js';

/** The deepest `managementChain(maxDepth:)` served. */
export const MAX_CHAIN_DEPTH = 50;

/** The user's primary manager, through the manager loader (rule resolution is batched per depth). */
async function primaryManager(user: UserModel, { loaders }: RequestContext): Promise<UserModel | null> {
  const [rule] = user.managerRules;
  if (!rule) return null;
  const managerId = await loaders.manager({ rule, subjectId: user.id });
  return managerId === null ? null : loaders.user(managerId);
}

export const User: UserResolvers = {
  // Async so that a bad id rejects this representation alone: @apollo/subgraph maps the
  // representations synchronously, and a synchronous throw would fail all of `_entities`.
  __resolveReference: async (reference, { loaders }) =>
    loaders.user(validId(reference.id, 'representation id')),

  provider: (user) => toProviderEnum(user.provider),

  positions: (user) => user.positions.map((position) => ({ ...position, holderId: user.id })),

  manager: (user, _, context) => primaryManager(user, context),

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

  department: (user, _, { loaders }) =>
    user.departmentId === null ? null : loaders.namedDepartment(user.departmentId),

  groups: (user, _, { loaders }) => loadPresent(user.groupIds, loaders.group),

  manageableDepartments: (user, _, { loaders }) =>
    loadPresent(user.manageableDepartmentIds, loaders.department),
};
