import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childBaseEnv } from '../../src/dev/harness/children.ts';
import { loadConfig } from '../../src/config.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { problemsOf } from '../helpers/config.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

/**
 * `CORS_ORIGINS` over real HTTP: preflights from a listed origin and from others, actual requests
 * with `Origin`, Apollo's CSRF prevention still refusing what a browser sends without a preflight,
 * the router's secret with CORS, and the setting's validation, start-up included. A real browser
 * calling the subgraph from another origin: test/browser/cors.test.ts.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LISTED = 'http://localhost:5173';
const ADMIN = 'https://admin.example.com';
const SECRET = 'router-shared-secret-for-cors-0123456789';
const thriveId = `thrive:${DEMO.thrive.multiPosition}`;
const QUERY = `query OneUser($id: ID!) { user(id: $id) { id } }`;
const BODY = JSON.stringify({ query: QUERY, variables: { id: thriveId } });

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with exactly these headers (fetch would not send `Origin` as given). */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

const preflight = (url: string, origin: string, requestHeaders = 'content-type') =>
  send(url, 'OPTIONS', {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': requestHeaders,
  });

const postFrom = (url: string, origin: string, headers: Record<string, string> = {}) =>
  send(url, 'POST', { origin, 'content-type': 'application/json', ...headers }, BODY);

const corsHeadersOf = (answer: Answer) =>
  Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'));

const listOf = (header: string | string[] | undefined) =>
  String(header ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);

describe('CORS_ORIGINS set', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ corsOrigins: [LISTED, ADMIN] });
  });
  afterAll(() => stack?.close());

  it.each([LISTED, ADMIN])(
    'a preflight from a listed origin (%s): 204, its origin, the methods and headers',
    async (origin) => {
      const answer = await preflight(
        stack.subgraph.url,
        origin,
        'content-type, apollo-require-preflight, x-request-id',
      );
      expect(answer.status).toBe(204);
      expect(answer.body).toBe('');
      expect(answer.headers['access-control-allow-origin']).toBe(origin);
      expect(listOf(answer.headers.vary)).toContain('origin');
      expect(listOf(answer.headers['access-control-allow-methods'])).toEqual(
        expect.arrayContaining(['get', 'post']),
      );
      const allowed = listOf(answer.headers['access-control-allow-headers']);
      expect(allowed).toEqual(
        expect.arrayContaining(['content-type', 'apollo-require-preflight', 'x-request-id']),
      );
      // No ROUTER_SECRET here: its header is not offered.
      expect(allowed).not.toContain('router-authorization');
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
      expect(Number(answer.headers['access-control-max-age'])).toBeGreaterThan(0);
    },
  );

  it.each([
    ['another port', 'http://localhost:5174'],
    ['another scheme', 'https://localhost:5173'],
    ['a longer host', 'http://localhost:5173.evil.example'],
    ['a trailing slash', `${LISTED}/`],
    ['a sandboxed page', 'null'],
    ['another site', 'https://evil.example'],
  ])('a preflight from an unlisted origin (%s): 403 and no CORS header', async (_, origin) => {
    const answer = await preflight(stack.subgraph.url, origin);
    expect(answer.status).toBe(403);
    expect(corsHeadersOf(answer)).toEqual([]);
    expect(listOf(answer.headers.vary)).toContain('origin');
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
  });

  it('a POST from a listed origin: answered, readable by the page, its request id exposed', async () => {
    const answer = await postFrom(stack.subgraph.url, LISTED, { 'x-request-id': 'cors-post-1' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { user: { id: thriveId } } });
    expect(answer.headers['access-control-allow-origin']).toBe(LISTED);
    expect(listOf(answer.headers.vary)).toContain('origin');
    expect(listOf(answer.headers['access-control-expose-headers'])).toContain('x-request-id');
    expect(answer.headers['x-request-id']).toBe('cors-post-1');
  });

  it('a POST from an unlisted origin: answered as before (a server or curl may send any Origin), with no CORS header', async () => {
    const answer = await postFrom(stack.subgraph.url, 'https://evil.example');
    expect(answer.status).toBe(200);
    expect(corsHeadersOf(answer)).toEqual([]);
    expect(listOf(answer.headers.vary)).toContain('origin');
  });

  it('a request with no Origin (the router): no CORS header', async () => {
    const answer = await send(stack.subgraph.url, 'POST', { 'content-type': 'application/json' }, BODY);
    expect(answer.status).toBe(200);
    expect(corsHeadersOf(answer)).toEqual([]);
  });

  it.each([LISTED, 'https://evil.example'])(
    'CSRF prevention still refuses a text/plain POST from %s with 400, before anything runs',
    async (origin) => {
      stack.resetCounts();
      const answer = await send(stack.subgraph.url, 'POST', { origin, 'content-type': 'text/plain' }, BODY);
      expect(answer.status).toBe(400);
      const body = JSON.parse(answer.body) as {
        errors: Array<{ message: string; extensions: { code: string } }>;
      };
      expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
      expect(body.errors[0]!.message).toContain('Cross-Site Request Forgery');
      expect(stack.sandbox.thrive.log).toHaveLength(0);
    },
  );

  it('CSRF prevention still refuses a simple GET from a listed origin, and answers one with apollo-require-preflight', async () => {
    const url = `${stack.subgraph.url}?query=${encodeURIComponent(QUERY)}&variables=${encodeURIComponent(JSON.stringify({ id: thriveId }))}`;
    const simple = await send(url, 'GET', { origin: LISTED, accept: 'application/json' });
    expect(simple.status).toBe(400);
    expect(simple.body).toContain('Cross-Site Request Forgery');
    const preflighted = await send(url, 'GET', {
      origin: LISTED,
      accept: 'application/json',
      'apollo-require-preflight': 'true',
    });
    expect(preflighted.status).toBe(200);
    expect(preflighted.headers['access-control-allow-origin']).toBe(LISTED);
  });

  it('the other endpoints are not opened to browsers', async () => {
    const base = stack.subgraph.url.replace(/\/graphql$/, '');
    for (const path of ['/health/live', '/metrics']) {
      const answer = await send(`${base}${path}`, 'GET', { origin: LISTED });
      expect(corsHeadersOf(answer), path).toEqual([]);
    }
  });
});

