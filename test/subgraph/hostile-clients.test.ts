import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { Trace } from '@apollo/usage-reporting-protobuf';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_LENGTH } from '../../src/error-formatting.ts';
import { MAX_ERRORS_PER_RESPONSE, TOO_MANY_ERRORS } from '../../src/inbound/error-budget.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { startStack, type GraphQLResponse, type Stack } from '../helpers/stack.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';

/**
 * Requests built to hurt, each through the subgraph's real HTTP server: the
 * HTTP status, the code, what the sandboxes were asked (nothing, or a bounded number), and for the
 * one that used to hold the event loop, how long it takes and how long a health probe sent
 * alongside waits.
 */

interface Answer {
  readonly status: number;
  readonly body: GraphQLResponse;
  readonly text: string;
  readonly ms: number;
}

async function send(
  stack: Stack,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(stack.subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: JSON.parse(text) as GraphQLResponse,
    text,
    ms: performance.now() - started,
  };
}

const post = (stack: Stack, request: object, headers?: Record<string, string>) =>
  send(stack, JSON.stringify(request), headers);

const codesOf = (body: GraphQLResponse) => (body.errors ?? []).map((error) => error.extensions?.code);
const upstreamRequests = (stack: Stack) => stack.sandbox.thrive.count() + stack.sandbox.ispring.count();

/** `{ a0: users(ids: [...]) { id } a1: … }` on one line. */
function aliasedUsers(aliases: number, ids: readonly string[]): string {
  const list = JSON.stringify(ids);
  return `{ ${Array.from({ length: aliases }, (_, i) => `a${i}: users(ids: ${list}) { id }`).join(' ')} }`;
}

/** A chain of `length` named fragments, each spreading the next. */
function fragmentChain(length: number): string {
  let text = 'query Chain { ...F0 }\n';
  for (let i = 0; i < length; i += 1) {
    text += `fragment F${i} on Query { ${i === length - 1 ? '__typename' : `...F${i + 1}`} }\n`;
  }
  return text;
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ logLevel: 'error' });
  // Tokens first, so that counts below are data requests.
  await stack.query(
    `{ a: user(id: "thrive:${DEMO.thrive.ceo}") { id } b: user(id: "ispring:${DEMO.ispring.ceo}") { id } }`,
  );
});
afterAll(() => stack.close());
beforeEach(() => stack.resetCounts());

describe('finding 1: a small request that makes thousands of errors', () => {
  it('1,000 malformed ids in a query padded to nearly 1 MB on one line, gzipped: answered well under a second, with 100 errors and a count of the rest, while /health/live answers within 50 ms', async () => {
    const ids = Array.from({ length: 1000 }, () => 'thrive:.');
    const query = aliasedUsers(1, ids);
    const padded = `${query}${' '.repeat(1_000_000 - query.length)}`;
    const body = gzipSync(JSON.stringify({ query: padded }));
    expect(body.length).toBeLessThan(20_000);

    const health = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const started = performance.now();
      const response = await fetch(new URL('/health/live', stack.subgraph.url));
      expect(response.status).toBe(200);
      return performance.now() - started;
    })();
    const answer = await send(stack, body, { 'content-encoding': 'gzip' });

    expect(answer.ms).toBeLessThan(1000);
    expect(await health).toBeLessThan(50);
    expect(answer.status).toBe(200);
    expect(answer.text.length).toBeLessThan(100_000);
    const errors = answer.body.errors!;
    expect(errors).toHaveLength(MAX_ERRORS_PER_RESPONSE + 1);
    expect(codesOf(answer.body).slice(0, MAX_ERRORS_PER_RESPONSE)).toEqual(
      Array(MAX_ERRORS_PER_RESPONSE).fill('BAD_USER_INPUT'),
    );
    // Each at its own index, located at the field in the one-line query.
    expect(errors[99]).toMatchObject({ path: ['a0', 99], locations: [{ line: 1, column: 3 }] });
    expect(errors[100]).toMatchObject({
      message: `900 more errors were left out of this response, which carries the first ${MAX_ERRORS_PER_RESPONSE}.`,
      extensions: { code: TOO_MANY_ERRORS },
    });
    expect((answer.body.data as { a0: unknown[] }).a0).toHaveLength(1000);
    expect(upstreamRequests(stack)).toBe(0);
  });

  it('locates errors where graphql-js would: line and column of the field, on any line', async () => {
    const answer = await post(stack, {
      query: 'query ($ids: [ID!]!) {\r\n  __typename\n\n    users(ids: $ids) { id }\r}',
      variables: { ids: ['thrive:.', 'ispring:x'] },
    });
    expect(answer.body.errors!.map((error) => [error.path, error.locations])).toEqual([
      [['users', 0], [{ line: 4, column: 5 }]],
      [['users', 1], [{ line: 4, column: 5 }]],
    ]);
  });

  it('30 aliases of 1,000 malformed ids: refused as a whole before it runs (MAX_IDS_PER_OPERATION)', async () => {
    const answer = await post(stack, { query: aliasedUsers(30, Array(1000).fill('thrive:.')) });
    expect(answer.status).toBe(400);
    expect(codesOf(answer.body)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    expect(answer.body.errors![0]!.message).toContain('30000 ids in all');
    expect(answer.text.length).toBeLessThan(1000);
    expect(upstreamRequests(stack)).toBe(0);
  });
});

