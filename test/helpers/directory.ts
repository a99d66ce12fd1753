import { expect } from 'vitest';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';
import { startStack, type Stack } from './stack.ts';

/**
 * The directory in tests: every provider's full sync run now (each must be applied), and the
 * sandbox's webhook deliveries pointed at the stack's webhook endpoints.
 */

/** Runs a full sync of every provider now; each must be applied. */
export async function syncAll(stack: Stack): Promise<void> {
  const applied = await Promise.all(
    stack.directory.providers().map((provider) => stack.directory.sync(provider)!.fullSync()),
  );
  expect(applied).toEqual(applied.map(() => true));
}

/** Sends the sandbox's webhook deliveries to the stack, signed with `secrets`, one attempt each. */
export function deliverWebhooksTo(stack: Stack, secrets: { thrive: string; ispring: string }): void {
  const base = stack.subgraph.url.replace('/graphql', '/webhooks');
  stack.sandbox.webhooks.configure({
    thrive: { url: `${base}/thrive`, secret: secrets.thrive },
    ispring: { url: `${base}/ispring`, secret: secrets.ispring },
    attempts: 1,
  });
}

/**
 * A stack with the directory on (periods of an hour: nothing runs unless a test makes it), cache
 * TTLs of an hour, its first full syncs applied, and the sandbox's webhooks delivered to it.
 */
export async function startSyncedStackWithWebhooks(secrets: {
  thrive: string;
  ispring: string;
}): Promise<Stack> {
  const stack = await startStack({
    directory: { fullSyncSeconds: 3600, pollSeconds: 3600, webhookSecrets: secrets },
    cache: { ttls: { users: 3600, departments: 3600, groups: 3600 } },
  });
  await syncAll(stack);
  deliverWebhooksTo(stack, secrets);
  return stack;
}

/**
 * A stack whose Thrive index is ready and whose iSpring one is not yet: iSpring's first user list
 * read is held 1.5 s, and Thrive's first full sync has been applied.
 */
export async function startStackWithIspringSyncing(): Promise<Stack> {
  const stack = await startStack({
    directory: { fullSyncSeconds: 3600, pollSeconds: 3600 },
    beforeSubgraph: (sandbox) =>
      sandbox.ispring.inject({ kind: 'delay', ms: 1500 }, { endpoint: ISPRING_ENDPOINTS.usersV2, times: 1 }),
  });
  await stack.directory.sync('thrive')!.fullSync();
  return stack;
}
