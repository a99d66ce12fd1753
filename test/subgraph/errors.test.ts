import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/sandbox/index.ts';
import { expectNoneIn } from '../helpers/errors.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

const ispringId = `ispring:${DEMO.ispring.inheritsThroughTwoDepartments}`;
const thriveId = `thrive:${DEMO.thrive.multiPosition}`;

function expectNoSecrets(stack: Stack, body: unknown) {
  const text = JSON.stringify(body);
  expectNoneIn(text, stack.secrets);
  expect(text).not.toMatch(/stacktrace|at .*\.ts:\d+/);
}

describe('one provider down while the other answers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ unreachable: 'ispring', modes: { ispring: 'headers' } });
  });
  afterAll(() => stack.close());

  it('returns the Thrive user and a null iSpring user with an UPSTREAM_UNAVAILABLE error for it', async () => {
    const response = await stack.query(`query ($ids: [ID!]!) { users(ids: $ids) { id displayName } }`, {
      ids: [thriveId, ispringId],
    });
    expect(response.data?.users[0]).toMatchObject({ id: thriveId });
    expect(response.data?.users[1]).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      path: ['users', 1],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', provider: 'ISPRING' },
    });
    expect(response.errors![0]!.message).toMatch(/iSpring .*refused the connection/);
    expectNoSecrets(stack, response);
  });
});

describe('bad input', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('answers a malformed id with BAD_USER_INPUT showing the expected form, before any upstream call', async () => {
    stack.resetCounts();
    const response = await stack.query(`{ user(id: "ispring:../../admin") { id } }`);
    expect(response.data).toEqual({ user: null });
    expect(response.errors![0]).toMatchObject({ path: ['user'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(response.errors![0]!.message).toContain('ispring:f29d887c-5cff-11e9-9e6a-0a580af40692');
    expect(stack.sandbox.thrive.count() + stack.sandbox.ispring.count()).toBe(0);
  });

  it('fails only the malformed entries of users(ids:) and loads the rest', async () => {
    const response = await stack.query(`query ($ids: [ID!]!) { users(ids: $ids) { id } }`, {
      ids: ['nope', thriveId, 'thrive:', ispringId],
    });
    expect(response.data?.users).toEqual([null, { id: thriveId }, null, { id: ispringId }]);
    expect(response.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['users', 0], 'BAD_USER_INPUT'],
      [['users', 2], 'BAD_USER_INPUT'],
    ]);
  });

  it('refuses more than 1000 ids in one users(ids:) call', async () => {
    stack.resetCounts();
    const ids = Array.from({ length: 1001 }, (_, i) => `thrive:${i.toString(16).padStart(24, '0')}`);
    const response = await stack.query(`query ($ids: [ID!]!) { users(ids: $ids) { id } }`, { ids });
    expect(response.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(response.errors![0]!.message).toContain('at most 1000 ids; got 1001');
    expect(stack.sandbox.thrive.count()).toBe(0);
  });

  it('refuses a managementChain depth outside 0 to 50', async () => {
    const response = await stack.query(
      `query ($id: ID!) { user(id: $id) { managementChain(maxDepth: 51) { id } } }`,
      {
        id: thriveId,
      },
    );
    expect(response.errors![0]).toMatchObject({
      path: ['user', 'managementChain'],
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('returns null, not an error, for a well-formed id the provider does not have', async () => {
    const response = await stack.query(
      `{ a: user(id: "thrive:ffffffffffffffffffffffff") { id } b: user(id: "ispring:00000000-0000-0000-0000-000000000000") { id } }`,
    );
    expect(response).toEqual({ data: { a: null, b: null } });
  });
});

describe('credentials', () => {
  it('an expired iSpring token costs exactly one refresh, and the query succeeds', async () => {
    const stack = await startStack({ modes: { ispring: 'token' } });
    try {
      expect(
        (await stack.query(`query ($id: ID!) { user(id: $id) { id } }`, { id: ispringId })).errors,
      ).toBeUndefined();
      stack.resetCounts();
      stack.sandbox.ispring.expireTokens();
      const response = await stack.query(`query ($id: ID!) { user(id: $id) { id } }`, { id: ispringId });
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ user: { id: ispringId } });
      expect(stack.sandbox.ispring.count(ISPRING_ENDPOINTS.token)).toBe(1);
      expect(stack.sandbox.ispring.count(ISPRING_ENDPOINTS.usersV2)).toBe(2);
    } finally {
      await stack.close();
    }
  });

  for (const [provider, mode] of [
    ['thrive', { thrive: 'basic' }],
    ['thrive', { thrive: 'oauth' }],
    ['ispring', { ispring: 'token' }],
    ['ispring', { ispring: 'headers' }],
  ] as const) {
    it(`wrong ${provider} credentials (${Object.values(mode)[0]} mode) give UPSTREAM_AUTH with no secret in the response`, async () => {
      const stack = await startStack({ modes: mode, wrongSecret: provider });
      try {
        const id = provider === 'thrive' ? thriveId : ispringId;
        const response = await stack.query(`query ($id: ID!) { user(id: $id) { id } }`, { id });
        expect(response.data).toEqual({ user: null });
        expect(response.errors![0]).toMatchObject({
          path: ['user'],
          extensions: { code: 'UPSTREAM_AUTH', provider: provider.toUpperCase() },
        });
        expectNoSecrets(stack, response);
        expect(JSON.stringify(response)).not.toContain('wrong-');
      } finally {
        await stack.close();
      }
    });
  }
});

describe('a provider that is not configured', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ providers: ['thrive'] });
  });
  afterAll(() => stack.close());

  it('answers its ids with PROVIDER_NOT_CONFIGURED', async () => {
    const response = await stack.query(`query ($id: ID!) { user(id: $id) { id } }`, { id: ispringId });
    expect(response.data).toEqual({ user: null });
    expect(response.errors![0]).toMatchObject({
      extensions: { code: 'PROVIDER_NOT_CONFIGURED', provider: 'ISPRING' },
    });
  });
});