describe('CORS_ORIGINS with ROUTER_SECRET', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ corsOrigins: [LISTED], routerSecret: SECRET });
  });
  afterAll(() => stack?.close());

  it('a preflight (which never carries the secret) is answered, and offers router-authorization', async () => {
    const answer = await preflight(stack.subgraph.url, LISTED, 'content-type, router-authorization');
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(LISTED);
    expect(listOf(answer.headers['access-control-allow-headers'])).toEqual(
      expect.arrayContaining([
        'content-type',
        'apollo-require-preflight',
        'x-request-id',
        'router-authorization',
      ]),
    );
  });

  it('a POST without the secret gets a 401 the page can read; with it, the data', async () => {
    const refused = await postFrom(stack.subgraph.url, LISTED);
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(LISTED);
    const answered = await postFrom(stack.subgraph.url, LISTED, { 'router-authorization': SECRET });
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.body)).toEqual({ data: { user: { id: thriveId } } });
  });

  it('an unlisted origin’s preflight: 403, no CORS header', async () => {
    const answer = await preflight(stack.subgraph.url, 'https://evil.example', 'router-authorization');
    expect(answer.status).toBe(403);
    expect(corsHeadersOf(answer)).toEqual([]);
  });
});

describe('CORS_ORIGINS unset (the default)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('no CORS header on a preflight or a POST, whatever the origin', async () => {
    for (const origin of [LISTED, 'https://evil.example']) {
      const pre = await preflight(stack.subgraph.url, origin);
      expect(pre.status).not.toBe(204);
      expect(corsHeadersOf(pre)).toEqual([]);
      const post = await postFrom(stack.subgraph.url, origin);
      expect(post.status).toBe(200);
      expect(corsHeadersOf(post)).toEqual([]);
    }
  });
});

describe('CORS_ORIGINS in the configuration', () => {
  it('unset or empty: none', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: ' ' }).corsOrigins).toEqual([]);
  });

  it('a comma-separated list, spaces and empty items ignored', () => {
    expect(
      loadConfig({
        CORS_ORIGINS: ' http://localhost:5173 ,https://admin.example.com,, http://127.0.0.1:8080',
      }).corsOrigins,
    ).toEqual(['http://localhost:5173', 'https://admin.example.com', 'http://127.0.0.1:8080']);
  });

  it('lists every bad origin in one error, with what was meant when it can tell', () => {
    expect(
      problemsOf({
        CORS_ORIGINS:
          'http://localhost:5173/,*,ftp://files.example,localhost:3000,https://admin.example.com/app,https://Admin.Example.com:443,http://ok.example',
        PORT: 'nope',
      }),
    ).toEqual([
      expect.stringMatching(/^PORT must be a whole number/),
      'CORS_ORIGINS: "http://localhost:5173/" is not an origin such as http://localhost:5173 (http or https, a host, an optional port, no path); did you mean "http://localhost:5173"?',
      'CORS_ORIGINS must name each origin; "*" (any origin) is not accepted.',
      expect.stringMatching(/^CORS_ORIGINS: "ftp:\/\/files\.example" is not an origin .*no path\)$/),
      expect.stringMatching(/^CORS_ORIGINS: "localhost:3000" is not an origin .*no path\)$/),
      expect.stringMatching(
        /"https:\/\/admin\.example\.com\/app" .*; did you mean "https:\/\/admin\.example\.com"\?$/,
      ),
      expect.stringMatching(
        /"https:\/\/Admin\.Example\.com:443" .*; did you mean "https:\/\/admin\.example\.com"\?$/,
      ),
    ]);
  });

  it('a bad value stops start-up with the configuration’s message listing every problem', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...childBaseEnv(),
        SANDBOX: '1',
        HOST: '127.0.0.1',
        PORT: '0',
        CORS_ORIGINS: 'http://localhost:5173/,*',
        MAX_ALIASES: 'many',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration:');
    expect(output).toContain('  - MAX_ALIASES must be a whole number');
    expect(output).toContain('  - CORS_ORIGINS: "http://localhost:5173/" is not an origin');
    expect(output).toContain('  - CORS_ORIGINS must name each origin; "*" (any origin) is not accepted.');
    expect(output).not.toContain('Subgraph ready');
  });
});
