import { GraphQLError } from 'graphql';
import type { QueryResolvers } from '../generated/resolvers-types.js';
import { validId } from './shared.js';

/** The most ids one `users(ids:)` call takes: beyond it, one query could start thousands of upstream requests. */
export const MAX_USER_IDS = 1000;

export const Query: QueryResolvers = {
  user: (_, { id }, { loaders }) => loaders.user(validId(id, 'id')),

  users: (_, { ids }, { loaders }) => {
    if (ids.length > MAX_USER_IDS) {
      throw new GraphQLError(`users(ids:) takes at most ${MAX_USER_IDS} ids; got ${ids.length}.`, {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    // Each id is its own list item: a malformed one is an error at its index, the rest still load.
    // graphql-js resolves list items that are promises one by one; the generated type can't say so.
    const items = ids.map(async (id, index) => loaders.user(validId(id, `ids[${index}]`)));
    return items as unknown as Array<Awaited<(typeof items)[number]>>;
  },

  department: (_, { id }, { loaders }) => loaders.department(validId(id, 'id')),

  group: (_, { id }, { loaders }) => loaders.group(validId(id, 'id')),
};
