import { afterEach, describe, expect, it } from 'vitest';
import type { IspringUserLookup } from '../../src/providers/ispring/config.ts';
import { RESILIENCE_DEFAULTS } from '../../src/providers/resilience/config.ts';
import { idsPerUrl, MAX_URL_BYTES } from '../../src/providers/ispring/client.ts';
import type { IspringVariants } from '../../src/sandbox/index.ts';
import { expectNoneIn } from '../helpers/errors.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * Real tenants (README): iSpring's bulk user read, verified at run time, through the subgraph
 * against the iSpring sandbox with its variants switched on. `GET /users/v2?userIds[]=…` is the
 * first choice, in URLs of at most 4 KB; a tenant that ignores the filter moves the process to
 * `POST /users/v2`, and one that refuses (or ignores) that too to `GET /user/{id}/v2` per id; a
 * batch refused with 400 (a deleted id in it) is read id by id; `ISPRING_USER_LOOKUP` forces a form.
 *
 * The form is learned per process, so every test starts its own stack. iSpring signs in with the
 * X-Auth headers (no token request in the logs) and the cache is off, so that the sandbox's log is
 * exactly the user reads of each operation.
 */

const USERS_GET = ISPRING_ENDPOINTS.usersV2;
const USERS_POST = ISPRING_ENDPOINTS.usersV2ByPost;
const USER_BY_ID = ISPRING_ENDPOINTS.userV2;

const USERS = `query ($ids: [ID!]!) { users(ids: $ids) { id displayName } }`;
/** The line `auto` writes when a form answers as it should, once per process. */
const CONFIRMED = /^iSpring users are read with /;
/** The line `auto` writes when it moves on to the next form. */
const MOVED_ON = /iSpring users are read with .* from now on$/;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function ispringStack(
  options: {
    lookup?: IspringUserLookup;
    variants?: Partial<IspringVariants>;
    batchSize?: number;
  } = {},
): Promise<Stack> {
  stack = await startStack({
    providers: ['ispring'],
    modes: { ispring: 'headers' },
    overrides: {
      ...(options.lookup ? { ispringUserLookup: options.lookup } : {}),
      ...(options.batchSize ? { ispringUserBatchSize: options.batchSize } : {}),
    },
    cache: { ttls: { users: 0, departments: 0, groups: 0 } },
    logLevel: 'info',
  });
  if (options.variants) stack.sandbox.ispring.setVariants(options.variants);
  return stack;
}

/** Global ids of the demo organisation's iSpring users `from` up to `to` (exclusive). */
function userIds(current: Stack, from: number, to: number): string[] {
  return current.sandbox.organisation.ispring.users.slice(from, to).map((user) => `ispring:${user.userId}`);
}

/** What `USERS` answers for users that all exist. */
function expected(current: Stack, ids: readonly string[]) {
  const known = new Set(current.sandbox.organisation.ispring.users.map((user) => `ispring:${user.userId}`));
  return ids.map((id) => {
    expect(known.has(id)).toBe(true);
    return { id, displayName: expect.any(String) };
  });
}

const endpoints = (current: Stack) => current.sandbox.ispring.log.map((entry) => entry.endpoint);
const linesMatching = (current: Stack, pattern: RegExp) =>
  current.logs.filter((line) => typeof line.msg === 'string' && pattern.test(line.msg));

/** Fails when a secret of the stack is in the response or in any log line. */
function expectNoSecrets(current: Stack, response: unknown): void {
  expectNoneIn(JSON.stringify(response), current.secrets);
  expectNoneIn(JSON.stringify(current.logs), current.secrets);
}

