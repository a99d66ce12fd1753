import { UPSTREAM_DEFAULTS } from '../config.js';
import type { ProviderName } from '../models.js';
import { ISPRING_DEFAULTS, type IspringConfig, type IspringUserLookup } from '../providers/ispring/config.js';
import type { ResilienceConfig } from '../providers/resilience/config.js';
import { THRIVE_DEFAULTS, type ThriveConfig } from '../providers/thrive/config.js';
import { createChanges, type SandboxChanges } from './changes.js';
import { SANDBOX_CREDENTIALS } from './credentials.js';
import {
  startIspringSandbox,
  type IspringSandboxServer,
  type ListeningIspringSandboxServer,
} from './ispring-server.js';
import { checkDelay, type SandboxServer } from './recorder.js';
import {
  checkSandboxUsers,
  createDemoOrganisation,
  createLargeOrganisation,
  type DemoOrganisation,
} from './seed/index.js';
import { startThriveSandbox, type ThriveSandboxServer } from './thrive-server.js';
import {
  DEFAULT_ISPRING_TOKEN_LIFETIME_SECONDS,
  DEFAULT_THRIVE_TOKEN_LIFETIME_SECONDS,
  type IspringVariants,
  type ThriveVariants,
} from './variants.js';
import { createWebhookDispatcher, type SandboxWebhooks, type WebhookSettings } from './webhooks.js';

/**
 * The sandbox providers: real HTTP servers on loopback that speak Thrive's and iSpring's APIs as
 * their public docs describe them, serving the demo organisation (or a large generated one,
 * `users`), with a request log and per-endpoint counters that tests read, faults that tests inject
 * (`inject`, see faults.ts), variants that tests select (`setVariants`, see variants.ts), records
 * that tests put or remove while the servers run (`putUser`, …), changes to the organisation as a
 * tenant's administrators make them (`changes`, see changes.ts), and the webhook deliveries the
 * vendors send for them (`webhooks`, see webhooks.ts).
 * `npm start` uses them when no provider is configured; `npm run sandbox` runs them alone.
 */

export interface SandboxOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (ephemeral). */
  thrivePort?: number;
  /** Default 0 (ephemeral). */
  ispringPort?: number;
  /** Default 0: added before every response. */
  delayMs?: number;
  /**
   * Defaults 3600 (Thrive) and 1800 (iSpring), as documented: the default of each server's
   * `tokenLifetimeSeconds` variant (which `variants` may set instead).
   */
  tokenLifetimeSeconds?: { thrive?: number; ispring?: number };
  /** Default `createDemoOrganisation()`, or with `users` `createLargeOrganisation(users)`. */
  organisation?: DemoOrganisation;
  /**
   * Serve the large organisation of that many users per provider (1 to 100,000; seed/large.ts)
   * instead of the demo organisation (`SANDBOX_USERS`). Throws a RangeError outside that range, or
   * with `organisation`.
   */
  users?: number;
  /** Where webhook deliveries go from the start, and how they are retried (`webhooks.configure`). */
  webhooks?: WebhookSettings;
  /**
   * Variants each server starts with, over the defaults of variants.ts; `resetVariants()` comes
   * back to these. Throws a RangeError on a bad one, as `setVariants` does.
   */
  variants?: { thrive?: Partial<ThriveVariants>; ispring?: Partial<IspringVariants> };
}

export interface Sandbox {
  readonly thrive: ThriveSandboxServer;
  readonly ispring: IspringSandboxServer;
  readonly organisation: DemoOrganisation;
  /** Changes to the organisation, each announced as the vendor would (changes.ts). */
  readonly changes: SandboxChanges;
  /** The webhook deliveries: where they go, what was sent, and tools for tests (webhooks.ts). */
  readonly webhooks: SandboxWebhooks;
  /** Closes both servers, keep-alive sockets included, and abandons the deliveries not yet made. */
  close(): Promise<void>;
}

