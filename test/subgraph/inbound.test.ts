import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/sandbox/index.ts';
import { startStack, type GraphQLResponse, type Stack } from '../helpers/stack.ts';

/**
 * The inbound edge over real HTTP: the router's shared secret, the body limit, CSRF
 * prevention, introspection, configurable limits, and JSON (never HTML, never a stack) for every
 * request refused before Apollo Server sees it.
 */

const thriveId = `thrive:${DEMO.thrive.multiPosition}`;
const SECRET = 'router-shared-secret-0123456789';

interface Answer {
  status: number;
  contentType: string;
  text: string;
  body: GraphQLResponse;
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: GraphQLResponse = {};
  try {
    body = JSON.parse(text) as GraphQLResponse;
  } catch {
    // left empty: the test asserts on the content type and the text
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, body };
}

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A refusal in the GraphQL error shape, as JSON, with nothing of a stack trace or an HTML page. */
function expectJsonError(answer: Answer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toMatch(/^application\/(graphql-response\+)?json/);
  expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual([code]);
  expect(answer.text).not.toMatch(/<html|<pre|stacktrace|\bat .*\.[jt]s:\d+/i);
}

function expectNoUpstreamRequest(stack: Stack) {
  expect(stack.sandbox.thrive.log).toHaveLength(0);
  expect(stack.sandbox.ispring.log).toHaveLength(0);
}

describe('ROUTER_SECRET', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ routerSecret: SECRET });
  });
  afterAll(() => stack?.close());
  beforeEach(() => stack.resetCounts());

  it('answers a request that carries the secret in router-authorization', async () => {
    const answer = await postJson(
      stack.subgraph.url,
      { query: `query ($id: ID!) { user(id: $id) { id } }`, variables: { id: thriveId } },
      { 'router-authorization': SECRET },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { user: { id: thriveId } } });
  });

  it.each([
    ['no header', {}],
    ['an empty header', { 'router-authorization': '' }],
    ['a wrong secret of the same length', { 'router-authorization': SECRET.replace(/.$/, 'X') }],
    ['a longer secret that starts with the right one', { 'router-authorization': `${SECRET}-and-more` }],
    ['the secret in another header', { authorization: SECRET }],
    ['the secret as a Bearer token', { 'router-authorization': `Bearer ${SECRET}` }],
  ])('refuses %s with 401 UNAUTHENTICATED as JSON, before any upstream call', async (_, headers) => {
    const answer = await postJson(
      stack.subgraph.url,
      { query: `query ($id: ID!) { user(id: $id) { id } }`, variables: { id: thriveId } },
      headers,
    );
    expectJsonError(answer, 401, 'UNAUTHENTICATED');
    expect(answer.body.errors![0]!.message).toContain('router-authorization');
    // Never echoes what was sent, nor the secret itself.
    for (const value of [...Object.values(headers), SECRET]) {
      if (value) expect(answer.text).not.toContain(value);
    }
    expectNoUpstreamRequest(stack);
  });

  it('refuses a GET (the landing page or a query) without the secret as well', async () => {
    const query = encodeURIComponent('{ __typename }');
    for (const accept of ['text/html', 'application/json']) {
      const answer = await send(`${stack.subgraph.url}?query=${query}`, {
        headers: { accept, 'apollo-require-preflight': 'true' },
      });
      expectJsonError(answer, 401, 'UNAUTHENTICATED');
    }
  });

  it('refuses before reading the body: a body over the size limit still gets 401, not 413', async () => {
    const answer = await postJson(stack.subgraph.url, {
      query: '{ __typename }',
      padding: 'x'.repeat(2 << 20),
    });
    expectJsonError(answer, 401, 'UNAUTHENTICATED');
  });

  it('lets /health/ paths through without the secret', async () => {
    const answer = await send(stack.subgraph.url.replace('/graphql', '/health/live'), {});
    expect(answer.status).not.toBe(401);
  });

  it('does not let a /health/ path that climbs back to /graphql through', async () => {
    // fetch would normalise these paths away; node:http sends them as written.
    for (const path of ['/health/../graphql', '/health/..%2Fgraphql', '/health/%2e%2e/graphql']) {
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port: stack.subgraph.port,
            path,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          },
        );
        request.on('error', reject);
        request.end(JSON.stringify({ query: '{ __typename }' }));
      });
      expect(status, path).toBe(404);
      expect(text).not.toContain('"data"');
    }
  });
});

