import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncAll } from '../helpers/directory.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

/**
 * Fields answered from what is at hand (README, "How requests are batched"): once the cache or the
 * directory index holds what a field needs, its resolver answers at once instead of through a
 * load. Over every user of the sandbox organisation, a page read warm (from the cache), read from
 * the index, and read half warm (some users cached, the rest loaded) answers exactly as the same
 * page read cold, and a page read warm sends no request.
 */

const PAGE = `query ($ids: [ID!]!) {
  users(ids: $ids) {
    id displayName
    manager { id manager { id manager { id displayName } } }
    managers { id }
    managementChain(maxDepth: 5) { id }
    department { id name parent { id name } ancestors { id } }
    groups { id name parent { id } }
    positions { title department { id name } manager { id } }
  }
}`;

const TTLS = { users: 3600, departments: 3600, groups: 3600 };
let cached: Stack;
let indexed: Stack;

beforeAll(async () => {
  [cached, indexed] = await Promise.all([
    startStack({ cache: { ttls: TTLS } }),
    startStack({ cache: { ttls: TTLS }, directory: { fullSyncSeconds: 3600, pollSeconds: 3600 } }),
  ]);
  await syncAll(indexed);
});

afterAll(async () => {
  await Promise.all([cached?.close(), indexed?.close()]);
});

function pagesOf(stack: Stack): string[][] {
  const ids = [
    ...stack.sandbox.organisation.ispring.users.map((user) => `ispring:${user.userId}`),
    ...stack.sandbox.organisation.thrive.users.map((user) => `thrive:${user.id}`),
  ];
  const pages: string[][] = [];
  for (let at = 0; at < ids.length; at += 100) pages.push(ids.slice(at, at + 100));
  return pages;
}

async function read(stack: Stack, ids: string[]) {
  const response = await stack.query(PAGE, { ids });
  expect(response.errors, JSON.stringify(response.errors?.slice(0, 2))).toBeUndefined();
  return response.data;
}

describe('fields answered from what is at hand', () => {
  it('a warm page answers as the cold one, with no request; so does a page read from the index', async () => {
    for (const ids of pagesOf(cached)) {
      cached.resetCounts();
      const cold = await read(cached, ids);
      expect(cached.sandbox.thrive.count() + cached.sandbox.ispring.count()).toBeGreaterThan(0);
      cached.resetCounts({ keepCache: true });
      expect(await read(cached, ids)).toEqual(cold);
      expect(cached.sandbox.thrive.count() + cached.sandbox.ispring.count()).toBe(0);

      indexed.resetCounts({ keepCache: true });
      expect(await read(indexed, ids)).toEqual(cold);
      expect(indexed.sandbox.thrive.count() + indexed.sandbox.ispring.count()).toBe(0);
    }
  });

  it('a half-warm page (every other user cached) answers as the cold one', async () => {
    for (const ids of pagesOf(cached)) {
      cached.resetCounts();
      const cold = await read(cached, ids);
      cached.resetCounts();
      // Warm every other user alone: their records, departments and groups are cached; the
      // others, and whatever only they lead to, are loaded.
      await read(
        cached,
        ids.filter((_, index) => index % 2 === 0),
      );
      expect(await read(cached, ids)).toEqual(cold);
    }
  });
});
