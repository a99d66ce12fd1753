import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultResilience, type ResilienceConfig } from '../../src/providers/resilience/config.ts';
import { type ProviderError } from '../../src/errors.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import { createStaticAuth } from '../../src/providers/auth/static.ts';
import { createUpstreamClient } from '../../src/providers/http/client.ts';
import { statusError } from '../../src/providers/http/errors.ts';
import { type ProviderAuth } from '../../src/providers/auth/types.ts';
import { createResilience, type ResilienceClock } from '../../src/providers/resilience/index.ts';
import { renewingTokenAuth } from '../helpers/auth.ts';
import { expectNoSecrets, rejection } from '../helpers/errors.ts';

/**
 * The HTTP client's resilience against a real local server that answers each request as the test
 * scripts it: retries (counted on the server's log), waits (an injected sleep that only writes
 * them down), the deadline, the in-flight bound, the circuit breaker and the body bound. Every
 * error answer echoes the request's Authorization header, and no error may carry it.
 */

// --- The server --------------------------------------------------------------------------------

type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Answers per path, in order; the last one repeats. */
const script = new Map<string, Answer[]>();
const seen: Array<{ path: string; authorization: string | undefined }> = [];
let inFlight = 0;
let mostInFlight = 0;
/** Bytes the big-body answers wrote before the client went away, and whether they finished. */
const bigBodies: Array<{ written: number; finished: boolean }> = [];

let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    seen.push({ path, authorization: req.headers.authorization });
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    // Out of flight once the answer is handed over (`finish`), or the connection is gone (`close`).
    let done = false;
    const leave = () => {
      if (!done) inFlight -= 1;
      done = true;
    };
    res.on('finish', leave);
    res.on('close', leave);
    res.on('error', () => {});
    const answers = script.get(path) ?? [status(500)];
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  script.clear();
  seen.length = 0;
  sleeps.length = 0;
  bigBodies.length = 0;
  endings.length = 0;
  mostInFlight = 0;
});
afterEach(() => vi.useRealTimers());

const on = (path: string, ...answers: Answer[]) => script.set(`/${path}`, answers);
const requestsTo = (path: string) => seen.filter((request) => request.path === `/${path}`).length;

/** A status whose body echoes the credentials the request carried, as a careless server might. */
function status(code: number, headers: Record<string, string> = {}): Answer {
  return (req, res) => {
    if (res.destroyed) return;
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(
      code < 300 ? '{"ok":true}' : JSON.stringify({ message: `refused ${req.headers.authorization ?? ''}` }),
    );
  };
}

/** A proxy's HTML error page (or a login page with 200). */
const html =
  (code: number): Answer =>
  (req, res) => {
    res.writeHead(code, { 'content-type': 'text/html' });
    res.end(`<html><body><h1>${code}</h1><p>${req.headers.authorization ?? ''}</p></body></html>`);
  };

const after =
  (ms: number, answer: Answer): Answer =>
  (req, res) =>
    void setTimeout(() => answer(req, res), ms);

const reset: Answer = (req) => req.socket.destroy();

/** How each `unlessHungUp` request ended: answered by the server, or left by the client first. */
const endings: Array<'answered' | 'hung up'> = [];

/** `answer` after `ms`, unless the client hangs up before; `endings` says which came first. */
const unlessHungUp =
  (ms: number, answer: Answer): Answer =>
  (req, res) => {
    const timer = setTimeout(() => {
      endings.push('answered');
      answer(req, res);
    }, ms);
    res.on('close', () => {
      if (res.writableEnded) return;
      clearTimeout(timer);
      endings.push('hung up');
    });
  };

/** 200 with a body of `bytes` bytes, with its Content-Length or chunked, written as the client reads. */
const big =
  (bytes: number, chunked: boolean): Answer =>
  (_req, res) => {
    const record = { written: 0, finished: false };
    bigBodies.push(record);
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(chunked ? {} : { 'content-length': String(bytes) }),
    });
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const write = () => {
      while (record.written < bytes && !res.destroyed) {
        record.written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', write);
      }
      if (!res.destroyed) {
        record.finished = true;
        res.end();
      }
    };
    write();
  };

