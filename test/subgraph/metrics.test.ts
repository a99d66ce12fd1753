import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secretsOf } from '../../src/config.ts';
import { defaultResilience, type ResilienceConfig } from '../../src/providers/resilience/config.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import { createLogger } from '../../src/logger.ts';
import type { ProviderName } from '../../src/models.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import { createTelemetry } from '../../src/observability/telemetry.ts';
import { createCachedProviders } from '../../src/app.ts';
import { DEMO, sandboxProviderConfigs, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { startSubgraph, type RunningSubgraph } from '../../src/server.ts';
import { expectNoneIn } from '../helpers/errors.ts';
import { postGraphQL, startStack, type GraphQLResponse, type Stack } from '../helpers/stack.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * `GET /metrics` and what it counts, checked against what really happened: the
 * sandboxes' own per-endpoint counters, the responses, and the log.
 */

const P = 'learning_directory_';
const UPSTREAM = `${P}upstream_requests_total`;
const UPSTREAM_DURATION = `${P}upstream_request_duration_seconds`;
const OPERATIONS = `${P}graphql_operations_total`;
const OPERATION_DURATION = `${P}graphql_operation_duration_seconds`;
const ERRORS = `${P}graphql_errors_total`;
const CACHE = `${P}cache_lookups_total`;
const BATCH = `${P}dataloader_batch_size`;
const BREAKER_OPEN = `${P}circuit_breaker_open`;
const BREAKER_TRANSITIONS = `${P}circuit_breaker_transitions_total`;
const PROVIDER_READY = `${P}provider_ready`;
const OUR_METRICS = [
  UPSTREAM,
  UPSTREAM_DURATION,
  OPERATIONS,
  OPERATION_DURATION,
  ERRORS,
  CACHE,
  BATCH,
  BREAKER_OPEN,
  BREAKER_TRANSITIONS,
  PROVIDER_READY,
];

const THRIVE_USER = THRIVE_ENDPOINTS.user;
const THRIVE_TOKEN = THRIVE_ENDPOINTS.token;
const ROUTER_SECRET = 'router-secret-for-metrics-0123456789';

const thriveId = `thrive:${DEMO.thrive.multiPosition}`;
const ispringId = `ispring:${DEMO.ispring.inheritsThroughTwoDepartments}`;
/** A well-formed Thrive id the sandbox does not have: `GET /user/{id}` answers 404. */
const unknownThriveId = 'thrive:0000000000000000deadbeef';
const USER = `query ($id: ID!) { user(id: $id) { id displayName } }`;

type Labels = Record<string, string | number>;
interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}

async function samples(metrics: Metrics, name: string): Promise<Sample[]> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values as Sample[];
}

