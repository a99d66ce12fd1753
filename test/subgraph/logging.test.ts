import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SecretRedactor } from '../../src/redaction.ts';
import { createLogger, resolveLogFormat } from '../../src/logger.ts';
import { requestIdOf } from '../../src/observability/request-scope.ts';
import { DEMO, SANDBOX_CREDENTIALS } from '../../src/sandbox/index.ts';
import { startStack, type GraphQLResponse, type Stack } from '../helpers/stack.ts';
import { expectNoneIn } from '../helpers/errors.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';

/**
 * The log lines, parsed from the stack's JSON log: one per GraphQL request and one per
 * upstream request, tied together by the request id, and never a secret, a token or an id.
 */

type Line = Record<string, unknown>;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const thriveExternal = DEMO.thrive.multiPosition;
const ispringExternal = DEMO.ispring.inheritsThroughTwoDepartments;
const thriveId = `thrive:${thriveExternal}`;
const ispringId = `ispring:${ispringExternal}`;
const BOTH = `query Both($ispring: ID!, $thrive: ID!) {
  a: user(id: $ispring) { displayName department { name } groups { name } }
  b: user(id: $thrive) { displayName department { name } }
}`;
const USER = `query OneUser($id: ID!) { user(id: $id) { id displayName } }`;

interface Posted {
  status: number;
  requestId: string | null;
  body: GraphQLResponse;
}

async function post(
  stack: Stack,
  body: { query: string; variables?: Record<string, unknown>; operationName?: string },
  headers: Record<string, string> = {},
): Promise<Posted> {
  const response = await fetch(stack.subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    body: (await response.json()) as GraphQLResponse,
  };
}

const operationLines = (logs: readonly Line[]) => logs.filter((line) => line['msg'] === 'graphql operation');
const upstreamLines = (logs: readonly Line[]) =>
  logs.filter((line) => line['msg'] === 'upstream request' || line['msg'] === 'upstream request failed');
const linesOf = (logs: readonly Line[], requestId: string) =>
  logs.filter((line) => line['requestId'] === requestId);

/** Empties the stack's log, its sandboxes' counters and its cached directory data (not tokens). */
function reset(stack: Stack) {
  stack.resetCounts();
  stack.logs.length = 0;
}

/** The tokens the stack's cache holds (the ones issued to it and in use). */
async function cachedTokens(stack: Stack): Promise<string[]> {
  const tokens: string[] = [];
  for (const key of stack.cache.keys()) {
    if (!key.startsWith('token:')) continue;
    const entry = await stack.cache.get(key);
    if (entry?.kind === 'token') tokens.push(entry.value);
  }
  return tokens;
}

/** The first tokens a sandbox issues (src/sandbox/tokens.ts: the same sequence on every run). */
const issuedTokens = (namespace: 'thrive' | 'ispring', count: number) =>
  Array.from({ length: count }, (_, i) =>
    createHash('sha256')
      .update(`${namespace}:${i + 1}`)
      .digest('base64url'),
  );

