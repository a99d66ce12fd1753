import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isValidExternalId } from '../../src/ids.ts';
import type { ProviderName } from '../../src/models.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { startStack, type GraphQLResponse, type Stack } from '../helpers/stack.ts';

/**
 * The bad-input corpus: ids built to escape the upstream path or to pass for valid ones,
 * and queries built to cost too much. Each is answered with BAD_USER_INPUT or a limit error, and
 * the sandboxes see no request at all.
 */

const thriveId = `thrive:${DEMO.thrive.multiPosition}`;
const ispringId = `ispring:${DEMO.ispring.inheritsThroughTwoDepartments}`;
const uuid = 'f29d887c-5cff-11e9-9e6a-0a580af40692';

const badIds: ReadonlyArray<readonly [string, string]> = [
  ['path traversal', 'thrive:../../admin'],
  ['path traversal after an iSpring prefix', 'ispring:../../users/v2'],
  ['a percent-encoded traversal', 'thrive:%2e%2e%2fadmin'],
  ['a double percent-encoded traversal', 'thrive:%252e%252e%252fadmin'],
  ['a slash inside', 'thrive:abc/def'],
  ['percent-encoded slashes after a traversal', 'ispring:..%2F..'],
  ['a query string', 'thrive:abc?userIds[]=1'],
  ['a fragment', 'thrive:abc#def'],
  ['a Cyrillic а that looks like a Latin a', 'thrive:аbc'],
  ['a full-width colon', 'thrive：abc'],
  ['a dotless ı in the prefix', `ıspring:${uuid}`],
  ['a Kelvin sign that folds to K', 'thrive:\u212Abc'],
  ['full-width hex digits in a UUID', `ispring:ｆ29d887c-5cff-11e9-9e6a-0a580af40692`],
  ['a 10 kB id', `thrive:${'a'.repeat(10 * 1024)}`],
  ['a 10 kB string with no prefix', 'x'.repeat(10 * 1024)],
  ['an empty string', ''],
  ['a prefix alone', 'thrive:'],
  ['no prefix', ':abc'],
  ['an unknown prefix', 'ldap:abc'],
  ['an upper-case prefix', 'THRIVE:abc'],
  ['a null byte', 'thrive:abc\u0000def'],
  ['a null byte after a valid UUID', `ispring:${uuid}\u0000`],
  ['leading whitespace', ' thrive:abc'],
  ['a trailing newline', 'thrive:abc\n'],
  ['a tab inside', 'thrive:ab\tc'],
  ['CRLF and a header', 'thrive:abc\r\nX-Injected: 1'],
  ['129 characters', `thrive:${'a'.repeat(122)}`],
  ['an iSpring id that is not a UUID', 'ispring:not-a-uuid'],
  ['a UUID in braces', `ispring:{${uuid}}`],
];

const EVERY_ID_ARGUMENT = `query ($id: ID!, $ids: [ID!]!, $representations: [_Any!]!) {
  user(id: $id) { id }
  department(id: $id) { id }
  group(id: $id) { id }
  users(ids: $ids) { id }
  _entities(representations: $representations) { ... on User { id } ... on Department { id } ... on Group { id } }
}`;

/** Every id sent upstream, as written in the URL (path segments and `…Ids[]` query values). */
function idsSentUpstream(stack: Stack): Array<{ provider: ProviderName; raw: string; endpoint: string }> {
  const sent: Array<{ provider: ProviderName; raw: string; endpoint: string }> = [];
  for (const provider of ['thrive', 'ispring'] as const) {
    for (const entry of stack.sandbox[provider].log) {
      const template = entry.endpoint.slice(entry.endpoint.indexOf(' ') + 1).split('/');
      const segments = entry.path.split('/');
      const offset = segments.length - template.length;
      template.forEach((part, index) => {
        if (/^\{(id|\w+Id)\}$/.test(part) && part !== '{tenantId}') {
          sent.push({ provider, raw: segments[offset + index] ?? '', endpoint: entry.endpoint });
        }
      });
      for (const pair of entry.query.split('&')) {
        const [key = '', value = ''] = pair.split('=');
        if (/ids?(%5B%5D|\[\])?$/i.test(decodeURIComponent(key)) && value !== '') {
          sent.push({ provider, raw: value, endpoint: entry.endpoint });
        }
      }
    }
  }
  return sent;
}