/**
 * Where the two sandboxes listen: all a provider config needs. A cluster's primary starts the
 * sandbox and hands this to its workers (`sandboxAddressesOf`).
 */
export interface SandboxAddresses {
  readonly thrive: Pick<SandboxServer, 'baseUrl' | 'origin'>;
  readonly ispring: Pick<SandboxServer, 'baseUrl' | 'origin'>;
}

export function sandboxAddressesOf(sandbox: Sandbox): SandboxAddresses {
  return {
    thrive: { baseUrl: sandbox.thrive.baseUrl, origin: sandbox.thrive.origin },
    ispring: { baseUrl: sandbox.ispring.baseUrl, origin: sandbox.ispring.origin },
  };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const delayMs = checkDelay(options.delayMs ?? 0);
  if (options.users !== undefined) {
    checkSandboxUsers(options.users);
    if (options.organisation) throw new RangeError('startSandbox takes `users` or `organisation`, not both.');
  }
  // Checked before anything listens.
  const webhooks = createWebhookDispatcher({
    tenantId: SANDBOX_CREDENTIALS.thrive.tenantId,
    ...(options.webhooks ? { settings: options.webhooks } : {}),
  });
  const organisation =
    options.organisation ??
    (options.users === undefined ? createDemoOrganisation() : createLargeOrganisation(options.users));
  const thrive = await startThriveSandbox({
    host,
    port: options.thrivePort ?? 0,
    delayMs,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds?.thrive ?? DEFAULT_THRIVE_TOKEN_LIFETIME_SECONDS,
    organisation: organisation.thrive,
    credentials: SANDBOX_CREDENTIALS.thrive,
    ...(options.variants?.thrive ? { variants: options.variants.thrive } : {}),
  });
  let ispring: ListeningIspringSandboxServer;
  try {
    ispring = await startIspringSandbox({
      host,
      port: options.ispringPort ?? 0,
      delayMs,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds?.ispring ?? DEFAULT_ISPRING_TOKEN_LIFETIME_SECONDS,
      organisation: organisation.ispring,
      credentials: SANDBOX_CREDENTIALS.ispring,
      ...(options.variants?.ispring ? { variants: options.variants.ispring } : {}),
    });
  } catch (error) {
    await thrive.close();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    thrive,
    ispring,
    organisation,
    changes: createChanges({ organisation, thrive, ispring, webhooks }),
    webhooks,
    close: () => {
      webhooks.close();
      return (closed ??= Promise.all([thrive.close(), ispring.close()]).then(() => undefined));
    },
  };
}

