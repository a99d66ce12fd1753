import type { RequestHandler } from 'express';
import { isProviderError } from '../errors.js';
import { type SecretRedactor } from '../redaction.js';
import type { ProviderRegistry } from '../providers/types.js';
import type { Logger } from '../logger.js';
import type { ProviderName } from '../models.js';
import type { Metrics } from './metrics.js';
import type { Directory } from '../directory/directory.js';
import type { ReplicaStatus } from '../directory/replica.js';
import type { SyncState } from '../directory/sync.js';

/**
 * Readiness (`/health/ready`): each enabled provider answers and accepts our credentials
 * (`DirectoryProvider.checkCredentials`, one small authenticated read through the same client,
 * retries and circuit breaker as every request).
 *
 * - `ok`: every provider passed. `degraded`: some passed and some did not: the subgraph still
 *   answers, with errors for the fields the failing ones hold. `down`: none passed (or none is
 *   configured). `ok` and `degraded` answer 200, so a load balancer keeps sending traffic a
 *   partial answer can serve; `down` answers 503.
 * - Providers are asked at most once per `intervalMs`, however often the endpoint is polled;
 *   polls in between get the last result, and polls that arrive while a check runs wait for it.
 * - A check that takes longer than `timeoutMs` counts as down.
 */

export type ReadinessStatus = 'ok' | 'degraded' | 'down';

export type ProviderReadiness =
  | { readonly status: 'ok'; readonly latencyMs: number }
  | { readonly status: 'down'; readonly latencyMs: number; readonly code: string; readonly message: string };

export interface Readiness {
  readonly status: ReadinessStatus;
  /** When the providers were last asked (ISO 8601). */
  readonly checkedAt: string;
  readonly providers: Readonly<Partial<Record<ProviderName, ProviderReadiness>>>;
  /** The directory index of each provider, as of this answer (absent with `DIRECTORY=live`). */
  readonly directory?: Readonly<Partial<Record<ProviderName, DirectoryReadiness>>>;
  /** The directory shared through Redis, as this process sees it (absent without one). */
  readonly sharedDirectory?: ReplicaStatus;
}

export interface DirectoryReadiness {
  readonly state: SyncState;
  readonly users: number;
  readonly lastFullSyncAt: string | null;
  readonly lastChangeAt: string | null;
  readonly polling: 'on' | 'off' | 'stopped';
  /** Why the state is `degraded`. */
  readonly problem?: string;
}

export interface ReadinessMonitorOptions {
  readonly providers: ProviderRegistry;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly redactor: SecretRedactor;
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
  /** Wall-clock milliseconds; tests pass their own. */
  readonly now?: () => number;
  /** Its state is part of every answer; a provider whose index is `degraded` makes the answer `degraded`. */
  readonly directory?: Directory | undefined;
}

export class ReadinessMonitor {
  private last: { readonly at: number; readonly readiness: Readiness } | undefined;
  private running: Promise<Readiness> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ReadinessMonitorOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The providers' last result if it is recent enough, else a new check (shared with concurrent
   * callers), with the directory's state as of now.
   */
  async readiness(): Promise<Readiness> {
    const last = this.last;
    let providers: Readiness;
    if (last !== undefined && this.now() - last.at < this.options.intervalMs) providers = last.readiness;
    else {
      this.running ??= this.checkAll().finally(() => {
        this.running = undefined;
      });
      providers = await this.running;
    }
    return this.withDirectory(providers);
  }

  private withDirectory(readiness: Readiness): Readiness {
    const directory = this.options.directory;
    if (!directory || directory.mode === 'live') return readiness;
    const states: Partial<Record<ProviderName, DirectoryReadiness>> = {};
    for (const status of directory.status()) {
      states[status.provider] = {
        state: status.state,
        users: status.users,
        lastFullSyncAt: status.lastFullSyncAt,
        lastChangeAt: status.lastChangeAt,
        polling: status.polling,
        ...(status.problem === null ? {} : { problem: status.problem }),
      };
    }
    const shared = directory.replicaStatus();
    const degraded =
      Object.values(states).some((state) => state.state === 'degraded') || shared?.redis === 'down';
    const status = readiness.status === 'ok' && degraded ? 'degraded' : readiness.status;
    return { ...readiness, status, directory: states, ...(shared ? { sharedDirectory: shared } : {}) };
  }

  private async checkAll(): Promise<Readiness> {
    const startedAt = this.now();
    const entries = await Promise.all(
      [...this.options.providers].map(async ([name, provider]) => {
        const result = await this.checkOne(name, () => provider.checkCredentials());
        return [name, result] as const;
      }),
    );
    const providers = Object.fromEntries(entries) as Partial<Record<ProviderName, ProviderReadiness>>;
    const passed = entries.filter(([, result]) => result.status === 'ok').length;
    const status: ReadinessStatus = passed === 0 ? 'down' : passed === entries.length ? 'ok' : 'degraded';
    const readiness: Readiness = { status, checkedAt: new Date(startedAt).toISOString(), providers };
    this.report(readiness);
    this.last = { at: startedAt, readiness };
    return readiness;
  }

  private async checkOne(name: ProviderName, check: () => Promise<void>): Promise<ProviderReadiness> {
    const startedAt = performance.now();
    const latency = () => Math.round(performance.now() - startedAt);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.timeoutMs);
    });
    try {
      const outcome = await Promise.race([check().then(() => 'passed' as const), timedOut]);
      if (outcome === 'passed') return { status: 'ok', latencyMs: latency() };
      return {
        status: 'down',
        latencyMs: latency(),
        code: 'HEALTH_CHECK_TIMEOUT',
        message: `The readiness check of ${name} did not finish within ${this.options.timeoutMs} ms (HEALTH_CHECK_TIMEOUT_MS).`,
      };
    } catch (error) {
      if (isProviderError(error)) {
        return {
          status: 'down',
          latencyMs: latency(),
          code: error.code,
          message: this.options.redactor.redact(error.message),
        };
      }
      this.options.logger.error({ err: error, provider: name }, 'unexpected error in a readiness check');
      return {
        status: 'down',
        latencyMs: latency(),
        code: 'INTERNAL_SERVER_ERROR',
        message: `The readiness check of ${name} failed unexpectedly; see the subgraph's log.`,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Metrics for every check; a log line only when a provider's state changes. */
  private report(readiness: Readiness): void {
    for (const [name, result] of Object.entries(readiness.providers) as [ProviderName, ProviderReadiness][]) {
      this.options.metrics?.providerReady.set({ provider: name }, result.status === 'ok' ? 1 : 0);
      const before = this.last?.readiness.providers[name]?.status;
      if (before === result.status) continue;
      if (result.status === 'ok') {
        this.options.logger.info({ provider: name, latencyMs: result.latencyMs }, `${name} is ready`);
      } else {
        this.options.logger.warn(
          { provider: name, code: result.code, reason: result.message },
          `${name} is not ready`,
        );
      }
    }
  }
}

/** `GET /health/live`: the process is up and its event loop turns. Never asks a provider. */
export function livenessHandler(): RequestHandler {
  return (_req, res) => {
    res
      .status(200)
      .set('cache-control', 'no-store')
      .json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  };
}

/** `GET /health/ready`: the monitor's result; 200 for `ok` and `degraded`, 503 for `down`. */
export function readinessHandler(monitor: ReadinessMonitor): RequestHandler {
  return (_req, res, next) => {
    monitor.readiness().then((readiness) => {
      res
        .status(readiness.status === 'down' ? 503 : 200)
        .set('cache-control', 'no-store')
        .json(readiness);
    }, next);
  };
}