describe('finding 2: one request that fans out to thousands of upstream requests', () => {
  const thriveIds = () => stack.sandbox.organisation.thrive.users.map((user) => `thrive:${user.id}`);

  it('30 aliases × users(ids:) of distinct valid Thrive ids, ids in variables: refused before any upstream request', async () => {
    const ids = thriveIds();
    const variables = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`v${i}`, ids]));
    const declarations = Object.keys(variables)
      .map((name) => `$${name}: [ID!]!`)
      .join(', ');
    const fields = Object.keys(variables)
      .map((name, i) => `a${i}: users(ids: $${name}) { id }`)
      .join(' ');
    const answer = await post(stack, { query: `query (${declarations}) { ${fields} }`, variables });
    expect(answer.status).toBe(400);
    expect(codesOf(answer.body)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    expect(answer.body.errors![0]!.message).toContain(`${30 * ids.length} ids in all`);
    expect(upstreamRequests(stack)).toBe(0);
  });

  it('counts a root fragment once per spread', async () => {
    const ids = Array.from({ length: 600 }, (_, i) => thriveIds()[i % thriveIds().length]!);
    const answer = await post(stack, {
      query:
        'query ($ids: [ID!]!) { ...U a: __typename ... on Query { ...U } } fragment U on Query { users(ids: $ids) { id } }',
      variables: { ids },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors![0]!.message).toContain('1200 ids in all');
    expect(upstreamRequests(stack)).toBe(0);
  });
});