describe('GET /users/v2 URLs', () => {
  it('splits one batch of every user (ISPRING_MAX_BATCH_SIZE 500) into URLs of at most 4 KB, and reads them all', async () => {
    const current = await ispringStack({ batchSize: 500 });
    const ids = userIds(current, 0, current.sandbox.organisation.ispring.users.length);
    const perUrl = idsPerUrl(current.sandbox.ispring.baseUrl);
    // One batch of all the ids: more than one URL holds, fewer than the batch size allows.
    expect(ids.length).toBeGreaterThan(perUrl);
    expect(ids.length).toBeLessThanOrEqual(500);

    const response = await current.query(USERS, { ids });
    expect(response.errors).toBeUndefined();
    expect(response.data!.users).toEqual(expected(current, ids));
    expect(current.sandbox.ispring.counts()).toEqual({ [USERS_GET]: Math.ceil(ids.length / perUrl) });
    for (const request of current.sandbox.ispring.log) {
      expect(request.status).toBe(200);
      const url = `${current.sandbox.ispring.origin}${request.path}?${request.query}`;
      expect(url.length).toBeLessThanOrEqual(MAX_URL_BYTES);
      expect(request.query).toContain('userIds%5B%5D=');
    }
  });
});

describe('ISPRING_USER_LOOKUP=auto (the default)', () => {
  it('reads users with GET /users/v2 and userIds[], and says so in one info line however many operations run', async () => {
    const current = await ispringStack();
    for (const ids of [userIds(current, 0, 3), userIds(current, 3, 5), userIds(current, 5, 6)]) {
      const response = await current.query(USERS, { ids });
      expect(response.errors).toBeUndefined();
      expect(response.data!.users).toEqual(expected(current, ids));
    }
    expect(endpoints(current)).toEqual([USERS_GET, USERS_GET, USERS_GET]);
    const lines = linesMatching(current, CONFIRMED);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      provider: 'ispring',
      userLookup: 'get',
      setting: 'auto',
      msg: expect.stringContaining('GET /users/v2 with userIds[]'),
    });
    expect(linesMatching(current, MOVED_ON)).toEqual([]);
  });

  it('moves to POST /users/v2 when GET /users/v2 ignores userIds[]: the ignored GET, then the POST; a later operation posts straight away', async () => {
    const current = await ispringStack({ variants: { arrayFilters: 'ignored' } });
    const first = userIds(current, 10, 13);
    const response = await current.query(USERS, { ids: first });
    expect(response.errors).toBeUndefined();
    expect(response.data!.users).toEqual(expected(current, first));
    expect(endpoints(current)).toEqual([USERS_GET, USERS_POST]);

    current.resetCounts();
    const second = userIds(current, 20, 22);
    const later = await current.query(USERS, { ids: second });
    expect(later.errors).toBeUndefined();
    expect(later.data!.users).toEqual(expected(current, second));
    expect(endpoints(current)).toEqual([USERS_POST]);

    const moves = linesMatching(current, MOVED_ON);
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({
      level: 40,
      provider: 'ispring',
      userLookup: 'post',
      ids: first.length,
      profiles: current.sandbox.organisation.ispring.users.length,
      msg: expect.stringMatching(/ignored the userIds filter of GET \/users\/v2 .* POST \/users\/v2/),
    });
    expect(linesMatching(current, CONFIRMED)).toEqual([]);
    expectNoSecrets(current, [response, later]);
  });

  it('moves once, for two operations whose ignored GETs were in flight together', async () => {
    const current = await ispringStack({ variants: { arrayFilters: 'ignored' } });
    current.sandbox.ispring.setDelay(50);
    const [a, b] = [userIds(current, 30, 32), userIds(current, 40, 41)];
    const [first, second] = await Promise.all([
      current.query(USERS, { ids: a }),
      current.query(USERS, { ids: b }),
    ]);
    expect(first.data!.users).toEqual(expected(current, a));
    expect(second.data!.users).toEqual(expected(current, b));
    expect(current.sandbox.ispring.counts()).toEqual({ [USERS_GET]: 2, [USERS_POST]: 2 });
    expect(linesMatching(current, MOVED_ON)).toHaveLength(1);
  });

  it.each<IspringVariants['postUsers']>(['refused', 'ignored'])(
    'moves on to GET /user/{id}/v2 per id when POST /users/v2 is %s too; a later operation reads by id straight away',
    async (postUsers) => {
      const current = await ispringStack({ variants: { arrayFilters: 'ignored', postUsers } });
      const first = userIds(current, 50, 54);
      const response = await current.query(USERS, { ids: first });
      expect(response.errors).toBeUndefined();
      expect(response.data!.users).toEqual(expected(current, first));
      expect(current.sandbox.ispring.log.map((entry) => [entry.endpoint, entry.status])).toEqual([
        [USERS_GET, 200],
        [USERS_POST, postUsers === 'refused' ? 405 : 200],
        ...first.map(() => [USER_BY_ID, 200]),
      ]);

      current.resetCounts();
      const unknown = 'ispring:00000000-0000-4000-8000-000000000000';
      const second = [...userIds(current, 60, 62), unknown];
      const later = await current.query(USERS, { ids: second });
      expect(later.errors).toBeUndefined();
      expect(later.data!.users).toEqual([...expected(current, second.slice(0, 2)), null]);
      expect(current.sandbox.ispring.counts()).toEqual({ [USER_BY_ID]: second.length });

      const moves = linesMatching(current, MOVED_ON);
      expect(moves.map((line) => line.userLookup)).toEqual(['post', 'single']);
      expect(moves[1]!.msg).toMatch(
        postUsers === 'refused'
          ? /refused POST \/users\/v2 \(HTTP 405\).*GET \/user\/\{id\}\/v2/
          : /ignored the userIds filter of POST \/users\/v2.*GET \/user\/\{id\}\/v2/,
      );
      expectNoSecrets(current, [response, later]);
    },
  );

  it('reads a batch refused for a deleted id in it id by id: the others are read, the deleted one is null, not an error', async () => {
    const current = await ispringStack({ variants: { unknownUserIdInBatch: 'reject' } });
    const [a, deleted, b] = userIds(current, 70, 73) as [string, string, string];
    expect(current.sandbox.ispring.removeUser(deleted.slice('ispring:'.length))).toBe(true);

    const response = await current.query(USERS, { ids: [a, deleted, b] });
    expect(response.errors).toBeUndefined();
    expect(response.data!.users).toEqual([...expected(current, [a]), null, ...expected(current, [b])]);
    expect(current.sandbox.ispring.log.map((entry) => [entry.endpoint, entry.status])).toEqual([
      [USERS_GET, 400],
      [USER_BY_ID, 200],
      [USER_BY_ID, 400],
      [USER_BY_ID, 200],
    ]);

    // The form stays: a batch of live ids is one GET again.
    current.resetCounts();
    const live = userIds(current, 80, 83);
    const later = await current.query(USERS, { ids: live });
    expect(later.data!.users).toEqual(expected(current, live));
    expect(endpoints(current)).toEqual([USERS_GET]);
    expect(linesMatching(current, MOVED_ON)).toEqual([]);
  });

  it('reads a POST batch refused for a deleted id in it id by id as well', async () => {
    const current = await ispringStack({
      variants: { arrayFilters: 'ignored', unknownUserIdInBatch: 'reject' },
    });
    // The first operation moves the process to POST, with ids that all exist.
    const warm = userIds(current, 90, 91);
    expect((await current.query(USERS, { ids: warm })).data!.users).toEqual(expected(current, warm));
    const [a, deleted] = userIds(current, 92, 94) as [string, string];
    current.sandbox.ispring.removeUser(deleted.slice('ispring:'.length));
    current.resetCounts();

    const response = await current.query(USERS, { ids: [a, deleted] });
    expect(response.errors).toBeUndefined();
    expect(response.data!.users).toEqual([...expected(current, [a]), null]);
    expect(current.sandbox.ispring.log.map((entry) => [entry.endpoint, entry.status])).toEqual([
      [USERS_POST, 400],
      [USER_BY_ID, 200],
      [USER_BY_ID, 400],
    ]);
  });
});

