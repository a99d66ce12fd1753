import type { Config } from '../config.js';
import type { ProviderConfigs } from '../providers/registry.js';
import {
  sandboxAddressesOf,
  sandboxProviderConfigs,
  startSandbox,
  type Sandbox,
  type SandboxAddresses,
} from './index.js';

/**
 * The demo mode of `npm start` (README "Quick start"): with no provider configured outside
 * production, or with `SANDBOX=1`, the subgraph serves the demo organisation from the sandbox
 * providers on loopback. A cluster's primary starts them once and tells its workers where they
 * listen; a single process starts its own.
 */
export interface DemoMode {
  /** Provider configs that point at the sandbox, with the configuration's upstream settings. */
  readonly providers: ProviderConfigs;
  /** What a cluster's workers are given to find the sandbox this process started. */
  readonly workerEnv: Readonly<Record<string, string>>;
  /** Stops the sandbox this process started (nothing for a worker). */
  close(): Promise<void>;
}

/** How a cluster's primary tells its workers where the sandbox it started listens. */
export const SANDBOX_ADDRESSES_VARIABLE = 'LEARNING_DIRECTORY_SANDBOX_ADDRESSES';

/**
 * Starts the sandbox and prints where it listens, or, given the addresses a cluster's primary
 * handed down (`inherited`, the value of `SANDBOX_ADDRESSES_VARIABLE`), uses that one.
 */
export async function startDemoMode(
  config: Pick<Config, 'sandboxDelayMs' | 'upstream'> &
    Partial<Pick<Config, 'sandboxUsers' | 'sandboxWebhooks'>>,
  options: { readonly inherited?: string | undefined; readonly print?: (text: string) => void } = {},
): Promise<DemoMode> {
  const print = options.print ?? ((text: string) => void process.stdout.write(text));
  let sandbox: Sandbox | undefined;
  let addresses: SandboxAddresses;
  if (options.inherited !== undefined) {
    addresses = JSON.parse(options.inherited) as SandboxAddresses;
  } else {
    sandbox = await startSandbox({
      delayMs: config.sandboxDelayMs,
      ...(config.sandboxUsers === undefined ? {} : { users: config.sandboxUsers }),
      ...(config.sandboxWebhooks ? { webhooks: config.sandboxWebhooks } : {}),
    });
    print(sandboxBanner(sandbox, config.sandboxUsers));
    addresses = sandboxAddressesOf(sandbox);
  }
  return {
    providers: sandboxProviderConfigs(addresses, {}, config.upstream),
    workerEnv: sandbox ? { [SANDBOX_ADDRESSES_VARIABLE]: JSON.stringify(addresses) } : {},
    close: async () => {
      await sandbox?.close();
    },
  };
}

function sandboxBanner(sandbox: Sandbox, users: number | undefined): string {
  const webhooks = sandbox.webhooks.targets;
  return [
    'SANDBOX MODE: no provider credentials are configured (or SANDBOX=1), so this subgraph serves the',
    users === undefined
      ? 'built-in demo organisation from sandbox providers on loopback (on ports chosen at random):'
      : `built-in large organisation (SANDBOX_USERS=${users} per provider) from sandbox providers on loopback (on ports chosen at random):`,
    `  Thrive sandbox:  ${sandbox.thrive.baseUrl}`,
    `  iSpring sandbox: ${sandbox.ispring.baseUrl}`,
    ...(webhooks.thrive ? [`  Thrive webhooks to:  ${webhooks.thrive.url}`] : []),
    ...(webhooks.ispring ? [`  iSpring webhooks to: ${webhooks.ispring.url}`] : []),
    'Set THRIVE_* and/or ISPRING_* credentials to serve a real tenant (see README).',
    '',
  ].join('\n');
}
