import type { QueryResolvers } from '../generated/resolvers-types.js';
import { userById, userByIdItem, validId } from './shared.js';

export const Query: QueryResolvers = {
  user: (_, { id }, { loaders }) => userById(loaders, validId(id, 'id')),

  // How many ids one call takes (`MAX_USERS_IDS`) is checked before this runs: see
  // `src/inbound/argument-limits.ts`.
  users: (_, { ids }, { loaders }) => {
    // Each id is its own list item: a malformed one is an error at its index, the rest still load.
    // graphql-js resolves list items that are promises one by one; the generated type can't say so.
    const items = ids.map((id, index) => userByIdItem(loaders, id, `ids[${index}]`));
    return items as unknown as Array<Awaited<(typeof items)[number]>>;
  },

  department: (_, { id }, { loaders }) => loaders.department(validId(id, 'id')),

  group: (_, { id }, { loaders }) => loaders.group(validId(id, 'id')),
};
