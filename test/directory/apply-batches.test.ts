import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryIndex } from '../../src/directory/index-store.ts';
import { SILENT_DIRECTORY_OBSERVER } from '../../src/directory/observer.ts';
import { ProviderSync } from '../../src/directory/sync.ts';
import type { ProviderName } from '../../src/models.ts';
import { createIspringProvider } from '../../src/providers/ispring/index.ts';
import { createThriveProvider } from '../../src/providers/thrive/index.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import { sandboxProviderConfigs, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { recordingObserver } from '../helpers/observer.ts';

/**
 * A full sync or a poll puts its users into the index a batch at a time and lets the event loop run
 * between batches (queries, health probes and webhooks are answered meanwhile): a watcher that runs
 * on every turn of the event loop sees the user count climb batch by batch, never jump from none
 * to all. Against the sandbox organisation over real HTTP.
 */

const BATCH = 7;
const HOUR_MS = 3_600_000;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

function providerOf(name: ProviderName) {
  const options = { redactor: new SecretRedactor([]), observer: recordingObserver().observer };
  const configs = sandboxProviderConfigs(sandbox, { thrive: 'basic', ispring: 'headers' });
  return name === 'thrive'
    ? createThriveProvider(configs.thrive, options)
    : createIspringProvider(configs.ispring, options);
}

/** Runs `work`, noting the provider's user count on every turn of the event loop meanwhile. */
async function countsSeenDuring(index: DirectoryIndex, provider: ProviderName, work: () => Promise<unknown>) {
  const seen: number[] = [];
  let watching = true;
  const watch = () => {
    seen.push(index.userCount(provider));
    if (watching) setImmediate(watch);
  };
  setImmediate(watch);
  try {
    await work();
  } finally {
    watching = false;
  }
  return seen;
}

describe.each(['thrive', 'ispring'] as const)(
  '%s: a full sync lets the event loop run while it applies',
  (provider) => {
    it(`puts ${BATCH} users per turn of the event loop`, async () => {
      const index = new DirectoryIndex();
      const sync = new ProviderSync(
        providerOf(provider),
        { fullSyncMs: HOUR_MS, pollMs: HOUR_MS },
        { index, observer: SILENT_DIRECTORY_OBSERVER, applyBatch: BATCH },
      );
      let applied: boolean | undefined;
      const seen = await countsSeenDuring(index, provider, async () => (applied = await sync.fullSync()));

      expect(applied).toBe(true);
      const total = index.userCount(provider);
      expect(total).toBe(sandbox.organisation[provider].users.length);
      const between = [...new Set(seen)].filter((count) => count > 0 && count < total);
      // Every count a watcher saw mid-way is a whole number of batches, and it saw most of them.
      expect(between.every((count) => count % BATCH === 0)).toBe(true);
      expect(between.length).toBeGreaterThanOrEqual(Math.floor(total / BATCH / 2));
    });
  },
);
