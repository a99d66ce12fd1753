import type { ProviderAuth } from '../../src/providers/auth/types.ts';

/**
 * A bearer token that each 401 renews (`token-1`, then `token-2`, …), with the renewals counted:
 * for tests of the client's 401 handling, without a token endpoint.
 */
export function renewingTokenAuth(): { auth: ProviderAuth; renewals: () => number } {
  let current = 'token-1';
  let renewals = 0;
  const auth: ProviderAuth = {
    prepare: async () => {},
    renewalFailure: () => undefined,
    authorize: async (headers) => {
      headers.authorization = `Bearer ${current}`;
    },
    renewAfterUnauthorized: async () => {
      renewals += 1;
      current = `token-${renewals + 1}`;
      return true;
    },
  };
  return { auth, renewals: () => renewals };
}
