import { GraphQLError } from 'graphql';

/**
 * Connections (the schema's `UserConnection`, `DepartmentConnection`, `GroupConnection`): one page
 * of an ordered list, with opaque cursors.
 *
 * Lists in a fixed order (by display name or name, then id) page by key: a cursor holds the key of
 * the page's last item, and the next page starts after that key, so that paging yields every item
 * once even when items come and go between pages. Ranked search results page by position: their
 * order is the ranking's, which has no key. A cursor names the list it was made for; one this
 * server did not make, or made for another list, is `BAD_USER_INPUT`.
 */

/** A page as the schema's connection types have it (mutable arrays: the generated types say so). */
export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export interface PageArguments {
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
}

/** The list a connection pages, in its order. */
export type OrderedList<T> =
  | {
      /** Items in ascending key order. */
      readonly kind: 'keyed';
      readonly items: readonly T[];
      readonly keyOf: (item: T) => string;
    }
  | { readonly kind: 'ranked'; readonly items: readonly T[] };

const CURSOR_VERSION = 1;

export function pageOf<T>(
  connection: string,
  list: OrderedList<T>,
  args: PageArguments,
  limits: { readonly defaultFirst: number; readonly maxFirst: number },
): Page<T> {
  return pageMapped(connection, list, args, limits, (item) => item);
}

/**
 * `pageOf` over a list of keys (or ids) that become nodes only for the page: a list of 200,000
 * users is paged without making 200,000 nodes.
 */
export function pageMapped<K, T>(
  connection: string,
  list: OrderedList<K>,
  args: PageArguments,
  limits: { readonly defaultFirst: number; readonly maxFirst: number },
  toNode: (item: K) => T,
): Page<T> {
  const first = args.first ?? limits.defaultFirst;
  if (!Number.isInteger(first) || first < 0 || first > limits.maxFirst) {
    throw badInput(`\`first\` must be a whole number from 0 to ${limits.maxFirst}; got ${first}.`);
  }
  const items = list.items;
  let start = 0;
  if (args.after !== undefined && args.after !== null) {
    const position = decodeCursor(args.after, connection, list.kind);
    start = typeof position === 'number' ? position : indexAfterKey(items, list, position);
  }
  const slice = items.slice(start, start + first);
  const cursorOf = (item: K, index: number) =>
    encodeCursor(connection, list.kind === 'keyed' ? list.keyOf(item) : start + index + 1);
  const edges = slice.map((item, index) => ({ cursor: cursorOf(item, index), node: toNode(item) }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: start + slice.length < items.length,
      endCursor: edges.length === 0 ? null : edges[edges.length - 1]!.cursor,
    },
    totalCount: items.length,
  };
}

/** The index of the first item whose key comes after `key` (binary search over the ordered list). */
function indexAfterKey<T>(items: readonly T[], list: OrderedList<T>, key: string): number {
  if (list.kind !== 'keyed') return 0;
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list.keyOf(items[middle]!) <= key) low = middle + 1;
    else high = middle;
  }
  return low;
}

function encodeCursor(connection: string, position: string | number): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, connection, position]), 'utf8').toString('base64url');
}

/** The key or position a cursor holds; `BAD_USER_INPUT` for anything else. */
function decodeCursor(cursor: string, connection: string, kind: 'keyed' | 'ranked'): string | number {
  let decoded: unknown;
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(cursor)) throw new Error('not base64url');
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badInput(`\`after\` is not a cursor this server made (${describe(cursor)}).`);
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || decoded[0] !== CURSOR_VERSION) {
    throw badInput(`\`after\` is not a cursor this server made (${describe(cursor)}).`);
  }
  const [, madeFor, position] = decoded as [number, unknown, unknown];
  if (madeFor !== connection) {
    throw badInput(
      `\`after\` is a cursor of another list (${typeof madeFor === 'string' ? madeFor : 'unknown'}), not of ${connection}.`,
    );
  }
  const valid =
    kind === 'keyed'
      ? typeof position === 'string'
      : typeof position === 'number' && Number.isInteger(position) && position >= 0;
  if (!valid) throw badInput(`\`after\` is not a cursor this server made for ${connection}.`);
  return position as string | number;
}

function describe(cursor: string): string {
  return cursor === '' ? 'an empty string' : `a string of ${cursor.length} characters`;
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}
