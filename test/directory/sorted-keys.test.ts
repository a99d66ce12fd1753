import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedKeys } from '../../src/directory/sorted-keys.ts';

/** The index's display-name order: the same as sorting a plain set, whatever the changes and reads. */
describe('SortedKeys', () => {
  it('always reads as the sorted set of its keys, across in-place and pending changes', () => {
    // Reads are rare, so that runs of more changes than are made in place (64) come often.
    const op = fc.oneof(
      {
        arbitrary: fc.record({ kind: fc.constant('add' as const), key: fc.string({ maxLength: 2 }) }),
        weight: 30,
      },
      {
        arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.string({ maxLength: 2 }) }),
        weight: 20,
      },
      { arbitrary: fc.record({ kind: fc.constant('read' as const) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const keys = new SortedKeys();
        const reference = new Set<string>();
        for (const step of ops) {
          if (step.kind === 'read') {
            expect(keys.values()).toEqual([...reference].sort());
            continue;
          }
          // The index adds only keys it does not hold and deletes only keys it holds.
          if (step.kind === 'add' && !reference.has(step.key)) {
            reference.add(step.key);
            keys.add(step.key);
          } else if (step.kind === 'delete' && reference.has(step.key)) {
            reference.delete(step.key);
            keys.delete(step.key);
          }
          expect(keys.size).toBe(reference.size);
        }
        expect(keys.values()).toEqual([...reference].sort());
        const sorted = [...reference].sort();
        for (const [index, key] of sorted.entries()) expect(keys.indexAfter(key)).toBe(index + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a key removed and added again while changes wait, once', () => {
    const keys = new SortedKeys();
    const many = Array.from({ length: 200 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    for (const key of many) keys.add(key);
    expect(keys.values()).toEqual(many);
    // Past the in-place limit, so that the next changes wait for the read.
    for (const key of many.slice(0, 100)) keys.delete(key);
    for (const key of many.slice(0, 100)) keys.add(key);
    keys.delete('k150');
    keys.add('k150');
    keys.add('new');
    keys.delete('new');
    expect(keys.values()).toEqual(many);
    expect(keys.size).toBe(200);
  });
});
