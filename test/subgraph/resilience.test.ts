import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secretsOf } from '../../src/config.ts';
import { defaultResilience, type ResilienceConfig } from '../../src/providers/resilience/config.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import { createLogger } from '../../src/logger.ts';
import type { ProviderName } from '../../src/models.ts';
import { createIspringProvider } from '../../src/providers/ispring/index.ts';
import type { ResilienceClock } from '../../src/providers/resilience/index.ts';
import { createThriveProvider } from '../../src/providers/thrive/index.ts';
import {
  DEMO,
  sandboxProviderConfigs,
  startSandbox,
  type Sandbox,
  type SandboxFault,
  type SandboxServer,
} from '../../src/sandbox/index.ts';
import { startSubgraph, type RunningSubgraph } from '../../src/server.ts';
import { expectNoneIn } from '../helpers/errors.ts';
import { postGraphQL, type GraphQLResponse } from '../helpers/stack.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * Upstream faults, injected into the sandboxes, as a client of the subgraph meets them: what the
 * response holds (data and error codes), how many requests each provider was sent (the sandbox's
 * log, which counts faulted requests too), and that no secret is in any error. The subgraph's
 * providers get a clock whose waits are written down and move its time on, but never sleep.
 */

const THRIVE_USER = THRIVE_ENDPOINTS.user;
const ISPRING_USERS = ISPRING_ENDPOINTS.usersV2;
const THRIVE_TOKEN = THRIVE_ENDPOINTS.token;
const ISPRING_TOKEN = ISPRING_ENDPOINTS.token;

const thriveId = `thrive:${DEMO.thrive.ceo}`;
const ispringId = `ispring:${DEMO.ispring.ceo}`;
const BOTH = `query ($ids: [ID!]!) { users(ids: $ids) { id displayName } }`;
/** The request timeout of both providers: a `delay` fault longer than it is a timeout. */
const TIMEOUT_MS = 250;
const MAX_BODY_BYTES = 1024 * 1024;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

