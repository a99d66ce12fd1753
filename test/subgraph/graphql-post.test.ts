import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPlainGraphqlPost, readJsonBody } from '../../src/inbound/graphql-post.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

/**
 * The plain `POST /graphql` is served without express (`inbound/graphql-post.ts`), and must answer
 * exactly as the express app does. Two subgraphs, one with that path and one without, are sent the
 * same requests, generated over the space of what a client may send (content types, the router's
 * secret, bodies: operations, persisted-query extensions, any JSON, any bytes, byte order marks,
 * bodies over the limit), and must give the same status, headers and body.
 */

const SECRET = 'router-shared-secret-graphql-post';
const MAX_BODY_BYTES = 4096;
const USER = `ispring:${DEMO.ispring.deepUser}`;

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface Sent {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Over real HTTP, a connection per request (a 413 closes its connection). */
function send(url: string, request: Sent): Promise<Answer> {
  const target = new URL(request.path, url);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      target,
      {
        method: 'POST',
        agent: false,
        headers: { ...request.headers, 'content-length': String(request.body.length) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    // A server that answers before the whole body is sent (413, 401) may close the connection.
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    outgoing.end(request.body);
  });
}

/** What must be equal: the status, the body, and every header but the ones that differ by nature. */
function comparable(answer: Answer) {
  const { date, etag, 'x-request-id': requestId, 'keep-alive': keepAlive, ...headers } = answer.headers;
  void date;
  void etag;
  void keepAlive;
  return { status: answer.status, headers, hasRequestId: requestId !== undefined, body: answer.body };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

const operations = [
  {
    query: `query($id: ID!) { user(id: $id) { id displayName department { name } groups { name } } }`,
    variables: { id: USER },
  },
  { query: '{ __typename }' },
  { query: '{ user(id: "ispring:not-a-uuid") { id } }' },
  { query: '{ user(id: ' },
  { query: 'mutation { x }' },
  { query: '{ _service { sdl } }', operationName: 'Missing' },
  { query: 12 },
  { variables: {} },
];

const persisted = [
  { version: 1, sha256Hash: 'a'.repeat(64) },
  { version: 2, sha256Hash: 'a'.repeat(64) },
  { version: 1, sha256Hash: 'not-a-hash' },
  'not an object',
];

const bodies: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom(...operations).map(json),
  fc
    .tuple(fc.constantFrom(...operations), fc.constantFrom(...persisted))
    .map(([operation, persistedQuery]) => json({ ...operation, extensions: { persistedQuery } })),
  fc.constantFrom(...operations).map((operation) => json([operation])),
  fc.json({ maxDepth: 3 }).map((text) => Buffer.from(text, 'utf8')),
  fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes)),
  fc
    .tuple(fc.constantFrom('\uFEFF', ' \n\t', '\uFEFF  ', ''), fc.constantFrom(...operations))
    .map(([prefix, operation]) => Buffer.from(prefix + JSON.stringify(operation), 'utf8')),
  fc.constantFrom(Buffer.from('\uFEFF', 'utf8'), Buffer.from('  ', 'utf8'), Buffer.from([0xc3, 0x28])),
  fc.constant(Buffer.from(JSON.stringify({ query: `{ __typename }${' '.repeat(MAX_BODY_BYTES)}` }), 'utf8')),
);

const requests: fc.Arbitrary<Sent> = fc.record({
  path: fc.constantFrom('/graphql', '/graphql', '/graphql', '/graphql?x=1', '/graphql/'),
  headers: fc
    .tuple(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'Application/JSON; Charset=UTF-8',
        'application/json; charset=utf-16',
        'text/plain',
      ),
      fc.constantFrom<string | undefined>(SECRET, SECRET, undefined, 'wrong-secret'),
    )
    .map(([contentType, secret]) => ({
      'content-type': contentType,
      ...(secret === undefined ? {} : { 'router-authorization': secret }),
    })),
  body: bodies,
});

