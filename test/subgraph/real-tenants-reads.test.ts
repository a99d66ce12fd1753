import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../src/models.ts';
import { createDemoOrganisation, DEMO, type SandboxFault } from '../../src/sandbox/index.ts';
import { expectNoneIn } from '../helpers/errors.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * Real tenants (README, "What real tenants send"), through the subgraph against the sandboxes:
 * - iSpring answers 400 (and on some hosts 404) to a by-id read of an id it does not have: that is
 *   null, with iSpring's message in a debug line; a web page in its place, or a 400 to anything
 *   else, stays an error;
 * - upper-case iSpring UUIDs are lower-cased before any request or cache key;
 * - a body that cannot be read (a broken gzip stream, headers past the parser's limit) is
 *   `UPSTREAM_BAD_RESPONSE`, not "could not be reached", and does not open the circuit.
 */

const organisation = createDemoOrganisation();
const UNKNOWN_UUID = '0b5e9f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const department = organisation.ispring.departments.find((candidate) => candidate.parentDepartmentId)!;
const group = organisation.ispring.groups[0]!;
const ispringCeo = DEMO.ispring.ceo;

/** POSTs a query and keeps the response's `Cache-Control` (`stack.query` gives the body only). */
async function post(stack: Stack, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(stack.subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return {
    cacheControl: response.headers.get('cache-control'),
    body: (await response.json()) as { data?: any; errors?: Array<Record<string, any>> },
  };
}

/** `upstream_requests_total` of one endpoint by outcome (zeros left out). */
async function outcomes(stack: Stack, provider: ProviderName, endpoint: string) {
  const metric = (await stack.metrics.registry.getMetricsAsJSON()).find(
    (candidate) => candidate.name === 'learning_directory_upstream_requests_total',
  )!;
  return Object.fromEntries(
    metric.values
      .filter(
        (sample) =>
          sample.value > 0 && sample.labels.provider === provider && sample.labels.endpoint === endpoint,
      )
      .map((sample) => [sample.labels.outcome, sample.value]),
  );
}

function expectNoSecrets(stack: Stack, response: unknown): void {
  expectNoneIn(JSON.stringify(response), stack.secrets);
  expectNoneIn(JSON.stringify(stack.logs), stack.secrets);
}

/** The by-id reads, the operation that makes each, and the message iSpring's "not found" carries. */
const BY_ID_READS = [
  {
    endpoint: ISPRING_ENDPOINTS.department,
    query: `{ department(id: "ispring:${UNKNOWN_UUID}") { id } }`,
    data: { department: null },
    message: 'Department not found',
  },
  {
    endpoint: ISPRING_ENDPOINTS.group,
    query: `{ group(id: "ispring:${UNKNOWN_UUID}") { id } }`,
    data: { group: null },
    message: 'Group not found',
  },
  {
    // By-id user reads are the `single` form's; this stack forces it.
    endpoint: ISPRING_ENDPOINTS.userV2,
    query: `{ user(id: "ispring:${UNKNOWN_UUID}") { id } }`,
    data: { user: null },
    message: 'User not found',
  },
] as const;

describe.each(['xml', 'json'] as const)('iSpring by-id reads of an unknown id, asked for %s', (format) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      providers: ['ispring'],
      modes: { ispring: 'headers' },
      overrides: { ispringFormat: format, ispringUserLookup: 'single' },
      logLevel: 'debug',
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.sandbox.ispring.resetVariants();
    stack.sandbox.ispring.clearFaults();
    stack.resetCounts();
    stack.logs.length = 0;
    stack.metrics.registry.resetMetrics();
  });

  const cases = [400, 404].flatMap((status) =>
    BY_ID_READS.map((read) => [read.endpoint, status as 400 | 404, read] as const),
  );
  it.each(cases)(
    '%s answered %i is null, cacheable, with iSpring’s message in one debug line',
    async (endpoint, status, read) => {
      stack.sandbox.ispring.setVariants({ notFoundStatus: status });
      const response = await post(stack, read.query);
      expect(response.body).toEqual({ data: read.data });
      expect(response.cacheControl).toMatch(/^max-age=\d+, public$/);
      expect(stack.sandbox.ispring.log.map((entry) => [entry.endpoint, entry.status])).toEqual([
        [endpoint, status],
      ]);
      const lines = stack.logs.filter((line) => String(line.msg).includes('(not found)'));
      expect(lines).toEqual([
        expect.objectContaining({
          level: 20,
          provider: 'ispring',
          endpoint,
          status,
          upstreamMessage: read.message,
          msg: `iSpring answered ${status} (not found) to ${endpoint}`,
        }),
      ]);
      // Not found is not a failure: no warning, and the request counts as not_found.
      expect(stack.logs.filter((line) => Number(line.level) >= 40)).toEqual([]);
      expect(await outcomes(stack, 'ispring', endpoint)).toEqual({ not_found: 1 });
      expectNoSecrets(stack, response);
    },
  );

  it.each(BY_ID_READS.flatMap((read) => [400, 404].map((status) => [read.endpoint, status, read] as const)))(
    '%s answered %i with a web page is UPSTREAM_BAD_RESPONSE naming ISPRING_BASE_URL, not null',
    async (endpoint, status, read) => {
      stack.sandbox.ispring.inject({ kind: 'html', status }, { endpoint });
      const response = await post(stack, read.query);
      expect(response.body.data).toEqual(read.data);
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors![0]!.extensions).toEqual({
        code: 'UPSTREAM_BAD_RESPONSE',
        provider: 'ISPRING',
      });
      expect(response.body.errors![0]!.message).toContain('ISPRING_BASE_URL');
      expect(response.cacheControl).toBe('no-store');
      expect(stack.sandbox.ispring.counts()).toEqual({ [endpoint]: 1 });
    },
  );
});

