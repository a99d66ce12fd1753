import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import xml2js from 'xml2js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEMO,
  ISPRING_ENDPOINTS,
  SANDBOX_CREDENTIALS,
  startSandbox,
  THRIVE_ENDPOINTS,
  type Sandbox,
} from '../../src/sandbox/index.ts';

/** Faults injected into the sandboxes, seen by raw clients (node:http and fetch) over real HTTP. */

const thriveAuth = {
  authorization: `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.thrive.tenantId}:${SANDBOX_CREDENTIALS.thrive.apiSecret}`).toString('base64')}`,
};
const ispringAuth = {
  'x-auth-account-url': SANDBOX_CREDENTIALS.ispring.accountUrl,
  'x-auth-email': SANDBOX_CREDENTIALS.ispring.email,
  'x-auth-password': SANDBOX_CREDENTIALS.ispring.password,
};
const JSON_ACCEPT = { accept: 'application/json' };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => {
  for (const server of [sandbox.thrive, sandbox.ispring]) {
    server.clearFaults();
    server.reset();
  }
});

const thriveUser = () => `${sandbox.thrive.baseUrl}/user/${DEMO.thrive.ceo}`;
const ispringUser = () => `${sandbox.ispring.baseUrl}/user/${DEMO.ispring.ceo}/v2`;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every byte that arrived. */
  body: Buffer;
  /** Whether the body arrived whole (node's `IncomingMessage.complete`). */
  complete: boolean;
}

/**
 * A GET on a fresh connection that reports what arrived, whole or not: rejects only when no
 * response arrived at all (with the socket's error).
 */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => {});
      response.on('close', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          complete: response.complete,
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** The error a rejected promise carries. */
async function failureOf(promise: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  try {
    await promise;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error('expected the promise to reject');
}

async function parsesAsXml(text: string): Promise<boolean> {
  try {
    await xml2js.parseStringPromise(text);
    return true;
  } catch {
    return false;
  }
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('a status fault', () => {
  it('answers with the status and Thrive’s own error body', async () => {
    sandbox.thrive.inject({ kind: 'status', status: 503 });
    const response = await fetch(thriveUser(), { headers: thriveAuth });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({
      status: 503,
      error: 'Service Unavailable',
      message: expect.any(String),
    });
  });

  it('answers with iSpring’s own error body, in XML or JSON as the request asks', async () => {
    sandbox.ispring.inject({ kind: 'status', status: 500 });
    const xml = await fetch(ispringUser(), { headers: ispringAuth });
    expect(xml.status).toBe(500);
    expect(xml.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const parsed = (await xml2js.parseStringPromise(await xml.text())) as any;
    expect(parsed.response).toEqual({ code: ['500'], message: [expect.any(String)] });

    const json = await fetch(ispringUser(), { headers: { ...ispringAuth, ...JSON_ACCEPT } });
    expect(json.status).toBe(500);
    expect(await json.json()).toEqual({ code: 500, message: expect.any(String) });
  });

  it('sends a given body and headers instead, the content type among them', async () => {
    sandbox.thrive.inject({
      kind: 'status',
      status: 403,
      body: 'denied by policy',
      headers: { 'Content-Type': 'text/plain', 'X-Request-Id': 'abc-123' },
    });
    const response = await fetch(thriveUser(), { headers: thriveAuth });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('x-request-id')).toBe('abc-123');
    expect(await response.text()).toBe('denied by policy');
  });
});

describe('a status fault of 200', () => {
  it('sends any verbatim body as a success: a maintenance page, odd XML, an error document, JSON {} and null', async () => {
    const page =
      '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Maintenance</title></head><body><p>Back soon.</p></body></html>';
    const bodies: Array<[string, string | undefined]> = [
      [page, 'text/html'],
      ['<foo/>', undefined],
      ['<response/>', undefined],
      ['<response><code>500</code><message>Internal error</message></response>', undefined],
      ['{}', 'application/json'],
      ['null', 'application/json'],
    ];
    for (const [body, contentType] of bodies) {
      sandbox.ispring.inject(
        {
          kind: 'status',
          status: 200,
          body,
          ...(contentType ? { headers: { 'content-type': contentType } } : {}),
        },
        { times: 1 },
      );
      const response = await fetch(ispringUser(), { headers: ispringAuth });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(contentType ?? 'application/xml; charset=utf-8');
      expect(await response.text()).toBe(body);
    }
    sandbox.thrive.inject({ kind: 'status', status: 200, body: 'null' }, { times: 1 });
    const thrive = await fetch(thriveUser(), { headers: thriveAuth });
    expect([thrive.status, thrive.headers.get('content-type'), await thrive.text()]).toEqual([
      200,
      'application/json; charset=utf-8',
      'null',
    ]);
    expect(sandbox.ispring.log.map((entry) => [entry.status, entry.fault])).toEqual(
      bodies.map(() => [200, 'status']),
    );
  });

  it('without a body, sends the API’s own error shape with code 200', async () => {
    sandbox.ispring.inject({ kind: 'status', status: 200 });
    const response = await fetch(ispringUser(), { headers: { ...ispringAuth, ...JSON_ACCEPT } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ code: 200, message: expect.any(String) });
  });
});

describe('a rateLimit fault', () => {
  it('answers 429 with Retry-After in seconds and the API’s error body', async () => {
    sandbox.ispring.inject({ kind: 'rateLimit', retryAfter: 7 });
    const response = await fetch(ispringUser(), { headers: { ...ispringAuth, ...JSON_ACCEPT } });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({ code: 429, message: expect.any(String) });
  });

  it('sends a Retry-After string as it is, an HTTP date say', async () => {
    const date = new Date(Date.UTC(2030, 0, 2, 3, 4, 5)).toUTCString();
    sandbox.thrive.inject({ kind: 'rateLimit', retryAfter: date });
    const response = await fetch(thriveUser(), { headers: thriveAuth });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe(date);
    expect(((await response.json()) as any).error).toBe('Too Many Requests');
  });
});

describe('a delay fault', () => {
  // A real delay is what is tested, so the test waits for it; what it asserts is an order, not a
  // time: the same request sent after the delayed one, without the fault, is answered first. The
  // delay is long so that this holds on a loaded machine too.
  const DELAY_MS = 1000;

  it('sends the endpoint’s own answer later: after the answer to the same request sent after it', async () => {
    sandbox.thrive.inject({ kind: 'delay', ms: DELAY_MS }, { times: 1 });
    let delayedSettled = false;
    const delayed = fetch(thriveUser(), { headers: thriveAuth }).then(async (response) => {
      const body = (await response.json()) as any;
      delayedSettled = true;
      return { status: response.status, id: body.id };
    });
    // The log has a request once its answer is ready, before the delay.
    await vi.waitFor(() => expect(sandbox.thrive.count()).toBe(1), { timeout: 5000 });
    const prompt = await fetch(thriveUser(), { headers: thriveAuth });
    expect(prompt.status).toBe(200);
    expect(((await prompt.json()) as any).id).toBe(DEMO.thrive.ceo);
    expect(delayedSettled).toBe(false);

    expect(await delayed).toEqual({ status: 200, id: DEMO.thrive.ceo });
    expect(sandbox.thrive.log.map((entry) => entry.fault)).toEqual(['delay', undefined]);
  });

  it('outlasts a client timeout', async () => {
    sandbox.ispring.inject({ kind: 'delay', ms: 10_000 });
    const error = await failureOf(
      fetch(ispringUser(), { headers: ispringAuth, signal: AbortSignal.timeout(100) }),
    );
    expect(error.name).toBe('TimeoutError');
    expect(sandbox.ispring.log).toEqual([expect.objectContaining({ status: 200, fault: 'delay' })]);
  });

  it('does not hold the server open: close() does not wait for it', async () => {
    const own = await startSandbox();
    own.thrive.inject({ kind: 'delay', ms: 60_000 });
    const pending = rawGet(`${own.thrive.baseUrl}/users`, thriveAuth).then(
      () => 'answered',
      () => 'failed',
    );
    while (own.thrive.count() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await pending).toBe('failed');
  });
});

describe('a reset fault', () => {
  it('drops the connection without a response: ECONNRESET for node:http', async () => {
    sandbox.thrive.inject({ kind: 'reset' });
    const error = await failureOf(rawGet(thriveUser(), thriveAuth));
    expect(error.code).toBe('ECONNRESET');
  });

  it('makes fetch fail, and is logged with status 0', async () => {
    sandbox.ispring.inject({ kind: 'reset' }, { times: 1 });
    const error = await failureOf(fetch(ispringUser(), { headers: ispringAuth }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(sandbox.ispring.log).toEqual([
      expect.objectContaining({ endpoint: ISPRING_ENDPOINTS.userV2, status: 0, fault: 'reset' }),
    ]);
  });
});

describe('a truncate fault', () => {
  it('declares the whole body’s length, sends half of it, then closes', async () => {
    const whole = await rawGet(thriveUser(), thriveAuth);
    sandbox.thrive.inject({ kind: 'truncate' });
    const cut = await rawGet(thriveUser(), thriveAuth);
    expect(cut.status).toBe(200);
    expect(cut.headers['content-length']).toBe(String(whole.body.length));
    expect(cut.complete).toBe(false);
    expect(cut.body).toEqual(whole.body.subarray(0, Math.floor(whole.body.length / 2)));
  });

  it('sends exactly the bytes asked for, none included', async () => {
    for (const bytes of [10, 0]) {
      sandbox.ispring.inject({ kind: 'truncate', bytes }, { times: 1 });
      const cut = await rawGet(ispringUser(), ispringAuth);
      expect(cut.complete).toBe(false);
      expect(cut.body.toString()).toBe('<?xml version="1.0" encoding="UTF-8"?>'.slice(0, bytes));
    }
  });

  it('never sends the whole body, however many bytes are asked for', async () => {
    sandbox.ispring.inject({ kind: 'truncate', bytes: 10_000_000 });
    const cut = await rawGet(ispringUser(), ispringAuth);
    expect(cut.complete).toBe(false);
    expect(cut.body.length).toBe(Number(cut.headers['content-length']) - 1);
  });

  it('makes fetch fail while reading the body', async () => {
    sandbox.thrive.inject({ kind: 'truncate' });
    const response = await fetch(thriveUser(), { headers: thriveAuth });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});

describe('a malformed fault', () => {
  it('sends Thrive JSON that does not parse, whole and with its usual status and type', async () => {
    sandbox.thrive.inject({ kind: 'malformed' });
    const response = await rawGet(thriveUser(), thriveAuth);
    expect(response.status).toBe(200);
    expect(response.complete).toBe(true);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['content-length']).toBe(String(response.body.length));
    expect(parsesAsJson(response.body.toString())).toBe(false);
  });

  it('sends iSpring XML that does not parse, and JSON that does not when JSON is asked for', async () => {
    sandbox.ispring.inject({ kind: 'malformed' });
    const xml = await rawGet(ispringUser(), ispringAuth);
    expect(xml.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(xml.body.toString()).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?><response>/);
    expect(await parsesAsXml(xml.body.toString())).toBe(false);
    const json = await rawGet(ispringUser(), { ...ispringAuth, ...JSON_ACCEPT });
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(parsesAsJson(json.body.toString())).toBe(false);
  });

  it('breaks even the shortest body, an empty XML list', async () => {
    sandbox.ispring.inject({ kind: 'malformed' });
    const response = await rawGet(
      `${sandbox.ispring.baseUrl}/user?emails[]=nobody%40nowhere.example`,
      ispringAuth,
    );
    expect(response.body.toString()).toBe('<?xml version="1.0" encoding="UTF-8"?><response/');
    expect(await parsesAsXml(response.body.toString())).toBe(false);
  });
});

describe('an html fault', () => {
  it('answers 502 with a proxy’s HTML page', async () => {
    sandbox.ispring.inject({ kind: 'html' });
    const response = await fetch(ispringUser(), { headers: { ...ispringAuth, ...JSON_ACCEPT } });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(response.headers.get('server')).toBe('nginx');
    const text = await response.text();
    expect(text).toContain('<title>502 Bad Gateway</title>');
    expect(parsesAsJson(text)).toBe(false);
  });

  it('uses the status given', async () => {
    sandbox.thrive.inject({ kind: 'html', status: 504 });
    const response = await fetch(thriveUser(), { headers: thriveAuth });
    expect(response.status).toBe(504);
    expect(await response.text()).toContain('<h1>504 Gateway Timeout</h1>');
  });
});

describe('a doctype fault', () => {
  /** The length of an entity once expanded, from the declarations (no parser asked). */
  function expandedLength(document: string, name: string): number {
    const declarations = new Map(
      [...document.matchAll(/<!ENTITY (\w+) "([^"]*)">/g)].map((match) => [match[1]!, match[2]!]),
    );
    // Memoised: each level refers to the one below ten times, as the attack counts on.
    const lengths = new Map<string, number>();
    const length = (entity: string): number => {
      const known = lengths.get(entity);
      if (known !== undefined) return known;
      const value = declarations.get(entity)!;
      let total = value.replace(/&\w+;/g, '').length;
      for (const reference of value.matchAll(/&(\w+);/g)) total += length(reference[1]!);
      lengths.set(entity, total);
      return total;
    };
    return length(name);
  }

  it('sends iSpring a small XML document whose entities expand to 3 GB, and an external entity', async () => {
    sandbox.ispring.inject({ kind: 'doctype' });
    const response = await rawGet(ispringUser(), ispringAuth);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/xml; charset=utf-8');
    const text = response.body.toString();
    expect(text.length).toBeLessThan(2048);
    expect(text).toMatch(/^<\?xml[^>]*\?>\n<!DOCTYPE response \[/);
    expect(text).toContain('<!ENTITY xxe SYSTEM "file:///etc/passwd">');
    expect(text).toContain('<message>&lol9;</message>');
    expect(text).toContain('<detail>&xxe;</detail>');
    expect(expandedLength(text, 'lol9')).toBe(3_000_000_000);
  });

  it('sends Thrive the same XML, as application/xml', async () => {
    sandbox.thrive.inject({ kind: 'doctype' });
    const response = await rawGet(thriveUser(), thriveAuth);
    expect(response.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(response.body.toString()).toContain('<!DOCTYPE response [');
  });
});

describe('an oversized fault', () => {
  const MB = 1024 * 1024;

  it('streams a 20 MB JSON body of exactly that size, with its Content-Length, that parses', async () => {
    sandbox.thrive.inject({ kind: 'oversized', bytes: 20 * MB });
    const response = await rawGet(thriveUser(), thriveAuth);
    expect(response.status).toBe(200);
    expect(response.complete).toBe(true);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['content-length']).toBe(String(20 * MB));
    expect(response.body.length).toBe(20 * MB);
    expect(Object.keys(JSON.parse(response.body.toString()) as object)).toEqual(['padding']);
  });

  it('streams XML to iSpring’s XML readers, chunked with no length when asked', async () => {
    sandbox.ispring.inject({ kind: 'oversized', bytes: 2 * MB + 3, chunked: true });
    const response = await rawGet(ispringUser(), ispringAuth);
    expect(response.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(response.headers['content-length']).toBeUndefined();
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(response.body.length).toBe(2 * MB + 3);
    expect(await parsesAsXml(response.body.toString())).toBe(true);
  });

  it('lets a client stop reading partway, as a client with a size limit does, and answers on', async () => {
    sandbox.ispring.inject({ kind: 'oversized', bytes: 1024 * MB });
    const controller = new AbortController();
    const response = await fetch(ispringUser(), { headers: ispringAuth, signal: controller.signal });
    const reader = response.body!.getReader();
    let received = 0;
    while (received < MB) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`the body ended after ${received} bytes`);
      received += chunk.value.length;
    }
    controller.abort();
    expect(sandbox.ispring.log).toEqual([expect.objectContaining({ status: 200, fault: 'oversized' })]);
    sandbox.ispring.clearFaults();
    const next = await fetch(ispringUser(), { headers: ispringAuth, signal: AbortSignal.timeout(5000) });
    expect(next.status).toBe(200);
  });
});

describe('a badGzip fault', () => {
  it('labels the endpoint’s own plain body gzip: node:http reads it plain, and gunzip refuses it', async () => {
    const plain = await rawGet(thriveUser(), thriveAuth);
    sandbox.thrive.inject({ kind: 'badGzip' });
    const response = await rawGet(thriveUser(), thriveAuth);
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual(plain.body);
    expect(() => gunzipSync(response.body)).toThrow(/incorrect header check/);
  });

  it('makes fetch, which decompresses, fail reading the body, with the status and type still 200 and XML', async () => {
    sandbox.ispring.inject({ kind: 'badGzip' });
    const response = await fetch(ispringUser(), { headers: ispringAuth });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    await expect(response.text()).rejects.toThrow();
    expect(sandbox.ispring.log).toEqual([expect.objectContaining({ status: 200, fault: 'badGzip' })]);
  });

  it('is 200 even where the endpoint’s own answer is not', async () => {
    sandbox.ispring.inject({ kind: 'badGzip' });
    const response = await rawGet(ispringUser());
    expect(response.status).toBe(200);
    expect(response.body.toString()).toContain('<code>401</code>');
  });
});

describe('a headerOverflow fault', () => {
  it('sends one header of 20 KiB: node:http fails parsing it with HPE_HEADER_OVERFLOW', async () => {
    sandbox.thrive.inject({ kind: 'headerOverflow' });
    const error = await failureOf(rawGet(thriveUser(), thriveAuth));
    expect(error.code).toBe('HPE_HEADER_OVERFLOW');
  });

  it('makes fetch fail with UND_ERR_HEADERS_OVERFLOW, and is logged as a 200', async () => {
    sandbox.ispring.inject({ kind: 'headerOverflow' }, { times: 1 });
    const error = await failureOf(fetch(ispringUser(), { headers: ispringAuth }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('UND_ERR_HEADERS_OVERFLOW');
    expect(sandbox.ispring.log).toEqual([expect.objectContaining({ status: 200, fault: 'headerOverflow' })]);
  });

  it('is read whole by a client that allows larger headers', async () => {
    sandbox.thrive.inject({ kind: 'headerOverflow' });
    const response = await new Promise<{ status: number; padding: number; body: string }>(
      (resolve, reject) => {
        const request = httpRequest(
          thriveUser(),
          { headers: thriveAuth, agent: false, maxHeaderSize: 64 * 1024 },
          (incoming) => {
            let body = '';
            incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
            incoming.on('end', () =>
              resolve({
                status: incoming.statusCode ?? 0,
                padding: String(incoming.headers['x-sandbox-padding']).length,
                body,
              }),
            );
          },
        );
        request.on('error', reject);
        request.end();
      },
    );
    expect(response.status).toBe(200);
    expect(response.padding).toBe(20 * 1024);
    expect(JSON.parse(response.body).id).toBe(DEMO.thrive.ceo);
  });
});

describe('times', () => {
  it('applies a fault to the next n matching requests, then the endpoint answers as usual', async () => {
    sandbox.thrive.inject({ kind: 'status', status: 503 }, { endpoint: THRIVE_ENDPOINTS.user, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await fetch(thriveUser(), { headers: thriveAuth })).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
  });

  it('queues faults in the order injected: reset, then 503, then the real answer', async () => {
    const endpoint = ISPRING_ENDPOINTS.userV2;
    sandbox.ispring.inject({ kind: 'reset' }, { endpoint, times: 1 });
    sandbox.ispring.inject({ kind: 'status', status: 503 }, { endpoint, times: 1 });
    await expect(rawGet(ispringUser(), ispringAuth)).rejects.toThrow();
    expect((await rawGet(ispringUser(), ispringAuth)).status).toBe(503);
    expect((await rawGet(ispringUser(), ispringAuth)).status).toBe(200);
    expect(sandbox.ispring.log.map((entry) => [entry.status, entry.fault])).toEqual([
      [0, 'reset'],
      [503, 'status'],
      [200, undefined],
    ]);
  });

  it('without times, applies until clearFaults()', async () => {
    sandbox.thrive.inject({ kind: 'html' });
    for (let i = 0; i < 3; i += 1)
      expect((await fetch(thriveUser(), { headers: thriveAuth })).status).toBe(502);
    sandbox.thrive.clearFaults();
    expect((await fetch(thriveUser(), { headers: thriveAuth })).status).toBe(200);
  });
});

describe('matching', () => {
  it('applies an endpoint’s fault to that endpoint only', async () => {
    sandbox.ispring.inject({ kind: 'status', status: 500 }, { endpoint: ISPRING_ENDPOINTS.usersV2 });
    expect(
      (await fetch(`${sandbox.ispring.baseUrl}/users/v2?pageSize=1`, { headers: ispringAuth })).status,
    ).toBe(500);
    expect((await fetch(ispringUser(), { headers: ispringAuth })).status).toBe(200);
    expect(
      (await fetch(`${sandbox.ispring.baseUrl}/users?pageSize=1`, { headers: ispringAuth })).status,
    ).toBe(200);
  });

  it('applies a * fault to every request: the token endpoint and unknown paths too', async () => {
    sandbox.ispring.inject({ kind: 'status', status: 502 });
    const token = await fetch(`${sandbox.ispring.baseUrl}/api/v3/token`, { method: 'POST' });
    expect(token.status).toBe(502);
    expect((await fetch(`${sandbox.ispring.baseUrl}/no/such/path`)).status).toBe(502);
    expect(sandbox.ispring.counts()).toEqual({ [ISPRING_ENDPOINTS.token]: 1, 'GET <unknown>': 1 });
  });

  it('keeps each server’s faults to itself', async () => {
    sandbox.thrive.inject({ kind: 'status', status: 500 });
    expect((await fetch(ispringUser(), { headers: ispringAuth })).status).toBe(200);
    expect((await fetch(thriveUser(), { headers: thriveAuth })).status).toBe(500);
  });

  it('refuses an endpoint the server does not have, naming the ones it has', () => {
    expect(() => sandbox.thrive.inject({ kind: 'reset' }, { endpoint: ISPRING_ENDPOINTS.usersV2 })).toThrow(
      /'GET \/user\/\{id\}'.*got "GET \/users\/v2"/,
    );
    expect(() => sandbox.ispring.inject({ kind: 'reset' }, { endpoint: THRIVE_ENDPOINTS.user })).toThrow(
      RangeError,
    );
    expect(() => sandbox.ispring.inject({ kind: 'reset' }, { endpoint: 'DELETE <unknown>' })).not.toThrow();
  });
});

describe('the log and counters', () => {
  it('record faulted requests like any other, marked with the fault’s kind', async () => {
    sandbox.thrive.inject(
      { kind: 'rateLimit', retryAfter: 1 },
      { endpoint: THRIVE_ENDPOINTS.users, times: 1 },
    );
    await fetch(`${sandbox.thrive.baseUrl}/users?perPage=1`, { headers: thriveAuth });
    await fetch(`${sandbox.thrive.baseUrl}/users?perPage=1`, { headers: thriveAuth });
    expect(sandbox.thrive.log).toEqual([
      {
        method: 'GET',
        endpoint: THRIVE_ENDPOINTS.users,
        path: '/rest/v1/users',
        query: 'perPage=1',
        status: 429,
        at: expect.any(Number),
        fault: 'rateLimit',
      },
      {
        method: 'GET',
        endpoint: THRIVE_ENDPOINTS.users,
        path: '/rest/v1/users',
        query: 'perPage=1',
        status: 200,
        at: expect.any(Number),
      },
    ]);
    expect('fault' in sandbox.thrive.log[1]!).toBe(false);
    expect(sandbox.thrive.count(THRIVE_ENDPOINTS.users)).toBe(2);
  });

  it('are cleared by reset(), which leaves the faults in place', async () => {
    sandbox.thrive.inject({ kind: 'status', status: 500 });
    await fetch(thriveUser(), { headers: thriveAuth });
    sandbox.thrive.reset();
    expect(sandbox.thrive.count()).toBe(0);
    expect((await fetch(thriveUser(), { headers: thriveAuth })).status).toBe(500);
  });
});

describe('inject', () => {
  it('refuses a fault out of range, before any request', () => {
    const server = sandbox.thrive;
    expect(() => server.inject({ kind: 'status', status: 199 })).toThrow(/from 200 to 599; got 199/);
    expect(() => server.inject({ kind: 'status', status: 600 })).toThrow(/from 200 to 599; got 600/);
    expect(() => server.inject({ kind: 'status', status: 500, headers: { 'content-length': '3' } })).toThrow(
      RangeError,
    );
    expect(() => server.inject({ kind: 'status', status: 500, headers: { 'x-bad': 'a\nb' } })).toThrow();
    expect(() => server.inject({ kind: 'rateLimit', retryAfter: -1 })).toThrow(RangeError);
    expect(() => server.inject({ kind: 'rateLimit', retryAfter: 1.5 })).toThrow(RangeError);
    expect(() => server.inject({ kind: 'delay', ms: 2 ** 31 })).toThrow(RangeError);
    expect(() => server.inject({ kind: 'truncate', bytes: -1 })).toThrow(RangeError);
    expect(() => server.inject({ kind: 'html', status: 100 })).toThrow(RangeError);
    expect(() => server.inject({ kind: 'oversized', bytes: 100 })).toThrow(/at least|from 1024/);
    expect(() => server.inject({ kind: 'reset' }, { times: 0 })).toThrow(/times must be a whole number ≥ 1/);
    expect(() => server.inject({ kind: 'nothing' } as never)).toThrow(
      /badGzip or headerOverflow; got "nothing"/,
    );
  });

  it('keeps its own copy of the fault', async () => {
    const fault = { kind: 'status' as const, status: 500 };
    sandbox.thrive.inject(fault);
    fault.status = 404;
    expect((await fetch(thriveUser(), { headers: thriveAuth })).status).toBe(500);
  });
});
