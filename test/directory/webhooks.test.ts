import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/sandbox/index.ts';
import type { Stack } from '../helpers/stack.ts';
import { startSyncedStackWithWebhooks } from '../helpers/directory.ts';

/**
 * Webhooks end to end (README, "The directory"): the sandbox changes its organisation as a tenant's
 * administrators would, sends the vendor's own signed deliveries to the subgraph, and the change is
 * visible to `user`, `searchUsers`, `directReports` and `members` once the delivery is answered.
 * Bad signatures change nothing; replayed and out-of-order deliveries leave the newest state.
 */

const SECRETS = { thrive: 'thrive-hook-secret', ispring: 'ispring-hook-secret' };
let stack: Stack;

beforeAll(async () => {
  stack = await startSyncedStackWithWebhooks(SECRETS);
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => {
  stack.sandbox.webhooks.clear();
});

async function data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await stack.query<T>(query, variables);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!;
}

const searchIds = async (query: string) =>
  (
    await data<{ searchUsers: { nodes: Array<{ id: string }> } }>(
      'query ($q: String) { searchUsers(query: $q, first: 100) { nodes { id } } }',
      { q: query },
    )
  ).searchUsers.nodes.map((node) => node.id);

async function reportsOf(id: string): Promise<string[]> {
  const read = await data<{ user: { directReports: { nodes: Array<{ id: string }> } } }>(
    'query ($id: ID!) { user(id: $id) { directReports(first: 100) { nodes { id } } } }',
    { id },
  );
  return read.user.directReports.nodes.map((node) => node.id);
}

async function membersOf(departmentId: string): Promise<string[]> {
  const read = await data<{ department: { members: { nodes: Array<{ id: string }> } } }>(
    'query ($id: ID!) { department(id: $id) { members(first: 100) { nodes { id } } } }',
    { id: departmentId },
  );
  return read.department.members.nodes.map((node) => node.id);
}

describe('Thrive deliveries from the sandbox', () => {
  it('a rename, a move to another department and manager, and a delete are visible once delivered', async () => {
    const thrive = stack.sandbox.changes.thrive;
    const users = stack.sandbox.organisation.thrive.users;
    const subject = users.find((user) => user.id !== DEMO.thrive.multiPosition && user.positions?.length)!;
    const id = `thrive:${subject.id}`;
    const newManager = users.find((user) => user.id !== subject.id && user.status === 'active')!;
    const audiences = stack.sandbox.organisation.thrive.audiences;
    const before = await data<{ user: { department: { id: string } | null } }>(
      'query ($id: ID!) { user(id: $id) { department { id } } }',
      { id },
    );
    const target = audiences.find((audience) => `thrive:${audience.id}` !== before.user.department?.id)!;

    thrive.updateUser(subject.id, { firstName: 'Quillon', lastName: 'Marsh' });
    thrive.moveUser(subject.id, target.id);
    thrive.updateUser(subject.id, { managerId: newManager.id });
    await stack.sandbox.webhooks.settled();
    const deliveries = stack.sandbox.webhooks.deliveries;
    expect(deliveries.length).toBe(3);
    expect(deliveries.every((delivery) => delivery.status === 200)).toBe(true);

    expect(await searchIds('quillon')).toEqual([id]);
    expect(
      (await data(`{ user(id: "${id}") { displayName manager { id } department { id } } }`)).user,
    ).toEqual({
      displayName: 'Quillon Marsh',
      manager: { id: `thrive:${newManager.id}` },
      department: { id: `thrive:${target.id}` },
    });
    expect(await reportsOf(`thrive:${newManager.id}`)).toContain(id);
    expect(await membersOf(`thrive:${target.id}`)).toContain(id);

    thrive.deleteUser(subject.id, { mode: 'remove' });
    await stack.sandbox.webhooks.settled();
    expect(await searchIds('quillon')).toEqual([]);
    expect((await data(`{ user(id: "${id}") { id } }`)).user).toBeNull();
    expect(await reportsOf(`thrive:${newManager.id}`)).not.toContain(id);
  });

  it('out of order and replayed deliveries leave the newest state', async () => {
    const thrive = stack.sandbox.changes.thrive;
    const subject = stack.sandbox.organisation.thrive.users.find(
      (user) => user.status === 'active' && user.email,
    )!;
    const id = `thrive:${subject.id}`;
    stack.sandbox.webhooks.hold('thrive');
    thrive.updateUser(subject.id, { lastName: 'Firstrename' });
    thrive.updateUser(subject.id, { lastName: 'Lastrename' });
    stack.sandbox.webhooks.release('thrive', 'reverse');
    await stack.sandbox.webhooks.settled();
    expect((await data(`{ user(id: "${id}") { lastName } }`)).user.lastName).toBe('Lastrename');
    expect(await searchIds('firstrename')).toEqual([]);

    const first = stack.sandbox.webhooks.deliveries.find((delivery) =>
      delivery.body.includes('Firstrename'),
    )!;
    stack.sandbox.webhooks.replay(first.id);
    await stack.sandbox.webhooks.settled();
    expect((await data(`{ user(id: "${id}") { lastName } }`)).user.lastName).toBe('Lastrename');
    expect(await searchIds('lastrename')).toEqual([id]);
  });

  it('a delivery with a bad or missing signature gets 401 and changes nothing', async () => {
    const subject = stack.sandbox.organisation.thrive.users.find((user) => user.status === 'active')!;
    const id = `thrive:${subject.id}`;
    const before = (await data(`{ user(id: "${id}") { displayName } }`)).user.displayName;
    // The sandbox's record changes (a record edit: no delivery of its own), and the subgraph hears
    // of it only through deliveries signed wrongly, then rightly.
    const wire = structuredClone(subject);
    wire.firstName = 'Unsigned';
    stack.sandbox.thrive.putUser(wire);
    const event = { eventType: 'user.updated', tenantId: 'sandbox', user: { id: subject.id } };
    stack.sandbox.webhooks.send('thrive', event, { signature: 'invalid' });
    stack.sandbox.webhooks.send('thrive', event, { signature: 'missing' });
    await stack.sandbox.webhooks.settled();
    expect(stack.sandbox.webhooks.deliveries.map((delivery) => delivery.status)).toEqual([401, 401]);
    expect((await data(`{ user(id: "${id}") { displayName } }`)).user.displayName).toBe(before);
    expect(await searchIds('unsigned')).toEqual([]);
    stack.sandbox.webhooks.send('thrive', event);
    await stack.sandbox.webhooks.settled();
    expect(await searchIds('unsigned')).toEqual([id]);
  });
});

