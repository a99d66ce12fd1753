import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { childBaseEnv } from '../../src/dev/harness/children.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';

/**
 * The directory shared through Redis (README, "The directory across replicas"), as it runs: real
 * subgraph processes (`src/main.ts`), one sandbox that counts every upstream request, and a Redis
 * server of this test's own (on a free port, so that stopping it disturbs no other test): one full
 * sync for every process, a webhook delivered to one seen by all, the lease holder killed, Redis
 * stopped and started again under load, and `WORKERS=2`.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEBHOOK_SECRET = 'shared-directory-thrive-hook';
/** Short, so that a takeover is seen within a test: another process takes over within this. */
const LEASE_SECONDS = 2;

interface SubgraphProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly base: string;
  output(): string;
}

let sandbox: Sandbox;
let redisPort: number;
let redisServer: ChildProcess | undefined;
const processes: SubgraphProcess[] = [];
let prefixCounter = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startRedis(): Promise<void> {
  redisServer = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const client = new Redis({
    port: redisPort,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  });
  client.on('error', () => {});
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${redisPort}`);
      client.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  client.disconnect();
}

async function stopRedis(): Promise<void> {
  const server = redisServer;
  redisServer = undefined;
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGKILL');
  await exited;
}

async function startSubgraph(env: Record<string, string>, prefix: string): Promise<SubgraphProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...childBaseEnv(),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      THRIVE_BASE_URL: sandbox.thrive.baseUrl,
      THRIVE_TENANT_ID: SANDBOX_CREDENTIALS.thrive.tenantId,
      THRIVE_CLIENT_ID: SANDBOX_CREDENTIALS.thrive.clientId,
      THRIVE_CLIENT_SECRET: SANDBOX_CREDENTIALS.thrive.clientSecret,
      ISPRING_BASE_URL: sandbox.ispring.baseUrl,
      ISPRING_CLIENT_ID: SANDBOX_CREDENTIALS.ispring.clientId,
      ISPRING_CLIENT_SECRET: SANDBOX_CREDENTIALS.ispring.clientSecret,
      THRIVE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      DIRECTORY_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      CACHE_REDIS_PREFIX: prefix,
      DIRECTORY_LEASE_SECONDS: String(LEASE_SECONDS),
      DIRECTORY_FULL_SYNC_SECONDS: '3600',
      DIRECTORY_POLL_SECONDS: '3600',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  let url: string | undefined;
  while (url === undefined) {
    url = /Subgraph ready at (\S+)/.exec(output)?.[1];
    if (url !== undefined) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`src/main.ts did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const graphql = url.replace('localhost', '127.0.0.1');
  const started = { child, url: graphql, base: graphql.replace('/graphql', ''), output: () => output };
  processes.push(started);
  return started;
}

async function query<T = any>(target: SubgraphProcess, text: string, variables?: object) {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: text, variables }),
  });
  return (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: any }> };
}

async function readiness(target: SubgraphProcess): Promise<any> {
  return (await fetch(`${target.base}/health/ready`)).json();
}

const TOTAL = '{ searchUsers(first: 0) { totalCount } }';
const EVERYONE = '{ searchUsers(first: 100) { totalCount nodes { id displayName manager { id } } } }';