interface FaultStack {
  readonly sleeps: number[];
  readonly secrets: readonly string[];
  /** Moves the providers' clock on (to let a circuit's open time pass). */
  advance(ms: number): void;
  query(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<Users>>;
}

/** What `BOTH` answers. */
interface Users {
  users: Array<{ id: string; displayName: string } | null>;
}

let running: RunningSubgraph | undefined;
beforeEach(() => {
  for (const server of [sandbox.thrive, sandbox.ispring]) {
    server.clearFaults();
    server.reset();
  }
});
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function startFaultStack(
  options: {
    modes?: { thrive?: 'basic' | 'oauth'; ispring?: 'token' | 'headers' };
    resilience?: Partial<ResilienceConfig>;
  } = {},
): Promise<FaultStack> {
  const configs = sandboxProviderConfigs(
    sandbox,
    { thrive: 'basic', ispring: 'headers', ...options.modes },
    { timeoutMs: TIMEOUT_MS },
  );
  const resilience = (provider: ProviderName): ResilienceConfig => ({
    ...defaultResilience(provider),
    maxBodyBytes: MAX_BODY_BYTES,
    ...options.resilience,
  });
  const thrive = { ...configs.thrive, resilience: resilience('thrive') };
  const ispring = { ...configs.ispring, resilience: resilience('ispring') };
  const secrets = secretsOf({ providers: { thrive, ispring }, routerSecret: undefined });
  const basic = thrive.auth.mode === 'basic' ? thrive.auth : undefined;
  if (basic) secrets.push(Buffer.from(`${basic.tenantId}:${basic.apiSecret}`).toString('base64'));
  const redactor = new SecretRedactor(secrets);

  const sleeps: number[] = [];
  let offset = 0;
  const clock: ResilienceClock = {
    now: () => Date.now() + offset,
    sleep: async (ms) => {
      sleeps.push(ms);
      offset += ms;
    },
    random: () => 0.5,
  };
  running = await startSubgraph({
    providers: new Map([
      ['thrive', createThriveProvider(thrive, { redactor, clock })],
      ['ispring', createIspringProvider(ispring, { redactor, clock })],
    ]),
    logger: createLogger({ level: 'silent', redactor }),
    redactor,
    host: '127.0.0.1',
    port: 0,
  });
  const url = running.url;
  return {
    sleeps,
    secrets,
    advance: (ms) => {
      offset += ms;
    },
    query: (query, variables) => postGraphQL<Users>(url, query, variables),
  };
}

/** Fails when a secret, a credential header or a stack trace is anywhere in the response. */
function expectNoSecrets(stack: FaultStack, response: GraphQLResponse<Users>): void {
  const text = JSON.stringify(response);
  expectNoneIn(text, stack.secrets);
  expect(text).not.toMatch(/Bearer|Basic |stacktrace|at .*\.ts:\d+/);
}

const server = (provider: ProviderName): SandboxServer =>
  provider === 'thrive' ? sandbox.thrive : sandbox.ispring;
const endpointOf = (provider: ProviderName) => (provider === 'thrive' ? THRIVE_USER : ISPRING_USERS);
const indexOf = (provider: ProviderName) => (provider === 'thrive' ? 0 : 1);
const other = (provider: ProviderName): ProviderName => (provider === 'thrive' ? 'ispring' : 'thrive');

describe('a fault that clears within the retries', () => {
  it.each<[ProviderName, SandboxFault, number]>([
    ['thrive', { kind: 'status', status: 503 }, 2],
    ['ispring', { kind: 'status', status: 502 }, 2],
    ['thrive', { kind: 'status', status: 504 }, 1],
    ['ispring', { kind: 'reset' }, 2],
    ['thrive', { kind: 'truncate' }, 2],
    ['ispring', { kind: 'delay', ms: 1000 }, 1],
    ['thrive', { kind: 'html', status: 503 }, 1],
    ['ispring', { kind: 'rateLimit', retryAfter: 0 }, 2],
  ])('%s %j × %i: the data, no error, one request per attempt', async (provider, fault, times) => {
    const stack = await startFaultStack();
    server(provider).inject(fault, { endpoint: endpointOf(provider), times });
    const response = await stack.query(BOTH, { ids: [thriveId, ispringId] });
    expect(response.errors).toBeUndefined();
    expect(response.data?.users).toEqual([
      { id: thriveId, displayName: expect.any(String) },
      { id: ispringId, displayName: expect.any(String) },
    ]);
    expect(server(provider).log.map((entry) => entry.fault)).toEqual([
      ...Array<string>(times).fill(fault.kind),
      undefined,
    ]);
    expect(server(other(provider)).count()).toBe(1);
  });

  it('waits what Retry-After says, and no more', async () => {
    const stack = await startFaultStack();
    sandbox.thrive.inject({ kind: 'rateLimit', retryAfter: 1 }, { endpoint: THRIVE_USER, times: 1 });
    const response = await stack.query(BOTH, { ids: [thriveId] });
    expect(response.errors).toBeUndefined();
    expect(sandbox.thrive.count(THRIVE_USER)).toBe(2);
    expect(stack.sleeps).toEqual([1000]);
  });
});

describe('a fault that outlasts the retries', () => {
  it.each<[ProviderName, SandboxFault, string, number]>([
    ['thrive', { kind: 'status', status: 503 }, 'UPSTREAM_UNAVAILABLE', 3],
    ['ispring', { kind: 'status', status: 504 }, 'UPSTREAM_UNAVAILABLE', 3],
    ['ispring', { kind: 'reset' }, 'UPSTREAM_UNAVAILABLE', 3],
    ['thrive', { kind: 'delay', ms: 1000 }, 'UPSTREAM_UNAVAILABLE', 3],
    ['ispring', { kind: 'truncate' }, 'UPSTREAM_UNAVAILABLE', 3],
    ['thrive', { kind: 'html' }, 'UPSTREAM_UNAVAILABLE', 3],
    ['ispring', { kind: 'rateLimit', retryAfter: 1 }, 'UPSTREAM_RATE_LIMITED', 3],
    ['ispring', { kind: 'status', status: 500 }, 'UPSTREAM_UNAVAILABLE', 1],
    ['thrive', { kind: 'status', status: 400 }, 'UPSTREAM_REJECTED', 1],
    ['ispring', { kind: 'status', status: 403 }, 'UPSTREAM_AUTH', 1],
    ['thrive', { kind: 'html', status: 200 }, 'UPSTREAM_BAD_RESPONSE', 1],
    ['ispring', { kind: 'html', status: 200 }, 'UPSTREAM_BAD_RESPONSE', 1],
    ['thrive', { kind: 'malformed' }, 'UPSTREAM_BAD_RESPONSE', 1],
    ['ispring', { kind: 'malformed' }, 'UPSTREAM_BAD_RESPONSE', 1],
    ['ispring', { kind: 'doctype' }, 'UPSTREAM_BAD_RESPONSE', 1],
    ['thrive', { kind: 'oversized', bytes: 2 * MAX_BODY_BYTES }, 'UPSTREAM_BAD_RESPONSE', 1],
    ['ispring', { kind: 'oversized', bytes: 2 * MAX_BODY_BYTES, chunked: true }, 'UPSTREAM_BAD_RESPONSE', 1],
  ])(
    '%s %j: null with %s, after %i requests, the other provider’s data intact',
    async (provider, fault, code, requests) => {
      const stack = await startFaultStack();
      server(provider).inject(fault, { endpoint: endpointOf(provider) });
      const response = await stack.query(BOTH, { ids: [thriveId, ispringId] });
      const users = response.data!.users;
      expect(users[indexOf(provider)]).toBeNull();
      expect(users[indexOf(other(provider))]).toMatchObject({ displayName: expect.any(String) });
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]).toMatchObject({
        path: ['users', indexOf(provider)],
        extensions: { code, provider: provider.toUpperCase() },
      });
      expect(server(provider).count(endpointOf(provider))).toBe(requests);
      expect(server(provider).count()).toBe(requests);
      expectNoSecrets(stack, response);
    },
  );