describe('the upstream request budget of one operation (MAX_UPSTREAM_REQUESTS_PER_OPERATION)', () => {
  let small: Stack;
  beforeAll(async () => {
    small = await startStack({ limits: { maxUpstreamRequestsPerOperation: 50 } });
    await small.query(`{ user(id: "thrive:${DEMO.thrive.ceo}") { id } }`);
  });
  afterAll(() => small.close());

  it('serves the first 50 Thrive reads and refuses the rest at once with QUERY_LIMIT_EXCEEDED, never cached, the other provider untouched', async () => {
    small.resetCounts();
    const ids = small.sandbox.organisation.thrive.users.slice(0, 80).map((user) => `thrive:${user.id}`);
    const ispring = `ispring:${DEMO.ispring.ceo}`;
    const response = await small.query<{ users: Array<{ id: string } | null>; other: { id: string } | null }>(
      'query ($ids: [ID!]!, $other: ID!) { users(ids: $ids) { id } other: user(id: $other) { id } }',
      { ids, other: ispring },
    );
    expect(small.sandbox.thrive.counts()).toEqual({ [THRIVE_ENDPOINTS.user]: 50 });
    const served = response.data!.users.filter((user) => user !== null);
    expect(served).toHaveLength(50);
    expect(response.errors).toHaveLength(30);
    for (const error of response.errors!) {
      expect(error.extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', provider: 'THRIVE' });
      expect(error.message).toContain('MAX_UPSTREAM_REQUESTS_PER_OPERATION');
    }
    expect(response.data!.other).toEqual({ id: ispring });
    // A refused read was not cached: the next operation reads those users.
    small.resetCounts({ keepCache: true });
    const again = await small.query('query ($ids: [ID!]!) { users(ids: $ids) { id } }', {
      ids: ids.slice(50),
    });
    expect(again.errors).toBeUndefined();
    expect(small.sandbox.thrive.counts()).toEqual({ [THRIVE_ENDPOINTS.user]: 30 });
  });
});

describe('finding 3: fragment chains and nested fragments', () => {
  it.each([
    ['without', {}],
    ['with an ftv1 trace asked for', { 'apollo-federation-include-trace': 'ftv1' }],
  ])('a chain of 4,500 named fragments, %s: QUERY_LIMIT_EXCEEDED with HTTP 400', async (_name, headers) => {
    const answer = await post(stack, { query: fragmentChain(4500) }, headers);
    expect(answer.status).toBe(400);
    expect(codesOf(answer.body)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    expect(answer.body.errors![0]!.message).toContain('4500 deep');
  });

  it('a chain of 100 fragments (validated): QUERY_LIMIT_EXCEEDED counting each spread as a level', async () => {
    const answer = await post(stack, { query: fragmentChain(100) });
    expect(answer.status).toBe(400);
    expect(codesOf(answer.body)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    expect(answer.body.errors![0]!.message).toContain('Query depth 101 exceeds the limit of 20');
  });

  it.each([1000, 4500])('%i nested inline fragments: QUERY_LIMIT_EXCEEDED with HTTP 400', async (levels) => {
    const query = `{ ${'... on Query { '.repeat(levels)}__typename${' }'.repeat(levels)} }`;
    const answer = await post(stack, { query });
    expect(answer.status).toBe(400);
    expect(codesOf(answer.body)).toEqual(['QUERY_LIMIT_EXCEEDED']);
  });
});

describe('finding 4: client mistakes are not internal errors', () => {
  const query = '{ __typename }';
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  it.each([
    ['mutation { __typename }', 'mutation'],
    ['subscription { __typename }', 'subscription'],
  ])('%s: BAD_REQUEST with HTTP 400', async (text, type) => {
    const answer = await post(stack, { query: text });
    expect(answer.status).toBe(400);
    expect(codesOf(answer.body)).toEqual(['BAD_REQUEST']);
    expect(answer.body.errors![0]!.message).toContain(`a ${type} operation cannot be run`);
  });

  it.each([
    [
      'a hash that is not its query’s',
      { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha('{ other }') } } },
      'PERSISTED_QUERY_HASH_MISMATCH',
    ],
    [
      'version 2',
      { query, extensions: { persistedQuery: { version: 2, sha256Hash: sha(query) } } },
      'PERSISTED_QUERY_VERSION_NOT_SUPPORTED',
    ],
    [
      'a hash that is not 64 hex digits',
      { query, extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } },
      'BAD_REQUEST',
    ],
    [
      'a persistedQuery that is not an object',
      { query, extensions: { persistedQuery: 'yes' } },
      'BAD_REQUEST',
    ],
  ])('an APQ request with %s: %s with HTTP 400', async (_name, request, code) => {
    const answer = await post(stack, request);
    expect(answer.status).toBe(400);
    expect(codesOf(answer.body)).toEqual([code]);
  });

  it('a well-formed APQ request still registers and is found again by its hash', async () => {
    const text = `{ user(id: "thrive:${DEMO.thrive.ceo}") { id } }`;
    const persistedQuery = { version: 1, sha256Hash: sha(text) };
    expect(codesOf((await post(stack, { extensions: { persistedQuery } })).body)).toEqual([
      'PERSISTED_QUERY_NOT_FOUND',
    ]);
    expect((await post(stack, { query: text, extensions: { persistedQuery } })).body.errors).toBeUndefined();
    const byHash = await post(stack, { extensions: { persistedQuery } });
    expect(byHash.body).toEqual({ data: { user: { id: `thrive:${DEMO.thrive.ceo}` } } });
  });

  it('none of them raises graphql_errors_total{code="INTERNAL_SERVER_ERROR"}', async () => {
    for (const text of ['mutation { __typename }', 'subscription { x }', fragmentChain(4500)]) {
      await post(stack, { query: text });
    }
    await post(stack, { query, extensions: { persistedQuery: { version: 2, sha256Hash: sha(query) } } });
    const metrics = await stack.metrics.registry.getSingleMetricAsString(
      'learning_directory_graphql_errors_total',
    );
    expect(metrics).not.toContain('INTERNAL_SERVER_ERROR');
  });
});

