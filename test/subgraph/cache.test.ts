import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * The cross-request cache through the real HTTP subgraph, counted on the sandboxes: operations at
 * the same time share upstream requests, a repeat within the TTL costs nothing, a repeat after it
 * costs what the first did, and the router gets a cache hint only for what may be cached.
 */

/** lru-cache's clock for the stack's cache, moved by hand. It starts well above 0 (0 reads as "no TTL"). */
function fakeClock() {
  let now = 1_000_000;
  return {
    perf: { now: () => now },
    advanceSeconds: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

/** An iSpring user with a department and exactly one group, and any Thrive user. */
function subjects(stack: Stack) {
  const ispring = stack.sandbox.organisation.ispring.users.find(
    (user) => user.departmentId && user.groups?.length === 1,
  )!;
  const thrive = stack.sandbox.organisation.thrive.users[0]!;
  return { ispringId: `ispring:${ispring.userId}`, thriveId: `thrive:${thrive.id}` };
}

const OPERATION = `
  query ($ispring: ID!, $thrive: ID!) {
    a: user(id: $ispring) { displayName department { name } groups { name } }
    b: user(id: $thrive) { displayName }
  }
`;

/** What the operation costs on a cold cache (the README's batching: one request per entity here). */
const COLD = {
  ispring: {
    [ISPRING_ENDPOINTS.usersV2]: 1,
    [ISPRING_ENDPOINTS.department]: 1,
    [ISPRING_ENDPOINTS.group]: 1,
  },
  thrive: { [THRIVE_ENDPOINTS.user]: 1 },
};

const counts = (stack: Stack) => ({
  ispring: stack.sandbox.ispring.counts(),
  thrive: stack.sandbox.thrive.counts(),
});

/** POSTs a query and keeps the response's headers (`stack.query` gives the body only). */
async function post(stack: Stack, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(stack.subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { cacheControl: response.headers.get('cache-control'), body: (await response.json()) as any };
}

describe('with the cache on', () => {
  let stack: Stack;
  let clock: ReturnType<typeof fakeClock>;
  let variables: Record<string, string>;

  beforeAll(async () => {
    clock = fakeClock();
    stack = await startStack({
      modes: { thrive: 'oauth', ispring: 'token' },
      cache: { perf: clock.perf, ttls: { users: 60, departments: 300, groups: 300 } },
    });
    const { ispringId, thriveId } = subjects(stack);
    variables = { ispring: ispringId, thrive: thriveId };
    // Warm both tokens, so that the counts below are data requests only.
    expect((await stack.query(OPERATION, variables)).errors).toBeUndefined();
  });
  afterAll(() => stack.close());

  it('costs one operation what the batching rules say on a cold cache', async () => {
    stack.resetCounts();
    expect((await stack.query(OPERATION, variables)).errors).toBeUndefined();
    expect(counts(stack)).toEqual(COLD);
  });

  it('makes two identical operations at the same time cost one upstream request each', async () => {
    stack.resetCounts();
    // Each upstream answer takes 50 ms, so the second operation arrives while the first one's
    // requests are in flight.
    stack.sandbox.ispring.setDelay(50);
    stack.sandbox.thrive.setDelay(50);
    try {
      const [first, second] = await Promise.all([
        stack.query(OPERATION, variables),
        stack.query(OPERATION, variables),
      ]);
      expect(first.errors).toBeUndefined();
      expect(second).toEqual(first);
    } finally {
      stack.sandbox.ispring.setDelay(0);
      stack.sandbox.thrive.setDelay(0);
    }
    expect(counts(stack)).toEqual(COLD);
  });

  it('answers a second identical operation within the TTL with no upstream request', async () => {
    stack.resetCounts();
    const first = await stack.query(OPERATION, variables);
    stack.resetCounts({ keepCache: true });
    clock.advanceSeconds(59);
    const second = await stack.query(OPERATION, variables);
    expect(second).toEqual(first);
    expect(stack.sandbox.ispring.count() + stack.sandbox.thrive.count()).toBe(0);
  });

  it('asks again for each kind once its own TTL has passed', async () => {
    stack.resetCounts();
    await stack.query(OPERATION, variables);

    // Past the users' TTL (60 s), within the departments' and groups' (300 s).
    stack.resetCounts({ keepCache: true });
    clock.advanceSeconds(61);
    expect((await stack.query(OPERATION, variables)).errors).toBeUndefined();
    expect(counts(stack)).toEqual({
      ispring: { [ISPRING_ENDPOINTS.usersV2]: 1 },
      thrive: { [THRIVE_ENDPOINTS.user]: 1 },
    });

    // Past every TTL: the whole cold cost again.
    stack.resetCounts({ keepCache: true });
    clock.advanceSeconds(301);
    expect((await stack.query(OPERATION, variables)).errors).toBeUndefined();
    expect(counts(stack)).toEqual(COLD);
  });

  it('gives the router a cache hint of the shortest TTL on a response without errors', async () => {
    const response = await post(stack, OPERATION, variables);
    expect(response.body.errors).toBeUndefined();
    expect(response.cacheControl).toBe('max-age=60, public');
  });

  it('keeps "not found" cacheable: null is an answer, not an error', async () => {
    const response = await post(stack, `{ user(id: "ispring:00000000-0000-4000-8000-000000000000") { id } }`);
    expect(response.body).toEqual({ data: { user: null } });
    expect(response.cacheControl).toBe('max-age=60, public');
  });

  it('makes a response with errors uncacheable', async () => {
    const response = await post(stack, `{ user(id: "ispring:not-a-uuid") { id } }`);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.cacheControl).toBe('no-store');
  });

  it('keeps tokens under keys that name the client, never a secret', () => {
    const tokenKeys = stack.cache.keys().filter((key) => key.startsWith('token:'));
    expect(tokenKeys.map((key) => key.split(':')[1])).toEqual(expect.arrayContaining(['thrive', 'ispring']));
    for (const key of tokenKeys) for (const secret of stack.secrets) expect(key).not.toContain(secret);
  });
});

describe('with a TTL of its own for each kind', () => {
  let stack: Stack;
  let clock: ReturnType<typeof fakeClock>;
  let variables: Record<string, string>;

  beforeAll(async () => {
    clock = fakeClock();
    stack = await startStack({
      modes: { thrive: 'oauth', ispring: 'token' },
      cache: { perf: clock.perf, ttls: { users: 600, departments: 300, groups: 30 } },
    });
    const { ispringId, thriveId } = subjects(stack);
    variables = { ispring: ispringId, thrive: thriveId };
  });
  afterAll(() => stack.close());

  it('reads each kind again after its own configured TTL: groups at 31 s, departments at 301 s, users not yet', async () => {
    stack.resetCounts();
    expect((await stack.query(OPERATION, variables)).errors).toBeUndefined();

    // Past the groups' TTL (30 s) only.
    stack.resetCounts({ keepCache: true });
    clock.advanceSeconds(31);
    expect((await stack.query(OPERATION, variables)).errors).toBeUndefined();
    expect(counts(stack)).toEqual({ ispring: { [ISPRING_ENDPOINTS.group]: 1 }, thrive: {} });

    // Past the departments' TTL (300 s) and the group read at 31 s; within the users' (600 s).
    stack.resetCounts({ keepCache: true });
    clock.advanceSeconds(270);
    expect((await stack.query(OPERATION, variables)).errors).toBeUndefined();
    expect(counts(stack)).toEqual({
      ispring: { [ISPRING_ENDPOINTS.department]: 1, [ISPRING_ENDPOINTS.group]: 1 },
      thrive: {},
    });
  });
});

describe('with an upstream failure', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ unreachable: 'ispring', modes: { ispring: 'headers' } });
  });
  afterAll(() => stack.close());

  it('makes the response uncacheable, and keeps nothing of the failure', async () => {
    const { ispringId } = subjects(stack);
    const first = await post(stack, `query ($id: ID!) { user(id: $id) { id } }`, { id: ispringId });
    expect(first.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(first.cacheControl).toBe('no-store');
    expect(stack.cache.keys().filter((key) => key.startsWith('user:'))).toEqual([]);
  });
});