describe('the request body', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ limits: { maxBodyBytes: 4096 } });
  });
  afterAll(() => stack?.close());
  beforeEach(() => stack.resetCounts());

  it('over MAX_BODY_BYTES: 413 QUERY_LIMIT_EXCEEDED as JSON, naming the limit', async () => {
    const answer = await postJson(stack.subgraph.url, {
      query: `query ($ids: [ID!]!) { users(ids: $ids) { id } }`,
      variables: { ids: Array.from({ length: 200 }, () => thriveId) },
    });
    expectJsonError(answer, 413, 'QUERY_LIMIT_EXCEEDED');
    expect(answer.body.errors![0]!.message).toBe('The request body is larger than the limit of 4096 bytes.');
    expectNoUpstreamRequest(stack);
  });

  it('just under MAX_BODY_BYTES: answered', async () => {
    const body = JSON.stringify({ query: `{ __typename }`, extensions: { padding: 'x'.repeat(3900) } });
    expect(Buffer.byteLength(body)).toBeLessThan(4096);
    const answer = await postJson(stack.subgraph.url, body);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { __typename: 'Query' } });
  });

  it.each([
    ['cut short', '{"query": "{ echoMe }"'],
    ['not JSON at all', 'query { echoMe }'],
    ['a bare JSON string', '"{ echoMe }"'],
    ['a trailing comma', '{"query": "{ echoMe }",}'],
  ])('malformed JSON (%s): 400 BAD_REQUEST as JSON, not an HTML page', async (_, body) => {
    const answer = await postJson(stack.subgraph.url, body);
    expectJsonError(answer, 400, 'BAD_REQUEST');
    expect(answer.body.errors![0]!.message).toContain('not valid JSON');
    expect(answer.text).not.toContain('echoMe');
  });

  it('a JSON body in another charset: 415 as JSON', async () => {
    const answer = await postJson(stack.subgraph.url, '{"query":"{ __typename }"}', {
      'content-type': 'application/json; charset=latin1',
    });
    expectJsonError(answer, 415, 'BAD_REQUEST');
  });

  it('a path nothing serves: 404 as JSON', async () => {
    const answer = await send(stack.subgraph.url.replace('/graphql', '/admin/../etc/passwd'), {});
    expectJsonError(answer, 404, 'NOT_FOUND');
  });
});

describe('CSRF prevention', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());
  beforeEach(() => stack.resetCounts());

  const query = `query ($id: ID!) { user(id: $id) { id } }`;
  const getUrl = () =>
    `${stack.subgraph.url}?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ id: thriveId }))}`;

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['application/x-www-form-urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['multipart/form-data', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['no content type', {}],
  ])('refuses a POST a browser sends without a preflight (%s) with 400', async (_, headers) => {
    const answer = await send(stack.subgraph.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables: { id: thriveId } }),
    });
    expectJsonError(answer, 400, 'BAD_REQUEST');
    expect(answer.body.errors![0]!.message).toContain('Cross-Site Request Forgery');
    expectNoUpstreamRequest(stack);
  });

  it('refuses a simple GET with 400', async () => {
    const answer = await send(getUrl(), { headers: { accept: 'application/json' } });
    expectJsonError(answer, 400, 'BAD_REQUEST');
    expect(answer.body.errors![0]!.message).toContain('Cross-Site Request Forgery');
    expectNoUpstreamRequest(stack);
  });

  it('answers a GET with apollo-require-preflight, and a POST of application/json', async () => {
    const get = await send(getUrl(), {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(get.body).toEqual({ data: { user: { id: thriveId } } });
    const post = await postJson(stack.subgraph.url, { query, variables: { id: thriveId } });
    expect(post.body).toEqual({ data: { user: { id: thriveId } } });
  });
});

