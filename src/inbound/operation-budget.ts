import type { BaseContext } from '@apollo/server';
import type { RequestPlugin } from '../request-plugins.js';
import {
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { LimitsConfig } from '../config.js';
import { QueryLimitError } from './errors.js';

/**
 * The ids one operation names in all, bounded before anything runs (`MAX_IDS_PER_OPERATION`). The
 * per-field bounds (`MAX_USERS_IDS`, `MAX_REPRESENTATIONS`) hold one field at a time, but thirty
 * aliases of a full `users(ids:)` multiply them: thirty thousand reads, or errors, from one request
 * of a few kilobytes. Every id of every `users(ids:)` and every `_entities` representation counts,
 * fragments expanded (a root fragment spread twice counts twice), whether it comes in the document
 * or in the variables.
 */
export function operationBudgetPlugin(
  limits: Pick<LimitsConfig, 'maxIdsPerOperation' | 'maxUsersIds' | 'maxRepresentations'>,
): RequestPlugin<BaseContext> {
  return {
    requestDidStart() {
      return {
        didResolveOperation({ document, operation, request }) {
          // Apollo has refused an operation it could not resolve (an unknown operationName) already.
          if (operation === undefined) return;
          const ids = idsNamedBy(document, operation, request.variables ?? {}, limits);
          if (ids > limits.maxIdsPerOperation) {
            throw new QueryLimitError(
              `The operation names ${ids > Number.MAX_SAFE_INTEGER ? 'more than 9007199254740991' : ids} ids in all (users(ids:) and _entities representations, fragments expanded); at most ${limits.maxIdsPerOperation} are served per operation (MAX_IDS_PER_OPERATION).`,
            );
          }
        },
      };
    },
  };
}

/** The root fields whose list arguments name entities, the argument of each, and its own limit. */
const ID_LISTS: Readonly<Record<string, { argument: string; limit: 'maxUsersIds' | 'maxRepresentations' }>> =
  {
    users: { argument: 'ids', limit: 'maxUsersIds' },
    _entities: { argument: 'representations', limit: 'maxRepresentations' },
  };

/**
 * How many ids `operation` names. `users` and `_entities` are fields of `Query` only, which no field
 * returns, so they can only be selected at the root: in the operation's selection set, or in
 * fragments and inline fragments spread there. Each fragment is counted once and multiplied by its
 * spreads; validation has already refused fragment cycles. A list over its field's own limit reads
 * no id (the field fails alone, `BAD_USER_INPUT`), and counts as none.
 */
export function idsNamedBy(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  limits: Pick<LimitsConfig, 'maxUsersIds' | 'maxRepresentations'>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const counted = new Map<string, number>();
  const inFragment = (name: string, seen: ReadonlySet<string>): number => {
    const known = counted.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (fragment === undefined || seen.has(name)) return 0;
    const total = inSelection(fragment.selectionSet, new Set([...seen, name]));
    counted.set(name, total);
    return total;
  };
  const inSelection = (selectionSet: SelectionSetNode, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) total += idsOfField(selection, variables, limits);
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += inSelection(selection.selectionSet, seen);
      else total += inFragment(selection.name.value, seen);
    }
    return total;
  };
  return inSelection(operation.selectionSet, new Set());
}

function idsOfField(
  field: FieldNode,
  variables: Readonly<Record<string, unknown>>,
  limits: Pick<LimitsConfig, 'maxUsersIds' | 'maxRepresentations'>,
): number {
  const list = ID_LISTS[field.name.value];
  if (list === undefined) return 0;
  const argument = field.arguments?.find((candidate) => candidate.name.value === list.argument);
  const length = argument === undefined ? 0 : lengthOf(argument.value, variables);
  return length > limits[list.limit] ? 0 : length;
}

/** Items of a list argument: a list literal, or a variable's value (one value is a list of one). */
function lengthOf(value: ValueNode, variables: Readonly<Record<string, unknown>>): number {
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const given = variables[value.name.value];
    if (Array.isArray(given)) return given.length;
    return given === undefined || given === null ? 0 : 1;
  }
  return value.kind === Kind.NULL ? 0 : 1;
}