describe('one line per GraphQL request and per upstream request', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ logLevel: 'info' });
  });
  afterAll(() => stack?.close());
  beforeEach(() => reset(stack));

  it('a successful operation: its line, and one upstream line per request the sandboxes received, all with its id', async () => {
    const answer = await post(
      stack,
      { query: BOTH, variables: { ispring: ispringId, thrive: thriveId }, operationName: 'Both' },
      { 'x-request-id': 'req-success-1' },
    );
    expect(answer.body.errors).toBeUndefined();
    const sent = stack.sandbox.thrive.count() + stack.sandbox.ispring.count();
    // The first operation of the stack: tokens, users, department and groups.
    expect(sent).toBeGreaterThanOrEqual(5);

    const operations = operationLines(stack.logs);
    expect(operations).toHaveLength(1);
    const operation = operations[0]!;
    expect(operation).toMatchObject({
      level: 30,
      requestId: 'req-success-1',
      operationName: 'Both',
      operationType: 'query',
      outcome: 'success',
      upstreamRequests: sent,
    });
    expect(typeof operation['durationMs']).toBe('number');
    expect(operation['durationMs'] as number).toBeGreaterThanOrEqual(0);
    expect(operation).not.toHaveProperty('errorCodes');

    const upstream = upstreamLines(stack.logs);
    expect(upstream).toHaveLength(sent);
    const byEndpoint: Record<string, Record<string, number>> = { thrive: {}, ispring: {} };
    for (const line of upstream) {
      expect(line).toMatchObject({
        requestId: 'req-success-1',
        outcome: 'ok',
        msg: 'upstream request',
        level: 30,
      });
      expect(['thrive', 'ispring']).toContain(line['provider']);
      expect(line['endpoint']).toMatch(/^(GET|POST) \/[A-Za-z0-9/{}]*$/);
      expect(line['status']).toBe(200);
      expect(typeof line['durationMs']).toBe('number');
      const text = JSON.stringify(line);
      expectNoneIn(text, [thriveExternal, ispringExternal, '?', 'userIds', '127.0.0.1']);
      const counts = byEndpoint[line['provider'] as string]!;
      counts[line['endpoint'] as string] = (counts[line['endpoint'] as string] ?? 0) + 1;
    }
    expect(byEndpoint).toEqual({
      thrive: stack.sandbox.thrive.counts(),
      ispring: stack.sandbox.ispring.counts(),
    });
  });

  it('the operation name comes from the request body when given', async () => {
    await post(stack, { query: USER, variables: { id: thriveId }, operationName: 'OneUser' });
    expect(operationLines(stack.logs)[0]).toMatchObject({ operationName: 'OneUser' });
  });

  it('a named operation sent without operationName is logged under its name', async () => {
    await post(stack, { query: USER, variables: { id: thriveId } });
    expect(operationLines(stack.logs)[0]).toMatchObject({ operationName: 'OneUser', outcome: 'success' });
  });

  it('a failing operation: errorCodes counted by code, and the upstream failures as warnings', async () => {
    stack.sandbox.thrive.inject(
      { kind: 'status', status: 503 },
      { endpoint: THRIVE_ENDPOINTS.user, times: 3 },
    );
    const answer = await post(
      stack,
      {
        query: `query Failing($id: ID!) { bad: user(id: "nope") { id } worse: user(id: "thrive:") { id } down: user(id: $id) { id } }`,
        variables: { id: thriveId },
        operationName: 'Failing',
      },
      { 'x-request-id': 'req-failing-1' },
    );
    expect(answer.body.errors).toHaveLength(3);
    const sent = stack.sandbox.thrive.count() + stack.sandbox.ispring.count();
    expect(sent).toBe(3);

    const [operation, ...others] = operationLines(stack.logs);
    expect(others).toHaveLength(0);
    expect(operation).toMatchObject({
      level: 30,
      requestId: 'req-failing-1',
      operationName: 'Failing',
      operationType: 'query',
      outcome: 'partial',
      upstreamRequests: 3,
      errorCodes: { BAD_USER_INPUT: 2, UPSTREAM_UNAVAILABLE: 1 },
    });
    const upstream = upstreamLines(stack.logs);
    expect(upstream).toHaveLength(3);
    for (const line of upstream) {
      expect(line).toMatchObject({
        requestId: 'req-failing-1',
        msg: 'upstream request failed',
        level: 40,
        provider: 'thrive',
        endpoint: THRIVE_ENDPOINTS.user,
        status: 503,
        outcome: 'server_error',
      });
      expect(JSON.stringify(line)).not.toContain(thriveExternal);
    }
    expect(upstream.map((line) => line['attempt'])).toEqual([1, 2, 3]);
    // The field's failure, once, with what the client was not told (the upstream detail).
    const failures = stack.logs.filter((line) => line['msg'] === 'upstream failure');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 40,
      requestId: 'req-failing-1',
      code: 'UPSTREAM_UNAVAILABLE',
      provider: 'thrive',
      endpoint: THRIVE_ENDPOINTS.user,
      status: 503,
      path: ['down'],
    });
  });

  it('a query that does not parse: a failure line with GRAPHQL_PARSE_FAILED and no upstream request', async () => {
    await post(stack, { query: '{ user(' }, { 'x-request-id': 'req-parse-1' });
    expect(operationLines(stack.logs)).toEqual([
      expect.objectContaining({
        requestId: 'req-parse-1',
        outcome: 'failure',
        operationType: 'unknown',
        upstreamRequests: 0,
        errorCodes: { GRAPHQL_PARSE_FAILED: 1 },
      }),
    ]);
    expect(upstreamLines(stack.logs)).toHaveLength(0);
  });
});

