import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { secretsOf } from '../../src/config.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import { createLogger } from '../../src/logger.ts';
import { ReadinessMonitor, type Readiness } from '../../src/observability/health.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createCachedProviders } from '../../src/app.ts';
import { sandboxProviderConfigs } from '../../src/sandbox/index.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { expectNoneIn } from '../helpers/errors.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * `/health/live` and `/health/ready` over real HTTP: what each answers, which upstream
 * requests a readiness check costs (the sandboxes' counters), how often the providers are asked,
 * and that neither needs the router's secret.
 */

const THRIVE_TOKEN = THRIVE_ENDPOINTS.token;
const ISPRING_TOKEN = ISPRING_ENDPOINTS.token;
/** `checkCredentials`: Thrive reads one audience, iSpring one user (src/providers/*\/client.ts). */
const THRIVE_CHECK = THRIVE_ENDPOINTS.audiences;
const ISPRING_CHECK = ISPRING_ENDPOINTS.usersV2;
const ROUTER_SECRET = 'router-secret-for-health-0123456789';

interface Answer<T = any> {
  status: number;
  contentType: string;
  cacheControl: string | null;
  text: string;
  body: T;
}

async function get<T = any>(
  stack: Stack,
  path: string,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const response = await fetch(new URL(path, stack.subgraph.url), { headers });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    cacheControl: response.headers.get('cache-control'),
    text,
    body: body as T,
  };
}

const ready = (stack: Stack) => get<Readiness>(stack, '/health/ready');

const counts = (stack: Stack) => ({
  thrive: stack.sandbox.thrive.counts(),
  ispring: stack.sandbox.ispring.counts(),
});

/** The `learning_directory_provider_ready` gauge, by provider. */
async function readyGauge(stack: Stack): Promise<Record<string, number>> {
  const metric = stack.metrics.registry.getSingleMetric('learning_directory_provider_ready');
  expect(metric).toBeDefined();
  const { values } = await metric!.get();
  return Object.fromEntries(values.map((value) => [String(value.labels['provider']), value.value]));
}

function expectNoSecretsIn(text: string, secrets: readonly string[]) {
  expectNoneIn(text, secrets);
  expect(text).not.toMatch(/stacktrace|\bat .*\.[jt]s:\d+/);
}

describe('with both providers fine', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ logLevel: 'info' });
  });
  afterAll(() => stack?.close());

  it('/health/live: 200 JSON {status: ok}, not cached, and no provider is asked', async () => {
    stack.resetCounts();
    const answer = await get(stack, '/health/live');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.cacheControl).toBe('no-store');
    expect(answer.body).toMatchObject({ status: 'ok' });
    expect(typeof answer.body.uptimeSeconds).toBe('number');
    expect(stack.sandbox.thrive.count()).toBe(0);
    expect(stack.sandbox.ispring.count()).toBe(0);
  });

  it('/health/ready: 200 ok, both providers ok, exactly one token and one check request each', async () => {
    // Run before any other check of this stack: the tokens are not cached yet.
    stack.resetCounts();
    const answer = await ready(stack);
    expect(answer.status).toBe(200);
    expect(answer.cacheControl).toBe('no-store');
    expect(answer.body.status).toBe('ok');
    expect(answer.body.providers.thrive).toMatchObject({ status: 'ok' });
    expect(answer.body.providers.ispring).toMatchObject({ status: 'ok' });
    expect(Object.keys(answer.body.providers).sort()).toEqual(['ispring', 'thrive']);
    expect(typeof answer.body.providers.thrive!.latencyMs).toBe('number');
    expect(new Date(answer.body.checkedAt).toISOString()).toBe(answer.body.checkedAt);
    expect(counts(stack)).toEqual({
      thrive: { [THRIVE_TOKEN]: 1, [THRIVE_CHECK]: 1 },
      ispring: { [ISPRING_TOKEN]: 1, [ISPRING_CHECK]: 1 },
    });
    expect(await readyGauge(stack)).toEqual({ thrive: 1, ispring: 1 });
    // The first result of each provider is logged once, without a request id.
    const lines = stack.logs.filter((line) => /^(thrive|ispring) is ready$/.test(String(line['msg'])));
    expect(lines.map((line) => line['provider']).sort()).toEqual(['ispring', 'thrive']);
  });

  it('polled 5 more times within the interval (15 s default): the providers are not asked again', async () => {
    stack.resetCounts();
    const first = await ready(stack);
    const rest = [];
    for (let i = 0; i < 4; i += 1) rest.push(await ready(stack));
    for (const answer of rest) expect(answer.body).toEqual(first.body);
    expect(stack.sandbox.thrive.count()).toBe(0);
    expect(stack.sandbox.ispring.count()).toBe(0);
  });

  it('/health/live after all that: still no provider request', async () => {
    stack.resetCounts();
    for (let i = 0; i < 3; i += 1) expect((await get(stack, '/health/live')).status).toBe(200);
    expect(stack.sandbox.thrive.count() + stack.sandbox.ispring.count()).toBe(0);
  });
});

