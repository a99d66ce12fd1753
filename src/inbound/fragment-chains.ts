import type { RequestHandler } from 'express';
import { Kind, parse, type DocumentNode, type SelectionSetNode } from 'graphql';
import { errorBody, QUERY_LIMIT_EXCEEDED } from './errors.js';

/**
 * Fragment chains too long to be validated, refused before Apollo Server parses the query.
 *
 * graphql-js's standard NoFragmentCycles rule follows fragment spreads by recursion, through every
 * fragment of the document, before the depth limit (a rule of the same validation pass) can stop
 * anything: a chain of a few thousand fragments, each spreading the next, overflows the stack in
 * validation, which Apollo Server answers with HTTP 500. A query that spreads fragments that many
 * times is far over the depth limit anyway (each spread is a level), so a document with more
 * spreads than could fit under the limit at all is measured here first, with no recursion, and
 * refused with `QUERY_LIMIT_EXCEEDED` when a chain of its fragments is deeper than the limit.
 *
 * Cheap for every other query: it counts `...` in the text, and parses only a document with more
 * than `SPREADS_WORTH_MEASURING` of them.
 */
export function refuseDeepFragmentChains(options: { maxQueryDepth: number }): RequestHandler {
  return (req, res, next) => {
    const refusal = fragmentChainRefusal(
      req.method === 'GET' ? req.query.query : req.body?.query,
      options.maxQueryDepth,
    );
    if (refusal === undefined) return next();
    res
      .status(400)
      .set('content-type', 'application/json; charset=utf-8')
      .send(errorBody(refusal, QUERY_LIMIT_EXCEEDED));
  };
}

/**
 * Why `query` (as sent) is refused, `QUERY_LIMIT_EXCEEDED`: its fragments spread one another past
 * `maxQueryDepth`; undefined when validation may have it.
 */
export function fragmentChainRefusal(query: unknown, maxQueryDepth: number): string | undefined {
  if (typeof query !== 'string' || countSpreads(query) <= SPREADS_WORTH_MEASURING) return undefined;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    // Apollo Server parses it again and answers with the syntax error (or the parser's own limit).
    return undefined;
  }
  const depth = longestFragmentChain(document);
  if (depth <= maxQueryDepth) return undefined;
  return `The query's fragments spread one another ${depth} deep, past the depth limit of ${maxQueryDepth} (each spread is a level).`;
}

/** Documents with at most this many spreads are left to validation, which handles them safely. */
export const SPREADS_WORTH_MEASURING = 500;

function countSpreads(text: string): number {
  let count = 0;
  for (let at = text.indexOf('...'); at !== -1; at = text.indexOf('...', at + 3)) count += 1;
  return count;
}

/**
 * The longest chain of fragment spreads through the document's fragments (a spread of a fragment
 * that spreads another is 2), whichever fragments the operations use: validation walks them all.
 * Iterative, memoised; a spread that closes a cycle counts as nothing (validation reports cycles).
 */
export function longestFragmentChain(document: DocumentNode): number {
  const spreads = new Map<string, string[]>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      spreads.set(definition.name.value, spreadsIn(definition.selectionSet));
    }
  }
  const chain = new Map<string, number | 'open'>();
  let longest = 0;
  for (const root of spreads.keys()) {
    const stack = [root];
    while (stack.length > 0) {
      const name = stack[stack.length - 1]!;
      const state = chain.get(name);
      if (typeof state === 'number') {
        stack.pop();
        continue;
      }
      const targets = spreads.get(name) ?? [];
      if (state === undefined) {
        chain.set(name, 'open');
        for (const target of targets) if (spreads.has(target) && !chain.has(target)) stack.push(target);
        continue;
      }
      let deepest = 0;
      for (const target of targets) {
        const below = chain.get(target);
        if (typeof below === 'number') deepest = Math.max(deepest, below);
      }
      chain.set(name, 1 + deepest);
      stack.pop();
    }
    longest = Math.max(longest, chain.get(root) as number);
  }
  return longest;
}

/** The fragments a selection set spreads, inline fragments and fields followed. */
function spreadsIn(selectionSet: SelectionSetNode): string[] {
  const names: string[] = [];
  const sets = [selectionSet];
  while (sets.length > 0) {
    for (const selection of sets.pop()!.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) names.push(selection.name.value);
      else if (selection.selectionSet) sets.push(selection.selectionSet);
    }
  }
  return names;
}