// --- The client --------------------------------------------------------------------------------

const SECRET = 's3cret-api-key-4242';
const BASIC = Buffer.from(`tenant:${SECRET}`).toString('base64');
const redactor = () => new SecretRedactor([SECRET, BASIC]);

const staticAuth = createStaticAuth({ authorization: `Basic ${BASIC}` });

/** Waits written down, not waited: each moves the client's clock on instead. */
const sleeps: number[] = [];
const slept = () => sleeps.reduce((sum, ms) => sum + ms, 0);
const clock: ResilienceClock = {
  now: () => Date.now() + slept(),
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  random: () => 0.5,
};

interface ClientOptions {
  resilience?: Partial<ResilienceConfig>;
  retry?: Partial<ResilienceConfig['retry']>;
  breaker?: Partial<ResilienceConfig['breaker']>;
  timeoutMs?: number;
  auth?: ProviderAuth;
  /** This file's clock (real time plus the waits written down) unless given. */
  clock?: ResilienceClock;
}

function client(options: ClientOptions = {}) {
  const defaults = defaultResilience('thrive');
  const config: ResilienceConfig = {
    ...defaults,
    ...options.resilience,
    retry: { ...defaults.retry, ...options.retry },
    breaker: { ...defaults.breaker, ...options.breaker },
  };
  return createUpstreamClient({
    provider: 'thrive',
    baseUrl,
    timeoutMs: options.timeoutMs ?? 2000,
    auth: options.auth ?? staticAuth,
    redactor: redactor(),
    resilience: createResilience('thrive', config, options.clock ?? clock),
  });
}

/** The ProviderError a call rejects with, checked to carry no credential anywhere. */
async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejection(promise);
  expectNoSecrets(error, [SECRET, BASIC]);
  return error;
}

// --- Retries -----------------------------------------------------------------------------------