/** The sum of the samples whose labels include `labels` (for a histogram: `suffix` picks _count, _sum). */
async function valueOf(metrics: Metrics, name: string, labels: Labels = {}, suffix = ''): Promise<number> {
  return (await samples(metrics, name))
    .filter((sample) => suffix === '' || sample.metricName === `${name}${suffix}`)
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** `upstream_requests_total` summed over outcomes: provider → endpoint → requests (zeros left out). */
async function upstreamByEndpoint(metrics: Metrics): Promise<Record<ProviderName, Record<string, number>>> {
  const result: Record<ProviderName, Record<string, number>> = { thrive: {}, ispring: {} };
  for (const sample of await samples(metrics, UPSTREAM)) {
    if (sample.value === 0) continue;
    const provider = sample.labels['provider'] as ProviderName;
    const endpoint = String(sample.labels['endpoint']);
    result[provider][endpoint] = (result[provider][endpoint] ?? 0) + sample.value;
  }
  return result;
}

/** `upstream_requests_total` by outcome for one provider and endpoint. */
async function outcomesOf(metrics: Metrics, provider: ProviderName, endpoint: string) {
  const result: Record<string, number> = {};
  for (const sample of await samples(metrics, UPSTREAM)) {
    if (sample.labels['provider'] !== provider || sample.labels['endpoint'] !== endpoint) continue;
    result[String(sample.labels['outcome'])] = (result[String(sample.labels['outcome'])] ?? 0) + sample.value;
  }
  return result;
}

const sandboxCounts = (sandbox: Pick<Sandbox, 'thrive' | 'ispring'>) => ({
  thrive: sandbox.thrive.counts(),
  ispring: sandbox.ispring.counts(),
});

/** Counters back to zero, sandbox logs emptied, cached directory data dropped (tokens kept). */
function resetAll(stack: Stack, options: { keepCache?: boolean } = {}) {
  stack.resetCounts(options);
  stack.metrics.registry.resetMetrics();
}

async function scrape(stack: Stack, headers: Record<string, string> = {}) {
  const response = await fetch(stack.subgraph.url.replace(/\/graphql$/, '/metrics'), { headers });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

describe('GET /metrics', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ routerSecret: ROUTER_SECRET });
  });
  afterAll(() => stack?.close());

  it('200 in the Prometheus text format, with event-loop lag and every metric of ours, without the router secret', async () => {
    expect((await stack.query(USER, { id: thriveId })).errors).toBeUndefined();
    const answer = await scrape(stack);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(answer.text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(answer.text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    for (const name of OUR_METRICS) expect(answer.text).toContain(`# TYPE ${name} `);
    expect(answer.text).toMatch(
      /^learning_directory_graphql_operations_total\{operation_type="query",outcome="success"\} 1$/m,
    );
    expect(answer.text).toContain(`${BREAKER_OPEN}{provider="thrive"} 0`);
    expect(answer.text).toContain(`${BREAKER_OPEN}{provider="ispring"} 0`);
    expect(answer.text).not.toContain(ROUTER_SECRET);
    expectNoneIn(answer.text, stack.secrets);
  });
});

