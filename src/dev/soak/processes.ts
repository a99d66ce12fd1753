import { setTimeout as sleep } from 'node:timers/promises';
import { BenchChild, childBaseEnv } from '../harness/children.js';
import { harnessScript } from '../harness/paths.js';
import type { SandboxInfo } from '../harness/sandbox-process.js';
import { SANDBOX_CREDENTIALS } from '../../sandbox/credentials.js';
import { leakPatterns, type Leak } from './check.js';
import { SANDBOX_DELAY_MS } from './settings.js';
import { startSubgraph, type SubgraphWatch } from './subgraph.js';

/** The soak's two child processes: the sandbox providers, and the subgraph under soak over them. */
export interface Processes {
  readonly sandbox: BenchChild;
  readonly subgraph: SubgraphWatch;
  readonly pid: number;
  /** What no answer may contain: the sandboxes' credentials and origins, upstream bodies, stacks. */
  readonly leaks: readonly Leak[];
}

export async function startProcesses(
  started: number,
  progress: (message: string) => void,
): Promise<Processes> {
  progress(`starting the sandbox providers (d = ${SANDBOX_DELAY_MS} ms)`);
  const sandbox = new BenchChild({
    name: 'sandbox providers',
    modulePath: harnessScript('sandbox-process.js'),
    env: { ...childBaseEnv(), BENCH_SANDBOX_DELAY_MS: String(SANDBOX_DELAY_MS) },
    announcesReady: true,
  });
  const sandboxInfo = (await sandbox.ready) as SandboxInfo;
  progress('starting the subgraph (dist/main.js, NODE_ENV=production, --unhandled-rejections=strict)');
  const subgraph = await startSubgraph(sandboxInfo, started);
  const pid = subgraph.child.pid;

  const secrets = [
    SANDBOX_CREDENTIALS.thrive.apiSecret,
    SANDBOX_CREDENTIALS.thrive.clientSecret,
    SANDBOX_CREDENTIALS.thrive.clientId,
    SANDBOX_CREDENTIALS.ispring.clientSecret,
    SANDBOX_CREDENTIALS.ispring.clientId,
    SANDBOX_CREDENTIALS.ispring.password,
  ];
  const leaks = leakPatterns(secrets, [sandboxInfo.thrive.origin, sandboxInfo.ispring.origin]);
  return { sandbox, subgraph, pid, leaks };
}

/** How the subgraph ended when the soak sent it SIGTERM. */
export interface Shutdown {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** From the SIGTERM to the exit. */
  readonly ms: number;
}

/**
 * SIGTERM, as an orchestrator stops a container, and the time to the exit (undefined when the
 * subgraph was already gone); then the sandbox providers.
 */
export async function stopLikeAnOrchestrator(
  { sandbox, subgraph }: Processes,
  aliveAfter: boolean,
): Promise<Shutdown | undefined> {
  let shutdown: Shutdown | undefined;
  if (aliveAfter) {
    subgraph.stopping = true;
    const exited = subgraph.child.exited;
    const stopStarted = performance.now();
    await subgraph.child.stop('SIGTERM', 10_000);
    shutdown = { ...(await exited), ms: performance.now() - stopStarted };
  }
  await sandbox.stop('SIGTERM');
  await sleep(100); // the last lines of the children's output
  return shutdown;
}