describe('the plain POST /graphql, served without express', () => {
  let direct: Stack;
  let viaExpress: Stack;
  beforeAll(async () => {
    const options = { routerSecret: SECRET, limits: { maxBodyBytes: MAX_BODY_BYTES } };
    [direct, viaExpress] = await Promise.all([
      startStack(options),
      startStack({ ...options, graphqlPostWithoutExpress: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([direct?.close(), viaExpress?.close()]);
  });

  it('answers every request as the express app does: status, headers and body', async () => {
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const [ours, express] = await Promise.all([
          send(direct.subgraph.url, request),
          send(viaExpress.subgraph.url, request),
        ]);
        expect(comparable(ours)).toEqual(comparable(express));
      }),
      { numRuns: 250 },
    );
  });

  it('takes the plain POST itself: its answer has no ETag, which express adds to every answer it sends', async () => {
    const request: Sent = {
      path: '/graphql',
      headers: { 'content-type': 'application/json', 'router-authorization': SECRET },
      body: json(operations[0]),
    };
    const [ours, express] = await Promise.all([
      send(direct.subgraph.url, request),
      send(viaExpress.subgraph.url, request),
    ]);
    expect(JSON.parse(ours.body)).toMatchObject({ data: { user: { id: USER } } });
    expect(ours.headers.etag).toBeUndefined();
    expect(express.headers.etag).toBeDefined();
    expect(ours.headers['x-request-id']).toBeDefined();
    // A request the path does not take (a query string) is express's, ETag and all.
    const other = await send(direct.subgraph.url, { ...request, path: '/graphql?x=1' });
    expect(other.headers.etag).toBeDefined();
  });
});

describe('which requests the path takes', () => {
  const plain = { 'content-type': 'application/json', 'content-length': '40' };

  it('a POST to exactly /graphql of JSON in UTF-8 of a declared length within the limit', () => {
    expect(isPlainGraphqlPost('POST', '/graphql', plain, 100)).toBe(true);
    expect(
      isPlainGraphqlPost(
        'POST',
        '/graphql',
        { ...plain, 'content-type': 'application/json; charset=UTF-8' },
        100,
      ),
    ).toBe(true);
    expect(isPlainGraphqlPost('POST', '/graphql', { ...plain, 'content-length': '100' }, 100)).toBe(true);
  });

  it('nothing else', () => {
    const refused: Array<[string, string, Record<string, string>]> = [
      ['GET', '/graphql', plain],
      ['POST', '/graphql?query=x', plain],
      ['POST', '/graphql/', plain],
      ['POST', '/GRAPHQL', plain],
      ['POST', '/graphql', { ...plain, 'content-type': 'application/json; charset=utf-16' }],
      ['POST', '/graphql', { ...plain, 'content-type': 'text/plain' }],
      ['POST', '/graphql', { 'content-type': 'application/json' }],
      ['POST', '/graphql', { ...plain, 'content-length': '0' }],
      ['POST', '/graphql', { ...plain, 'content-length': '101' }],
      ['POST', '/graphql', { ...plain, 'content-encoding': 'gzip' }],
      ['POST', '/graphql', { ...plain, 'transfer-encoding': 'chunked' }],
    ];
    for (const [method, url, headers] of refused) {
      expect(
        isPlainGraphqlPost(method, url, headers, 100),
        `${method} ${url} ${JSON.stringify(headers)}`,
      ).toBe(false);
    }
  });
});

describe('the body, read as the JSON body parser reads it', () => {
  it('UTF-8 only, a byte order mark dropped, nothing read as {}, an object or an array only', () => {
    expect(readJsonBody(Buffer.from('{"query":"{ a }"}'))).toEqual({ ok: true, value: { query: '{ a }' } });
    expect(readJsonBody(Buffer.from('\uFEFF [1]'))).toEqual({ ok: true, value: [1] });
    expect(readJsonBody(Buffer.from('\uFEFF'))).toEqual({ ok: true, value: {} });
    expect(readJsonBody(Buffer.from([0xc3, 0x28]))).toEqual({ ok: false, errorType: 'encoding.not.utf8' });
    expect(readJsonBody(Buffer.from('"text"'))).toEqual({ ok: false, errorType: 'entity.parse.failed' });
    expect(readJsonBody(Buffer.from('  '))).toEqual({ ok: false, errorType: 'entity.parse.failed' });
    expect(readJsonBody(Buffer.from('{"a":'))).toEqual({ ok: false, errorType: 'entity.parse.failed' });
  });
});