describe('retries', () => {
  it('retries 503 twice and returns the 200 that follows: exactly 3 requests', async () => {
    on('users', status(503), status(503), status(200));
    const response = await client().get('GET /users', 'users');
    expect(response).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(requestsTo('users')).toBe(3);
    // Full jitter at random 0.5 below caps of 100 ms and 200 ms.
    expect(sleeps).toEqual([50, 100]);
  });

  it.each([502, 504])('retries %i too', async (code) => {
    on('users', status(code), status(200));
    expect((await client().get('GET /users', 'users')).status).toBe(200);
    expect(requestsTo('users')).toBe(2);
  });

  it('gives up with UPSTREAM_UNAVAILABLE after 1 + retries requests, saying how many', async () => {
    on('users', status(503));
    const error = await failure(client({ retry: { retries: 3 } }).get('GET /users', 'users'));
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503, endpoint: 'GET /users' });
    expect(error.message).toBe('Thrive is unavailable (HTTP 503 from GET /users). Gave up after 4 attempts.');
    expect(requestsTo('users')).toBe(4);
  });

  it('sends each request once with retries: 0', async () => {
    on('users', status(503));
    await failure(client({ retry: { retries: 0 } }).get('GET /users', 'users'));
    expect(requestsTo('users')).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('waits what Retry-After says on a 429, then retries', async () => {
    on('users', status(429, { 'retry-after': '1' }), status(200));
    expect((await client().get('GET /users', 'users')).status).toBe(200);
    expect(requestsTo('users')).toBe(2);
    expect(sleeps).toEqual([1000]);
  });

  it('reports a 429 that persists as UPSTREAM_RATE_LIMITED with retryAfterSeconds', async () => {
    on('users', status(429, { 'retry-after': '2' }));
    const error = await failure(client().get('GET /users', 'users'));
    expect(error).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', retryAfterSeconds: 2 });
    expect(requestsTo('users')).toBe(3);
    expect(sleeps).toEqual([2000, 2000]);
  });

  it('does not wait for a Retry-After longer than the bound: RATE_LIMITED at once, with it', async () => {
    on('users', status(429, { 'retry-after': '60' }), status(200));
    const error = await failure(client().get('GET /users', 'users'));
    expect(error).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', status: 429, retryAfterSeconds: 60 });
    expect(requestsTo('users')).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('retries a 429 without Retry-After on the jittered backoff', async () => {
    on('users', status(429), status(200));
    expect((await client().get('GET /users', 'users')).status).toBe(200);
    expect(sleeps).toEqual([50]);
  });

  it('honours a 503’s Retry-After as a 429’s', async () => {
    on('users', status(503, { 'retry-after': '3' }), status(200));
    expect((await client().get('GET /users', 'users')).status).toBe(200);
    expect(sleeps).toEqual([3000]);
  });

  it('retries a timeout, then reports UPSTREAM_UNAVAILABLE', async () => {
    on('slow', after(400, status(200)));
    const error = await failure(client({ timeoutMs: 50 }).get('GET /slow', 'slow'));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toBe('Thrive did not answer in time (GET /slow). Gave up after 3 attempts.');
    expect(requestsTo('slow')).toBe(3);
  });

  it('retries a reset connection and returns the answer that follows', async () => {
    on('flaky', reset, reset, status(200));
    expect((await client().get('GET /flaky', 'flaky')).status).toBe(200);
    expect(requestsTo('flaky')).toBe(3);
  });

  it('retries a refused connection', async () => {
    const refused = createUpstreamClient({
      provider: 'ispring',
      baseUrl: 'http://127.0.0.1:1',
      timeoutMs: 1000,
      auth: staticAuth,
      redactor: redactor(),
      resilience: createResilience('ispring', undefined, clock),
    });
    const error = await failure(refused.get('GET /x', 'x'));
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', provider: 'ispring' });
    expect(error.message).toContain('refused the connection');
    expect(sleeps).toHaveLength(2);
  });

  it.each([
    [404, undefined],
    [400, 'UPSTREAM_REJECTED'],
    [403, 'UPSTREAM_AUTH'],
    [500, 'UPSTREAM_UNAVAILABLE'],
  ])('does not retry %i', async (code, errorCode) => {
    on('once', status(code), status(200));
    const call = client().get('GET /once', 'once');
    if (errorCode === undefined) expect((await call).status).toBe(code);
    else expect((await failure(call)).code).toBe(errorCode);
    expect(requestsTo('once')).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('reports a proxy’s HTML 502 page as UPSTREAM_UNAVAILABLE after the retries', async () => {
    on('proxied', html(502));
    const error = await failure(client().get('GET /proxied', 'proxied'));
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 502 });
    expect(error.message).not.toContain('html');
    expect(requestsTo('proxied')).toBe(3);
  });

  it('hands an HTML page with 200 to the caller once, whose decoder refuses it', async () => {
    on('login', html(200));
    const response = await client().get('GET /login', 'login');
    expect(response).toMatchObject({ status: 200, contentType: 'text/html' });
    expect(requestsTo('login')).toBe(1);
  });
});

// --- Renewal on 401 ----------------------------------------------------------------------------

describe('a 401', () => {
  it('costs exactly one token refresh and one more request, and is never retried', async () => {
    on('protected', status(401));
    const { auth, renewals } = renewingTokenAuth();
    const error = await failure(client({ auth }).get('GET /protected', 'protected'));
    expect(error).toMatchObject({ code: 'UPSTREAM_AUTH', status: 401 });
    expect(renewals()).toBe(1);
    expect(seen.map((request) => request.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(sleeps).toEqual([]);
  });

  it('after its refresh, is followed by the retries of a 503 like any other request', async () => {
    on('protected', status(401), status(503), status(200));
    const { auth, renewals } = renewingTokenAuth();
    expect((await client({ auth }).get('GET /protected', 'protected')).status).toBe(200);
    expect(renewals()).toBe(1);
    expect(seen.map((request) => request.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-2',
    ]);
  });
});

// --- Deadline ----------------------------------------------------------------------------------

describe('the operation deadline', () => {
  it('does not start a retry whose wait would pass it, and returns the last error', async () => {
    on('users', status(503, { 'retry-after': '2' }), status(200));
    const error = await failure(
      client().get('GET /users', 'users', undefined, { deadline: Date.now() + 1000 }),
    );
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    expect(requestsTo('users')).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('gives a request what is left of it as its timeout, and does not retry that timeout', async () => {
    // On a clock that stands still, 150 ms are left of the deadline: the request's timeout is
    // 150 ms, not the configured 5 s. The server would answer 200 after 2 s; the client's timer was
    // set first and is the shorter, so it hangs up before that answer however slow the machine is.
    const NOW = Date.parse('2026-03-01T09:00:00Z');
    const stopped: ResilienceClock = { now: () => NOW, sleep: clock.sleep, random: () => 0.5 };
    on('slow', unlessHungUp(2000, status(200)));
    const error = await failure(
      client({ timeoutMs: 5000, clock: stopped }).get('GET /slow', 'slow', undefined, {
        deadline: NOW + 150,
      }),
    );
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toContain("within what was left of the operation's deadline");
    expect(requestsTo('slow')).toBe(1);
    expect(sleeps).toEqual([]);
    await vi.waitFor(() => expect(endings).toEqual(['hung up']), { timeout: 5000 });
  });

  it('sends nothing once it has passed', async () => {
    on('users', status(200));
    const error = await failure(client().get('GET /users', 'users', undefined, { deadline: Date.now() - 1 }));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toContain('UPSTREAM_DEADLINE_MS');
    expect(requestsTo('users')).toBe(0);
  });

  it('is the configured deadlineMs from the call when none is given', async () => {
    on('users', status(503, { 'retry-after': '1' }));
    await failure(client({ resilience: { deadlineMs: 1500 } }).get('GET /users', 'users'));
    // One wait of 1 s fits in 1.5 s; a second would not.
    expect(requestsTo('users')).toBe(2);
    expect(sleeps).toEqual([1000]);
  });
});

// --- In-flight bound ---------------------------------------------------------------------------

describe('the in-flight bound', () => {
  it('keeps at most maxInFlight requests of one provider in flight, across callers', async () => {
    on('slow', after(60, status(200)));
    const bounded = client({ resilience: { maxInFlight: 2 } });
    const responses = await Promise.all(Array.from({ length: 6 }, () => bounded.get('GET /slow', 'slow')));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(requestsTo('slow')).toBe(6);
    expect(mostInFlight).toBe(2);
  });
});

// --- Body bound --------------------------------------------------------------------------------

describe('the body bound', () => {
  const LIMIT = 64 * 1024;
  const BIG = 8 * 1024 * 1024;

  it.each([
    ['with a Content-Length', false],
    ['chunked, with none', true],
  ])(
    'refuses a body over maxBodyBytes %s with UPSTREAM_BAD_RESPONSE, without reading it all',
    async (_, chunked) => {
      on('huge', big(BIG, chunked));
      const error = await failure(client({ resilience: { maxBodyBytes: LIMIT } }).get('GET /huge', 'huge'));
      expect(error).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', endpoint: 'GET /huge' });
      expect(error.message).toContain(`larger than ${LIMIT} bytes`);
      expect(requestsTo('huge')).toBe(1);
      // The client went away: the server did not get to write the whole body.
      await vi.waitFor(() => expect(inFlight).toBe(0));
      expect(bigBodies[0]!.finished).toBe(false);
      expect(bigBodies[0]!.written).toBeLessThan(BIG);
    },
  );

  it('reads a body at the bound', async () => {
    on('fits', big(LIMIT, true));
    const response = await client({ resilience: { maxBodyBytes: LIMIT } }).get('GET /fits', 'fits');
    expect(response.body).toHaveLength(LIMIT);
  });
});

// --- Circuit breaker ---------------------------------------------------------------------------

describe('the circuit breaker', () => {
  const OPEN_MS = 5000;
  beforeEach(() => {
    // Only Date: the sockets' own timers stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-03-01T09:00:00Z'));
  });

  const breakerClient = () => client({ breaker: { failureThreshold: 2, openMs: OPEN_MS } });

  it('opens after N failed calls (each after its retries), then fails fast without a request', async () => {
    on('down', status(503));
    const subject = breakerClient();
    await failure(subject.get('GET /down', 'down'));
    await failure(subject.get('GET /down', 'down'));
    expect(requestsTo('down')).toBe(6);

    const fast = await failure(subject.get('GET /down', 'down'));
    expect(requestsTo('down')).toBe(6);
    // Opened at 09:00:00 plus the 300 ms the retries waited (50 + 100, twice).
    expect(sleeps).toEqual([50, 100, 50, 100]);
    expect(fast).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', provider: 'thrive', endpoint: 'GET /down' });
    expect(fast.message).toBe(
      'Thrive is unavailable: its circuit is open after 2 consecutive failures, so requests to it fail at once; one request will probe whether it has recovered at 2026-03-01T09:00:05.300Z (in 5 s) (GET /down was not sent).',
    );
  });

  it('probes once openMs has passed, and closes when the probe succeeds', async () => {
    on('down', status(503));
    const subject = breakerClient();
    await failure(subject.get('GET /down', 'down'));
    await failure(subject.get('GET /down', 'down'));
    vi.advanceTimersByTime(OPEN_MS - 1);
    await failure(subject.get('GET /down', 'down'));
    expect(requestsTo('down')).toBe(6);

    vi.advanceTimersByTime(1);
    on('down', status(200));
    expect((await subject.get('GET /down', 'down')).status).toBe(200);
    expect(requestsTo('down')).toBe(7);
    // Closed: requests go again, every one.
    await subject.get('GET /down', 'down');
    await subject.get('GET /down', 'down');
    expect(requestsTo('down')).toBe(9);
  });

  it('opens again for openMs when the probe fails', async () => {
    on('down', status(503));
    const subject = breakerClient();
    await failure(subject.get('GET /down', 'down'));
    await failure(subject.get('GET /down', 'down'));
    vi.advanceTimersByTime(OPEN_MS);
    await failure(subject.get('GET /down', 'down'));
    expect(requestsTo('down')).toBe(9);
    const fast = await failure(subject.get('GET /down', 'down'));
    expect(requestsTo('down')).toBe(9);
    expect(fast.message).toContain('(in 5 s)');
  });

  it('fails the others fast while the probe is in flight', async () => {
    on('down', status(503));
    const subject = breakerClient();
    await failure(subject.get('GET /down', 'down'));
    await failure(subject.get('GET /down', 'down'));
    vi.advanceTimersByTime(OPEN_MS);
    on('down', after(100, status(200)));
    const probe = subject.get('GET /down', 'down');
    const other = await failure(subject.get('GET /down', 'down'));
    expect(other.message).toContain('one request is probing whether it has recovered');
    expect((await probe).status).toBe(200);
    expect(requestsTo('down')).toBe(7);
  });

  it.each<[number | 'reset', Answer]>([
    [500, status(500)],
    [502, status(502)],
    [504, status(504)],
    ['reset', reset],
  ])(
    'counts a call that ends in %s: two open it, and the third fails fast without a request',
    async (_, answer) => {
      on('down', answer);
      // No retries: each call is one request, so the count below is the breaker's alone.
      const subject = client({ retry: { retries: 0 }, breaker: { failureThreshold: 2, openMs: OPEN_MS } });
      expect((await failure(subject.get('GET /down', 'down'))).code).toBe('UPSTREAM_UNAVAILABLE');
      expect((await failure(subject.get('GET /down', 'down'))).code).toBe('UPSTREAM_UNAVAILABLE');
      expect(requestsTo('down')).toBe(2);

      const fast = await failure(subject.get('GET /down', 'down'));
      expect(fast.message).toContain('its circuit is open after 2 consecutive failures');
      expect(requestsTo('down')).toBe(2);
    },
  );

  it('counts timeouts', async () => {
    on('slow', after(300, status(200)));
    const subject = client({ timeoutMs: 30, retry: { retries: 0 }, breaker: { failureThreshold: 2 } });
    await failure(subject.get('GET /slow', 'slow'));
    await failure(subject.get('GET /slow', 'slow'));
    await failure(subject.get('GET /slow', 'slow'));
    expect(requestsTo('slow')).toBe(2);
  });

  /** Credentials whose token, once refused with 401, cannot be renewed: the token endpoint refuses the client. */
  const refusedRenewal = (): ProviderAuth => {
    const refused = statusError({
      provider: 'thrive',
      answeredBy: 'token endpoint',
      endpoint: 'POST /oauth2/token/{tenantId}',
      status: 401,
      oauthError: 'invalid_client',
      detail: 'HTTP 401; body: {"error":"invalid_client"}',
    });
    return {
      prepare: async () => {},
      authorize: async (headers) => {
        headers.authorization = 'Bearer expired-token';
      },
      renewAfterUnauthorized: async () => false,
      renewalFailure: () => refused,
    };
  };

  it.each<[string, Answer, number | string, () => ProviderAuth]>([
    ['404', status(404), 404, () => staticAuth],
    ['400', status(400), 'UPSTREAM_REJECTED', () => staticAuth],
    ['403', status(403), 'UPSTREAM_AUTH', () => staticAuth],
    [
      '429 (Retry-After past the bound)',
      status(429, { 'retry-after': '60' }),
      'UPSTREAM_RATE_LIMITED',
      () => staticAuth,
    ],
    ['401 whose token refresh the token endpoint refused', status(401), 'UPSTREAM_AUTH', refusedRenewal],
  ])('does not count an answer, %s: the circuit stays closed', async (_, answer, outcome, auth) => {
    on('answer', answer, status(200));
    const subject = client({ auth: auth(), breaker: { failureThreshold: 1 } });
    const call = subject.get('GET /answer', 'answer');
    if (typeof outcome === 'number') expect((await call).status).toBe(outcome);
    else expect((await failure(call)).code).toBe(outcome);
    expect((await subject.get('GET /answer', 'answer')).status).toBe(200);
    expect(requestsTo('answer')).toBe(2);
  });

  it('does not count a timeout the operation’s deadline cut short', async () => {
    on('slow', after(300, status(200)));
    const subject = client({ timeoutMs: 5000, breaker: { failureThreshold: 1 } });
    await failure(subject.get('GET /slow', 'slow', undefined, { deadline: Date.now() + 50 }));
    on('slow', status(200));
    expect((await subject.get('GET /slow', 'slow')).status).toBe(200);
  });

  it('counts a call whose earlier attempts timed out in full, though the deadline cut its last one short', async () => {
    // A provider that hangs. On this file's clock the retry waits are 30 ms each (half of 60 ms,
    // then of min(60, 120)) and the deadline is 90 ms away: attempts 1 and 2 get the full 40 ms
    // timeout and time out, attempt 3 starts at 60 ms with 30 ms left and is cut short. That last
    // attempt alone says nothing about the provider; the two before it do, so the call opens the
    // circuit (threshold 1). Without that rule a hanging provider never opened it.
    on('hang', after(1000, status(200)));
    const subject = client({
      timeoutMs: 40,
      retry: { retries: 2, baseDelayMs: 60, maxDelayMs: 60 },
      breaker: { failureThreshold: 1 },
    });
    const first = await failure(subject.get('GET /hang', 'hang', undefined, { deadline: Date.now() + 90 }));
    expect(first.message).toContain('Gave up after 3 attempts');
    expect(sleeps).toEqual([30, 30]);
    expect(requestsTo('hang')).toBe(3);
    on('hang', status(200));
    const next = await failure(subject.get('GET /hang', 'hang'));
    expect(next.message).toContain('its circuit is open after 1 consecutive failure');
    expect(requestsTo('hang')).toBe(3);
  });

  it('keeps one breaker per client: another provider’s failures do not open it', async () => {
    on('down', status(503));
    on('up', status(200));
    const failing = breakerClient();
    const healthy = breakerClient();
    await failure(failing.get('GET /down', 'down'));
    await failure(failing.get('GET /down', 'down'));
    expect((await healthy.get('GET /up', 'up')).status).toBe(200);
  });
});
