import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IspringUserProfile } from '../../src/providers/ispring/wire.ts';
import type { ThriveUser } from '../../src/providers/thrive/wire.ts';
import { idsPerUrl, MAX_URL_BYTES } from '../../src/providers/ispring/client.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * Exact upstream request counts (README, "How requests are batched"), read from the sandboxes' counters. Each
 * expectation is the minimum the rules imply, worked out here from the data, not copied from a run:
 * - iSpring users: at each depth, one DataLoader batch per 100 new ids, each sent as the fewest
 *   `GET /users/v2` whose URLs stay within 4 KB (`idsPerUrl` ids each);
 * - iSpring departments and groups: one list read each (many are needed);
 * - Thrive users: one `GET /user/{id}` per distinct user;
 * - Thrive audiences (department names and groups): one list read.
 */

const THREE_LEVELS = `
  query ($ids: [ID!]!) {
    users(ids: $ids) {
      id
      manager { id manager { id manager { id displayName } } }
      department { name }
      groups { name }
    }
  }
`;

interface Node {
  id: string;
  manager?: Node | null;
}

/** The ids first met at each depth of the response (depth 0 = the requested users). */
function newIdsPerDepth(users: Array<Node | null>, depths: number): string[][] {
  const seen = new Set<string>();
  const levels: string[][] = [];
  let current = users.filter((user): user is Node => user !== null);
  for (let depth = 0; depth <= depths && current.length > 0; depth += 1) {
    const fresh = [...new Set(current.map((user) => user.id))].filter((id) => !seen.has(id));
    fresh.forEach((id) => seen.add(id));
    levels.push(fresh);
    current = current.map((user) => user.manager).filter((manager): manager is Node => !!manager);
  }
  return levels;
}

/** `GET /users/v2` requests for `count` new ids at one depth: batches of 100, each split by URL length. */
function usersV2Requests(count: number, perUrl: number): number {
  let requests = 0;
  for (let left = count; left > 0; left -= 100) requests += Math.ceil(Math.min(left, 100) / perUrl);
  return requests;
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ modes: { thrive: 'oauth', ispring: 'token' } });
});
afterAll(() => stack.close());

