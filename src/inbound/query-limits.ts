import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import type { LimitsConfig } from '../config.js';
import { QueryLimitError } from './errors.js';

/**
 * One validation rule for the shape of an operation: its depth, its aliases and its field count
 * (the cost), each counted with fragments expanded. Introspection fields count like any other;
 * `_entities` and `_service` are ordinary fields here, and a router's entity fetches stay far
 * inside the defaults.
 *
 * Fragments are measured once each and composed (a fragment spread twice counts twice), so a
 * document whose fragments expand exponentially is measured in linear time, and nothing here
 * recurses through fragments: a chain of thousands of spreads cannot overflow the stack.
 */

export type QueryShapeLimits = Pick<LimitsConfig, 'maxQueryDepth' | 'maxAliases' | 'maxFields'>;

/**
 * What an operation or a fragment selects, fragments expanded. Depth counts fields, fragment spreads
 * and inline fragments, each one level: `{ a { b } }` is 2, `{ a { ...F } } fragment F on A { b }`
 * is 3. A fragment is a level of nesting graphql-js walks (recursively) when it executes, so a chain
 * of thousands of them is as deep as thousands of fields, however few fields it has.
 */
export interface QueryShape {
  readonly depth: number;
  readonly aliases: number;
  readonly fields: number;
}

export function createQueryLimitsRule(limits: QueryShapeLimits): ValidationRule {
  return (context) => {
    const measure = createShapeMeter(context.getDocument());
    return {
      OperationDefinition(operation) {
        const shape = measure(operation);
        const exceeded: string[] = [];
        if (shape.depth > limits.maxQueryDepth) {
          exceeded.push(`Query depth ${shape.depth} exceeds the limit of ${limits.maxQueryDepth}.`);
        }
        if (shape.aliases > limits.maxAliases) {
          exceeded.push(
            `Query alias count ${count(shape.aliases)} exceeds the limit of ${limits.maxAliases}.`,
          );
        }
        if (shape.fields > limits.maxFields) {
          exceeded.push(
            `Query field count ${count(shape.fields)} exceeds the limit of ${limits.maxFields} (fields are counted with fragments expanded).`,
          );
        }
        const where = operation.name ? ` (operation "${operation.name.value}")` : '';
        for (const message of exceeded) {
          context.reportError(new QueryLimitError(message.replace(/\.$/, `${where}.`), [operation]));
        }
        return false;
      },
    };
  };
}

/** Counts past 2^53 (exponential fragment expansion) are shown as such rather than as 1e+21. */
function count(value: number): string {
  return Number.isSafeInteger(value) ? String(value) : 'more than 9007199254740991';
}

/** What one selection set holds itself, and the fragments it spreads (at which depth, how often). */
interface LocalShape {
  depth: number;
  aliases: number;
  fields: number;
  readonly spreads: Map<string, { times: number; atDepth: number }>;
}

const NOTHING: QueryShape = Object.freeze({ depth: 0, aliases: 0, fields: 0 });

/** Measures operations of `document`, measuring each fragment once however often it is spread. */
export function createShapeMeter(document: DocumentNode): (operation: OperationDefinitionNode) => QueryShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const locals = new Map<string, LocalShape>();
  const localOf = (name: string): LocalShape | undefined => {
    let local = locals.get(name);
    if (local === undefined) {
      const fragment = fragments.get(name);
      if (fragment === undefined) return undefined;
      local = measureLocally(fragment.selectionSet);
      locals.set(name, local);
    }
    return local;
  };

  // 'open' marks a fragment being measured: spreading it again is a cycle, which the standard
  // NoFragmentCycles rule reports; here it counts as nothing.
  const totals = new Map<string, QueryShape | 'open'>();
  const totalOf = (root: string): QueryShape => {
    const stack = [root];
    while (stack.length > 0) {
      const name = stack[stack.length - 1]!;
      const state = totals.get(name);
      if (state !== undefined && state !== 'open') {
        stack.pop();
        continue;
      }
      const local = localOf(name);
      if (local === undefined) {
        totals.set(name, NOTHING);
        stack.pop();
        continue;
      }
      if (state === undefined) {
        totals.set(name, 'open');
        for (const spread of local.spreads.keys()) if (!totals.has(spread)) stack.push(spread);
        continue;
      }
      totals.set(
        name,
        compose(local, (spread) => totals.get(spread)),
      );
      stack.pop();
    }
    const total = totals.get(root);
    return total === undefined || total === 'open' ? NOTHING : total;
  };

  return (operation) => {
    const local = measureLocally(operation.selectionSet);
    return compose(local, (spread) => totalOf(spread));
  };
}

function compose(
  local: LocalShape,
  totalOf: (fragment: string) => QueryShape | 'open' | undefined,
): QueryShape {
  let { depth, aliases, fields } = local;
  for (const [name, { times, atDepth }] of local.spreads) {
    const total = totalOf(name);
    if (total === undefined || total === 'open') continue;
    // The spread itself is one level: what the fragment selects is one deeper.
    depth = Math.max(depth, atDepth + 1 + total.depth);
    aliases += times * total.aliases;
    fields += times * total.fields;
  }
  return { depth, aliases, fields };
}

/**
 * Walks one selection set without entering fragments. Recursion follows the document's own nesting,
 * which the parser has already walked with more stack per level than this takes.
 */
function measureLocally(selectionSet: SelectionSetNode): LocalShape {
  const shape: LocalShape = { depth: 0, aliases: 0, fields: 0, spreads: new Map() };
  const walk = (set: SelectionSetNode, depth: number): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        shape.fields += 1;
        if (selection.alias) shape.aliases += 1;
        shape.depth = Math.max(shape.depth, depth + 1);
        if (selection.selectionSet) walk(selection.selectionSet, depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        shape.depth = Math.max(shape.depth, depth + 1);
        walk(selection.selectionSet, depth + 1);
      } else {
        const name = selection.name.value;
        const spread = shape.spreads.get(name);
        if (spread) {
          spread.times += 1;
          spread.atDepth = Math.max(spread.atDepth, depth);
        } else {
          shape.spreads.set(name, { times: 1, atDepth: depth });
        }
      }
    }
  };
  walk(selectionSet, 0);
  return shape;
}
