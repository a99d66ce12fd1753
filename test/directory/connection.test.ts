import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { pageOf, type OrderedList } from '../../src/resolvers/connection.ts';

/**
 * Connections page every list once, in a stable order, by opaque cursors; a cursor this server did
 * not make, or made for another list, and a `first` out of bounds are `BAD_USER_INPUT`.
 */

const LIMITS = { defaultFirst: 20, maxFirst: 100 };
const keyed = (items: readonly string[]): OrderedList<string> => ({
  kind: 'keyed',
  items: [...items].sort(),
  keyOf: (item) => item,
});

function walk(list: () => OrderedList<string>, first: number, between?: (page: number) => void): string[] {
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10_000; page += 1) {
    const result: ReturnType<typeof pageOf<string>> = pageOf('test', list(), { first, after }, LIMITS);
    seen.push(...result.nodes);
    expect(result.edges.map((edge) => edge.node)).toEqual(result.nodes);
    if (!result.pageInfo.hasNextPage) return seen;
    expect(result.pageInfo.endCursor).not.toBeNull();
    after = result.pageInfo.endCursor;
    between?.(page);
  }
  throw new Error('paging did not end');
}

function codeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error instanceof GraphQLError ? error.extensions.code : error;
  }
  return 'no error';
}

describe('connections', () => {
  it('yield every item once, in order, with totalCount their number, for any page size', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { maxLength: 300 }),
        fc.integer({ min: 1, max: 100 }),
        (items, first) => {
          const list = keyed(items);
          expect(walk(() => list, first)).toEqual(list.items);
          expect(pageOf('test', list, { first }, LIMITS).totalCount).toBe(items.length);
        },
      ),
    );
  });

  it('ranked lists page by position and yield every item once', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { maxLength: 300 }),
        fc.integer({ min: 1, max: 100 }),
        (items, first) => {
          expect(walk(() => ({ kind: 'ranked', items }), first)).toEqual(items);
        },
      ),
    );
  });

  it('keyed paging yields every item present throughout once, while others come and go between pages', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.tuple(fc.boolean(), fc.string({ minLength: 1 })), { maxLength: 50 }),
        fc.integer({ min: 1, max: 20 }),
        (stable, churn, first) => {
          const current = new Set(stable);
          const transient = new Set<string>();
          const seen = walk(
            () => keyed([...current]),
            first,
            (page) => {
              const [add, value] = churn[page % Math.max(1, churn.length)] ?? [false, ''];
              if (value === '' || stable.includes(value)) return;
              if (add) {
                current.add(value);
                transient.add(value);
              } else current.delete(value);
            },
          );
          const stableSeen = seen.filter((item) => stable.includes(item));
          expect(stableSeen).toEqual([...stable].sort());
          expect(new Set(seen).size).toBe(seen.length);
        },
      ),
    );
  });

  it('refuse a first out of bounds and cursors this server did not make, or made for another list', () => {
    const list = keyed(['a', 'b', 'c']);
    const cursor = pageOf('test', list, { first: 1 }, LIMITS).pageInfo.endCursor!;
    expect(pageOf('test', list, { first: 1, after: cursor }, LIMITS).nodes).toEqual(['b']);
    expect(pageOf('test', list, { first: 0 }, LIMITS).nodes).toEqual([]);
    for (const first of [-1, 101, 1.5]) {
      expect(
        codeOf(() => pageOf('test', list, { first }, LIMITS)),
        String(first),
      ).toBe('BAD_USER_INPUT');
    }
    const forged = [
      '',
      'not a cursor!',
      Buffer.from('[1,"test"]').toString('base64url'),
      Buffer.from('[2,"test","a"]').toString('base64url'),
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[1,"test",3]').toString('base64url'),
      cursor.slice(0, -2),
    ];
    for (const after of forged) {
      expect(
        codeOf(() => pageOf('test', list, { first: 1, after }, LIMITS)),
        after,
      ).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(() => pageOf('other', list, { first: 1, after: cursor }, LIMITS))).toBe('BAD_USER_INPUT');
    const ranked = pageOf('test', { kind: 'ranked', items: ['x', 'y'] }, { first: 1 }, LIMITS).pageInfo
      .endCursor!;
    expect(codeOf(() => pageOf('test', list, { first: 1, after: ranked }, LIMITS))).toBe('BAD_USER_INPUT');
  });
});
