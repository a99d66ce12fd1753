import type { IspringConfig, ThriveConfig } from '../config.js';
import type { SecretRedactor } from '../errors.js';
import type { ProviderRegistry } from '../loaders/index.js';
import type { ProviderName } from '../models.js';
import { createIspringProvider } from './ispring/index.js';
import { createThriveProvider } from './thrive/index.js';
import type { DirectoryProvider } from './types.js';

/** The providers that have credentials. A provider without credentials is simply absent. */
export function createProviders(
  configs: { thrive?: ThriveConfig | undefined; ispring?: IspringConfig | undefined },
  redactor: SecretRedactor,
): ProviderRegistry {
  const providers = new Map<ProviderName, DirectoryProvider>();
  if (configs.thrive) providers.set('thrive', createThriveProvider(configs.thrive, { redactor }));
  if (configs.ispring) providers.set('ispring', createIspringProvider(configs.ispring, { redactor }));
  return providers;
}