describe('iSpring deliveries from the sandbox', () => {
  it('a new user is registered and searchable at once; an update (which iSpring does not announce) waits for a full sync', async () => {
    const ispring = stack.sandbox.changes.ispring;
    const added = ispring.addUser({
      firstName: 'Ottoline',
      lastName: 'Vexley',
      email: 'ottoline.vexley@northwind.example',
    });
    await stack.sandbox.webhooks.settled();
    expect(stack.sandbox.webhooks.deliveries.map((delivery) => [delivery.event, delivery.status])).toEqual([
      ['USER_REGISTERED', 200],
    ]);
    expect(await searchIds('ottoline')).toEqual([`ispring:${added.userId}`]);

    ispring.updateUser(added.userId, { lastName: 'Quietchange' });
    await stack.sandbox.webhooks.settled();
    expect(stack.sandbox.webhooks.deliveries.length).toBe(1);
    expect(await searchIds('quietchange')).toEqual([]);
    expect(await stack.directory.sync('ispring')!.fullSync()).toBe(true);
    expect(await searchIds('quietchange')).toEqual([`ispring:${added.userId}`]);
  });

  it('CONFIRMATION is acknowledged with 200 and changes nothing', async () => {
    const count = (await data('{ searchUsers(first: 0) { totalCount } }')).searchUsers.totalCount;
    stack.sandbox.webhooks.sendConfirmation();
    await stack.sandbox.webhooks.settled();
    expect(stack.sandbox.webhooks.deliveries.map((delivery) => delivery.status)).toEqual([200]);
    expect((await data('{ searchUsers(first: 0) { totalCount } }')).searchUsers.totalCount).toBe(count);
  });
});

describe('what /metrics says of the directory', () => {
  it('counts deliveries by outcome, syncs and changes, and gives each provider its users and index age', async () => {
    const text = await (await fetch(stack.subgraph.url.replace('/graphql', '/metrics'))).text();
    const value = (series: string) => {
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const status = stack.directory.status();
    for (const provider of ['thrive', 'ispring'] as const) {
      expect(value(`learning_directory_directory_users{provider="${provider}"}`)).toBe(
        status.find((entry) => entry.provider === provider)!.users,
      );
      expect(
        value(`learning_directory_directory_index_age_seconds{provider="${provider}"}`),
      ).toBeGreaterThanOrEqual(0);
      expect(
        value(`learning_directory_directory_sync_duration_seconds_count{provider="${provider}",kind="full"}`),
      ).toBeGreaterThanOrEqual(1);
    }
    expect(
      value('learning_directory_directory_webhook_deliveries_total{provider="thrive",outcome="accepted"}'),
    ).toBeGreaterThanOrEqual(5);
    expect(
      value(
        'learning_directory_directory_webhook_deliveries_total{provider="thrive",outcome="bad_signature"}',
      ),
    ).toBe(2);
    expect(
      value(
        'learning_directory_directory_webhook_deliveries_total{provider="ispring",outcome="confirmation"}',
      ),
    ).toBe(1);
    expect(
      value('learning_directory_directory_changes_applied_total{provider="thrive",kind="change"}'),
    ).toBeGreaterThanOrEqual(4);
  });
});
