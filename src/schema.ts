import { readdirSync, readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers/index.js';

/** `schema/` at the package root: the same files codegen reads (from `src/` and from `dist/`). */
/** The resolver map `buildSubgraphSchema` takes (its type is not in the package's public index). */
type SubgraphResolvers = NonNullable<
  Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers']
>;

const SCHEMA_DIRECTORY = new URL('../schema/', import.meta.url);

/** Every `schema/*.graphql` file, in name order, as one document. */
export function loadTypeDefs(): DocumentNode {
  const files = readdirSync(SCHEMA_DIRECTORY)
    .filter((name) => name.endsWith('.graphql'))
    .sort();
  const source = files.map((name) => readFileSync(new URL(name, SCHEMA_DIRECTORY), 'utf8')).join('\n');
  return parse(source);
}

export function createSubgraphSchema(): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: loadTypeDefs(),
    // The generated `Resolvers` type is stricter than the subgraph library's map; they agree at runtime.
    resolvers: resolvers as SubgraphResolvers,
  });
}