  it.each<[ProviderName, boolean]>([
    ['thrive', false],
    ['ispring', true],
  ])(
    'refuses a %s body over UPSTREAM_MAX_BODY_BYTES (chunked: %s) for its size, not its shape',
    async (provider, chunked) => {
      const stack = await startFaultStack();
      server(provider).inject(
        { kind: 'oversized', bytes: 4 * MAX_BODY_BYTES, chunked },
        { endpoint: endpointOf(provider) },
      );
      const response = await stack.query(BOTH, { ids: [provider === 'thrive' ? thriveId : ispringId] });
      expect(response.errors![0]!.extensions?.code).toBe('UPSTREAM_BAD_RESPONSE');
      expect(response.errors![0]!.message).toContain(`larger than ${MAX_BODY_BYTES} bytes`);
    },
  );

  it('gives the last Retry-After of a 429 that persists as extensions.retryAfterSeconds', async () => {
    const stack = await startFaultStack();
    sandbox.ispring.inject({ kind: 'rateLimit', retryAfter: 2 }, { endpoint: ISPRING_USERS });
    const response = await stack.query(BOTH, { ids: [ispringId] });
    expect(response.errors![0]!.extensions).toEqual({
      code: 'UPSTREAM_RATE_LIMITED',
      provider: 'ISPRING',
      retryAfterSeconds: 2,
    });
    expect(stack.sleeps).toEqual([2000, 2000]);
  });

  it('does not wait for a Retry-After past the bound: one request, and the wait in the error', async () => {
    const stack = await startFaultStack();
    sandbox.thrive.inject({ kind: 'rateLimit', retryAfter: 60 }, { endpoint: THRIVE_USER });
    const response = await stack.query(BOTH, { ids: [thriveId] });
    expect(response.data).toEqual({ users: [null] });
    expect(response.errors![0]!.extensions).toEqual({
      code: 'UPSTREAM_RATE_LIMITED',
      provider: 'THRIVE',
      retryAfterSeconds: 60,
    });
    expect(sandbox.thrive.count(THRIVE_USER)).toBe(1);
    expect(stack.sleeps).toEqual([]);
  });

  it('stops retrying at the operation’s deadline', async () => {
    const stack = await startFaultStack({ resilience: { deadlineMs: 1500 } });
    sandbox.thrive.inject({ kind: 'rateLimit', retryAfter: 1 }, { endpoint: THRIVE_USER });
    const response = await stack.query(BOTH, { ids: [thriveId] });
    expect(response.errors![0]!.extensions?.code).toBe('UPSTREAM_RATE_LIMITED');
    // One wait of 1 s fits in the 1.5 s; the second would not.
    expect(sandbox.thrive.count(THRIVE_USER)).toBe(2);
    expect(stack.sleeps).toEqual([1000]);
  });
});

