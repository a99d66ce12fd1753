import { createHash } from 'node:crypto';
import type { EnvReader } from '../env.js';
import type { ProviderName } from '../models.js';
import { PROVIDER_NAMES } from '../provider-facts.js';
import { ispringSecrets, readIspringConfig, type IspringConfig } from './ispring/config.js';
import { createIspringProvider } from './ispring/index.js';
import type { ResilienceConfig } from './resilience/config.js';
import { readThriveConfig, thriveSecrets, type ThriveConfig } from './thrive/config.js';
import { createThriveProvider } from './thrive/index.js';
import type { DirectoryProvider, ProviderOptions, ProviderRegistry } from './types.js';

/**
 * Every provider the subgraph can serve, one row each: how its settings are read from the
 * environment, which of them are secrets, and how it is built. A third provider is one folder
 * beside `thrive/` and `ispring/`, its name in `ProviderName`, a row in `PROVIDER_FACTS` and a row
 * here; the compiler names each place that is missing.
 */
interface ProviderConfigOf {
  readonly thrive: ThriveConfig;
  readonly ispring: IspringConfig;
}

/** The configuration of each provider that has credentials; one without is absent. */
export type ProviderConfigs = { readonly [P in ProviderName]?: ProviderConfigOf[P] | undefined };

/** What every provider's settings share: the request timeout and its resilience settings. */
export interface SharedProviderSettings {
  readonly timeoutMs: number;
  readonly resilience: ResilienceConfig;
}

interface ProviderModule<C> {
  /** Its settings, or undefined when none of its credentials is set; problems go to `env`. */
  readonly readConfig: (env: EnvReader, shared: SharedProviderSettings) => C | undefined;
  /** The secrets its settings hold, for redaction. */
  readonly secretsOf: (config: C) => string[];
  readonly create: (config: C, options: ProviderOptions) => DirectoryProvider;
}

const PROVIDER_MODULES: { readonly [P in ProviderName]: ProviderModule<ProviderConfigOf[P]> } = {
  thrive: { readConfig: readThriveConfig, secretsOf: thriveSecrets, create: createThriveProvider },
  ispring: { readConfig: readIspringConfig, secretsOf: ispringSecrets, create: createIspringProvider },
};

/** Each provider's settings (`THRIVE_*`, `ISPRING_*`), with its share of the upstream settings. */
export function readProviderConfigs(
  env: EnvReader,
  shared: {
    readonly timeoutMs: number;
    readonly resilience: { readonly [P in ProviderName]: ResilienceConfig };
  },
): ProviderConfigs {
  const configs: { [P in ProviderName]?: ProviderConfigOf[P] } = {};
  for (const name of PROVIDER_NAMES) {
    setConfig(configs, name, env, { timeoutMs: shared.timeoutMs, resilience: shared.resilience[name] });
  }
  return configs;
}

function setConfig<P extends ProviderName>(
  configs: { [Q in ProviderName]?: ProviderConfigOf[Q] },
  name: P,
  env: EnvReader,
  shared: SharedProviderSettings,
): void {
  const config = (PROVIDER_MODULES[name] as ProviderModule<ProviderConfigOf[P]>).readConfig(env, shared);
  if (config !== undefined) configs[name] = config;
}

/** Every secret the provider settings hold, for redaction. */
/**
 * Which tenants a set of provider settings is of: a hash of each provider's URL and its settings
 * that are not secrets (tenant and client ids, account URL). Processes of one deployment get the
 * same; another tenant, or the sandbox on other ports, another; rotating a secret keeps it.
 */
export function providersFingerprint(configs: ProviderConfigs): string {
  const secrets = new Set(providerSecrets(configs));
  const hash = createHash('sha256');
  for (const name of PROVIDER_NAMES) {
    const config = configs[name];
    if (config === undefined) continue;
    hash.update(`${name}\u0000${config.baseUrl}\u0000`);
    for (const [key, value] of Object.entries(config.auth).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (typeof value === 'string' && !secrets.has(value)) hash.update(`${key}=${value}\u0000`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

export function providerSecrets(configs: ProviderConfigs): string[] {
  return PROVIDER_NAMES.flatMap((name) => secretsOfOne(name, configs[name]));
}

function secretsOfOne<P extends ProviderName>(name: P, config: ProviderConfigOf[P] | undefined): string[] {
  return config === undefined
    ? []
    : (PROVIDER_MODULES[name] as ProviderModule<ProviderConfigOf[P]>).secretsOf(config);
}

/**
 * The providers that have settings, each built once for the process (its breaker, in-flight bound
 * and token are shared by every operation). `decorate` wraps each one (the cross-request cache).
 */
export function createProviders(
  configs: ProviderConfigs,
  options: ProviderOptions & { readonly decorate?: (provider: DirectoryProvider) => DirectoryProvider },
): ProviderRegistry {
  const { decorate = (provider) => provider, ...providerOptions } = options;
  const providers = new Map<ProviderName, DirectoryProvider>();
  for (const name of PROVIDER_NAMES) {
    const provider = createOne(name, configs[name], providerOptions);
    if (provider) providers.set(name, decorate(provider));
  }
  return providers;
}

function createOne<P extends ProviderName>(
  name: P,
  config: ProviderConfigOf[P] | undefined,
  options: ProviderOptions,
): DirectoryProvider | undefined {
  return config === undefined
    ? undefined
    : (PROVIDER_MODULES[name] as ProviderModule<ProviderConfigOf[P]>).create(config, options);
}
