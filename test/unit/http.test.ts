import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretRedactor } from '../../src/redaction.ts';
import { createStaticAuth } from '../../src/providers/auth/static.ts';
import { createUpstreamClient } from '../../src/providers/http/client.ts';
import { parseRetryAfter } from '../../src/providers/http/errors.ts';
import { boundInstanceCount, createGot, send } from '../../src/providers/http/got.ts';
import { type ProviderAuth } from '../../src/providers/auth/types.ts';
import { createResilience, systemClock } from '../../src/providers/resilience/index.ts';
import { renewingTokenAuth } from '../helpers/auth.ts';
import { rejection } from '../helpers/errors.ts';

/** A real local server whose answer each test chooses by path. */
let server: http.Server;
let baseUrl: string;
const seen: Array<{ path: string; authorization: string | undefined }> = [];
let validToken = 'token-2';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const path = (req.url ?? '').split('?')[0];
    const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (path === '/ok') return reply(200, '{"ok":true}');
    if (path === '/missing') return reply(404, '{"status":404}');
    if (path === '/token-protected') {
      return req.headers.authorization === `Bearer ${validToken}` ? reply(200, '{}') : reply(401, '{}');
    }
    if (path === '/forbidden') return reply(403, '{"message":"secret-api-key-123 is not allowed"}');
    if (path === '/limited') return reply(429, '{}', { 'retry-after': '7' });
    if (path === '/broken') return reply(503, '<html>proxy</html>');
    if (path === '/bad-request') return reply(400, '{}');
    if (path === '/slow') return void setTimeout(() => reply(200, '{}'), 500);
    if (path === '/reset') return req.socket.destroy();
    reply(500, '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const staticAuth = createStaticAuth({ authorization: 'Basic c2VjcmV0LWFwaS1rZXktMTIz' });

/** Retries (of 503s, timeouts, resets: see http-resilience.test.ts) without real waits. */
const noWait = () => createResilience('thrive', undefined, { ...systemClock, sleep: async () => {} });

function client(auth: ProviderAuth = staticAuth, timeoutMs = 2000) {
  return createUpstreamClient({
    provider: 'thrive',
    baseUrl,
    timeoutMs,
    auth,
    redactor: new SecretRedactor(['secret-api-key-123', 'c2VjcmV0LWFwaS1rZXktMTIz']),
    resilience: noWait(),
  });
}

describe('upstream HTTP client', () => {
  it('returns 2xx and 404 responses to the caller', async () => {
    expect(await client().get('GET /ok', 'ok')).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(await client().get('GET /missing', 'missing')).toMatchObject({ status: 404 });
  });

  it('renews credentials once on a 401 and sends the request again', async () => {
    validToken = 'token-2';
    const { auth, renewals } = renewingTokenAuth();
    seen.length = 0;
    expect((await client(auth).get('GET /token-protected', 'token-protected')).status).toBe(200);
    expect(renewals()).toBe(1);
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('gives up with UPSTREAM_AUTH after exactly one renewal', async () => {
    validToken = 'never-issued';
    const { auth, renewals } = renewingTokenAuth();
    seen.length = 0;
    const error = await rejection(client(auth).get('GET /token-protected', 'token-protected'));
    expect(error.code).toBe('UPSTREAM_AUTH');
    expect(renewals()).toBe(1);
    expect(seen).toHaveLength(2);
  });

  it('maps 403 to UPSTREAM_AUTH and keeps the upstream body out of the message', async () => {
    const error = await rejection(client().get('GET /forbidden', 'forbidden'));
    expect(error).toMatchObject({
      code: 'UPSTREAM_AUTH',
      provider: 'thrive',
      status: 403,
      endpoint: 'GET /forbidden',
    });
    expect(error.message).not.toContain('not allowed');
    expect(error.detail).toContain('[REDACTED] is not allowed');
    expect(JSON.stringify(error)).not.toContain('secret-api-key-123');
  });

  it('maps 429 to UPSTREAM_RATE_LIMITED with Retry-After', async () => {
    const error = await rejection(client().get('GET /limited', 'limited'));
    expect(error).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', retryAfterSeconds: 7 });
  });

  it('maps 5xx to UPSTREAM_UNAVAILABLE and other 4xx to UPSTREAM_REJECTED', async () => {
    expect((await rejection(client().get('GET /broken', 'broken'))).code).toBe('UPSTREAM_UNAVAILABLE');
    expect((await rejection(client().get('GET /bad-request', 'bad-request'))).code).toBe('UPSTREAM_REJECTED');
  });

  it('maps a timeout, a reset and a refused connection to UPSTREAM_UNAVAILABLE without credentials in the cause', async () => {
    const timeout = await rejection(client(staticAuth, 100).get('GET /slow', 'slow'));
    expect(timeout.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(timeout.message).toContain('did not answer in time');
    const reset = await rejection(client().get('GET /reset', 'reset'));
    expect(reset.code).toBe('UPSTREAM_UNAVAILABLE');
    const refused = await rejection(
      createUpstreamClient({
        provider: 'ispring',
        baseUrl: 'http://127.0.0.1:1',
        timeoutMs: 1000,
        auth: staticAuth,
        redactor: new SecretRedactor([]),
        resilience: noWait(),
      }).get('GET /x', 'x'),
    );
    expect(refused).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', provider: 'ispring' });
    expect(refused.message).toContain('refused the connection');
    for (const error of [timeout, reset, refused]) {
      expect(JSON.stringify({ ...error, cause: String(error.cause) })).not.toContain('c2VjcmV0');
      expect(Object.keys(error.cause as object)).not.toContain('options');
    }
  });
});

describe('createGot', () => {
  it('carries no cache options, which would make got build every request slowly', () => {
    // got.ts, withoutCacheOptions: got spreads these into each request's native options.
    const client = createGot({ baseUrl: 'http://127.0.0.1:1/' });
    expect(Object.keys(client.defaults.options.cacheOptions)).toHaveLength(0);
  });
});

describe('send', () => {
  const bounds = { timeoutMs: 2000, maxBytes: 1_000_000 };

  it('sends each GET with its own headers, keeping at most 8 instances bound to header sets', async () => {
    // got.ts, boundTo: a bodiless GET goes through a got instance whose defaults carry its headers.
    const got = createGot({ baseUrl });
    const tokens = Array.from({ length: 20 }, (_, i) => `token-${i}`);
    const sent = [...tokens, 'token-3', 'token-19', 'token-3'];
    seen.length = 0;
    for (const token of sent) {
      const answer = await send(got, 'ok', { headers: { authorization: `Bearer ${token}` } }, bounds);
      expect(answer.statusCode).toBe(200);
      expect(boundInstanceCount(got)).toBeGreaterThan(0);
      expect(boundInstanceCount(got)).toBeLessThanOrEqual(8);
    }
    expect(seen.map((request) => request.authorization)).toEqual(sent.map((token) => `Bearer ${token}`));
    // Requests with a body or another method take got's ordinary path, with their own options.
    const posted = await send(
      got,
      'ok',
      { method: 'POST', body: 'x', headers: { authorization: 'Bearer p' } },
      bounds,
    );
    expect(posted.statusCode).toBe(200);
    expect(seen.at(-1)).toEqual({ path: '/ok', authorization: 'Bearer p' });
  });

  it('reaches a host named by an IPv6 literal, and keeps credentials written in the URL', async () => {
    const v6 = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url, authorization: req.headers.authorization ?? null }));
    });
    await new Promise<void>((resolve) => v6.listen(0, '::1', resolve));
    try {
      const port = (v6.address() as AddressInfo).port;
      const plain = await send(createGot({ baseUrl: `http://[::1]:${port}/api` }), 'users?id=1', {}, bounds);
      expect(JSON.parse(plain.body)).toEqual({ url: '/api/users?id=1', authorization: null });
      const withCredentials = await send(
        createGot({ baseUrl: `http://user:pw@[::1]:${port}` }),
        'me',
        {},
        bounds,
      );
      expect(JSON.parse(withCredentials.body)).toEqual({
        url: '/me',
        authorization: `Basic ${Buffer.from('user:pw').toString('base64')}`,
      });
    } finally {
      v6.closeAllConnections();
      await new Promise((resolve) => v6.close(resolve));
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