describe('introspection', () => {
  const schemaQuery = '{ __schema { queryType { name } } }';
  const typeQuery = '{ __type(name: "User") { name } }';

  it('is on by default: __schema, __type and _service answer', async () => {
    const stack = await startStack();
    try {
      expect((await stack.query(schemaQuery)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      expect((await stack.query(typeQuery)).data).toEqual({ __type: { name: 'User' } });
      expect((await stack.query('{ _service { sdl } }')).data?._service.sdl).toContain('type User');
    } finally {
      await stack.close();
    }
  });

  it('off: __schema and __type are refused, and _service { sdl } still answers the router', async () => {
    const stack = await startStack({ introspection: false });
    try {
      for (const query of [schemaQuery, typeQuery]) {
        const answer = await postJson(stack.subgraph.url, { query });
        expectJsonError(answer, 400, 'GRAPHQL_VALIDATION_FAILED');
        expect(answer.body.errors![0]!.message).toMatch(/introspection/i);
      }
      const service = await stack.query('{ _service { sdl } __typename }');
      expect(service.errors).toBeUndefined();
      expect(service.data?._service.sdl).toContain('type User');
      expect(service.data?.__typename).toBe('Query');
    } finally {
      await stack.close();
    }
  });
});

describe('limits from the configuration', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      limits: { maxQueryDepth: 3, maxAliases: 1, maxFields: 6, maxUsersIds: 2, maxRepresentations: 2 },
    });
  });
  afterAll(() => stack?.close());
  beforeEach(() => stack.resetCounts());

  const ids = (count: number) =>
    Array.from({ length: count }, (_, i) => `thrive:${i.toString(16).padStart(24, '0')}`);

  it('MAX_QUERY_DEPTH', async () => {
    const query = `query ($id: ID!) { user(id: $id) { manager { manager { id } } } }`;
    const answer = await postJson(stack.subgraph.url, { query, variables: { id: thriveId } });
    expectJsonError(answer, 400, 'QUERY_LIMIT_EXCEEDED');
    expect(answer.body.errors![0]!.message).toBe('Query depth 4 exceeds the limit of 3.');
    expect(
      (await stack.query(`query ($id: ID!) { user(id: $id) { manager { id } } }`, { id: thriveId })).errors,
    ).toBeUndefined();
  });

  it('MAX_ALIASES and MAX_FIELDS', async () => {
    const answer = await postJson(stack.subgraph.url, { query: '{ a: __typename b: __typename }' });
    expectJsonError(answer, 400, 'QUERY_LIMIT_EXCEEDED');
    expect(answer.body.errors![0]!.message).toBe('Query alias count 2 exceeds the limit of 1.');
    const wide = await postJson(stack.subgraph.url, {
      query: `query ($id: ID!) { user(id: $id) { id displayName email firstName lastName jobTitle } }`,
      variables: { id: thriveId },
    });
    expectJsonError(wide, 400, 'QUERY_LIMIT_EXCEEDED');
    expect(wide.body.errors![0]!.message).toContain('Query field count 7 exceeds the limit of 6');
    expectNoUpstreamRequest(stack);
  });

  it('MAX_USERS_IDS and MAX_REPRESENTATIONS', async () => {
    const users = await stack.query(`query ($ids: [ID!]!) { users(ids: $ids) { id } }`, { ids: ids(3) });
    expect(users.errors?.map((error) => [error.message, error.extensions?.code])).toEqual([
      ['users(ids:) takes at most 2 ids; got 3.', 'BAD_USER_INPUT'],
    ]);
    const entities = await stack.query(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id } } }`,
      { representations: ids(3).map((id) => ({ __typename: 'User', id })) },
    );
    expect(entities.errors?.map((error) => [error.message, error.extensions?.code])).toEqual([
      ['_entities(representations:) takes at most 2 representations; got 3.', 'BAD_USER_INPUT'],
    ]);
    expectNoUpstreamRequest(stack);
    expect(
      (await stack.query(`query ($ids: [ID!]!) { users(ids: $ids) { id } }`, { ids: ids(2) })).errors,
    ).toBeUndefined();
  });
});