describe('ReadinessMonitor with its own clock', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());
  beforeEach(() => stack.resetCounts());

  function monitor(intervalMs: number) {
    const configs = sandboxProviderConfigs(stack.sandbox);
    const redactor = new SecretRedactor(secretsOf({ providers: configs, routerSecret: undefined }));
    let now = 1_700_000_000_000;
    const metrics = createMetrics();
    const readiness = new ReadinessMonitor({
      providers: createCachedProviders(configs, redactor),
      intervalMs,
      timeoutMs: 5000,
      redactor,
      logger: createLogger({ level: 'silent', redactor }),
      metrics,
      now: () => now,
    });
    return {
      readiness,
      metrics,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it('asks once per interval: polls inside it get the last result, the first poll after it asks again', async () => {
    const { readiness, advance } = monitor(10_000);
    const first = await readiness.readiness();
    expect(first.status).toBe('ok');
    expect(counts(stack)).toEqual({
      thrive: { [THRIVE_TOKEN]: 1, [THRIVE_CHECK]: 1 },
      ispring: { [ISPRING_TOKEN]: 1, [ISPRING_CHECK]: 1 },
    });

    for (let i = 0; i < 5; i += 1) {
      advance(1000);
      expect(await readiness.readiness()).toBe(first);
    }
    advance(4999); // 9999 ms after the first check
    expect(await readiness.readiness()).toBe(first);
    expect(stack.sandbox.thrive.count() + stack.sandbox.ispring.count()).toBe(4);

    advance(1); // the interval has passed: asked again (the tokens are still valid)
    const second = await readiness.readiness();
    expect(second).not.toBe(first);
    expect(second.status).toBe('ok');
    expect(counts(stack)).toEqual({
      thrive: { [THRIVE_TOKEN]: 1, [THRIVE_CHECK]: 2 },
      ispring: { [ISPRING_TOKEN]: 1, [ISPRING_CHECK]: 2 },
    });
    expect(new Date(second.checkedAt).getTime() - new Date(first.checkedAt).getTime()).toBe(10_000);
  });

  it('polls that arrive while a check runs wait for it: 5 at once ask each provider once', async () => {
    const { readiness } = monitor(10_000);
    const answers = await Promise.all(Array.from({ length: 5 }, () => readiness.readiness()));
    for (const answer of answers) expect(answer).toBe(answers[0]);
    expect(stack.sandbox.thrive.count(THRIVE_CHECK)).toBe(1);
    expect(stack.sandbox.ispring.count(ISPRING_CHECK)).toBe(1);
  });

  it('an interval of 0 asks on every poll', async () => {
    const { readiness } = monitor(0);
    for (let i = 0; i < 3; i += 1) await readiness.readiness();
    expect(stack.sandbox.thrive.count(THRIVE_CHECK)).toBe(3);
    expect(stack.sandbox.ispring.count(ISPRING_CHECK)).toBe(3);
  });
});