/** No request reached a path the sandboxes do not serve, and every id in a URL is valid and encoded. */
function expectOnlyValidIdsUpstream(stack: Stack) {
  for (const provider of ['thrive', 'ispring'] as const) {
    for (const entry of stack.sandbox[provider].log) expect(entry.endpoint).not.toContain('<unknown>');
  }
  for (const { provider, raw } of idsSentUpstream(stack)) {
    const decoded = decodeURIComponent(raw);
    expect(isValidExternalId(provider, decoded), `${provider} id ${JSON.stringify(decoded)}`).toBe(true);
    expect(raw).toBe(encodeURIComponent(decoded));
  }
}

function expectNoUpstreamRequest(stack: Stack) {
  expect(stack.sandbox.thrive.log).toHaveLength(0);
  expect(stack.sandbox.ispring.log).toHaveLength(0);
}

function codesOf(response: GraphQLResponse): unknown[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}

/** POSTs a JSON body and keeps the HTTP status. */
async function post(stack: Stack, body: unknown): Promise<{ status: number; body: GraphQLResponse }> {
  const response = await fetch(stack.subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse };
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  // Warm the tokens, so that a request that slipped through would show in the logs as itself.
  await stack.query(`query ($ids: [ID!]!) { users(ids: $ids) { id } }`, { ids: [thriveId, ispringId] });
});
afterAll(() => stack?.close());
beforeEach(() => stack.resetCounts());

describe('malformed ids, in every argument that takes one', () => {
  it.each(badIds)('%s: BAD_USER_INPUT everywhere, and nothing sent upstream', async (_, id) => {
    const response = await stack.query(EVERY_ID_ARGUMENT, {
      id,
      ids: [id],
      representations: ['User', 'Department', 'Group'].map((__typename) => ({ __typename, id })),
    });
    expect(response.data).toEqual({
      user: null,
      department: null,
      group: null,
      users: [null],
      _entities: [null, null, null],
    });
    expect(response.errors?.map((error) => error.path)).toEqual(
      expect.arrayContaining([['user'], ['department'], ['group'], ['users', 0], ['_entities', 0]]),
    );
    expect(codesOf(response)).toEqual(Array(7).fill('BAD_USER_INPUT'));
    for (const error of response.errors!) {
      expect(error.message).toContain('Expected "thrive:<Thrive id>"');
      // The message never carries the value back when it is long or not plain ASCII.
      if (id.length > 64 || !/^[\x20-\x7e]*$/.test(id)) expect(error.message).not.toContain(id);
      expect(error.message.length).toBeLessThan(400);
    }
    expectNoUpstreamRequest(stack);
  });

  it('written inline in the query as well: every one refused at its index, nothing sent', async () => {
    const literal = badIds.map(([, id]) => JSON.stringify(id)).join(', ');
    const response = await stack.query(`{ users(ids: [${literal}]) { id } }`);
    expect(response.data?.users).toEqual(badIds.map(() => null));
    expect(response.errors?.map((error) => error.path)).toEqual(badIds.map((_, index) => ['users', index]));
    expect(new Set(codesOf(response))).toEqual(new Set(['BAD_USER_INPUT']));
    expectNoUpstreamRequest(stack);
  });

  it('mixed with valid ids: only the valid ones go upstream, encoded, in the providers’ alphabets', async () => {
    const longestValid = `thrive:${'a'.repeat(121)}`;
    const ids = [thriveId, ...badIds.map(([, id]) => id), ispringId, longestValid];
    const response = await stack.query(`query ($ids: [ID!]!) { users(ids: $ids) { id manager { id } } }`, {
      ids,
    });
    expect(response.data?.users[0]).toMatchObject({ id: thriveId });
    expect(response.data?.users[badIds.length + 1]).toMatchObject({ id: ispringId });
    expect(response.data?.users[badIds.length + 2]).toBeNull(); // valid, and not in the sandbox
    expect(codesOf(response)).toEqual(Array(badIds.length).fill('BAD_USER_INPUT'));
    const sent = idsSentUpstream(stack);
    expect(sent.map(({ raw }) => raw)).toEqual(
      expect.arrayContaining([
        DEMO.thrive.multiPosition,
        DEMO.ispring.inheritsThroughTwoDepartments,
        'a'.repeat(121),
      ]),
    );
    expectOnlyValidIdsUpstream(stack);
  });
});