describe('a 400 from iSpring anywhere but a by-id read', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ providers: ['ispring'], modes: { ispring: 'headers' }, logLevel: 'warn' });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.sandbox.ispring.clearFaults();
    stack.resetCounts();
  });

  it('on GET /department (read for a walk) stays UPSTREAM_REJECTED', async () => {
    stack.sandbox.ispring.inject(
      { kind: 'status', status: 400 },
      { endpoint: ISPRING_ENDPOINTS.departmentList },
    );
    const response = await post(
      stack,
      `{ department(id: "ispring:${department.departmentId}") { id parent { id } } }`,
    );
    expect(response.body.data).toEqual({
      department: { id: `ispring:${department.departmentId}`, parent: null },
    });
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        path: ['department', 'parent'],
        extensions: { code: 'UPSTREAM_REJECTED', provider: 'ISPRING' },
      }),
    ]);
    expect(stack.sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.department]: 1,
      [ISPRING_ENDPOINTS.departmentList]: 1,
    });
    expectNoSecrets(stack, response);
  });

  it('on GET /group (two groups wanted) stays UPSTREAM_REJECTED', async () => {
    const [a, b] = organisation.ispring.groups;
    stack.sandbox.ispring.inject({ kind: 'status', status: 400 }, { endpoint: ISPRING_ENDPOINTS.groupList });
    const response = await post(
      stack,
      `{ a: group(id: "ispring:${a!.groupId}") { id } b: group(id: "ispring:${b!.groupId}") { id } }`,
    );
    expect(response.body.data).toEqual({ a: null, b: null });
    expect(response.body.errors!.map((error) => error.extensions)).toEqual([
      { code: 'UPSTREAM_REJECTED', provider: 'ISPRING' },
      { code: 'UPSTREAM_REJECTED', provider: 'ISPRING' },
    ]);
    expect(stack.sandbox.ispring.counts()).toEqual({ [ISPRING_ENDPOINTS.groupList]: 1 });
  });
});

