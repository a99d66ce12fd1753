import { createHash, createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import type { SandboxFault } from '../../src/sandbox/faults.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { startStackWithIspringSyncing, syncAll } from '../helpers/directory.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

/**
 * The directory's freshness and safety (README, "The directory"): `DIRECTORY=live`, the window before
 * the first full sync, full syncs that fail or would empty the directory (they change nothing and
 * say `degraded`), and signed webhook deliveries.
 */

const stacks: Stack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
});

async function start(options: Parameters<typeof startStack>[0]): Promise<Stack> {
  const stack = await startStack(options);
  stacks.push(stack);
  return stack;
}

const COUNT = '{ searchUsers(first: 0) { totalCount } }';
const THRIVE_USER = `thrive:${DEMO.thrive.multiPosition}`;

async function readiness(stack: Stack) {
  const response = await fetch(stack.subgraph.url.replace('/graphql', '/health/ready'));
  return (await response.json()) as {
    status: string;
    directory?: Record<
      string,
      { state: string; users: number; lastFullSyncAt: string | null; problem?: string }
    >;
  };
}

describe('DIRECTORY=live', () => {
  it('answers the directory queries DIRECTORY_DISABLED; by-id reads work as before', async () => {
    const stack = await start({});
    const response = await stack.query(COUNT);
    expect(response.errors?.[0]?.extensions?.code).toBe('DIRECTORY_DISABLED');
    const byId = await stack.query(`{ user(id: "${THRIVE_USER}") { id } }`);
    expect(byId.data?.user?.id).toBe(THRIVE_USER);
    expect((await readiness(stack)).directory).toBeUndefined();
  });
});

describe('before the first full sync', () => {
  it('answers DIRECTORY_NOT_READY for the provider still syncing, while by-id reads go live', async () => {
    const stack = await startStackWithIspringSyncing();
    stacks.push(stack);
    const waiting = await stack.query(COUNT);
    expect(waiting.errors?.[0]?.extensions).toMatchObject({
      code: 'DIRECTORY_NOT_READY',
      provider: 'ISPRING',
    });
    // A search of Thrive alone is ready already.
    const thriveOnly = await stack.query(
      '{ searchUsers(filter: { provider: THRIVE }, first: 0) { totalCount } }',
    );
    expect(thriveOnly.data?.searchUsers?.totalCount).toBe(stack.sandbox.organisation.thrive.users.length);
    stack.resetCounts();
    const byId = await stack.query(
      `{ user(id: "ispring:${DEMO.ispring.inheritsThroughTwoDepartments}") { id } }`,
    );
    expect(byId.data?.user?.id).toBeDefined();
    expect(stack.sandbox.ispring.count(ISPRING_ENDPOINTS.usersV2)).toBeGreaterThan(0);
    expect((await readiness(stack)).directory?.ispring?.state).toBe('syncing');

    await syncAll(stack);
    const ready = await stack.query(COUNT);
    expect(ready.data?.searchUsers?.totalCount).toBe(
      stack.sandbox.organisation.thrive.users.length + stack.sandbox.organisation.ispring.users.length,
    );
  });
});