describe('upstream requests', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  const OPERATION = `
    query ($ispring: ID!, $thrive: ID!) {
      a: user(id: $ispring) { displayName department { name } groups { name } manager { displayName } }
      b: user(id: $thrive) { displayName department { name } groups { name } }
    }
  `;

  it('per provider and endpoint template, exactly what the sandboxes received (token requests included)', async () => {
    // The first operation of this stack: both tokens are fetched too.
    resetAll(stack);
    const response = await stack.query(OPERATION, { ispring: ispringId, thrive: thriveId });
    expect(response.errors).toBeUndefined();
    const received = sandboxCounts(stack.sandbox);
    expect(received.thrive[THRIVE_TOKEN]).toBe(1);
    expect(received.ispring[ISPRING_ENDPOINTS.token]).toBe(1);
    expect(Object.keys(received.ispring).length).toBeGreaterThanOrEqual(3);
    expect(await upstreamByEndpoint(stack.metrics)).toEqual(received);
  });

  it('the duration histogram counts each of them once, with the same labels', async () => {
    resetAll(stack);
    expect((await stack.query(OPERATION, { ispring: ispringId, thrive: thriveId })).errors).toBeUndefined();
    const counted = await samples(stack.metrics, UPSTREAM);
    expect(counted.length).toBeGreaterThan(0);
    for (const sample of counted) {
      expect(
        await valueOf(stack.metrics, UPSTREAM_DURATION, sample.labels, '_count'),
        JSON.stringify(sample.labels),
      ).toBe(sample.value);
    }
    const total = counted.reduce((sum, sample) => sum + sample.value, 0);
    expect(await valueOf(stack.metrics, UPSTREAM_DURATION, {}, '_count')).toBe(total);
    expect(total).toBe(stack.sandbox.thrive.count() + stack.sandbox.ispring.count());
  });

  it('a 503 answered by a retry: one server_error and one ok, as the sandbox saw two requests', async () => {
    resetAll(stack);
    stack.sandbox.thrive.inject({ kind: 'status', status: 503 }, { endpoint: THRIVE_USER, times: 1 });
    expect((await stack.query(USER, { id: thriveId })).errors).toBeUndefined();
    expect(await outcomesOf(stack.metrics, 'thrive', THRIVE_USER)).toEqual({ server_error: 1, ok: 1 });
    expect(stack.sandbox.thrive.count(THRIVE_USER)).toBe(2);
  });

  it('503 on every attempt: server_error once per attempt (1 + 2 retries)', async () => {
    resetAll(stack);
    stack.sandbox.thrive.inject({ kind: 'status', status: 503 }, { endpoint: THRIVE_USER, times: 3 });
    const response = await stack.query(USER, { id: thriveId });
    expect(response.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(await outcomesOf(stack.metrics, 'thrive', THRIVE_USER)).toEqual({ server_error: 3 });
    expect(stack.sandbox.thrive.count(THRIVE_USER)).toBe(3);
  });

  it('429 then the answer: rate_limited, then ok', async () => {
    resetAll(stack);
    stack.sandbox.thrive.inject({ kind: 'rateLimit', retryAfter: 0 }, { endpoint: THRIVE_USER, times: 1 });
    expect((await stack.query(USER, { id: thriveId })).errors).toBeUndefined();
    expect(await outcomesOf(stack.metrics, 'thrive', THRIVE_USER)).toEqual({ rate_limited: 1, ok: 1 });
  });

  it('an unknown user: one 404, counted not_found', async () => {
    resetAll(stack);
    const response = await stack.query(USER, { id: unknownThriveId });
    expect(response).toEqual({ data: { user: null } });
    expect(await outcomesOf(stack.metrics, 'thrive', THRIVE_USER)).toEqual({ not_found: 1 });
    expect(stack.sandbox.thrive.counts()).toEqual({ [THRIVE_USER]: 1 });
  });

  it('expired tokens: the 401, the token request and the request sent again are each counted', async () => {
    resetAll(stack);
    stack.sandbox.thrive.expireTokens();
    expect((await stack.query(USER, { id: thriveId })).errors).toBeUndefined();
    expect(stack.sandbox.thrive.counts()).toEqual({ [THRIVE_USER]: 2, [THRIVE_TOKEN]: 1 });
    expect(await upstreamByEndpoint(stack.metrics)).toEqual(sandboxCounts(stack.sandbox));
    expect(await outcomesOf(stack.metrics, 'thrive', THRIVE_USER)).toEqual({ unauthorized: 1, ok: 1 });
  });
});

describe('upstream timeouts', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ overrides: { timeoutMs: 250 } });
    // Warm the tokens, so that the delayed request below is the user read.
    await stack.query(USER, { id: thriveId });
  });
  afterAll(() => stack?.close());

  it('a request slower than the timeout: timeout, then ok on the retry', async () => {
    resetAll(stack);
    stack.sandbox.thrive.inject({ kind: 'delay', ms: 1000 }, { endpoint: THRIVE_USER, times: 1 });
    expect((await stack.query(USER, { id: thriveId })).errors).toBeUndefined();
    expect(await outcomesOf(stack.metrics, 'thrive', THRIVE_USER)).toEqual({ timeout: 1, ok: 1 });
    expect(stack.sandbox.thrive.count(THRIVE_USER)).toBe(2);
  });
});

describe('a wrong secret', () => {
  it.each([
    ['basic', THRIVE_USER],
    ['oauth', THRIVE_TOKEN],
  ] as const)(
    'Thrive %s: %s counted unauthorized, as often as the sandbox saw it',
    async (mode, endpoint) => {
      const stack = await startStack({ wrongSecret: 'thrive', modes: { thrive: mode } });
      try {
        const response = await stack.query(USER, { id: thriveId });
        expect(response.errors?.[0]?.extensions?.code).toBe('UPSTREAM_AUTH');
        const outcomes = await outcomesOf(stack.metrics, 'thrive', endpoint);
        expect(Object.keys(outcomes)).toEqual(['unauthorized']);
        expect(outcomes['unauthorized']).toBe(stack.sandbox.thrive.count(endpoint));
        expect(outcomes['unauthorized']).toBeGreaterThanOrEqual(1);
        expect(await upstreamByEndpoint(stack.metrics)).toEqual(sandboxCounts(stack.sandbox));
      } finally {
        await stack.close();
      }
    },
  );
});