describe('a Thrive user id that is not an ObjectId', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ providers: ['thrive'], modes: { thrive: 'basic' }, logLevel: 'info' });
  });
  afterAll(() => stack.close());

  it('is null when Thrive answers 400 to a malformed id, and counts as not found, not as a failed request', async () => {
    const response = await post(stack, `{ user(id: "thrive:EMP-00042") { id } }`);
    expect(response.body).toEqual({ data: { user: null } });
    expect(stack.sandbox.thrive.log.map((entry) => [entry.endpoint, entry.status])).toEqual([
      [THRIVE_ENDPOINTS.user, 400],
    ]);
    expect(await outcomes(stack, 'thrive', THRIVE_ENDPOINTS.user)).toEqual({ not_found: 1 });
    expect(stack.logs.filter((line) => Number(line.level) >= 40)).toEqual([]);
  });

  it('is an error when Thrive answers 400 to a well-formed ObjectId', async () => {
    stack.sandbox.thrive.inject(
      { kind: 'status', status: 400 },
      { endpoint: THRIVE_ENDPOINTS.user, times: 1 },
    );
    stack.resetCounts();
    stack.metrics.registry.resetMetrics();
    const response = await post(stack, `{ user(id: "thrive:${DEMO.thrive.ceo}") { id } }`);
    expect(response.body.data).toEqual({ user: null });
    expect(response.body.errors!.map((error) => error.extensions)).toEqual([
      { code: 'UPSTREAM_REJECTED', provider: 'THRIVE' },
    ]);
    expect(await outcomes(stack, 'thrive', THRIVE_ENDPOINTS.user)).toEqual({ client_error: 1 });
  });
});

describe('upper-case iSpring UUIDs', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ providers: ['ispring'], modes: { ispring: 'headers' } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetCounts());

  const queriesOf = (endpoint: string) =>
    stack.sandbox.ispring.log
      .filter((entry) => entry.endpoint === endpoint)
      .map((entry) => new URLSearchParams(entry.query).getAll('userIds[]'));

  it('are lower-cased before the request and the cache key: one user, one request, then a cache hit', async () => {
    const upper = ispringCeo.toUpperCase();
    expect(upper).not.toBe(ispringCeo);
    const response = await post(stack, `{ user(id: "ispring:${upper}") { id externalId } }`);
    expect(response.body).toEqual({
      data: { user: { id: `ispring:${ispringCeo}`, externalId: ispringCeo } },
    });
    expect(queriesOf(ISPRING_ENDPOINTS.usersV2)).toEqual([[ispringCeo]]);

    // The same id in either case, in one operation and the next: the entry the first one kept.
    stack.resetCounts({ keepCache: true });
    const again = await post(stack, `{ users(ids: ["ispring:${ispringCeo}", "ispring:${upper}"]) { id } }`);
    expect(again.body).toEqual({
      data: { users: [{ id: `ispring:${ispringCeo}` }, { id: `ispring:${ispringCeo}` }] },
    });
    expect(stack.sandbox.ispring.count()).toBe(0);
  });

  it('name one user once in userIds[] when an operation spells it both ways', async () => {
    const response = await post(
      stack,
      `{ users(ids: ["ispring:${ispringCeo.toUpperCase()}", "ispring:${ispringCeo}"]) { id } }`,
    );
    expect(response.body.data.users).toEqual([
      { id: `ispring:${ispringCeo}` },
      { id: `ispring:${ispringCeo}` },
    ]);
    expect(queriesOf(ISPRING_ENDPOINTS.usersV2)).toEqual([[ispringCeo]]);
  });

  it('are lower-cased in department and group paths', async () => {
    const response = await post(
      stack,
      `{ department(id: "ispring:${department.departmentId.toUpperCase()}") { id name }
         group(id: "ispring:${group.groupId.toUpperCase()}") { id name } }`,
    );
    expect(response.body).toEqual({
      data: {
        department: { id: `ispring:${department.departmentId}`, name: department.name },
        group: { id: `ispring:${group.groupId}`, name: group.name },
      },
    });
    expect(stack.sandbox.ispring.log.map((entry) => entry.path).sort()).toEqual(
      [`/department/${department.departmentId}`, `/group/${group.groupId}`].sort(),
    );
  });
});