describe('upstream requests per operation', () => {
  it('(a) 100 iSpring users with three manager levels, department and groups: the fewest 4 KB users/v2 per depth, one department list, one group list', async () => {
    const ids = stack.sandbox.organisation.ispring.users
      .slice(0, 100)
      .map((user) => `ispring:${user.userId}`);
    // Warm the token so the counts below are data requests only.
    await stack.query(`{ user(id: "${ids[0]}") { id } }`);
    stack.resetCounts();

    const response = await stack.query<{ users: Array<Node | null> }>(THREE_LEVELS, { ids });
    expect(response.errors).toBeUndefined();
    const levels = newIdsPerDepth(response.data!.users, 3);
    // The demo organisation is deep enough that every depth brings people not met before.
    expect(levels.map((level) => level.length > 0)).toEqual([true, true, true, true]);
    const perUrl = idsPerUrl(stack.sandbox.ispring.baseUrl);
    const expectedUserRequests = levels.reduce(
      (sum, level) => sum + usersV2Requests(level.length, perUrl),
      0,
    );

    expect(stack.sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.usersV2]: expectedUserRequests,
      [ISPRING_ENDPOINTS.departmentList]: 1,
      [ISPRING_ENDPOINTS.groupList]: 1,
    });
    // 100 ids do not fit one 4 KB URL: the first depth costs two requests, each depth after one.
    expect(levels[0]).toHaveLength(100);
    expect(expectedUserRequests).toBe(2 + 3);
    for (const request of stack.sandbox.ispring.log) {
      expect(`${stack.sandbox.ispring.origin}${request.path}?${request.query}`.length).toBeLessThanOrEqual(
        MAX_URL_BYTES,
      );
    }
    expect(stack.sandbox.thrive.count()).toBe(0);
  });

  it('(b) 100 Thrive users with three manager levels, department and groups: one request per distinct user, one audience list', async () => {
    const thriveUsers = stack.sandbox.organisation.thrive.users;
    const byId = new Map<string, ThriveUser>(thriveUsers.map((user) => [user.id, user]));
    const requested = thriveUsers.slice(0, 100).map((user) => user.id);
    await stack.query(`{ user(id: "thrive:${requested[0]}") { id } }`);
    stack.resetCounts();

    const response = await stack.query<{ users: Array<Node | null> }>(THREE_LEVELS, {
      ids: requested.map((id) => `thrive:${id}`),
    });
    expect(response.errors).toBeUndefined();

    // Every distinct id asked for, by the query or as someone's primary manager, costs one request,
    // including a manager id that turns out not to exist.
    const primaryManagerId = (user: ThriveUser): string | null => {
      const positions = user.positions ?? [];
      const primary = positions.find((position) => position.isActive !== false) ?? positions[0];
      return primary?.manager?.id ?? null;
    };
    const fetched = new Set<string>(requested);
    let level = requested;
    for (let depth = 1; depth <= 3; depth += 1) {
      level = level
        .map((id) => byId.get(id))
        .filter((user): user is ThriveUser => user !== undefined)
        .map(primaryManagerId)
        .filter((id): id is string => id !== null);
      level.forEach((id) => fetched.add(id));
    }

    expect(stack.sandbox.thrive.counts()).toEqual({
      [THRIVE_ENDPOINTS.user]: fetched.size,
      [THRIVE_ENDPOINTS.audiences]: 1,
    });
    expect(stack.sandbox.ispring.count()).toBe(0);
  });

  it('(c) 250 iSpring ids with two manager levels: at each depth, batches of 100 new ids, each in the fewest 4 KB users/v2, and one department list', async () => {
    // The demo organisation has fewer than 250 iSpring users: the test adds 250, each a copy of one
    // it has (department and manager rules included), so that their managers are the organisation's.
    const templates = stack.sandbox.organisation.ispring.users;
    const added: IspringUserProfile[] = Array.from({ length: 250 }, (_, index) => {
      const template = templates[index % templates.length]!;
      const email = `batch.${index}@northwind.example`;
      return {
        ...structuredClone(template),
        userId: `${(0x5e1f0000 + index).toString(16)}-0000-11e9-8000-00000000b250`,
        fields: (template.fields ?? []).map((field) =>
          field.name === 'LOGIN' || field.name === 'EMAIL' ? { ...field, value: email } : { ...field },
        ),
      };
    });
    const ids = added.map((user) => `ispring:${user.userId}`);
    expect(new Set(ids).size).toBe(250);
    for (const user of added) stack.sandbox.ispring.putUser(user);
    try {
      await stack.query(`{ user(id: "ispring:${templates[0]!.userId}") { id } }`);
      stack.resetCounts();

      const response = await stack.query<{ users: Array<Node | null> }>(
        `query ($ids: [ID!]!) { users(ids: $ids) { id manager { id manager { id } } } }`,
        { ids },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.users.map((user) => user?.id)).toEqual(ids);
      // Their managers are new one level up; two levels up, whoever was met already costs nothing.
      const levels = newIdsPerDepth(response.data!.users, 2);
      expect(levels[0]).toHaveLength(250);
      expect(levels[1]!.length).toBeGreaterThan(0);

      const perUrl = idsPerUrl(stack.sandbox.ispring.baseUrl);
      // The premise: split into batches of 100 first, 250 ids take more URLs than split by URL
      // length alone, so the count below shows the batches.
      expect(usersV2Requests(250, perUrl)).toBeGreaterThan(Math.ceil(250 / perUrl));
      expect(stack.sandbox.ispring.counts()).toEqual({
        [ISPRING_ENDPOINTS.usersV2]: levels.reduce(
          (sum, level) => sum + usersV2Requests(level.length, perUrl),
          0,
        ),
        [ISPRING_ENDPOINTS.departmentList]: 1,
      });
    } finally {
      for (const user of added) stack.sandbox.ispring.removeUser(user.userId);
    }
  });

  it('fetches each distinct user once per operation, however often the query names them', async () => {
    const id = `ispring:${stack.sandbox.organisation.ispring.users[0]!.userId}`;
    stack.resetCounts();
    const response = await stack.query(
      `query ($id: ID!) { a: user(id: $id) { id } b: user(id: $id) { id } users(ids: [$id, $id]) { id } }`,
      { id },
    );
    expect(response.errors).toBeUndefined();
    // One request, yet every place that names the user gets them: the list keeps both items.
    expect(response.data).toEqual({ a: { id }, b: { id }, users: [{ id }, { id }] });
    expect(stack.sandbox.ispring.counts()).toEqual({ [ISPRING_ENDPOINTS.usersV2]: 1 });
  });

  it('asks for one department by id when only one is needed', async () => {
    const user = stack.sandbox.organisation.ispring.users.find((candidate) => candidate.departmentId)!;
    stack.resetCounts();
    const response = await stack.query(`{ user(id: "ispring:${user.userId}") { department { name } } }`);
    expect(response.errors).toBeUndefined();
    expect(stack.sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.usersV2]: 1,
      [ISPRING_ENDPOINTS.department]: 1,
    });
  });

  it('resolves a mixed page of both providers in one round per provider and depth', async () => {
    const ispring = stack.sandbox.organisation.ispring.users
      .slice(100, 130)
      .map((user) => `ispring:${user.userId}`);
    const thrive = stack.sandbox.organisation.thrive.users.slice(100, 130).map((user) => `thrive:${user.id}`);
    stack.resetCounts();
    const response = await stack.query<{ users: Array<{ id: string } | null> }>(
      `query ($ids: [ID!]!) { users(ids: $ids) { id } }`,
      { ids: [...ispring, ...thrive] },
    );
    expect(response.data!.users.map((user) => user?.id)).toEqual([...ispring, ...thrive]);
    expect(stack.sandbox.ispring.counts()).toEqual({ [ISPRING_ENDPOINTS.usersV2]: 1 });
    expect(stack.sandbox.thrive.counts()).toEqual({ [THRIVE_ENDPOINTS.user]: 30 });
  });
});
