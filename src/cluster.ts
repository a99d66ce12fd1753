import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from './logger.js';

/**
 * `WORKERS=n`: n processes serve the same port (node:cluster; the primary accepts connections and
 * hands them to the workers in turn). The primary serves nothing itself: it starts the workers,
 * starts a new one when one dies, sums their metrics for `/metrics`, and stops them all on
 * SIGTERM/SIGINT.
 *
 * Each worker has its own cache, loaders, circuit breakers, readiness checks and directory index: a
 * cache shared between workers needs a shared store (see `src/cache/store.ts`), and the directory is
 * synced once for all of them when Redis shares it (`src/directory/replica.ts`).
 */

/** `WORKERS=auto`: one worker per core the process may use. */
export function workerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

/** Messages between a worker and the primary, besides prom-client's own. */
const METRICS_REQUEST = 'learning-directory:metrics-request';
const METRICS_RESPONSE = 'learning-directory:metrics-response';

interface MetricsRequest {
  readonly type: typeof METRICS_REQUEST;
  readonly id: number;
}
interface MetricsResponse {
  readonly type: typeof METRICS_RESPONSE;
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

/** A worker that dies this soon after it started counts towards a crash loop. */
const EARLY_EXIT_MS = 10_000;
/** This many early exits in a row: the primary gives up rather than restart forever. */
const MAX_EARLY_EXITS = 5;
/** How long workers get to finish their requests after SIGTERM before they are killed. */
const STOP_GRACE_MS = 15_000;

export interface PrimaryOptions {
  readonly workers: number;
  readonly logger: Logger;
  /** Variables every worker gets on top of the primary's environment. */
  readonly workerEnv: Readonly<Record<string, string>>;
  /** Once, when every worker listens: the address they share. */
  onListening(address: { address: string | null; port: number }): void;
  /** After every worker has stopped (SIGTERM/SIGINT, or a crash loop), before the process exits. */
  onStopped(): Promise<void>;
}

/** Runs the primary of a cluster until a signal stops it (or the workers crash in a loop). */
export function runPrimary(options: PrimaryOptions): void {
  const { logger } = options;
  const aggregator = new AggregatorRegistry();
  const startedAt = new Map<number, number>();
  let earlyExits = 0;
  let stopping = false;
  let listening = 0;
  let announced = false;

  const fork = () => {
    const worker = cluster.fork(options.workerEnv);
    startedAt.set(worker.id, Date.now());
    logger.info({ worker: worker.id, workerPid: worker.process.pid }, 'worker started');
  };

  cluster.on('listening', (_worker, address) => {
    listening += 1;
    if (!announced && listening >= options.workers) {
      announced = true;
      options.onListening({ address: address.address, port: address.port });
    }
  });

  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMetricsRequest(message)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_RESPONSE, id: message.id, text } satisfies MetricsResponse),
      (error: unknown) =>
        worker.send({
          type: METRICS_RESPONSE,
          id: message.id,
          error: error instanceof Error ? error.message : String(error),
        } satisfies MetricsResponse),
    );
  });

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) void finish();
      return;
    }
    earlyExits = lived < EARLY_EXIT_MS ? earlyExits + 1 : 0;
    logger.error(
      { worker: worker.id, workerPid: worker.process.pid, code, signal, livedMs: lived },
      'worker exited unexpectedly',
    );
    if (earlyExits >= MAX_EARLY_EXITS) {
      logger.error(
        { earlyExits },
        `workers exited ${earlyExits} times in a row within ${EARLY_EXIT_MS} ms of starting; giving up`,
      );
      stop(1);
      return;
    }
    fork();
  });

  /** 0 after a signal, 1 after a crash loop: set by `stop`, used once every worker is gone. */
  let exitCode = 0;
  const finish = async () => {
    await options.onStopped();
    process.exit(exitCode);
  };
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => !!worker);
    if (workers.length === 0) {
      void finish();
      return;
    }
    for (const worker of workers) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, STOP_GRACE_MS).unref();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      logger.info({ signal }, 'stopping the workers');
      stop(0);
    });
  }

  for (let i = 0; i < options.workers; i += 1) fork();
}

/**
 * In a worker: lets the primary read this worker's registry (prom-client's cluster protocol), and
 * returns what a worker's `/metrics` serves: every worker's metrics, summed by the primary.
 */
export function clusterMetricsSource(registry: Registry, timeoutMs = 5_000): () => Promise<string> {
  // The constructor installs prom-client's listener that answers the primary's requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  let nextId = 0;
  const pending = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  process.on('message', (message: unknown) => {
    if (!isMetricsResponse(message)) return;
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.text !== undefined) waiting.resolve(message.text);
    else waiting.reject(new Error(`the primary could not collect the workers' metrics: ${message.error}`));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the primary did not send the workers' metrics within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      process.send?.({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
    });
}

function isMetricsRequest(message: unknown): message is MetricsRequest {
  return isMessageOfType(message, METRICS_REQUEST);
}

function isMetricsResponse(message: unknown): message is MetricsResponse {
  return isMessageOfType(message, METRICS_RESPONSE);
}

/** IPC carries anything any part of the process sends (prom-client's own messages among them). */
function isMessageOfType(message: unknown, type: string): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const { type: given, id } = message as { type?: unknown; id?: unknown };
  return given === type && typeof id === 'number';
}