describe('malformed representations', () => {
  const representations: ReadonlyArray<readonly [string, unknown]> = [
    ['a string', 'User'],
    ['null inside the list', null],
    ['a list', [{ __typename: 'User', id: thriveId }]],
    ['no __typename', { id: thriveId }],
    [
      'a type that is not an entity',
      { __typename: 'Position', manager: { kind: 'manual', managerId: '../x' } },
    ],
    ['a type that does not exist', { __typename: 'Admin', id: thriveId }],
    ['the Query type', { __typename: 'Query', id: thriveId }],
  ];

  it.each(representations)('%s: BAD_USER_INPUT, nothing sent upstream', async (_, representation) => {
    const response = await stack.query(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id } } }`,
      { representations: [{ __typename: 'User', id: thriveId }, representation] },
    );
    expect(response.data ?? null).toBeNull();
    expect(codesOf(response)).toHaveLength(1);
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(codesOf(response)[0]);
    expectNoUpstreamRequest(stack);
  });

  it('a User representation without an id, or with a number for one', async () => {
    const response = await stack.query(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id } } }`,
      { representations: [{ __typename: 'User' }, { __typename: 'User', id: 42 }] },
    );
    expect(response.data).toEqual({ _entities: [null, null] });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expectNoUpstreamRequest(stack);
  });
});