describe('the cache', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    await stack.query(USER, { id: ispringId }); // tokens
  });
  afterAll(() => stack?.close());

  it('a cold read counts misses; the same query within the TTL counts hits and sends no request', async () => {
    resetAll(stack);
    expect((await stack.query(USER, { id: ispringId })).errors).toBeUndefined();
    expect(await valueOf(stack.metrics, CACHE, { kind: 'user', result: 'miss' })).toBe(1);
    expect(await valueOf(stack.metrics, CACHE, { kind: 'user', result: 'hit' })).toBe(0);
    expect(stack.sandbox.ispring.counts()).toEqual({ [ISPRING_ENDPOINTS.usersV2]: 1 });

    stack.resetCounts({ keepCache: true });
    expect((await stack.query(USER, { id: ispringId })).errors).toBeUndefined();
    expect(await valueOf(stack.metrics, CACHE, { kind: 'user', result: 'hit' })).toBe(1);
    expect(await valueOf(stack.metrics, CACHE, { kind: 'user', result: 'miss' })).toBe(1);
    expect(stack.sandbox.thrive.count() + stack.sandbox.ispring.count()).toBe(0);
    expect(await valueOf(stack.metrics, UPSTREAM, { endpoint: ISPRING_ENDPOINTS.usersV2 })).toBe(1);
  });

  it('the token is read from the cache too', async () => {
    resetAll(stack);
    expect((await stack.query(USER, { id: ispringId })).errors).toBeUndefined();
    expect(await valueOf(stack.metrics, CACHE, { kind: 'token', result: 'hit' })).toBeGreaterThanOrEqual(1);
    expect(await valueOf(stack.metrics, CACHE, { kind: 'token', result: 'miss' })).toBe(0);
  });
});

describe('DataLoader batches', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('users(ids:) of 7 iSpring ids: one batch of 7', async () => {
    const ids = stack.sandbox.organisation.ispring.users.slice(0, 7).map((user) => `ispring:${user.userId}`);
    resetAll(stack);
    const response = await stack.query(`query ($ids: [ID!]!) { users(ids: $ids) { id } }`, { ids });
    expect(response.errors).toBeUndefined();
    const labels = { provider: 'ispring', entity: 'user' };
    expect(await valueOf(stack.metrics, BATCH, labels, '_count')).toBe(1);
    expect(await valueOf(stack.metrics, BATCH, labels, '_sum')).toBe(7);
    expect(await valueOf(stack.metrics, BATCH, { provider: 'thrive' }, '_count')).toBe(0);
    expect(stack.sandbox.ispring.count(ISPRING_ENDPOINTS.usersV2)).toBe(1);
  });

  it('the same ids twice in one list: one batch of the distinct ids', async () => {
    const ids = stack.sandbox.organisation.ispring.users.slice(0, 3).map((user) => `ispring:${user.userId}`);
    resetAll(stack);
    const response = await stack.query(`query ($ids: [ID!]!) { users(ids: $ids) { id } }`, {
      ids: [...ids, ...ids],
    });
    expect(response.errors).toBeUndefined();
    expect(await valueOf(stack.metrics, BATCH, { provider: 'ispring', entity: 'user' }, '_count')).toBe(1);
    expect(await valueOf(stack.metrics, BATCH, { provider: 'ispring', entity: 'user' }, '_sum')).toBe(3);
  });
});

