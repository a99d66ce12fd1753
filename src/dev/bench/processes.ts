import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchChild, sandboxProviderEnv } from '../harness/children.js';
import { harnessScript } from '../harness/paths.js';
import type { SandboxInfo } from '../harness/sandbox-process.js';
import type { PeerInfo } from './peer.js';

/**
 * The children `npm run bench` and `npm run bench:compare` both start: the sandbox providers, the
 * load generator and the peer B2, each in its own process.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist/dev/bench

/** The sandbox providers of the bench organisation, answering after `delayMs`. */
export function startSandbox(env: NodeJS.ProcessEnv, delayMs: number): BenchChild {
  return new BenchChild({
    name: 'sandbox providers',
    modulePath: harnessScript('sandbox-process.js'),
    env: { ...env, BENCH_SANDBOX_DELAY_MS: String(delayMs) },
    announcesReady: true,
  });
}

/** autocannon in a process of its own (`load.ts`), so that its CPU is not the measured process's. */
export function startLoadGenerator(env: NodeJS.ProcessEnv): BenchChild {
  return new BenchChild({
    name: 'load generator',
    modulePath: path.join(HERE, 'load.js'),
    env,
    announcesReady: true,
  });
}

/** The peer B2 (`peer.ts`) reading `sandbox`, once it answers. */
export async function startPeer(
  env: NodeJS.ProcessEnv,
  sandbox: SandboxInfo,
  execArgv: readonly string[] = [],
): Promise<{ child: BenchChild; url: string }> {
  const child = new BenchChild({
    name: 'peer B2',
    modulePath: path.join(HERE, 'peer.js'),
    env: { ...env, ...sandboxProviderEnv(sandbox) },
    execArgv,
    announcesReady: true,
  });
  return { child, url: ((await child.ready) as PeerInfo).url };
}