/** Provider configs that point at a running sandbox, in the chosen auth modes. */
export function sandboxProviderConfigs(
  sandbox: SandboxAddresses,
  modes: { thrive?: 'basic' | 'oauth'; ispring?: 'token' | 'headers' } = {},
  overrides: {
    timeoutMs?: number;
    /** Each provider's resilience (`config.upstream.resilience`); the defaults when absent. */
    resilience?: { readonly [P in ProviderName]?: ResilienceConfig };
    thriveUserBatchSize?: number;
    thriveConcurrency?: number;
    ispringUserBatchSize?: number;
    ispringFormat?: 'xml' | 'json';
    ispringUserLookup?: IspringUserLookup;
    audiencePageSize?: number;
  } = {},
): { thrive: ThriveConfig; ispring: IspringConfig } {
  const thriveCredentials = SANDBOX_CREDENTIALS.thrive;
  const ispringCredentials = SANDBOX_CREDENTIALS.ispring;
  const timeoutMs = overrides.timeoutMs ?? UPSTREAM_DEFAULTS.timeoutMs;
  const thrive: ThriveConfig = {
    baseUrl: sandbox.thrive.baseUrl,
    auth:
      (modes.thrive ?? 'oauth') === 'basic'
        ? { mode: 'basic', tenantId: thriveCredentials.tenantId, apiSecret: thriveCredentials.apiSecret }
        : {
            mode: 'oauth',
            tenantId: thriveCredentials.tenantId,
            clientId: thriveCredentials.clientId,
            clientSecret: thriveCredentials.clientSecret,
            tokenUrl: `${sandbox.thrive.origin}/oauth2/token/${encodeURIComponent(thriveCredentials.tenantId)}`,
            scope: THRIVE_DEFAULTS.scope,
          },
    timeoutMs,
    userBatchSize: overrides.thriveUserBatchSize ?? THRIVE_DEFAULTS.userBatchSize,
    concurrency: overrides.thriveConcurrency ?? THRIVE_DEFAULTS.concurrency,
    audiencePageSize: overrides.audiencePageSize ?? THRIVE_DEFAULTS.audiencePageSize,
    ...(overrides.resilience?.thrive ? { resilience: overrides.resilience.thrive } : {}),
  };
  const ispring: IspringConfig = {
    baseUrl: sandbox.ispring.baseUrl,
    auth:
      (modes.ispring ?? 'token') === 'headers'
        ? {
            mode: 'headers',
            accountUrl: ispringCredentials.accountUrl,
            email: ispringCredentials.email,
            password: ispringCredentials.password,
          }
        : {
            mode: 'token',
            clientId: ispringCredentials.clientId,
            clientSecret: ispringCredentials.clientSecret,
          },
    timeoutMs,
    userBatchSize: overrides.ispringUserBatchSize ?? ISPRING_DEFAULTS.userBatchSize,
    format: overrides.ispringFormat ?? ISPRING_DEFAULTS.format,
    userLookup: overrides.ispringUserLookup ?? 'auto',
    ...(overrides.resilience?.ispring ? { resilience: overrides.resilience.ispring } : {}),
  };
  return { thrive, ispring };
}

export {
  checkSandboxUsers,
  createDemoOrganisation,
  createLargeOrganisation,
  DEMO,
  MAX_SANDBOX_USERS,
} from './seed/index.js';
export type { DemoAnchors, DemoOrganisation, ThriveAudienceManagerSeed } from './seed/index.js';
export type { SandboxRequest, SandboxServer } from './recorder.js';
export type { SandboxFault, SandboxFaultKind, SandboxFaultOptions } from './faults.js';
export { SANDBOX_CREDENTIALS } from './credentials.js';
export {
  SandboxChangeError,
  type IspringChanges,
  type IspringDepartmentChange,
  type IspringDepartmentInput,
  type IspringGroupInput,
  type IspringUserChange,
  type IspringUserInput,
  type SandboxChanges,
  type ThriveAudienceChange,
  type ThriveAudienceInput,
  type ThriveChanges,
  type ThriveUserChange,
  type ThriveUserInput,
} from './changes.js';
export {
  MAX_REGISTRATIONS_PER_DELIVERY,
  type IspringRegistration,
  type SandboxWebhooks,
  type ThriveWebhookEvent,
  type ThriveWebhookUser,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookDeliveryState,
  type WebhookProvider,
  type WebhookSettings,
  type WebhookSignature,
  type WebhookTarget,
} from './webhooks.js';
export {
  ISPRING_ACCOUNT_PREFIXES,
  MAX_REQUEST_LINE_BYTES,
  type IspringRecords,
  type IspringSandboxServer,
} from './ispring-server.js';
export { type ThriveRecords, type ThriveSandboxServer } from './thrive-server.js';
// The endpoints the sandboxes serve are the providers' own list.
export { ISPRING_ENDPOINTS } from '../providers/ispring/endpoints.js';
export { THRIVE_ENDPOINTS } from '../providers/thrive/endpoints.js';
export {
  DEFAULT_ISPRING_VARIANTS,
  DEFAULT_THRIVE_VARIANTS,
  ISPRING_VARIANT_VALUES,
  THRIVE_VARIANT_VALUES,
  type AccessTokenShape,
  type IspringVariants,
  type ThriveVariants,
  type VariantValues,
} from './variants.js';
