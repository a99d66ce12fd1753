import { startSandbox } from '../sandbox/index.js';
import { failStart, serveParent } from './ipc.js';
import { createBenchOrganisation } from './organisation.js';

/**
 * The bench's upstreams: both sandbox providers in their own process (forked by run.ts), on
 * ephemeral loopback ports, serving the bench organisation with a fixed delay per response.
 * Announces its base URLs over IPC, then answers: `counts` (per-endpoint request counters of both
 * providers), `reset` (clears them), `setDelay` ({ ms }).
 *
 * Environment: BENCH_SANDBOX_DELAY_MS (default 0).
 */

export interface SandboxInfo {
  readonly thrive: { readonly baseUrl: string; readonly origin: string };
  readonly ispring: { readonly baseUrl: string; readonly origin: string };
  readonly delayMs: number;
}

export interface SandboxCounts {
  readonly thrive: Record<string, number>;
  readonly ispring: Record<string, number>;
}

async function main(): Promise<void> {
  const delayMs = Number(process.env['BENCH_SANDBOX_DELAY_MS'] ?? '0');
  const sandbox = await startSandbox({ host: '127.0.0.1', delayMs, organisation: createBenchOrganisation() });
  const info: SandboxInfo = {
    thrive: { baseUrl: sandbox.thrive.baseUrl, origin: sandbox.thrive.origin },
    ispring: { baseUrl: sandbox.ispring.baseUrl, origin: sandbox.ispring.origin },
    delayMs,
  };
  const stop = () => void sandbox.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  serveParent(
    {
      counts: (): SandboxCounts => ({ thrive: sandbox.thrive.counts(), ispring: sandbox.ispring.counts() }),
      reset: () => {
        sandbox.thrive.reset();
        sandbox.ispring.reset();
        return null;
      },
      setDelay: (params) => {
        const ms = (params as { ms: number }).ms;
        sandbox.thrive.setDelay(ms);
        sandbox.ispring.setDelay(ms);
        return null;
      },
    },
    info,
  );
}

main().catch(failStart);