describe('operations and errors', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    await stack.query(USER, { id: thriveId }); // tokens
  });
  afterAll(() => stack?.close());
  beforeEach(() => resetAll(stack));

  const operations = (labels: Labels) => valueOf(stack.metrics, OPERATIONS, labels);
  const errors = (code: string) => valueOf(stack.metrics, ERRORS, { code });

  it('a successful query: success +1, its duration observed, no error counted', async () => {
    expect((await stack.query(USER, { id: thriveId })).errors).toBeUndefined();
    expect(await operations({ operation_type: 'query', outcome: 'success' })).toBe(1);
    expect(await operations({})).toBe(1);
    expect(
      await valueOf(
        stack.metrics,
        OPERATION_DURATION,
        { operation_type: 'query', outcome: 'success' },
        '_count',
      ),
    ).toBe(1);
    expect(await valueOf(stack.metrics, ERRORS)).toBe(0);
  });

  it('a bad id: partial, BAD_USER_INPUT +1', async () => {
    const response = await stack.query(`{ user(id: "nope") { id } }`);
    expect(response.data).toEqual({ user: null });
    expect(await operations({ operation_type: 'query', outcome: 'partial' })).toBe(1);
    expect(await errors('BAD_USER_INPUT')).toBe(1);
    expect(await valueOf(stack.metrics, ERRORS)).toBe(1);
  });

  it('two bad ids in one query: one operation, two errors', async () => {
    await stack.query(`{ a: user(id: "nope") { id } b: user(id: "thrive:") { id } }`);
    expect(await operations({ outcome: 'partial' })).toBe(1);
    expect(await errors('BAD_USER_INPUT')).toBe(2);
  });

  it('a query that does not parse: failure, GRAPHQL_PARSE_FAILED', async () => {
    const response = await stack.query(`{ user(`);
    expect(response.data).toBeUndefined();
    expect(await operations({ outcome: 'failure' })).toBe(1);
    expect(await operations({ operation_type: 'unknown', outcome: 'failure' })).toBe(1);
    expect(await errors('GRAPHQL_PARSE_FAILED')).toBe(1);
  });

  it('a query that does not validate: failure, GRAPHQL_VALIDATION_FAILED', async () => {
    await stack.query(`{ nope }`);
    expect(await operations({ outcome: 'failure' })).toBe(1);
    expect(await errors('GRAPHQL_VALIDATION_FAILED')).toBe(1);
  });

  it('a provider down: UPSTREAM_UNAVAILABLE counted', async () => {
    stack.sandbox.thrive.inject({ kind: 'reset' }, { endpoint: THRIVE_USER, times: 3 });
    const response = await stack.query(USER, { id: thriveId });
    expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(await operations({ operation_type: 'query', outcome: 'partial' })).toBe(1);
    expect(await errors('UPSTREAM_UNAVAILABLE')).toBe(1);
    expect(await outcomesOf(stack.metrics, 'thrive', THRIVE_USER)).toEqual({ network_error: 3 });
  });
});

describe('no label value comes from the caller', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('a weird operation name and weird ids appear nowhere in /metrics', async () => {
    const weirdName = 'ZqxWeirdOperationName_4711';
    const weirdThriveId = 'ZqxWeirdThriveId4711';
    const weirdBadId = 'zqx-weird-bad-id-4711';
    const responses: GraphQLResponse[] = [
      await stack.query(`query ${weirdName} { user(id: "thrive:${weirdThriveId}") { id } }`),
      await stack.query(`query ${weirdName}2 { user(id: "${weirdBadId}") { id } }`),
      await stack.query(`query ${weirdName}3 { ${weirdName} }`),
    ];
    expect(responses.map((response) => response.data ?? null)).toEqual([
      { user: null },
      { user: null },
      null,
    ]);
    const { text } = await scrape(stack);
    for (const weird of [weirdName, weirdThriveId, weirdBadId, 'Zqx', 'zqx'])
      expect(text).not.toContain(weird);

    // Every label value of ours is from a small fixed set.
    const allowed: Record<string, RegExp> = {
      provider: /^(thrive|ispring)$/,
      endpoint: /^(GET|POST) \/[A-Za-z0-9/{}]*$/,
      outcome:
        /^(ok|not_found|unauthorized|rate_limited|client_error|server_error|timeout|network_error|too_large|success|partial|failure)$/,
      operation_type: /^(query|mutation|subscription|unknown)$/,
      code: /^[A-Z_]+$/,
      kind: /^(user|department|group|departments|groups|token)$/,
      result: /^(hit|miss)$/,
      entity: /^(user|department|group)$/,
      to: /^(open|half-open|closed)$/,
      le: /^([\d.]+|\+Inf)$/,
    };
    for (const metric of await stack.metrics.registry.getMetricsAsJSON()) {
      if (!metric.name.startsWith(P)) continue;
      for (const value of metric.values as Sample[]) {
        for (const [label, labelValue] of Object.entries(value.labels)) {
          expect(allowed[label], `${metric.name}: label ${label}`).toBeDefined();
          expect(String(labelValue), `${metric.name}{${label}}`).toMatch(allowed[label]!);
        }
      }
    }
  });
});