describe('one provider unreachable', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ unreachable: 'thrive', logLevel: 'info' });
  });
  afterAll(() => stack?.close());

  it('200 degraded: thrive down with UPSTREAM_UNAVAILABLE and a message, ispring ok; the gauge says so', async () => {
    const answer = await ready(stack);
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('degraded');
    expect(answer.body.providers.ispring).toMatchObject({ status: 'ok' });
    const thrive = answer.body.providers.thrive as { status: string; code: string; message: string };
    expect(thrive).toMatchObject({ status: 'down', code: 'UPSTREAM_UNAVAILABLE' });
    expect(thrive.message).toMatch(/Thrive/);
    expect(thrive.message.length).toBeGreaterThan(10);
    expectNoSecretsIn(answer.text, stack.secrets);
    expect(await readyGauge(stack)).toEqual({ thrive: 0, ispring: 1 });
    const warning = stack.logs.find((line) => line['msg'] === 'thrive is not ready');
    expect(warning).toMatchObject({ level: 40, provider: 'thrive', code: 'UPSTREAM_UNAVAILABLE' });
  });
});

describe('one provider with a wrong secret', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ wrongSecret: 'ispring' });
  });
  afterAll(() => stack?.close());

  it('200 degraded: ispring down with UPSTREAM_AUTH, and no secret anywhere in the body', async () => {
    const answer = await ready(stack);
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('degraded');
    expect(answer.body.providers.thrive).toMatchObject({ status: 'ok' });
    expect(answer.body.providers.ispring).toMatchObject({ status: 'down', code: 'UPSTREAM_AUTH' });
    expect(stack.secrets).toContain('wrong-ispring-secret');
    expectNoSecretsIn(answer.text, stack.secrets);
    expect(await readyGauge(stack)).toEqual({ thrive: 1, ispring: 0 });
  });
});

describe('both providers down', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ unreachable: 'thrive', wrongSecret: 'ispring' });
  });
  afterAll(() => stack?.close());

  it('503 down, each provider with its code', async () => {
    const answer = await ready(stack);
    expect(answer.status).toBe(503);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body.status).toBe('down');
    expect(answer.body.providers.thrive).toMatchObject({ status: 'down', code: 'UPSTREAM_UNAVAILABLE' });
    expect(answer.body.providers.ispring).toMatchObject({ status: 'down', code: 'UPSTREAM_AUTH' });
    expectNoSecretsIn(answer.text, stack.secrets);
    expect(await readyGauge(stack)).toEqual({ thrive: 0, ispring: 0 });
  });

  it('/health/live is still 200: liveness does not depend on the providers', async () => {
    expect((await get(stack, '/health/live')).status).toBe(200);
  });
});

describe('no provider configured', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ providers: [] });
  });
  afterAll(() => stack?.close());

  it('503 down with no providers', async () => {
    const answer = await ready(stack);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: 'down', providers: {} });
  });
});

describe('a provider that hangs', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ health: { intervalMs: 0, timeoutMs: 150 } });
  });
  afterAll(() => stack?.close());

  it('counts as down with HEALTH_CHECK_TIMEOUT once the check takes longer than the timeout', async () => {
    // Warm the tokens, so that the delayed request is the check itself.
    expect((await ready(stack)).body.status).toBe('ok');
    stack.sandbox.thrive.inject({ kind: 'delay', ms: 600 }, { endpoint: THRIVE_CHECK, times: 1 });

    const answer = await ready(stack);
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('degraded');
    expect(answer.body.providers.ispring).toMatchObject({ status: 'ok' });
    const thrive = answer.body.providers.thrive as { status: string; code: string; message: string };
    expect(thrive).toMatchObject({ status: 'down', code: 'HEALTH_CHECK_TIMEOUT' });
    expect(thrive.message).toContain('HEALTH_CHECK_TIMEOUT_MS');

    // Once the slow answer has come (its own request did not time out), thrive is ready again.
    await vi.waitFor(
      async () => {
        expect((await ready(stack)).body.status).toBe('ok');
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(await readyGauge(stack)).toEqual({ thrive: 1, ispring: 1 });
  });
});

describe('with ROUTER_SECRET set', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ routerSecret: ROUTER_SECRET });
  });
  afterAll(() => stack?.close());

  it('/health/live and /health/ready answer without the router-authorization header', async () => {
    const live = await get(stack, '/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok' });
    const readiness = await ready(stack);
    expect(readiness.status).toBe(200);
    expect(readiness.body.status).toBe('ok');
    expect(readiness.text).not.toContain(ROUTER_SECRET);
  });

  it('/graphql without the header is 401', async () => {
    const response = await fetch(stack.subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    // …and with it, answered.
    expect(await stack.query('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
  });
});