describe('the circuit breaker', () => {
  it('opens after N failed operations, fails fast without a request, then probes and closes', async () => {
    const openMs = 10_000;
    const stack = await startFaultStack({
      resilience: { breaker: { failureThreshold: 2, openMs } },
    });
    sandbox.ispring.inject({ kind: 'status', status: 503 }, { endpoint: ISPRING_USERS });
    await stack.query(BOTH, { ids: [ispringId] });
    await stack.query(BOTH, { ids: [ispringId] });
    expect(sandbox.ispring.count()).toBe(6);

    const fast = await stack.query(BOTH, { ids: [thriveId, ispringId] });
    expect(sandbox.ispring.count()).toBe(6);
    expect(fast.data?.users[0]).toMatchObject({ id: thriveId });
    expect(fast.data?.users[1]).toBeNull();
    expect(fast.errors![0]).toMatchObject({
      path: ['users', 1],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', provider: 'ISPRING' },
    });
    expect(fast.errors![0]!.message).toMatch(
      /^iSpring is unavailable: its circuit is open after 2 consecutive failures, so requests to it fail at once; one request will probe whether it has recovered at .* \(in 10 s\)/,
    );
    expectNoSecrets(stack, fast);

    sandbox.ispring.clearFaults();
    stack.advance(openMs);
    const probed = await stack.query(BOTH, { ids: [ispringId] });
    expect(probed.errors).toBeUndefined();
    expect(sandbox.ispring.count()).toBe(7);
    await stack.query(BOTH, { ids: [ispringId] });
    expect(sandbox.ispring.count()).toBe(8);
  });

  it('keeps the providers apart: Thrive answers while iSpring’s circuit is open', async () => {
    const stack = await startFaultStack({ resilience: { breaker: { failureThreshold: 1, openMs: 10_000 } } });
    sandbox.ispring.inject({ kind: 'reset' });
    await stack.query(BOTH, { ids: [ispringId] });
    const response = await stack.query(BOTH, { ids: [thriveId, ispringId] });
    expect(response.data?.users[0]).toMatchObject({ id: thriveId });
    expect(sandbox.thrive.count(THRIVE_USER)).toBe(1);
    expect(sandbox.ispring.count()).toBe(3);
  });
});

describe('tokens', () => {
  it('retries a token request that failed with 503, and the query succeeds', async () => {
    const stack = await startFaultStack({ modes: { thrive: 'oauth' } });
    sandbox.thrive.inject({ kind: 'status', status: 503 }, { endpoint: THRIVE_TOKEN, times: 1 });
    const response = await stack.query(BOTH, { ids: [thriveId] });
    expect(response.errors).toBeUndefined();
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_TOKEN]: 2, [THRIVE_USER]: 1 });
  });

  it('sends no data request when the token endpoint stays unreachable', async () => {
    const stack = await startFaultStack({ modes: { ispring: 'token' } });
    sandbox.ispring.inject({ kind: 'reset' }, { endpoint: ISPRING_TOKEN });
    const response = await stack.query(BOTH, { ids: [ispringId] });
    expect(response.data).toEqual({ users: [null] });
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(sandbox.ispring.counts()).toEqual({ [ISPRING_TOKEN]: 3 });
    expectNoSecrets(stack, response);
  });

  it('refreshes the token exactly once on a 401, and then succeeds', async () => {
    const stack = await startFaultStack({ modes: { ispring: 'token' } });
    sandbox.ispring.inject({ kind: 'status', status: 401 }, { endpoint: ISPRING_USERS, times: 1 });
    const response = await stack.query(BOTH, { ids: [ispringId] });
    expect(response.errors).toBeUndefined();
    expect(sandbox.ispring.counts()).toEqual({ [ISPRING_TOKEN]: 2, [ISPRING_USERS]: 2 });
  });

  it('gives up with UPSTREAM_AUTH when the refreshed token is refused too: never retried beyond', async () => {
    const stack = await startFaultStack({ modes: { thrive: 'oauth' } });
    sandbox.thrive.inject({ kind: 'status', status: 401 }, { endpoint: THRIVE_USER });
    const response = await stack.query(BOTH, { ids: [thriveId] });
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_AUTH', provider: 'THRIVE' });
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_TOKEN]: 2, [THRIVE_USER]: 2 });
    expect(stack.sleeps).toEqual([]);
    expectNoSecrets(stack, response);
  });
});
