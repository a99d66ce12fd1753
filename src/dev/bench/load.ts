import autocannon from 'autocannon';
import { failStart, serveParent } from '../harness/ipc.js';

/**
 * The load generator (forked by run.ts, so that its CPU is not the subgraph's): runs autocannon's
 * programmatic API against a URL with POST bodies and returns a summary over IPC. Latency
 * percentiles are computed here from every 2xx response's own time (autocannon's `response`
 * event, sub-millisecond), not from its millisecond histogram.
 */

export interface LoadRequest {
  readonly url: string;
  /** One body, or several sent in turn on every connection (a mix). */
  readonly bodies: readonly string[];
  readonly connections: number;
  /** Seconds; ignored when `amount` is set. */
  readonly durationSeconds?: number;
  /** Exactly this many requests. */
  readonly amount?: number;
  /** Seconds before a request counts as timed out. */
  readonly timeoutSeconds?: number;
}

export interface LoadSummary {
  /** 2xx responses. */
  readonly ok: number;
  readonly non2xx: number;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
  /** Wall time of the run, seconds: to the last response (a run of `amount`), or the duration. */
  readonly seconds: number;
  /** 2xx responses per second. */
  readonly opsPerSecond: number;
  /** Milliseconds, over 2xx responses. */
  readonly latency: {
    readonly min: number;
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

async function run(request: LoadRequest): Promise<LoadSummary> {
  const times: number[] = [];
  const options: autocannon.Options = {
    url: request.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: request.bodies.map((body) => ({ method: 'POST', body })),
    connections: request.connections,
    pipelining: 1,
    timeout: request.timeoutSeconds ?? 30,
    // autocannon notices the end of an `amount` run on its next sample tick (1 s by default).
    sampleInt: 100,
    ...(request.amount !== undefined
      ? { amount: request.amount }
      : { duration: request.durationSeconds ?? 10 }),
  };
  const started = performance.now();
  let lastResponseAt = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error: unknown, done: autocannon.Result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) times.push(responseTime);
      lastResponseAt = performance.now();
    });
  });
  // An `amount` run lasts until its last response; a timed run, its duration.
  const seconds =
    request.amount !== undefined
      ? (lastResponseAt - started) / 1000
      : Math.min(result.duration, (performance.now() - started) / 1000);
  times.sort((a, b) => a - b);
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    opsPerSecond: seconds > 0 ? result['2xx'] / seconds : Number.NaN,
    latency: {
      min: times[0] ?? Number.NaN,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      max: times[times.length - 1] ?? Number.NaN,
    },
  };
}

try {
  serveParent({ run: (params) => run(params as LoadRequest) }, { pid: process.pid });
} catch (error) {
  failStart(error);
}
