import {
  startSandbox,
  type SandboxChanges,
  type SandboxFault,
  type SandboxServer,
  type WebhookDelivery,
  type WebhookProvider,
  type WebhookSettings,
  type WebhookSignature,
} from '../../sandbox/index.js';
import { failStart, serveParent } from './ipc.js';
import { createBenchOrganisation } from './organisation.js';

/**
 * The bench's upstreams: both sandbox providers in their own process (forked by run.ts), on
 * ephemeral loopback ports, serving the bench organisation with a fixed delay per response.
 * Announces its base URLs over IPC, then answers: `counts` (per-endpoint request counters of both
 * providers), `reset` (clears them), `setDelay` ({ ms }). For `npm run soak`, also: `inject`
 * (`SandboxInjectParams`: one fault into one provider), `clearFaults` ({ provider? }),
 * `expireTokens` ({ provider? }) and `drain` (`SandboxDrain`: what was counted since the last
 * `reset` or `drain`, faults by kind included, then a `reset`).
 *
 * Changes to the organisation, as the in-process sandbox's `changes` (src/sandbox/changes.ts):
 * `change` (`SandboxChangeParams`: a provider, one of its operations and that operation's
 * arguments; answers what the operation returns, or null). Webhooks, as its `webhooks`
 * (src/sandbox/webhooks.ts): `webhooksConfigure` (`WebhookSettings`), `webhookDeliveries` (every
 * `WebhookDelivery` recorded), `webhooksSettled` ({ timeoutMs? }), `webhooksHold` ({ provider? }),
 * `webhooksRelease` (`SandboxWebhookReleaseParams`), `webhooksReplay` ({ id, signature? }),
 * `webhooksSend` (`SandboxWebhookSendParams`), `webhooksSendConfirmation` ({ code? }) and
 * `webhooksClear`.
 *
 * Environment: BENCH_SANDBOX_DELAY_MS (default 0); BENCH_SANDBOX_USERS (unset: the bench
 * organisation; 1 to 100000: the sandbox's large organisation of that many users per provider).
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

export type SandboxProviderName = 'thrive' | 'ispring';

export interface SandboxInjectParams {
  /** Absent: both providers. */
  readonly provider?: SandboxProviderName;
  readonly fault: SandboxFault;
  /** An endpoint template (`GET /user/{id}`), or `'*'` (the default) for every request. */
  readonly endpoint?: string;
  /** The next `times` matching requests; default: until `clearFaults`. */
  readonly times?: number;
}

/** One change of `SandboxChanges`: `{ provider: 'thrive', operation: 'moveUser', args: [id, departmentId] }`. */
export type SandboxChangeParams = {
  [P in SandboxProviderName]: {
    [O in keyof SandboxChanges[P]]: {
      readonly provider: P;
      readonly operation: O;
      readonly args: SandboxChanges[P][O] extends (...args: infer A) => unknown ? A : never;
    };
  }[keyof SandboxChanges[P]];
}[SandboxProviderName];

export interface SandboxWebhookReleaseParams {
  readonly provider?: WebhookProvider;
  readonly order?: 'made' | 'reverse' | readonly number[];
}

export interface SandboxWebhookSendParams {
  readonly provider: WebhookProvider;
  readonly body: unknown;
  readonly signature?: WebhookSignature;
}

export interface SandboxProviderDrain {
  /** Requests by endpoint template. */
  readonly counts: Record<string, number>;
  /** Requests answered with a fault, by fault kind. */
  readonly faults: Record<string, number>;
  /** Requests answered with a fault, by `<endpoint> <kind>`. */
  readonly faultsByEndpoint: Record<string, number>;
  /** Requests by the status sent (0: none, a reset). */
  readonly statuses: Record<string, number>;
}

export interface SandboxDrain {
  readonly thrive: SandboxProviderDrain;
  readonly ispring: SandboxProviderDrain;
}