describe('ISPRING_USER_LOOKUP forced', () => {
  it.each<[IspringUserLookup, string]>([
    ['get', USERS_GET],
    ['post', USERS_POST],
    ['single', USER_BY_ID],
  ])('=%s reads users with %s only, and says so once', async (lookup, endpoint) => {
    const current = await ispringStack({ lookup });
    const batches = [userIds(current, 100, 103), userIds(current, 103, 104)];
    for (const ids of batches) {
      const response = await current.query(USERS, { ids });
      expect(response.errors).toBeUndefined();
      expect(response.data!.users).toEqual(expected(current, ids));
    }
    // One request per batch, or one per id read one by one.
    const requests = lookup === 'single' ? batches.flat().length : batches.length;
    expect(current.sandbox.ispring.counts()).toEqual({ [endpoint]: requests });
    const lines = linesMatching(current, CONFIRMED);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, userLookup: lookup, setting: lookup });
  });

  it('=get keeps GET /users/v2 when the tenant ignores userIds[], picks out the users asked for, and warns once', async () => {
    const current = await ispringStack({ lookup: 'get', variants: { arrayFilters: 'ignored' } });
    for (const ids of [userIds(current, 110, 112), userIds(current, 112, 115)]) {
      const response = await current.query(USERS, { ids });
      expect(response.errors).toBeUndefined();
      expect(response.data!.users).toEqual(expected(current, ids));
    }
    // Every user fits one page of 1000: one request per operation.
    expect(current.sandbox.organisation.ispring.users.length).toBeLessThanOrEqual(1000);
    expect(endpoints(current)).toEqual([USERS_GET, USERS_GET]);
    const warnings = current.logs.filter((line) => /ISPRING_USER_LOOKUP=get forces/.test(String(line.msg)));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, userLookup: 'get' });
  });

  it('=post keeps POST /users/v2 when the tenant ignores its filter, and picks out the users asked for', async () => {
    const current = await ispringStack({ lookup: 'post', variants: { postUsers: 'ignored' } });
    const ids = userIds(current, 120, 123);
    const response = await current.query(USERS, { ids });
    expect(response.errors).toBeUndefined();
    expect(response.data!.users).toEqual(expected(current, ids));
    expect(endpoints(current)).toEqual([USERS_POST]);
  });

  it('=post fails with UPSTREAM_REJECTED naming the setting when the tenant refuses POST /users/v2, and tries no other form', async () => {
    const current = await ispringStack({ lookup: 'post', variants: { postUsers: 'refused' } });
    const ids = userIds(current, 130, 132);
    const response = await current.query(USERS, { ids });
    expect(response.data).toEqual({ users: [null, null] });
    expect(response.errors).toHaveLength(2);
    for (const error of response.errors!) {
      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', provider: 'ISPRING' });
      expect(error.message).toContain('ISPRING_USER_LOOKUP=post');
    }
    expect(endpoints(current)).toEqual([USERS_POST]);
    expectNoSecrets(current, response);
  });

  it('=single keeps at most ISPRING_MAX_IN_FLIGHT reads by id in flight', async () => {
    const current = await ispringStack({ lookup: 'single' });
    const bound = RESILIENCE_DEFAULTS.maxInFlight.ispring;
    const ids = userIds(current, 0, 2 * bound + 2);
    // Each answer takes 300 ms: the reads that arrive together are the ones allowed in flight.
    current.sandbox.ispring.setDelay(300);
    const response = await current.query(USERS, { ids });
    expect(response.data!.users).toEqual(expected(current, ids));
    const log = current.sandbox.ispring.log;
    expect(log.map((entry) => entry.endpoint)).toEqual(ids.map(() => USER_BY_ID));
    const first = Math.min(...log.map((entry) => entry.at));
    const waves = [0, 1, 2].map(
      (wave) => log.filter((entry) => Math.floor((entry.at - first + 150) / 300) === wave).length,
    );
    expect(waves).toEqual([bound, bound, 2]);
  });

  it('=single reads an unknown id (iSpring answers 400) as null', async () => {
    const current = await ispringStack({ lookup: 'single' });
    const [known] = userIds(current, 140, 141) as [string];
    const response = await current.query(USERS, {
      ids: [known, 'ispring:00000000-0000-4000-8000-000000000000'],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.users).toEqual([...expected(current, [known]), null]);
    expect(current.sandbox.ispring.log.map((entry) => entry.status).sort()).toEqual([200, 400]);
  });
});