describe('a body that cannot be read', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ modes: { thrive: 'basic', ispring: 'headers' }, logLevel: 'warn' });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.sandbox.thrive.clearFaults();
    stack.sandbox.ispring.clearFaults();
    stack.resetCounts();
    stack.metrics.registry.resetMetrics();
    stack.logs.length = 0;
  });

  const subjects: Record<ProviderName, { id: string; endpoint: string }> = {
    thrive: { id: `thrive:${DEMO.thrive.ceo}`, endpoint: THRIVE_ENDPOINTS.user },
    ispring: { id: `ispring:${DEMO.ispring.ceo}`, endpoint: ISPRING_ENDPOINTS.usersV2 },
  };
  /** More operations than the breaker's threshold (5 consecutive failures). */
  const OPERATIONS = 6;

  it.each<[ProviderName, SandboxFault['kind'], RegExp]>([
    ['ispring', 'badGzip', /its compressed body is corrupt/],
    ['thrive', 'badGzip', /its compressed body is corrupt/],
    ['ispring', 'headerOverflow', /not well-formed HTTP/],
    ['thrive', 'headerOverflow', /not well-formed HTTP/],
  ])(
    '%s with %s is UPSTREAM_BAD_RESPONSE, not retried, and never opens the circuit',
    async (provider, kind, says) => {
      const { id, endpoint } = subjects[provider];
      const server = stack.sandbox[provider];
      server.inject({ kind } as SandboxFault, { endpoint });
      for (let operation = 1; operation <= OPERATIONS; operation += 1) {
        const response = await post(stack, `{ user(id: "${id}") { id } }`);
        expect(response.body.data).toEqual({ user: null });
        expect(response.body.errors).toHaveLength(1);
        expect(response.body.errors![0]!.extensions).toEqual({
          code: 'UPSTREAM_BAD_RESPONSE',
          provider: provider.toUpperCase(),
        });
        expect(response.body.errors![0]!.message).toMatch(says);
        expect(response.body.errors![0]!.message).not.toMatch(/could not be reached|unavailable/i);
        expect(response.cacheControl).toBe('no-store');
        // Each operation sent its one request: none failed fast on an open circuit.
        expect(server.counts()).toEqual({ [endpoint]: operation });
        expectNoSecrets(stack, response);
      }
      expect(server.log.every((entry) => entry.fault === kind)).toBe(true);

      server.clearFaults();
      const recovered = await post(stack, `{ user(id: "${id}") { id } }`);
      expect(recovered.body).toEqual({ data: { user: { id } } });
      expect(server.counts()).toEqual({ [endpoint]: OPERATIONS + 1 });

      const metrics = await stack.metrics.registry.getMetricsAsJSON();
      const transitions = metrics.find(
        (metric) => metric.name === 'learning_directory_circuit_breaker_transitions_total',
      )!;
      expect(transitions.values.filter((sample) => sample.value > 0)).toEqual([]);
      const requests = metrics.find(
        (metric) => metric.name === 'learning_directory_upstream_requests_total',
      )!;
      expect(
        requests.values
          .filter((sample) => sample.labels.provider === provider && sample.labels.endpoint === endpoint)
          .map((sample) => [sample.labels.outcome, sample.value]),
      ).toEqual(expect.arrayContaining([['unreadable', OPERATIONS]]));
      const failures = stack.logs.filter(
        (line) => line.msg === 'upstream request failed' && line.provider === provider,
      );
      expect(failures.map((line) => line.outcome)).toEqual(Array(OPERATIONS).fill('unreadable'));
    },
  );
});