describe('with the cache off (every TTL 0)', () => {
  let stack: Stack;
  let variables: Record<string, string>;
  beforeAll(async () => {
    stack = await startStack({
      modes: { thrive: 'oauth', ispring: 'token' },
      cache: { ttls: { users: 0, departments: 0, groups: 0 } },
    });
    const { ispringId, thriveId } = subjects(stack);
    variables = { ispring: ispringId, thrive: thriveId };
    await stack.query(OPERATION, variables);
  });
  afterAll(() => stack.close());

  it('sends every operation upstream, concurrent ones included, and gives no cache hint', async () => {
    stack.resetCounts({ keepCache: true });
    const again = await post(stack, OPERATION, variables);
    expect(again.cacheControl).toBe('no-store');
    expect(counts(stack)).toEqual(COLD);

    stack.resetCounts({ keepCache: true });
    stack.sandbox.ispring.setDelay(50);
    stack.sandbox.thrive.setDelay(50);
    try {
      await Promise.all([stack.query(OPERATION, variables), stack.query(OPERATION, variables)]);
    } finally {
      stack.sandbox.ispring.setDelay(0);
      stack.sandbox.thrive.setDelay(0);
    }
    const twice = (cost: Record<string, number>) =>
      Object.fromEntries(Object.entries(cost).map(([endpoint, n]) => [endpoint, 2 * n]));
    expect(counts(stack)).toEqual({ ispring: twice(COLD.ispring), thrive: twice(COLD.thrive) });
  });
});
