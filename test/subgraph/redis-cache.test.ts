import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_DEFAULTS, secretsOf, type RedisCacheConfig } from '../../src/config.ts';
import { createRedisCacheStore, type RedisCacheStore } from '../../src/cache/redis.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import { createTelemetry } from '../../src/observability/telemetry.ts';
import { createCachedProviders } from '../../src/app.ts';
import { sandboxProviderConfigs, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { startSubgraph, type RunningSubgraph } from '../../src/server.ts';
import { postGraphQL } from '../helpers/stack.ts';

/**
 * The cross-request cache in a real Redis (`CACHE_REDIS_URL`; the one on 127.0.0.1:6379, which
 * `.ci/run` starts when it is down): shared by several subgraph processes, with each kind's TTL
 * in Redis, and a Redis that is down or slow costing misses, never answers.
 */

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const TTLS = CACHE_DEFAULTS.ttlSeconds;

const OPERATION = `
  query ($ispring: ID!, $thrive: ID!) {
    a: user(id: $ispring) { displayName department { name } groups { name } }
    b: user(id: $thrive) { displayName }
  }
`;

interface RedisSubgraph {
  readonly subgraph: RunningSubgraph;
  readonly metrics: Metrics;
  readonly logs: Array<Record<string, unknown>>;
  readonly redis: RedisCacheStore;
  close(): Promise<void>;
}

/** A subgraph over `sandbox` whose cache is Redis under `redis.prefix`, as `main.ts` wires it. */
async function startRedisSubgraph(sandbox: Sandbox, redisConfig: RedisCacheConfig): Promise<RedisSubgraph> {
  const configs = sandboxProviderConfigs(sandbox);
  const redactor = new SecretRedactor(
    secretsOf({ providers: configs, routerSecret: undefined, cache: { redis: redisConfig } }),
  );
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'info',
    redactor,
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const metrics = createMetrics();
  const telemetry = createTelemetry({ metrics, logger });
  const redis = createRedisCacheStore(redisConfig, {
    logger,
    onError: (operation) => metrics.cacheErrors.inc({ operation }),
    onInvalidEntry: (kind) => metrics.cacheInvalidEntries.inc({ kind }),
  });
  const subgraph = await startSubgraph({
    providers: createCachedProviders(
      configs,
      redactor,
      { store: redis.store, ttls: TTLS },
      telemetry.providers,
    ),
    telemetry,
    logger,
    redactor,
    host: '127.0.0.1',
    port: 0,
  });
  return {
    subgraph,
    metrics,
    logs,
    redis,
    close: async () => {
      await subgraph.close();
      await redis.close();
    },
  };
}

let sandbox: Sandbox;
let admin: Redis;
let ispringId: string;
let thriveId: string;
const prefixes: string[] = [];
const running: RedisSubgraph[] = [];

/** A prefix of this test's own, removed from Redis after it. */
function newPrefix(): string {
  const prefix = `test:${randomUUID()}:`;
  prefixes.push(prefix);
  return prefix;
}

async function start(config: Partial<RedisCacheConfig> = {}): Promise<RedisSubgraph> {
  const started = await startRedisSubgraph(sandbox, {
    url: REDIS_URL,
    prefix: newPrefix(),
    timeoutMs: 250,
    ...config,
  });
  running.push(started);
  return started;
}

const sent = () => sandbox.thrive.count() + sandbox.ispring.count();
const resetCounts = () => {
  sandbox.thrive.reset();
  sandbox.ispring.reset();
};

beforeAll(async () => {
  admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `These tests need Redis at ${REDIS_URL} (start it with redis-server, as .ci/run does): ${String(error)}`,
    );
  }
  sandbox = await startSandbox();
  const ispring = sandbox.organisation.ispring.users.find(
    (user) => user.departmentId && user.groups?.length === 1,
  )!;
  ispringId = `ispring:${ispring.userId}`;
  thriveId = `thrive:${sandbox.organisation.thrive.users[0]!.id}`;
});

afterEach(async () => {
  for (const started of running.splice(0)) await started.close();
  for (const prefix of prefixes.splice(0)) {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  }
  await admin.client('UNPAUSE').catch(() => {});
});

afterAll(async () => {
  await sandbox?.close();
  admin?.disconnect();
});