/** Waits until `probe` gives a value (not undefined), polling every 25 ms; returns it and how long it took. */
async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string) {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function directoryReady(target: SubgraphProcess): Promise<number> {
  const { value } = await until(
    async () => (await query(target, TOTAL)).data?.searchUsers?.totalCount as number | undefined,
    30_000,
    `the directory of ${target.url}`,
  );
  return value;
}

/** Waits until a search for `word` at `target` finds someone; returns the ids found. */
async function foundBy(target: SubgraphProcess, word: string, timeoutMs: number): Promise<string[]> {
  const { value } = await until(
    async () => {
      const found = await query(target, 'query ($q: String) { searchUsers(query: $q) { nodes { id } } }', {
        q: word,
      });
      const ids = found.data?.searchUsers.nodes.map((node: { id: string }) => node.id) as
        string[] | undefined;
      return ids?.length ? ids : undefined;
    },
    timeoutMs,
    `"${word}" at ${target.url}`,
  );
  return value;
}

/** Sends the sandbox's Thrive deliveries to `target`'s webhook endpoint, one attempt each. */
function deliverThriveWebhooksTo(target: SubgraphProcess): void {
  sandbox.webhooks.configure({
    thrive: { url: `${target.base}/webhooks/thrive`, secret: WEBHOOK_SECRET },
    attempts: 1,
  });
}

const leaders = async (targets: readonly SubgraphProcess[]) =>
  (await Promise.all(targets.map(readiness))).map((ready) => ready.sharedDirectory?.leader === true);

beforeAll(async () => {
  sandbox = await startSandbox();
  redisPort = await freePort();
  await startRedis();
});

afterEach(async () => {
  for (const started of processes.splice(0))
    if (started.child.exitCode === null) started.child.kill('SIGKILL');
  sandbox.webhooks.configure({ attempts: 1 });
  if (!redisServer) await startRedis();
});

afterAll(async () => {
  await stopRedis();
  await sandbox?.close();
});

/** A prefix per test: each starts from an empty shared directory. */
const freshPrefix = () => `shared-test-${process.pid}-${(prefixCounter += 1)}:`;

describe('three subgraph processes on one Redis prefix', () => {
  it('sync the tenant once, not once per process, and all answer the same', async () => {
    const prefix = freshPrefix();
    const before = {
      thriveUsers: sandbox.thrive.count(THRIVE_ENDPOINTS.users),
      departments: sandbox.ispring.count(ISPRING_ENDPOINTS.departmentList),
      groups: sandbox.ispring.count(ISPRING_ENDPOINTS.groupList),
    };
    const started = await Promise.all([0, 1, 2].map(() => startSubgraph({}, prefix)));
    const totals = await Promise.all(started.map(directoryReady));
    const organisation = sandbox.organisation;
    expect(totals).toEqual(
      started.map(() => organisation.thrive.users.length + organisation.ispring.users.length),
    );
    expect({
      thriveUsers: sandbox.thrive.count(THRIVE_ENDPOINTS.users) - before.thriveUsers,
      departments: sandbox.ispring.count(ISPRING_ENDPOINTS.departmentList) - before.departments,
      groups: sandbox.ispring.count(ISPRING_ENDPOINTS.groupList) - before.groups,
    }).toEqual({ thriveUsers: 1, departments: 1, groups: 1 });

    const answers = await Promise.all(started.map((target) => query(target, EVERYONE)));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]!.errors).toBeUndefined();

    const states = await Promise.all(started.map(readiness));
    expect(states.filter((state) => state.sharedDirectory.leader)).toHaveLength(1);
    const holder = states.find((state) => state.sharedDirectory.leader)!.sharedDirectory.process;
    for (const state of states) {
      expect(state.sharedDirectory).toMatchObject({ redis: 'up', leaseHolder: holder, pending: 0 });
      expect(state.directory.thrive.state).toBe('ready');
    }
    // A fourth process that starts late reads Redis, not the providers.
    const counted = sandbox.thrive.count() + sandbox.ispring.count();
    const late = await startSubgraph({}, prefix);
    expect(await directoryReady(late)).toBe(totals[0]);
    expect(await query(late, EVERYONE)).toEqual(answers[0]);
    expect(sandbox.thrive.count() + sandbox.ispring.count() - counted).toBe(0);
  });

  it('a webhook delivered to one process is visible through every other within 2 s', async () => {
    const prefix = freshPrefix();
    const started = await Promise.all([0, 1, 2].map(() => startSubgraph({}, prefix)));
    await Promise.all(started.map(directoryReady));
    const receiver = started[1]!;
    deliverThriveWebhooksTo(receiver);
    const subject = sandbox.organisation.thrive.users.find((user) => user.status === 'active')!;
    const changedAt = Date.now();
    sandbox.changes.thrive.updateUser(subject.id, { firstName: 'Xanthippe', lastName: 'Quorlay' });
    const seen = await Promise.all(started.map((target) => foundBy(target, 'xanthippe', 5_000)));
    for (const ids of seen) expect(ids[0]).toBe(`thrive:${subject.id}`);
    expect(Date.now() - changedAt).toBeLessThan(2_000);
    expect(sandbox.webhooks.deliveries.at(-1)?.status).toBe(200);
  });

  it('when the lease holder is killed, another takes over within a lease, and later changes reach every process', async () => {
    const prefix = freshPrefix();
    const started = await Promise.all([0, 1, 2].map(() => startSubgraph({}, prefix)));
    await Promise.all(started.map(directoryReady));
    const { value: holderAt } = await until(
      async () => {
        const flags = await leaders(started);
        return flags.filter(Boolean).length === 1 ? flags.indexOf(true) : undefined;
      },
      10_000,
      'one lease holder',
    );
    const holder = started[holderAt]!;
    const rest = started.filter((target) => target !== holder);
    holder.child.kill('SIGKILL');
    const { ms } = await until(
      async () => ((await leaders(rest)).filter(Boolean).length === 1 ? true : undefined),
      (LEASE_SECONDS + 2) * 1000,
      'a new lease holder',
    );
    expect(ms).toBeLessThan((LEASE_SECONDS + 1) * 1000);

    // The new holder runs the syncs: a department iSpring announces nothing about reaches everyone
    // with the next full sync; a webhook's change reaches everyone at once.
    deliverThriveWebhooksTo(rest[0]!);
    const subject = sandbox.organisation.thrive.users.find((user) => user.status === 'active' && user.id)!;
    sandbox.changes.thrive.updateUser(subject.id, { lastName: 'Afterthetakeover' });
    for (const target of rest) {
      expect(await foundBy(target, 'afterthetakeover', 2_000)).toEqual([`thrive:${subject.id}`]);
    }
  });

  it('with Redis stopped and started again under load, no query fails and the processes converge', async () => {
    const prefix = freshPrefix();
    const started = await Promise.all([0, 1].map(() => startSubgraph({}, prefix)));
    await Promise.all(started.map(directoryReady));
    const organisation = sandbox.organisation;
    const someone = organisation.ispring.users[3]!.userId;
    const failures: string[] = [];
    let answered = 0;
    let loading = true;
    const load = (async () => {
      while (loading) {
        for (const target of started) {
          const response = await query(
            target,
            `{ user(id: "ispring:${someone}") { id displayName } searchUsers(query: "a", first: 5) { totalCount } }`,
          );
          if (response.errors) failures.push(JSON.stringify(response.errors));
          else answered += 1;
        }
      }
    })();

    await stopRedis();
    await until(
      async () => ((await readiness(started[0]!)).sharedDirectory.redis === 'down' ? true : undefined),
      5_000,
      'Redis seen down',
    );
    const ready = await readiness(started[0]!);
    expect(ready.status).toBe('degraded');
    // A change accepted while Redis is away: applied where it was received, and later everywhere.
    deliverThriveWebhooksTo(started[1]!);
    const subject = organisation.thrive.users.find((user) => user.status === 'active')!;
    sandbox.changes.thrive.updateUser(subject.id, { lastName: 'Duringtheoutage' });
    await sandbox.webhooks.settled();
    expect(sandbox.webhooks.deliveries.at(-1)?.status).toBe(200);
    const during = await query(started[1]!, '{ searchUsers(query: "duringtheoutage") { totalCount } }');
    expect(during.data?.searchUsers.totalCount).toBe(1);

    await startRedis();
    for (const target of started) {
      expect(await foundBy(target, 'duringtheoutage', 10_000)).toEqual([`thrive:${subject.id}`]);
      await until(
        async () => ((await readiness(target)).sharedDirectory.redis === 'up' ? true : undefined),
        5_000,
        'Redis seen back',
      );
    }
    loading = false;
    await load;
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(10);
    const answers = await Promise.all(started.map((target) => query(target, EVERYONE)));
    expect(answers[1]).toEqual(answers[0]);
    // Redis lost everything (no persistence): the holder wrote the directory again, so a process
    // that starts now finds it whole.
    const late = await startSubgraph({}, prefix);
    expect(await directoryReady(late)).toBe(answers[0]!.data.searchUsers.totalCount);
  });
});

describe('WORKERS=2', () => {
  it('shares one directory through Redis: one full sync for both workers', async () => {
    const prefix = freshPrefix();
    const before = sandbox.ispring.count(ISPRING_ENDPOINTS.departmentList);
    const main = await startSubgraph({ WORKERS: '2' }, prefix);
    const total = await directoryReady(main);
    // Requests spread over the workers (a worker that has not loaded the directory yet answers
    // DIRECTORY_NOT_READY): soon every one answers from it, the same.
    await until(
      async () => {
        const totals = await Promise.all([0, 1, 2, 3, 4, 5].map(() => query(main, TOTAL)));
        return totals.every((one) => one.data?.searchUsers.totalCount === total) ? true : undefined;
      },
      10_000,
      'every worker to answer from the directory',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sandbox.ispring.count(ISPRING_ENDPOINTS.departmentList) - before).toBe(1);
    const logs = main
      .output()
      .split('\n')
      .filter((line) => line.includes('shared directory'));
    expect(logs.filter((line) => line.includes('holds the lease'))).toHaveLength(1);
  });
});