describe('the request id', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ logLevel: 'info' });
    await stack.query(USER, { id: thriveId }); // tokens
  });
  afterAll(() => stack?.close());
  beforeEach(() => reset(stack));

  it('x-request-id is used, and echoed in the response', async () => {
    const answer = await post(
      stack,
      { query: USER, variables: { id: thriveId } },
      { 'x-request-id': 'my-id-1' },
    );
    expect(answer.requestId).toBe('my-id-1');
    expect(operationLines(stack.logs).map((line) => line['requestId'])).toEqual(['my-id-1']);
    expect(upstreamLines(stack.logs).map((line) => line['requestId'])).toEqual(['my-id-1']);
  });

  it('x-correlation-id is used when there is no x-request-id', async () => {
    const answer = await post(stack, { query: '{ __typename }' }, { 'x-correlation-id': 'corr-7' });
    expect(answer.requestId).toBe('corr-7');
    expect(operationLines(stack.logs)[0]).toMatchObject({ requestId: 'corr-7' });
  });

  it('a W3C traceparent gives its trace id', async () => {
    const answer = await post(
      stack,
      { query: USER, variables: { id: thriveId } },
      { traceparent: TRACEPARENT },
    );
    expect(answer.requestId).toBe(TRACE_ID);
    expect(operationLines(stack.logs)[0]).toMatchObject({ requestId: TRACE_ID });
    expect(upstreamLines(stack.logs)[0]).toMatchObject({ requestId: TRACE_ID });
  });

  it('none: a UUID, echoed, a new one per request', async () => {
    const first = await post(stack, { query: '{ __typename }' });
    const second = await post(stack, { query: '{ __typename }' });
    expect(first.requestId).toMatch(UUID);
    expect(second.requestId).toMatch(UUID);
    expect(first.requestId).not.toBe(second.requestId);
    expect(operationLines(stack.logs).map((line) => line['requestId'])).toEqual([
      first.requestId,
      second.requestId,
    ]);
  });

  it.each([
    ['500 characters', 'h'.repeat(500)],
    ['quotes', '"hostile"\'id\''],
    ['spaces and markup', 'hostile <script>alert(1)</script>'],
    ['a tab', 'hostile\tid'],
  ])('a hostile x-request-id (%s) is replaced by a UUID and never logged', async (_, value) => {
    const answer = await post(stack, { query: USER, variables: { id: thriveId } }, { 'x-request-id': value });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.requestId).toMatch(UUID);
    expect(operationLines(stack.logs)[0]).toMatchObject({ requestId: answer.requestId });
    const text = JSON.stringify(stack.logs);
    expect(text).not.toContain('hostile');
    expect(text).not.toContain('h'.repeat(129));
  });

  it('a hostile x-request-id with a newline (obs-fold, sent raw) is never logged', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const body = JSON.stringify({ query: '{ __typename }' });
      const socket = net.connect(stack.subgraph.port, '127.0.0.1', () => {
        socket.end(
          [
            'POST /graphql HTTP/1.1',
            'Host: 127.0.0.1',
            'Content-Type: application/json',
            `Content-Length: ${Buffer.byteLength(body)}`,
            'X-Request-Id: hostile-first',
            ' folded-hostile-second',
            'Connection: close',
            '',
            body,
          ].join('\r\n'),
        );
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    // Refused outright or answered with an id of our own: either way the value is never logged.
    const echoed = /^x-request-id: (.*)$/im.exec(raw)?.[1]?.trim();
    if (echoed !== undefined) expect(echoed).toMatch(UUID);
    expect(JSON.stringify(stack.logs)).not.toContain('hostile');
  });

  it('requestIdOf: newlines, over-long values and bad traceparents give a UUID', () => {
    expect(requestIdOf({ 'x-request-id': 'ok-id\ninjected' })).toMatch(UUID);
    expect(requestIdOf({ 'x-request-id': 'x'.repeat(129) })).toMatch(UUID);
    expect(requestIdOf({ 'x-request-id': 'x'.repeat(128) })).toBe('x'.repeat(128));
    expect(requestIdOf({ 'x-request-id': 'bad\nid', 'x-correlation-id': 'good-id' })).toBe('good-id');
    expect(requestIdOf({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` })).toMatch(UUID);
    expect(requestIdOf({ traceparent: `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01` })).toMatch(UUID);
    expect(requestIdOf({ traceparent: TRACEPARENT })).toBe(TRACE_ID);
    expect(requestIdOf({ 'x-request-id': 'abc', traceparent: TRACEPARENT })).toBe('abc');
  });
});

describe('concurrent requests', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ logLevel: 'info', cache: { ttls: { users: 0, departments: 0, groups: 0 } } });
    await stack.query(BOTH, { ispring: ispringId, thrive: thriveId }); // tokens
  });
  afterAll(() => stack?.close());
  beforeEach(() => reset(stack));

  it('two at once for the same user: each upstream line carries the id of its own request', async () => {
    const [a, b] = await Promise.all([
      post(stack, { query: USER, variables: { id: thriveId } }, { 'x-request-id': 'concurrent-a' }),
      post(stack, { query: USER, variables: { id: thriveId } }, { 'x-request-id': 'concurrent-b' }),
    ]);
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    expect(stack.sandbox.thrive.counts()).toEqual({ [THRIVE_ENDPOINTS.user]: 2 });
    for (const id of ['concurrent-a', 'concurrent-b']) {
      const lines = linesOf(stack.logs, id);
      expect(upstreamLines(lines)).toHaveLength(1);
      expect(operationLines(lines)).toEqual([expect.objectContaining({ upstreamRequests: 1 })]);
    }
    expect(upstreamLines(stack.logs)).toHaveLength(2);
  });

  it('two at once on different providers: each request’s lines name only its provider', async () => {
    const [a, b] = await Promise.all([
      post(stack, { query: USER, variables: { id: thriveId } }, { 'x-request-id': 'to-thrive' }),
      post(stack, { query: USER, variables: { id: ispringId } }, { 'x-request-id': 'to-ispring' }),
    ]);
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    const thrive = upstreamLines(linesOf(stack.logs, 'to-thrive'));
    const ispring = upstreamLines(linesOf(stack.logs, 'to-ispring'));
    expect(thrive.map((line) => line['provider'])).toEqual(['thrive']);
    expect(ispring.map((line) => line['provider'])).toEqual(['ispring']);
    expect(thrive.length + ispring.length).toBe(stack.sandbox.thrive.count() + stack.sandbox.ispring.count());
  });
});

describe('secrets never reach the log', () => {
  const ALL_SANDBOX_SECRETS = [
    SANDBOX_CREDENTIALS.thrive.apiSecret,
    SANDBOX_CREDENTIALS.thrive.clientSecret,
    SANDBOX_CREDENTIALS.ispring.clientSecret,
    SANDBOX_CREDENTIALS.ispring.password,
    Buffer.from(`${SANDBOX_CREDENTIALS.thrive.tenantId}:${SANDBOX_CREDENTIALS.thrive.apiSecret}`).toString(
      'base64',
    ),
  ];

  it.each([
    ['oauth', 'token'],
    ['basic', 'headers'],
  ] as const)('wrong secrets (Thrive %s, iSpring %s): no secret in any line', async (thrive, ispring) => {
    for (const wrong of ['thrive', 'ispring'] as const) {
      const stack = await startStack({ logLevel: 'debug', wrongSecret: wrong, modes: { thrive, ispring } });
      try {
        const response = await stack.query(BOTH, { ispring: ispringId, thrive: thriveId });
        expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['UPSTREAM_AUTH']);
        await fetch(stack.subgraph.url.replace(/\/graphql$/, '/health/ready'));
        expect(stack.logs.length).toBeGreaterThan(0);
        expect(stack.logs.some((line) => line['msg'] === 'upstream request failed')).toBe(true);
        expect(stack.secrets).toContain(`wrong-${wrong}-secret`);
        expectNoneIn(JSON.stringify(stack.logs), [...stack.secrets, ...ALL_SANDBOX_SECRETS]);
      } finally {
        await stack.close();
      }
    }
  });

  it('OAuth and token modes: no secret and no issued token in any line, renewals included', async () => {
    const stack = await startStack({ logLevel: 'debug', modes: { thrive: 'oauth', ispring: 'token' } });
    try {
      expect((await stack.query(BOTH, { ispring: ispringId, thrive: thriveId })).errors).toBeUndefined();
      stack.sandbox.thrive.expireTokens();
      stack.sandbox.ispring.expireTokens();
      stack.resetCounts();
      expect((await stack.query(BOTH, { ispring: ispringId, thrive: thriveId })).errors).toBeUndefined();
      await fetch(stack.subgraph.url.replace(/\/graphql$/, '/health/ready'));

      const tokens = await cachedTokens(stack);
      expect(tokens).toHaveLength(2);
      const issued = [...issuedTokens('thrive', 3), ...issuedTokens('ispring', 3)];
      for (const token of tokens) expect(issued).toContain(token);
      expect(stack.logs.length).toBeGreaterThan(0);
      expectNoneIn(JSON.stringify(stack.logs), [...stack.secrets, ...ALL_SANDBOX_SECRETS, ...issued]);
    } finally {
      await stack.close();
    }
  });

  it('Basic and header modes: no secret, password or Authorization value in any line', async () => {
    const stack = await startStack({ logLevel: 'debug', modes: { thrive: 'basic', ispring: 'headers' } });
    try {
      expect((await stack.query(BOTH, { ispring: ispringId, thrive: thriveId })).errors).toBeUndefined();
      expect(stack.logs.length).toBeGreaterThan(0);
      expectNoneIn(JSON.stringify(stack.logs), [...stack.secrets, ...ALL_SANDBOX_SECRETS]);
    } finally {
      await stack.close();
    }
  });

  it('the router-authorization value, right or wrong, never appears', async () => {
    const routerSecret = 'router-secret-for-logging-0123456789';
    const wrongValue = 'wrong-router-value-zq4711';
    const stack = await startStack({ logLevel: 'debug', routerSecret });
    try {
      expect(
        (
          await post(
            stack,
            { query: USER, variables: { id: thriveId } },
            { 'router-authorization': routerSecret },
          )
        ).status,
      ).toBe(200);
      expect(
        (
          await post(
            stack,
            { query: USER, variables: { id: thriveId } },
            { 'router-authorization': wrongValue },
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await post(
            stack,
            { query: `{ user(id: "${routerSecret}") { id } }` },
            { 'router-authorization': routerSecret },
          )
        ).body.errors?.[0]?.extensions?.code,
      ).toBe('BAD_USER_INPUT');
      expect(operationLines(stack.logs).length).toBeGreaterThanOrEqual(2);
      expectNoneIn(JSON.stringify(stack.logs), [routerSecret, wrongValue]);
    } finally {
      await stack.close();
    }
  });
});

describe('LOG_FORMAT', () => {
  function capture() {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    return { destination, text: () => chunks.join('') };
  }

  it('pretty: one readable, non-JSON line with the level name and the message, secrets redacted', async () => {
    const secret = 'pretty-secret-value-4711';
    const out = capture();
    const logger = createLogger({
      level: 'info',
      redactor: new SecretRedactor([secret]),
      format: 'pretty',
      destination: out.destination,
    });
    logger.info({ provider: 'thrive' }, 'hello from the pretty logger');
    logger.warn(`a message that carries ${secret} inside`);
    logger.debug('below the level');
    await vi.waitFor(() => expect(out.text()).toContain('a message that carries'), {
      timeout: 5000,
      interval: 10,
    });

    const text = out.text();
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/INFO/);
    expect(lines[0]).toContain('hello from the pretty logger');
    for (const line of lines) expect(() => JSON.parse(line)).toThrow();
    expect(text).toMatch(/WARN/);
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('below the level');
    // No colour codes when writing to a stream that is not the terminal.
    expect(text).not.toContain('\u001b[');
  });

  it('pretty: exactly one line per record, nested objects, errors and line breaks included, every key shown', async () => {
    const out = capture();
    const logger = createLogger({
      level: 'debug',
      redactor: new SecretRedactor([]),
      format: 'pretty',
      destination: out.destination,
    });
    const failure = new Error('first line of the error\nsecond line of the error');
    const records = [
      () =>
        logger.info(
          { requestId: 'req-1', errorCodes: { BAD_USER_INPUT: 2 }, path: ['a', 0] },
          'graphql operation',
        ),
      () =>
        logger.warn(
          { provider: 'thrive', issues: [{ path: 'users[0].email', kind: 'type' }], issueCount: 1 },
          'odd values left out',
        ),
      () => logger.error({ err: failure, path: ['down'] }, 'unexpected error in a resolver'),
      () => logger.error(failure),
      () => logger.info('a message\nwritten over\r\nthree lines'),
      () => logger.debug({ nothing: null, flag: false, count: 0 }, 'scalars'),
      () => logger.info('no other keys'),
    ];
    for (const record of records) record();
    await vi.waitFor(() => expect(out.text()).toContain('no other keys'), { timeout: 5000, interval: 10 });

    const text = out.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(records.length);
    for (const line of lines) expect(line).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] (DEBUG|INFO|WARN|ERROR): /);
    expect(text).not.toContain('\r');

    // The keys after the message are the record's own, as one line of JSON.
    const keysOf = (line: string) => JSON.parse(line.slice(line.indexOf(' {'))) as Record<string, unknown>;
    expect(keysOf(lines[0]!)).toEqual({
      requestId: 'req-1',
      errorCodes: { BAD_USER_INPUT: 2 },
      path: ['a', 0],
    });
    expect(lines[0]).toContain('INFO: graphql operation {');
    expect(keysOf(lines[1]!)).toEqual({
      provider: 'thrive',
      issues: [{ path: 'users[0].email', kind: 'type' }],
      issueCount: 1,
    });
    const withError = keysOf(lines[2]!) as {
      err: { type: string; message: string; stack: string };
      path: unknown;
    };
    expect(withError.path).toEqual(['down']);
    expect(withError.err).toMatchObject({ type: 'Error', message: failure.message });
    expect(withError.err.stack).toContain('at ');
    const bare = keysOf(lines[3]!) as { err: { message: string; stack: string } };
    expect(bare.err.message).toBe(failure.message);
    expect(lines[4]).toContain('INFO: a message\\nwritten over\\nthree lines');
    expect(keysOf(lines[5]!)).toEqual({ nothing: null, flag: false, count: 0 });
    expect(lines[6]).toMatch(/INFO: no other keys$/);
  });

  it('pretty on a terminal: coloured, still one line per record', async () => {
    const script = [
      "import { createLogger } from './src/logger.ts';",
      "import { SecretRedactor } from './src/redaction.ts';",
      "const logger = createLogger({ level: 'info', redactor: new SecretRedactor([]), format: 'pretty' });",
      "logger.info({ provider: 'thrive', nested: { a: [1, 2] } }, 'first');",
      "logger.error({ err: new Error('two\\nlines') }, 'second');",
    ].join('\n');
    // FORCE_COLOR stands for the terminal: the logger asks the same question of stdout as on one.
    const { stdout, stderr, status } = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '1' }, encoding: 'utf8', timeout: 20_000 },
    );
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const lines = stdout.slice(0, -1).split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toContain('\u001b[');
    const plain = lines.map((line) => line.replace(/\u001b\[\d+m/g, ''));
    expect(plain[0]).toMatch(/INFO: first \{"provider":"thrive","nested":\{"a":\[1,2\]\}\}$/);
    expect(plain[1]).toMatch(
      /ERROR: second \{"err":\{"type":"Error","message":"two\\nlines","stack":"Error: two\\nlines\\n/,
    );
  });

  it('json: one JSON object per line, the secret redacted', () => {
    const secret = 'json-secret-value-4711';
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      redactor: new SecretRedactor([secret]),
      format: 'json',
      destination: { write: (line: string) => void lines.push(line) },
    });
    logger.info(`carries ${secret}`);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: 'carries [REDACTED]' });
  });

  it('credential headers in a logged object are redacted by path', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      redactor: new SecretRedactor([]),
      destination: { write: (line: string) => void lines.push(line) },
    });
    logger.info(
      {
        request: {
          headers: {
            authorization: 'Bearer abc-token-4711',
            'x-auth-password': 'pw-4711',
            'router-authorization': 'router-4711',
          },
        },
      },
      'with headers',
    );
    expect(lines[0]).not.toMatch(/abc-token-4711|pw-4711|router-4711/);
    expect(lines[0]).toContain('[REDACTED]');
  });

  it.each([
    ['auto', { production: false, terminal: true }, 'pretty'],
    ['auto', { production: false, terminal: false }, 'json'],
    ['auto', { production: true, terminal: true }, 'json'],
    ['auto', { production: true, terminal: false }, 'json'],
    ['json', { production: false, terminal: true }, 'json'],
    ['pretty', { production: true, terminal: false }, 'pretty'],
    ['pretty', { production: false, terminal: false }, 'pretty'],
  ] as const)('resolveLogFormat(%s, %j) is %s', (format, context, expected) => {
    expect(resolveLogFormat(format, context)).toBe(expected);
  });
});