/** Counters and log of one server since its last reset, then a reset (synchronous: nothing is lost). */
function drainServer(server: SandboxServer): SandboxProviderDrain {
  const faults: Record<string, number> = {};
  const faultsByEndpoint: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  for (const entry of server.log) {
    statuses[entry.status] = (statuses[entry.status] ?? 0) + 1;
    if (entry.fault === undefined) continue;
    faults[entry.fault] = (faults[entry.fault] ?? 0) + 1;
    const key = `${entry.endpoint} ${entry.fault}`;
    faultsByEndpoint[key] = (faultsByEndpoint[key] ?? 0) + 1;
  }
  const counts = server.counts();
  server.reset();
  return { counts, faults, faultsByEndpoint, statuses };
}

async function main(): Promise<void> {
  const delayMs = Number(process.env['BENCH_SANDBOX_DELAY_MS'] ?? '0');
  const users = process.env['BENCH_SANDBOX_USERS'];
  const sandbox = await startSandbox({
    host: '127.0.0.1',
    delayMs,
    ...(users === undefined ? { organisation: createBenchOrganisation() } : { users: Number(users) }),
  });
  const info: SandboxInfo = {
    thrive: { baseUrl: sandbox.thrive.baseUrl, origin: sandbox.thrive.origin },
    ispring: { baseUrl: sandbox.ispring.baseUrl, origin: sandbox.ispring.origin },
    delayMs,
  };
  const servers = (provider: SandboxProviderName | undefined): SandboxServer[] => {
    if (provider === undefined) return [sandbox.thrive, sandbox.ispring];
    if (provider === 'thrive' || provider === 'ispring') return [sandbox[provider]];
    throw new Error(`unknown provider ${JSON.stringify(provider)}`);
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
      inject: (params) => {
        const { provider, fault, endpoint, times } = params as SandboxInjectParams;
        for (const server of servers(provider))
          server.inject(fault, {
            ...(endpoint === undefined ? {} : { endpoint }),
            ...(times === undefined ? {} : { times }),
          });
        return null;
      },
      clearFaults: (params) => {
        for (const server of servers((params as { provider?: SandboxProviderName } | null)?.provider))
          server.clearFaults();
        return null;
      },
      expireTokens: (params) => {
        for (const server of servers((params as { provider?: SandboxProviderName } | null)?.provider))
          server.expireTokens();
        return null;
      },
      drain: (): SandboxDrain => ({
        thrive: drainServer(sandbox.thrive),
        ispring: drainServer(sandbox.ispring),
      }),
      change: (params) => {
        const { provider, operation, args } = params as SandboxChangeParams;
        servers(provider);
        const changes = sandbox.changes[provider] as unknown as Record<string, unknown>;
        const run = Object.hasOwn(changes, operation) ? changes[operation] : undefined;
        if (typeof run !== 'function')
          throw new Error(`unknown ${provider} change ${JSON.stringify(operation)}`);
        return ((run as (...values: unknown[]) => unknown)(...(args as unknown[])) ?? null) as unknown;
      },
      webhooksConfigure: (params) => {
        sandbox.webhooks.configure(params as WebhookSettings);
        return null;
      },
      webhookDeliveries: (): readonly WebhookDelivery[] => sandbox.webhooks.deliveries,
      webhooksSettled: async (params) => {
        await sandbox.webhooks.settled((params as { timeoutMs?: number } | null)?.timeoutMs);
        return null;
      },
      webhooksHold: (params) => {
        sandbox.webhooks.hold((params as { provider?: WebhookProvider } | null)?.provider);
        return null;
      },
      webhooksRelease: (params) => {
        const { provider, order } = (params ?? {}) as SandboxWebhookReleaseParams;
        sandbox.webhooks.release(provider, order);
        return null;
      },
      webhooksReplay: (params) => {
        const { id, signature } = params as { id: number; signature?: WebhookSignature };
        return sandbox.webhooks.replay(id, signature === undefined ? {} : { signature });
      },
      webhooksSend: (params) => {
        const { provider, body, signature } = params as SandboxWebhookSendParams;
        return sandbox.webhooks.send(provider, body, signature === undefined ? {} : { signature });
      },
      webhooksSendConfirmation: (params) =>
        sandbox.webhooks.sendConfirmation((params as { code?: string } | null)?.code),
      webhooksClear: () => {
        sandbox.webhooks.clear();
        return null;
      },
    },
    info,
  );
}

main().catch(failStart);