describe('a Redis shared by two subgraph processes', () => {
  it('lets the second answer from what the first read: no upstream request, not even a token', async () => {
    const first = await start();
    const second = await startRedisSubgraph(sandbox, {
      url: REDIS_URL,
      prefix: prefixes[0]!,
      timeoutMs: 250,
    });
    running.push(second);
    await first.redis.ready;
    await second.redis.ready;
    resetCounts();

    const cold = await postGraphQL(first.subgraph.url, OPERATION, { ispring: ispringId, thrive: thriveId });
    expect(cold.errors).toBeUndefined();
    // Two tokens, the users, the department, the group.
    expect(sent()).toBe(6);

    resetCounts();
    const warm = await postGraphQL(second.subgraph.url, OPERATION, { ispring: ispringId, thrive: thriveId });
    expect(warm).toEqual(cold);
    expect(sent()).toBe(0);
  });

  it('keeps each entry under the prefix with its kind’s TTL in Redis', async () => {
    const subgraph = await start();
    await subgraph.redis.ready;
    await postGraphQL(subgraph.subgraph.url, OPERATION, { ispring: ispringId, thrive: thriveId });
    const prefix = prefixes[0]!;
    const userTtl = await admin.ttl(`${prefix}user:ispring:${ispringId.slice('ispring:'.length)}`);
    expect(userTtl).toBeGreaterThan(0);
    expect(userTtl).toBeLessThanOrEqual(TTLS.users);
    const keys = await admin.keys(`${prefix}*`);
    const departmentKey = keys.find((key) => key.startsWith(`${prefix}department:ispring:`))!;
    const departmentTtl = await admin.ttl(departmentKey);
    expect(departmentTtl).toBeGreaterThan(TTLS.users);
    expect(departmentTtl).toBeLessThanOrEqual(TTLS.departments);
    // Nothing is written without the prefix.
    expect(await admin.keys(`user:ispring:${ispringId.slice('ispring:'.length)}`)).toEqual([]);
    // Entries are JSON with their kind, so that another kind under the same key reads as a miss.
    const stored = JSON.parse(
      (await admin.get(`${prefix}user:ispring:${ispringId.slice('ispring:'.length)}`))!,
    );
    expect(stored).toMatchObject({ kind: 'user', value: { id: ispringId } });
  });

  it('keeps "no such user" too: asking again costs nothing', async () => {
    const subgraph = await start();
    await subgraph.redis.ready;
    const unknown = 'thrive:ffffffffffffffffffffffff';
    const query = `query ($id: ID!) { user(id: $id) { id } }`;
    expect(await postGraphQL(subgraph.subgraph.url, query, { id: unknown })).toEqual({
      data: { user: null },
    });
    resetCounts();
    expect(await postGraphQL(subgraph.subgraph.url, query, { id: unknown })).toEqual({
      data: { user: null },
    });
    expect(sent()).toBe(0);
  });
});

