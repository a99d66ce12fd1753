import { toProviderEnum } from '../provider-facts.js';
import type { GroupResolvers } from '../generated/resolvers-types.js';
import { validId } from './shared.js';

export const Group: GroupResolvers = {
  __resolveReference: async (reference, { loaders }) =>
    loaders.group(validId(reference.id, 'representation id')),

  provider: (group) => toProviderEnum(group.provider),

  parent: async (group, _, { loaders }) => {
    const parentId = await loaders.parentOf(group, 'group');
    return parentId === null ? null : loaders.group(parentId, 'walk');
  },
};