describe('the circuit breaker', () => {
  let sandbox: Sandbox;
  let running: RunningSubgraph;
  let metrics: Metrics;
  const logs: Array<Record<string, unknown>> = [];
  const FAILURES_TO_OPEN = 2;

  beforeAll(async () => {
    sandbox = await startSandbox();
    const configs = sandboxProviderConfigs(sandbox, { thrive: 'basic', ispring: 'headers' });
    const resilience = (provider: ProviderName): ResilienceConfig => ({
      ...defaultResilience(provider),
      retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterSeconds: 0 },
      breaker: { failureThreshold: FAILURES_TO_OPEN, openMs: 600_000 },
    });
    const thrive = { ...configs.thrive, resilience: resilience('thrive') };
    const ispring = { ...configs.ispring, resilience: resilience('ispring') };
    const redactor = new SecretRedactor(
      secretsOf({ providers: { thrive, ispring }, routerSecret: undefined }),
    );
    const logger = createLogger({
      level: 'info',
      redactor,
      destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
    });
    metrics = createMetrics();
    const telemetry = createTelemetry({ metrics, logger });
    running = await startSubgraph({
      providers: createCachedProviders({ thrive, ispring }, redactor, undefined, telemetry.providers),
      telemetry,
      logger,
      redactor,
      host: '127.0.0.1',
      port: 0,
    });
  });
  afterAll(async () => {
    await running?.close();
    await sandbox?.close();
  });

  it('opens after the failures: the gauge is 1, one transition to open is counted, a warning is logged', async () => {
    expect(await valueOf(metrics, BREAKER_OPEN, { provider: 'thrive' })).toBe(0);
    sandbox.thrive.inject({ kind: 'status', status: 503 }, { endpoint: THRIVE_USER });
    for (let i = 0; i < FAILURES_TO_OPEN; i += 1) {
      const response = await postGraphQL(running.url, USER, { id: thriveId });
      expect(response.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    }
    expect(sandbox.thrive.count(THRIVE_USER)).toBe(FAILURES_TO_OPEN);

    expect(await valueOf(metrics, BREAKER_OPEN, { provider: 'thrive' })).toBe(1);
    expect(await valueOf(metrics, BREAKER_OPEN, { provider: 'ispring' })).toBe(0);
    expect(await valueOf(metrics, BREAKER_TRANSITIONS, { provider: 'thrive', to: 'open' })).toBe(1);
    expect(await valueOf(metrics, BREAKER_TRANSITIONS)).toBe(1);
    const opened = logs.filter((line) => /circuit breaker .*opened/.test(String(line['msg'])));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ level: 40, provider: 'thrive', from: 'closed', to: 'open' });

    // While open, requests fail fast: nothing is sent, nothing more is counted upstream.
    const response = await postGraphQL(running.url, USER, { id: thriveId });
    expect(response.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(sandbox.thrive.count(THRIVE_USER)).toBe(FAILURES_TO_OPEN);
    expect(await valueOf(metrics, UPSTREAM, { provider: 'thrive', endpoint: THRIVE_USER })).toBe(
      FAILURES_TO_OPEN,
    );
    expect(await valueOf(metrics, BREAKER_TRANSITIONS)).toBe(1);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`${BREAKER_OPEN}{provider="thrive"} 1`);
    expect(text).toContain(`${BREAKER_TRANSITIONS}{provider="thrive",to="open"} 1`);
  });
});