describe('a Redis that is down or slow', () => {
  it('down: every answer comes from upstream as without a cache, failures are counted, one warning, no password logged', async () => {
    const password = 'redis-password-7781';
    const subgraph = await start({ url: `redis://:${password}@127.0.0.1:1`, timeoutMs: 100 });
    await expect(subgraph.redis.ready).rejects.toThrow();
    resetCounts();
    const first = await postGraphQL(subgraph.subgraph.url, OPERATION, {
      ispring: ispringId,
      thrive: thriveId,
    });
    expect(first.errors).toBeUndefined();
    const cold = sent();
    resetCounts();
    const again = await postGraphQL(subgraph.subgraph.url, OPERATION, {
      ispring: ispringId,
      thrive: thriveId,
    });
    expect(again).toEqual(first);
    // Nothing was kept: the repeat costs the data requests again (tokens aside, which the client
    // also keeps in memory for the life of the token).
    expect(sent()).toBe(4);
    expect(cold).toBe(6);

    const errors = (
      await subgraph.metrics.registry.getSingleMetric('learning_directory_cache_errors_total')!.get()
    ).values;
    expect(errors.find((value) => value.labels['operation'] === 'get')?.value).toBeGreaterThan(0);
    const warnings = subgraph.logs.filter((line) =>
      String(line['msg']).startsWith('cache store unavailable'),
    );
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(subgraph.logs)).not.toContain(password);
  });

  it('slow (CLIENT PAUSE): commands over the timeout are misses, and the answer comes from upstream', async () => {
    const subgraph = await start({ timeoutMs: 50 });
    await subgraph.redis.ready;
    await postGraphQL(subgraph.subgraph.url, OPERATION, { ispring: ispringId, thrive: thriveId });
    resetCounts();
    // Every client of this Redis waits 1.5 s per command from now: longer than the timeout.
    await admin.client('PAUSE', 1500);
    const answer = await postGraphQL(subgraph.subgraph.url, OPERATION, {
      ispring: ispringId,
      thrive: thriveId,
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toMatchObject({ b: { displayName: expect.any(String) } });
    // The users, department and group were read again (the tokens were still in memory).
    expect(sent()).toBe(4);
  });
});

describe('entries read back from Redis are checked', () => {
  const USER_QUERY = 'query ($id: ID!) { user(id: $id) { id displayName status } }';
  const userKey = (prefix: string, id: string) => `${prefix}user:${id}`;

  /** Reads `id` once (so that Redis holds its entry), then replaces the stored JSON with `poison`. */
  async function poisoned(first: RedisSubgraph, id: string, poison: (entry: any) => unknown) {
    await first.redis.ready;
    const response = await postGraphQL(first.subgraph.url, USER_QUERY, { id });
    expect(response.errors).toBeUndefined();
    const key = userKey(prefixes.at(-1)!, id);
    expect(key).toBeDefined();
    const entry = JSON.parse((await admin.get(key!))!);
    await admin.set(key!, JSON.stringify(poison(entry)), 'EX', 600);
    return key!;
  }

  it.each([
    [
      'a status that is no UserStatus',
      (entry: any) => ({ ...entry, value: { ...entry.value, status: 'HACKED' } }),
    ],
    [
      'positions that are not a list',
      (entry: any) => ({ ...entry, value: { ...entry.value, positions: 'x' } }),
    ],
    ['a user without an id', (entry: any) => ({ ...entry, value: { ...entry.value, id: undefined } })],
    ['a value that is a string', (entry: any) => ({ ...entry, value: '<script>alert(1)</script>' })],
  ])(
    'an entry of the right kind with %s is a miss: deleted, counted, logged once, and the user read from upstream',
    async (_name, poison) => {
      const first = await start();
      const key = await poisoned(first, ispringId, poison);
      resetCounts();
      for (let round = 0; round < 2; round += 1) {
        const response = await postGraphQL(first.subgraph.url, USER_QUERY, { id: ispringId });
        expect(response.errors).toBeUndefined();
        expect((response.data as any).user).toMatchObject({
          id: ispringId,
          status: expect.stringMatching(/^[A-Z_]+$/),
        });
        expect(JSON.stringify(response)).not.toContain('script');
      }
      // One upstream read (the poisoned entry was a miss), then the good entry written back.
      expect(sent()).toBe(1);
      expect(JSON.parse((await admin.get(key))!).value.id).toBe(ispringId);
      const metrics = await first.metrics.registry.getSingleMetricAsString(
        'learning_directory_cache_invalid_entries_total',
      );
      expect(metrics).toContain('learning_directory_cache_invalid_entries_total{kind="user"} 1');
      expect(first.logs.filter((line) => String(line.msg).includes('failed its checks'))).toHaveLength(1);
    },
  );

  it("an entry holding another user's record under this user's key is a miss", async () => {
    const first = await start();
    await first.redis.ready;
    const other = sandbox.organisation.ispring.users.find((user) => `ispring:${user.userId}` !== ispringId)!;
    await postGraphQL(first.subgraph.url, USER_QUERY, { id: `ispring:${other.userId}` });
    const prefix = prefixes.at(-1)!;
    const otherEntry = (await admin.get(userKey(prefix, `ispring:${other.userId}`)))!;
    expect(JSON.parse(otherEntry).value.id).toBe(`ispring:${other.userId}`);
    await admin.set(userKey(prefix, ispringId), otherEntry, 'EX', 600);
    resetCounts();
    const response = await postGraphQL(first.subgraph.url, USER_QUERY, { id: ispringId });
    expect((response.data as any).user.id).toBe(ispringId);
    expect(sent()).toBe(1);
  });
});
