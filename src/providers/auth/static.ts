import type { ProviderAuth } from './types.js';

/** Credentials that are the same on every request (a password, an API secret): nothing to renew. */
export function createStaticAuth(headers: Readonly<Record<string, string>>): ProviderAuth {
  return {
    authorize(outgoing) {
      Object.assign(outgoing, headers);
    },
    renewAfterUnauthorized: async () => false,
    prepare: () => {},
    renewalFailure: () => undefined,
  };
}