describe('finding 6: the smaller ones', () => {
  it('a mismatched operationName is not echoed in full', async () => {
    const answer = await post(stack, { query: 'query A { __typename }', operationName: 'x'.repeat(200_000) });
    expect(answer.status).toBe(400);
    expect(answer.body.errors![0]!.message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(answer.text.length).toBeLessThan(2000);
  });

  it('a body that is not UTF-8: BAD_REQUEST with HTTP 400, as the README says', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"query":"{ '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' }"}'),
    ]);
    const answer = await send(stack, bytes);
    expect(answer.status).toBe(400);
    expect(codesOf(answer.body)).toEqual(['BAD_REQUEST']);
    expect(answer.body.errors![0]!.message).toContain('UTF-8');
  });

  it('without introspection, validation errors suggest no field or type names', async () => {
    const closed = await startStack({ introspection: false });
    try {
      const answer = await post(closed, { query: '{ usr(id: "thrive:a") { id } }' });
      expect(answer.status).toBe(400);
      expect(answer.text).not.toContain('Did you mean');
      expect(answer.text).not.toContain('"user"');
      const open = await post(stack, { query: '{ usr(id: "thrive:a") { id } }' });
      expect(open.text).toContain('Did you mean');
    } finally {
      await closed.close();
    }
  });

  it('an ftv1 trace carries the error the client saw, not the parser’s own message', async () => {
    const query = `{ user(id: "thrive:a") ${'{ manager '.repeat(20_000)}{ id }${' }'.repeat(20_000)} }`;
    const answer = await post(stack, { query }, { 'apollo-federation-include-trace': 'ftv1' });
    expect(codesOf(answer.body)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    const encoded = (answer.body as { extensions?: { ftv1?: string } }).extensions?.ftv1;
    expect(encoded).toEqual(expect.any(String));
    const trace = Trace.decode(Buffer.from(encoded!, 'base64'));
    const traced = (trace.root?.error ?? []).map((error) => [error.message, JSON.parse(error.json!)]);
    // Exactly what the response says: the message, and extensions without Apollo's `http`.
    expect(traced).toEqual([[answer.body.errors![0]!.message, answer.body.errors![0]]]);
    expect(answer.text).not.toContain('Maximum call stack');
  });
});

describe('slow clients', () => {
  it('a client that does not finish its headers within SERVER_HEADERS_TIMEOUT_MS is answered 408 and cut off', async () => {
    const slow = await startStack({ limits: { headersTimeoutMs: 1000 } });
    try {
      const { port } = new URL(slow.subgraph.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => (received += chunk));
      socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\n');
      const started = performance.now();
      await new Promise((resolve) => socket.on('close', resolve));
      const waited = performance.now() - started;
      expect(received).toMatch(/^HTTP\/1\.1 408/);
      expect(waited).toBeGreaterThanOrEqual(900);
      expect(waited).toBeLessThan(5000);
    } finally {
      await slow.close();
    }
  });
});