describe('a full sync that fails or would empty the directory', () => {
  const total = (stack: Stack) =>
    stack.sandbox.organisation.thrive.users.length + stack.sandbox.organisation.ispring.users.length;

  const failures: Array<[string, 'thrive' | 'ispring', SandboxFault, string]> = [
    [
      'a page that is a maintenance page',
      'ispring',
      { kind: 'html', status: 200 },
      ISPRING_ENDPOINTS.usersV2,
    ],
    ['a page that is JSON {}', 'thrive', { kind: 'status', status: 200, body: '{}' }, THRIVE_ENDPOINTS.users],
    ['a page that does not parse', 'thrive', { kind: 'malformed' }, THRIVE_ENDPOINTS.users],
    ['a provider that is down', 'ispring', { kind: 'reset' }, '*'],
    [
      'a provider that answers an empty list',
      'thrive',
      {
        kind: 'status',
        status: 200,
        body: '{"pagination":{"totalResults":0,"totalPages":0,"page":1,"perPage":1000},"results":[]}',
        headers: { 'content-type': 'application/json' },
      },
      THRIVE_ENDPOINTS.users,
    ],
  ];

  it.each(failures)(
    '%s: changes nothing, and health says degraded until a full sync succeeds',
    async (_name, provider, fault, endpoint) => {
      const stack = await start({ directory: { fullSyncSeconds: 3600, pollSeconds: 3600 } });
      await syncAll(stack);
      expect((await readiness(stack)).status).toBe('ok');

      stack.sandbox[provider].inject(fault, { endpoint });
      expect(await stack.directory.sync(provider)!.fullSync()).toBe(false);
      const after = await stack.query(COUNT);
      expect(after.data?.searchUsers?.totalCount).toBe(total(stack));
      const health = await readiness(stack);
      expect(health.status).toBe('degraded');
      expect(health.directory?.[provider]).toMatchObject({ state: 'degraded' });
      expect(health.directory?.[provider]?.problem).toMatch(/full sync (failed|was refused)/);

      stack.sandbox[provider].clearFaults();
      expect(await stack.directory.sync(provider)!.fullSync()).toBe(true);
      expect((await readiness(stack)).directory?.[provider]?.state).toBe('ready');
    },
  );

  it('a full sync that removes fewer than half of the users applies, and finds removed users', async () => {
    const stack = await start({ directory: { fullSyncSeconds: 3600, pollSeconds: 3600 } });
    await syncAll(stack);
    const before = total(stack);
    const removed = stack.sandbox.organisation.ispring.users[3]!.userId;
    expect(stack.sandbox.ispring.removeUser(removed)).toBe(true);
    expect(await stack.directory.sync('ispring')!.fullSync()).toBe(true);
    const after = await stack.query(
      `{ searchUsers(first: 0) { totalCount } user(id: "ispring:${removed}") { id } }`,
    );
    expect(after.data?.searchUsers?.totalCount).toBe(before - 1);
    expect(after.data?.user).toBeNull();
  });
});

