import { expect } from 'vitest';
import type { Stack } from './stack.ts';

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
