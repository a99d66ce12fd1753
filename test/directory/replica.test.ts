import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.ts';

/**
 * The shared directory's lease and fencing (README, "The directory across replicas"), against the
 * real Redis on 127.0.0.1:6379: two subgraphs on one prefix, one holding the lease; a holder whose
 * lease was taken while it was paused cannot write over its successor, and steps down.
 */

const REDIS_URL = 'redis://127.0.0.1:6379';
let redis: Redis;
const stacks: Stack[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});
const prefixes: string[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
  // The shared Redis keeps nothing of these tests.
  for (const prefix of prefixes.splice(0)) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
});
afterAll(() => redis.disconnect());

async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
) {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function twoOnOnePrefix(leaseMs: number) {
  const prefix = `replica-test-${process.pid}-${Date.now()}:`;
  prefixes.push(prefix);
  // One tenant for both: each stack has a sandbox of its own (other ports, so another tenant key by
  // default), and this test is about two processes of one deployment.
  const shared = { url: REDIS_URL, prefix, leaseMs, timeoutMs: 1_000, tenant: 'test' };
  const [a, b] = await Promise.all([
    startStack({ directory: { fullSyncSeconds: 3600, pollSeconds: 3600, shared } }),
    startStack({ directory: { fullSyncSeconds: 3600, pollSeconds: 3600, shared } }),
  ]);
  stacks.push(a!, b!);
  const holder = await until(
    () => [a!, b!].find((stack) => stack.directory.replicaStatus()?.leader),
    10_000,
    'a lease holder',
  );
  await until(
    () => (holder.directory.status().every((status) => status.ready) ? true : undefined),
    10_000,
    'the first full syncs',
  );
  return { prefix, holder, other: holder === a ? b! : a! };
}

describe('the lease', () => {
  it('is held by one process, named the same by both, and its key holds fence and process', async () => {
    const { prefix, holder, other } = await twoOnOnePrefix(60_000);
    const name = holder.directory.replicaStatus()!.process;
    expect(await redis.get(`${prefix}directory:test:lease`)).toMatch(
      new RegExp(`^\\d+:${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    );
    await until(
      () => (other.directory.replicaStatus()?.leaseHolder === name ? true : undefined),
      25_000,
      'the other process to see the holder',
    );
    expect(other.directory.replicaStatus()!.leader).toBe(false);
    const metrics = await (await fetch(holder.subgraph.url.replace('/graphql', '/metrics'))).text();
    console.log(
      metrics
        .split('\n')
        .filter((line) => line.includes('replica'))
        .join('\n'),
    );
    expect(metrics).toMatch(/^learning_directory_directory_replica_leader 1$/m);
    expect(metrics).toMatch(/^learning_directory_directory_replica_redis_up 1$/m);
    expect(metrics).toContain(`learning_directory_directory_replica_lease_holder{holder="${name}"} 1`);
    const otherMetrics = await (await fetch(other.subgraph.url.replace('/graphql', '/metrics'))).text();
    expect(otherMetrics).toMatch(/^learning_directory_directory_replica_leader 0$/m);
    expect(otherMetrics).toContain(`learning_directory_directory_replica_lease_holder{holder="${name}"} 1`);
    expect(otherMetrics).toMatch(/^learning_directory_directory_replica_version_seconds \d+(\.\d+)?$/m);
  });

  it('fences a holder whose lease was taken while it was paused: its writes are refused, and it steps down', async () => {
    // A long lease: the holder's own renewal does not come before its next write.
    const { prefix, holder } = await twoOnOnePrefix(60_000);
    const stateKey = `${prefix}directory:test:thrive:state`;
    // Written after the first full sync, through the holder's write queue.
    const before = await until(
      async () => (await redis.get(stateKey)) ?? undefined,
      5_000,
      'the state in Redis',
    );
    // While it "was paused", its lease ran out and another process took it (a higher fence).
    const fence = await redis.incr(`${prefix}directory:test:fence`);
    await redis.set(`${prefix}directory:test:lease`, `${fence}:successor-process`, 'PX', 60_000);
    const streamBefore = await redis.xlen(`${prefix}directory:test:changes`);

    // It wakes up and finishes a full sync: its new state would be the holder's to write.
    expect(await holder.directory.sync('thrive')!.fullSync()).toBe(true);
    await until(
      () => (holder.directory.replicaStatus()?.leader === false ? true : undefined),
      5_000,
      'it to step down',
    );
    expect(await redis.get(stateKey)).toBe(before);
    expect(await redis.get(`${prefix}directory:test:lease`)).toBe(`${fence}:successor-process`);
    // No entry of its own after the takeover: a fenced write adds nothing to the stream either.
    const entries = (await redis.xrange(`${prefix}directory:test:changes`, '-', '+')).slice(streamBefore);
    const kinds = entries.map(
      ([, fields]) => (JSON.parse(fields[fields.indexOf('change') + 1]!) as { kind: string }).kind,
    );
    expect(kinds).not.toContain('state');
  });
});

describe('the keys', () => {
  it('expire a week after the last holder renewed its lease, so that an abandoned directory leaves Redis', async () => {
    const { prefix } = await twoOnOnePrefix(1_000);
    const base = `${prefix}directory:test:`;
    const keys = [
      `${base}fence`,
      `${base}changes`,
      `${base}thrive:users`,
      `${base}ispring:catalog`,
      `${base}thrive:state`,
    ];
    const ttls = await until(
      async () => {
        const read = await Promise.all(keys.map((key) => redis.ttl(key)));
        return read.every((ttl) => ttl > 0) ? read : undefined;
      },
      5_000,
      'the keys to have an expiry',
    );
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(7 * 86_400 - 60);
      expect(ttl).toBeLessThanOrEqual(7 * 86_400);
    }
  });
});