describe('webhooks', () => {
  const SECRETS = { thrive: 'thrive-webhook-secret', ispring: 'ispring-webhook-secret' };

  async function deliver(stack: Stack, provider: 'thrive' | 'ispring', body: string, signature?: string) {
    const url = stack.subgraph.url.replace('/graphql', `/webhooks/${provider}`);
    const header = provider === 'thrive' ? 'x-hmac-signature' : 'x-hub-signature';
    const signed =
      signature ??
      (provider === 'thrive'
        ? `sha256=${createHmac('sha256', SECRETS.thrive).update(body).digest('hex')}`
        : createHash('sha256')
            .update(body + SECRETS.ispring)
            .digest('hex'));
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [header]: signed },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('a signed Thrive delivery re-reads the user: the change is visible to user, searchUsers and members', async () => {
    const stack = await start({
      directory: { fullSyncSeconds: 3600, pollSeconds: 3600, webhookSecrets: SECRETS },
      cache: { ttls: { users: 3600 } },
    });
    await syncAll(stack);
    const wire = structuredClone(
      stack.sandbox.organisation.thrive.users.find((user) => user.id === DEMO.thrive.multiPosition)!,
    );
    wire.firstName = 'Renamed';
    wire.lastName = 'Zyxwv';
    stack.sandbox.thrive.putUser(wire);
    const body = JSON.stringify({
      eventType: 'user.updated',
      tenantId: 'sandbox',
      user: {
        id: wire.id,
        reference: wire.ref,
        firstName: 'Renamed',
        lastName: 'Zyxwv',
        email: wire.email,
        status: 'active',
        role: 'learner',
      },
      createdAt: new Date().toISOString(),
      dispatchedAt: new Date().toISOString(),
    });

    const refused = await deliver(stack, 'thrive', body, 'sha256=' + '0'.repeat(64));
    expect(refused.status).toBe(401);
    const unsigned = await fetch(stack.subgraph.url.replace('/graphql', '/webhooks/thrive'), {
      method: 'POST',
      body,
    });
    expect(unsigned.status).toBe(401);
    expect(
      (await stack.query('{ searchUsers(query: "zyxwv") { totalCount } }')).data?.searchUsers?.totalCount,
    ).toBe(0);

    const accepted = await deliver(stack, 'thrive', body);
    expect(accepted).toEqual({ status: 200, body: { accepted: 1 } });
    const found = await stack.query(
      `{ searchUsers(query: "zyxwv") { nodes { id displayName } } user(id: "${THRIVE_USER}") { displayName } }`,
    );
    expect(found.data?.searchUsers?.nodes).toEqual([{ id: THRIVE_USER, displayName: 'Renamed Zyxwv' }]);
    expect(found.data?.user?.displayName).toBe('Renamed Zyxwv');

    // A replay of the same delivery reads the provider again: still the newest state.
    expect((await deliver(stack, 'thrive', body)).status).toBe(200);
    expect(
      (await stack.query(`{ user(id: "${THRIVE_USER}") { displayName } }`)).data?.user?.displayName,
    ).toBe('Renamed Zyxwv');
  });

  it('a delivery is answered and applied while a long full sync runs, and that sync does not undo it', async () => {
    const stack = await start({
      directory: { fullSyncSeconds: 3600, pollSeconds: 3600, webhookSecrets: SECRETS },
    });
    await syncAll(stack);
    // The next full sync reads the users at once, then waits 1.5 s for the audiences: a change
    // made meanwhile is newer than what that sync read of the user.
    stack.sandbox.thrive.inject(
      { kind: 'delay', ms: 1500 },
      { endpoint: THRIVE_ENDPOINTS.audiences, times: 1 },
    );
    stack.resetCounts({ keepCache: true });
    let syncDone = false;
    const sync = stack.directory
      .sync('thrive')!
      .fullSync()
      .then((applied) => {
        syncDone = true;
        return applied;
      });
    while (stack.sandbox.thrive.count(THRIVE_ENDPOINTS.audiences) === 0)
      await new Promise((r) => setTimeout(r, 5));
    const wire = structuredClone(stack.sandbox.organisation.thrive.users[5]!);
    wire.lastName = 'Duringsync';
    stack.sandbox.thrive.putUser(wire);
    const body = JSON.stringify({ eventType: 'user.updated', tenantId: 'sandbox', user: { id: wire.id } });
    expect((await deliver(stack, 'thrive', body)).status).toBe(200);
    expect(syncDone).toBe(false);
    expect(
      (await stack.query('{ searchUsers(query: "duringsync") { totalCount } }')).data?.searchUsers
        ?.totalCount,
    ).toBe(1);
    expect(await sync).toBe(true);
    expect(
      (await stack.query('{ searchUsers(query: "duringsync") { totalCount } }')).data?.searchUsers
        ?.totalCount,
    ).toBe(1);
  });

  it('an iSpring USER_REGISTERED delivery adds the new user; CONFIRMATION is acknowledged; other types ignored', async () => {
    const stack = await start({
      directory: { fullSyncSeconds: 3600, pollSeconds: 3600, webhookSecrets: SECRETS },
    });
    await syncAll(stack);
    const template = stack.sandbox.organisation.ispring.users[0]!;
    const added = structuredClone(template);
    added.userId = '0f0f0f0f-1111-4222-8333-444455556666';
    added.fields = (added.fields ?? []).map((field) =>
      field.name === 'FIRST_NAME'
        ? { ...field, value: 'Qwerty' }
        : field.name === 'LAST_NAME'
          ? { ...field, value: 'Newcomer' }
          : field,
    );
    stack.sandbox.ispring.putUser(added);
    const body = JSON.stringify({
      type: 'USER_REGISTERED',
      payloads: [
        {
          userId: added.userId.toUpperCase(),
          departmentId: added.departmentId,
          login: 'qn',
          email: 'qn@x.test',
        },
      ],
    });
    expect(await deliver(stack, 'ispring', body)).toEqual({ status: 200, body: { accepted: 1 } });
    const found = await stack.query('{ searchUsers(query: "qwerty newcomer") { nodes { id } } }');
    expect(found.data?.searchUsers?.nodes).toEqual([{ id: `ispring:${added.userId}` }]);

    const confirmation = JSON.stringify({
      type: 'CONFIRMATION',
      payloads: ['{"code":"1759b14e-d387-11ed-88a2-42349c105193"}'],
    });
    expect((await deliver(stack, 'ispring', confirmation)).status).toBe(200);
    const other = JSON.stringify({ type: 'COURSE_COMPLETED', payloads: [{}] });
    expect((await deliver(stack, 'ispring', other)).body).toMatchObject({ accepted: 0 });
    const malformed = await deliver(
      stack,
      'ispring',
      JSON.stringify({ type: 'USER_REGISTERED', payloads: [{ userId: 'x' }] }),
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { code: 'MALFORMED_DELIVERY' } });
  });
});

