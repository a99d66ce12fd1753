import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from 'graphql';
import type { LimitsConfig } from '../config.js';

/**
 * Bounds on the list arguments through which one operation could start thousands of upstream
 * requests: `users(ids:)` and the router's `_entities(representations:)`. Checked when the field
 * resolves, before any id is read, and answered with `BAD_USER_INPUT` (a malformed argument).
 *
 * `_entities` is built by @apollo/subgraph, so the bound wraps the field's resolver in the built
 * schema rather than sitting in a resolver file; `users` is bounded the same way so that both
 * limits live in one place.
 */
export function limitListArguments(
  schema: GraphQLSchema,
  limits: Pick<LimitsConfig, 'maxUsersIds' | 'maxRepresentations'>,
): GraphQLSchema {
  const fields = schema.getQueryType()?.getFields() ?? {};
  const entityTypes = entityTypeNames(schema);

  const users = fields['users'];
  if (users) {
    const resolve = users.resolve ?? defaultFieldResolver;
    users.resolve = (source, args: { ids?: unknown }, context, info) => {
      const ids = Array.isArray(args.ids) ? args.ids : [];
      if (ids.length > limits.maxUsersIds) {
        throw badInput(`users(ids:) takes at most ${limits.maxUsersIds} ids; got ${ids.length}.`);
      }
      return resolve(source, args, context, info);
    };
  }

  const entities = fields['_entities'];
  if (entities) {
    const resolve = entities.resolve ?? defaultFieldResolver;
    entities.resolve = (source, args: { representations?: unknown }, context, info) => {
      const representations = Array.isArray(args.representations) ? args.representations : [];
      if (representations.length > limits.maxRepresentations) {
        throw badInput(
          `_entities(representations:) takes at most ${limits.maxRepresentations} representations; got ${representations.length}.`,
        );
      }
      // @apollo/subgraph fails the whole field with an internal error on a representation whose
      // __typename is not an object type; say what is wrong instead.
      representations.forEach((representation: unknown, index) => {
        const typename = (representation as { __typename?: unknown } | null)?.__typename;
        if (
          typeof representation !== 'object' ||
          representation === null ||
          Array.isArray(representation) ||
          typeof typename !== 'string' ||
          !entityTypes.has(typename)
        ) {
          throw badInput(
            `representations[${index}] must be an object whose __typename is one of ${[...entityTypes].join(', ')}; got ${describe(typename)}.`,
          );
        }
      });
      return resolve(source, args, context, info);
    };
  }
  return schema;
}

/**
 * The types the subgraph resolves by key: the members of the `_Entity` union. Read without
 * `isUnionType`: @apollo/subgraph builds the schema with its own copy of graphql (CommonJS), which
 * is not this module's copy when the sources run through a bundler (vitest).
 */
function entityTypeNames(schema: GraphQLSchema): ReadonlySet<string> {
  const union = schema.getType('_Entity') as { getTypes?: () => ReadonlyArray<{ name: string }> } | undefined;
  return new Set(typeof union?.getTypes === 'function' ? union.getTypes().map((type) => type.name) : []);
}

function describe(typename: unknown): string {
  if (typeof typename !== 'string') return 'no __typename';
  return typename.length <= 64 && /^[\x20-\x7e]*$/.test(typename)
    ? `__typename ${JSON.stringify(typename)}`
    : `a ${typename.length}-character __typename`;
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}
