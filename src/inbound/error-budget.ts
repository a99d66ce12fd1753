import { createRequire } from 'node:module';
import type { BaseContext } from '@apollo/server';
import type { RequestPlugin } from '../request-plugins.js';
import {
  responsePathAsArray,
  type GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type Source,
} from 'graphql';

/**
 * The GraphQLError class of the copy of graphql that Apollo Server executes with (its CommonJS build,
 * which `require` gives). An error of another copy (the ESM build a bundler such as vitest gives
 * this module) is not `instanceof` Apollo's, and Apollo would wrap it again, path and all lost.
 */
const { GraphQLError: EngineGraphQLError } = createRequire(import.meta.url)(
  'graphql',
) as typeof import('graphql');

/**
 * Bounded work for errors, whatever a request makes fail.
 *
 * graphql-js locates each field error in the query text as it makes it (`getLocation` scans the
 * text from its start for line breaks), so the cost of a response is its errors times the length
 * of the query: thirty thousand malformed ids in a query padded to a megabyte on one line held the
 * event loop for seconds. Here resolvers' errors are made located already (an error with a `path`
 * is taken as it is), with their line and column found in an index of the query's line starts,
 * built once per query; and a response carries at most `MAX_ERRORS_PER_RESPONSE` errors, the rest
 * summed up in one more that says how many.
 */

/** Most errors one response carries; any more are counted in one last error (`TOO_MANY_ERRORS`). */
export const MAX_ERRORS_PER_RESPONSE = 100;

export const TOO_MANY_ERRORS = 'TOO_MANY_ERRORS';

/**
 * Cuts the errors of a response to `MAX_ERRORS_PER_RESPONSE` before they are formatted, logged or
 * traced: the first plugin, so that every later one sees the list the client gets.
 */
export function errorCapPlugin(): RequestPlugin<BaseContext> {
  return {
    requestDidStart() {
      return {
        didEncounterErrors({ errors }) {
          if (errors.length <= MAX_ERRORS_PER_RESPONSE) return;
          const leftOut = errors.length - MAX_ERRORS_PER_RESPONSE;
          // The array is the one Apollo Server formats and sends: cut in place.
          const list = errors as GraphQLError[];
          list.splice(MAX_ERRORS_PER_RESPONSE);
          list.push(
            new EngineGraphQLError(
              `${leftOut} more error${leftOut === 1 ? ' was' : 's were'} left out of this response, which carries the first ${MAX_ERRORS_PER_RESPONSE}.`,
              { extensions: { code: TOO_MANY_ERRORS } },
            ),
          );
        },
      };
    },
  };
}

/**
 * Wraps every resolver of `schema` so that what it throws or rejects with, for itself or for an item
 * of the list it returns, is an error located without scanning the query. Resolvers of lists of
 * promises (`users(ids:)`, `_entities`) fail item by item, each with its index in the path.
 */
export function locateResolverErrors(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    // By tag, not `isObjectType`: @apollo/subgraph builds the schema with its own copy of graphql
    // (CommonJS), which is not this module's copy when the sources run through a bundler (vitest).
    if (Object.prototype.toString.call(type) !== '[object GraphQLObjectType]' || type.name.startsWith('__')) {
      continue;
    }
    const fields = (type as unknown as { getFields(): Record<string, { resolve?: Resolver }> }).getFields();
    for (const field of Object.values(fields)) {
      if (field.resolve) field.resolve = locating(field.resolve);
    }
  }
  return schema;
}

type Resolver = GraphQLFieldResolver<unknown, unknown, unknown>;

function locating(resolve: Resolver): Resolver {
  return (source, args, context, info) => {
    let result: unknown;
    try {
      result = resolve(source, args, context, info);
    } catch (error) {
      throw located(error, info);
    }
    if (isPromise(result)) {
      return result.then(undefined, (error: unknown) => {
        throw located(error, info);
      });
    }
    if (Array.isArray(result) && result.some(isPromise)) {
      return result.map((item: unknown, index) =>
        isPromise(item)
          ? item.then(undefined, (error: unknown) => {
              throw located(error, info, index);
            })
          : item,
      );
    }
    return result;
  };
}

/** `error` as a GraphQL error with its path, and the location of its field read from the index. */
function located(error: unknown, info: GraphQLResolveInfo, index?: number): GraphQLError {
  const path = responsePathAsArray(info.path);
  if (index !== undefined) path.push(index);
  const original = error instanceof Error ? error : new Error(String(error));
  const made = new EngineGraphQLError(original.message, {
    path,
    originalError: original,
    // The original's code stays the formatter's to give; graphql-js would copy it here anyway.
    extensions: (original as { extensions?: Record<string, unknown> }).extensions,
  });
  const node = info.fieldNodes[0];
  if (node?.loc) {
    // Not through the constructor, which would scan the text: graphql-js keeps `locations` as a
    // plain property.
    (made as { locations: unknown }).locations = [locationOf(node.loc.source, node.loc.start)];
  }
  return made;
}

const lineStarts = new WeakMap<Source, readonly number[]>();

/** Line and column (both from 1) of `position` in `source`, as graphql-js's `getLocation` gives them. */
export function locationOf(source: Source, position: number): { line: number; column: number } {
  let starts = lineStarts.get(source);
  if (starts === undefined) {
    const found = [0];
    const body = source.body;
    for (let at = 0; at < body.length; at += 1) {
      const char = body.charCodeAt(at);
      // \r\n, \n and \r each end a line, as in the GraphQL spec.
      if (char === 10) found.push(at + 1);
      else if (char === 13) {
        if (body.charCodeAt(at + 1) === 10) at += 1;
        found.push(at + 1);
      }
    }
    starts = found;
    lineStarts.set(source, starts);
  }
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= position) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: position - starts[low]! + 1 };
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