describe('too many ids at once', () => {
  it('users(ids:) with 10,000 ids: BAD_USER_INPUT naming the limit, nothing sent upstream', async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `thrive:${i.toString(16).padStart(24, '0')}`);
    const response = await stack.query(`query ($ids: [ID!]!) { users(ids: $ids) { id } }`, { ids });
    expect(response.data ?? null).toBeNull();
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.message).toBe('users(ids:) takes at most 1000 ids; got 10000.');
    expectNoUpstreamRequest(stack);
  });

  it('_entities with 10,000 representations: BAD_USER_INPUT naming the limit, nothing sent upstream', async () => {
    const representations = Array.from({ length: 10_000 }, (_, i) => ({
      __typename: 'User',
      id: `ispring:${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
    }));
    const response = await stack.query(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id } } }`,
      { representations },
    );
    expect(response.data ?? null).toBeNull();
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.message).toBe(
      '_entities(representations:) takes at most 1000 representations; got 10000.',
    );
    expectNoUpstreamRequest(stack);
  });

  it('1000 ids, the limit, are accepted', async () => {
    const ids = Array.from(
      { length: 1000 },
      (_, i) => `ispring:${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
    );
    const response = await stack.query(`query ($ids: [ID!]!) { users(ids: $ids) { id } }`, { ids });
    expect(response.errors).toBeUndefined();
    expect(response.data?.users).toHaveLength(1000);
    expectOnlyValidIdsUpstream(stack);
  });
});

describe('deep and wide queries', () => {
  /** `user(id: $id) { f1 { f2 { … { id } } } }`: depth `fields.length + 2`. */
  const nested = (fields: readonly string[]) =>
    `query ($id: ID!) { user(id: $id) ${fields.map((field) => `{ ${field} `).join('')}{ id }${' }'.repeat(fields.length)} }`;
  const path = (length: number, pick: (index: number) => string) => Array.from({ length }, (_, i) => pick(i));
  const deep = (field: string, levels: number) => nested(path(levels, () => field));

  it.each([
    ['manager { manager { … } }', deep('manager', 48)],
    ['managementChain { managementChain { … } }', deep('managementChain', 48)],
    ['department { parent { … } }', nested(path(48, (i) => (i === 0 ? 'department' : 'parent')))],
    [
      'positions { manager { positions { … } } }',
      nested(path(48, (i) => (i % 2 === 0 ? 'positions' : 'manager'))),
    ],
  ])('depth 50 through %s: QUERY_LIMIT_EXCEEDED with HTTP 400, nothing sent upstream', async (_, query) => {
    const { status, body } = await post(stack, { query, variables: { id: thriveId } });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(codesOf(body)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    expect(body.errors![0]!.message).toBe('Query depth 50 exceeds the limit of 20.');
    expectNoUpstreamRequest(stack);
  });

  it('depth through fragments counts each fragment where it is spread, and each spread as a level', async () => {
    const fragments = Array.from(
      { length: 20 },
      (_, i) => `fragment M${i} on User { manager { ${i === 19 ? 'id' : `...M${i + 1}`} } }`,
    ).join('\n');
    const { status, body } = await post(stack, {
      query: `query ($id: ID!) { user(id: $id) { ...M0 } } ${fragments}`,
      variables: { id: thriveId },
    });
    expect(status).toBe(400);
    // user, then 20 × (a spread and its manager), then id
    expect(body.errors![0]!.message).toBe('Query depth 42 exceeds the limit of 20.');
    expectNoUpstreamRequest(stack);
  });

  it('depth 20, the limit, is answered', async () => {
    const response = await stack.query(deep('manager', 18), { id: thriveId });
    expect(response.errors).toBeUndefined();
    expect(response.data?.user).not.toBeNull();
  });

  it('5000 aliased fields: QUERY_LIMIT_EXCEEDED for the aliases and the field count, nothing sent', async () => {
    const fields = Array.from({ length: 5000 }, (_, i) => `a${i}: user(id: "${thriveId}") { id }`).join(' ');
    const { status, body } = await post(stack, { query: `{ ${fields} }` });
    expect(status).toBe(400);
    expect(codesOf(body)).toEqual(['QUERY_LIMIT_EXCEEDED', 'QUERY_LIMIT_EXCEEDED']);
    expect(body.errors!.map((error) => error.message)).toEqual([
      'Query alias count 5000 exceeds the limit of 30.',
      'Query field count 10000 exceeds the limit of 2000 (fields are counted with fragments expanded).',
    ]);
    expectNoUpstreamRequest(stack);
  });

  it('5000 fields without aliases, and a fragment that expands to millions: QUERY_LIMIT_EXCEEDED', async () => {
    const repeated = `{ ${`user(id: "${thriveId}") { id displayName } `.repeat(5000)}}`;
    let fragments = 'fragment F0 on User { id displayName }\n';
    for (let i = 1; i <= 20; i++) fragments += `fragment F${i} on User { ...F${i - 1} ...F${i - 1} }\n`;
    const bomb = `{ user(id: "${thriveId}") { ...F20 } } ${fragments}`;
    for (const [query, fieldCount] of [
      [repeated, 15000],
      [bomb, 2 ** 21 + 1],
    ] as const) {
      const { status, body } = await post(stack, { query });
      expect(status).toBe(400);
      // graphql-js may also give up comparing thousands of same-named fields: a limit error too.
      expect(new Set(codesOf(body))).toEqual(new Set(['QUERY_LIMIT_EXCEEDED']));
      expect(body.errors!.map((error) => error.message)).toContainEqual(
        expect.stringContaining(`Query field count ${fieldCount} exceeds the limit of 2000`),
      );
    }
    expectNoUpstreamRequest(stack);
  });

  it('nesting too deep for the parser itself: QUERY_LIMIT_EXCEEDED, not a stack overflow message', async () => {
    const query = `{ user(id: "${thriveId}") ${'{ manager '.repeat(20_000)}{ id }${' }'.repeat(20_000)} }`;
    const { status, body } = await post(stack, { query });
    expect(status).toBe(400);
    expect(codesOf(body)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    expect(JSON.stringify(body)).not.toMatch(/call stack|RangeError/);
    expectNoUpstreamRequest(stack);
  });
});