describe('polling and the live path', () => {
  it('a Thrive poll (updatedSince) applies a change no webhook announced', async () => {
    const stack = await start({ directory: { fullSyncSeconds: 3600, pollSeconds: 3600 } });
    await syncAll(stack);
    const subject = stack.sandbox.organisation.thrive.users[9]!;
    stack.sandbox.changes.thrive.updateUser(subject.id, { lastName: 'Polledchange' });
    expect(
      (await stack.query('{ searchUsers(query: "polledchange") { totalCount } }')).data?.searchUsers
        ?.totalCount,
    ).toBe(0);
    stack.resetCounts({ keepCache: true });
    expect(await stack.directory.sync('thrive')!.poll()).toBe(true);
    // One page of the users changed since the last sync (less a minute, for clocks that disagree).
    expect(stack.sandbox.thrive.count(THRIVE_ENDPOINTS.users)).toBe(1);
    const asked = new URLSearchParams(stack.sandbox.thrive.log[0]!.query);
    expect(Date.parse(asked.get('updatedSince')!)).toBeLessThan(Date.now() - 59_000);
    expect(
      (await stack.query('{ searchUsers(query: "polledchange") { totalCount } }')).data?.searchUsers
        ?.totalCount,
    ).toBe(1);
    expect((await readiness(stack)).directory?.thrive).toMatchObject({ polling: 'on' });
  });

  it('stops polling for good, saying so, when Thrive answers with users not changed since', async () => {
    const stack = await start({ directory: { fullSyncSeconds: 3600, pollSeconds: 3600 }, logLevel: 'warn' });
    await syncAll(stack);
    stack.sandbox.thrive.setVariants({ usersIgnoreUpdatedSince: true });
    expect(await stack.directory.sync('thrive')!.poll()).toBe(false);
    expect((await readiness(stack)).directory?.thrive).toMatchObject({ polling: 'stopped', state: 'ready' });
    expect(stack.logs.filter((line) => String(line.msg).includes('polling of thrive stopped'))).toHaveLength(
      1,
    );
    stack.resetCounts({ keepCache: true });
    expect(await stack.directory.sync('thrive')!.poll()).toBe(false);
    expect(stack.sandbox.thrive.count(THRIVE_ENDPOINTS.users)).toBe(0);
  });

  it('reads an entry older than the users TTL live, and that read refreshes the index', async () => {
    const stack = await start({
      directory: { fullSyncSeconds: 3600, pollSeconds: 3600 },
      cache: { ttls: { users: 1, departments: 3600, groups: 3600 } },
    });
    await syncAll(stack);
    const subject = structuredClone(stack.sandbox.organisation.ispring.users[4]!);
    const id = `ispring:${subject.userId}`;
    stack.resetCounts({ keepCache: true });
    expect((await stack.query(`{ user(id: "${id}") { id } }`)).data?.user?.id).toBe(id);
    expect(stack.sandbox.ispring.count()).toBe(0);
    // A change iSpring does not announce, then the entry ages past the TTL.
    stack.sandbox.changes.ispring.updateUser(subject.userId, { lastName: 'Agedout' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const read = await stack.query(`{ user(id: "${id}") { lastName } }`);
    expect(read.data?.user?.lastName).toBe('Agedout');
    expect(stack.sandbox.ispring.count()).toBeGreaterThan(0);
    expect(
      (await stack.query('{ searchUsers(query: "agedout") { totalCount } }')).data?.searchUsers?.totalCount,
    ).toBe(1);
  });
});
