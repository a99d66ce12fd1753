import http from 'node:http';
import type { Operation, SoakRequest } from './operations.js';

/**
 * The soak's clients: `connections` loops in the soak's own process, each sending one request at a
 * time on its keep-alive connection and handing every answer, whole, to `onResult` (which checks
 * it). They stop at `endAt` or once `maxRequests` have been sent, whichever comes first; the
 * requests in flight then finish (each is bounded by `timeoutMs`).
 */

export interface ClientResult {
  readonly operation: Operation;
  readonly index: number;
  /** 0 when no response came (see `transportError`). */
  readonly status: number;
  readonly contentType: string | undefined;
  readonly cacheControl: string | undefined;
  readonly body: string;
  /** Wall time from sending to the last byte, ms. */
  readonly ms: number;
  /** Set when the request got no complete response: a connection error, or the client's timeout. */
  readonly transportError?: string;
}

export interface ClientOptions {
  readonly url: string;
  readonly connections: number;
  /** `performance.now()` time after which no request is sent. */
  readonly endAt: number;
  readonly maxRequests: number;
  readonly timeoutMs: number;
  readonly next: () => { operation: Operation; index: number };
  readonly onResult: (result: ClientResult) => void;
  /** Checked before each request: true stops the clients early (the subgraph died, Ctrl-C). */
  readonly aborted: () => boolean;
}

/** Larger answers are cut off and reported as a transport error. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface ClientRun {
  readonly sent: number;
  /** From the first request to the last answer, s. */
  readonly seconds: number;
  /** Why the clients stopped. */
  readonly stoppedBy: 'duration' | 'max-requests' | 'aborted';
}

export async function runClients(options: ClientOptions): Promise<ClientRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(options.url);
  let sent = 0;
  let stoppedBy: ClientRun['stoppedBy'] = 'duration';
  const started = performance.now();

  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.aborted()) {
        stoppedBy = 'aborted';
        return;
      }
      if (performance.now() >= options.endAt) return;
      if (sent >= options.maxRequests) {
        stoppedBy = 'max-requests';
        return;
      }
      sent += 1;
      const { operation, index } = options.next();
      const result = await send(agent, url, operation.requests[index]!, options.timeoutMs);
      options.onResult({ operation, index, ...result });
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, () => worker()));
  } finally {
    agent.destroy();
  }
  return { sent, seconds: (performance.now() - started) / 1000, stoppedBy };
}

type Sent = Omit<ClientResult, 'operation' | 'index'>;

/** One POST; never rejects. */
export function send(agent: http.Agent, url: URL, request: SoakRequest, timeoutMs: number): Promise<Sent> {
  const started = performance.now();
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
  return new Promise<Sent>((resolve) => {
    let settled = false;
    const settle = (value: Omit<Sent, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...value, ms: performance.now() - started });
    };
    const fail = (what: string, status = 0) =>
      settle({ status, contentType: undefined, cacheControl: undefined, body: '', transportError: what });

    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': request.contentType ?? 'application/json',
          'content-length': body.length,
          accept: 'application/json',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            fail(`response larger than ${MAX_RESPONSE_BYTES} bytes`, res.statusCode ?? 0);
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          settle({
            status: res.statusCode ?? 0,
            contentType: header(res.headers['content-type']),
            cacheControl: header(res.headers['cache-control']),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (error: NodeJS.ErrnoException) =>
          fail(`response cut off (${error.code ?? error.message})`, res.statusCode ?? 0),
        );
        res.on('aborted', () => fail('response aborted', res.statusCode ?? 0));
      },
    );
    req.setTimeout(timeoutMs, () => {
      fail(`no answer within ${timeoutMs} ms`);
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      fail(`connection error (${error.code ?? error.message})`),
    );
    req.end(body);
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
