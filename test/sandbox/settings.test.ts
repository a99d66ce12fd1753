import { describe, expect, it } from 'vitest';
import { problemsOf } from '../helpers/config.ts';
import { loadConfig, MAX_SANDBOX_USERS, secretsOf } from '../../src/config.ts';
import { startDemoMode } from '../../src/sandbox/demo-mode.ts';
import { SANDBOX_CREDENTIALS, MAX_SANDBOX_USERS as SEED_MAX_USERS } from '../../src/sandbox/index.ts';

/**
 * The sandbox's settings, as `npm start`'s demo mode reads them (src/config.ts) and `npm run
 * sandbox` too: SANDBOX_USERS and SANDBOX_WEBHOOK_* (README "Configuration").
 */

describe('SANDBOX_USERS', () => {
  it('is unset by default (the demo organisation), or a number of users per provider', () => {
    expect(loadConfig({}).sandboxUsers).toBeUndefined();
    expect(loadConfig({ SANDBOX_USERS: '250' }).sandboxUsers).toBe(250);
    expect(loadConfig({ SANDBOX_USERS: '100000' }).sandboxUsers).toBe(100_000);
  });

  it('refuses anything but a whole number from 1 to 100000, naming the variable', () => {
    for (const bad of ['0', '100001', '12.5', 'many', '-3']) {
      expect(problemsOf({ SANDBOX_USERS: bad })).toEqual([
        `SANDBOX_USERS must be a whole number from 1 to 100000; got ${JSON.stringify(bad)}.`,
      ]);
    }
  });

  it('has the sandbox seed’s bound', () => {
    expect(MAX_SANDBOX_USERS).toBe(SEED_MAX_USERS);
  });
});

describe('SANDBOX_WEBHOOK_*', () => {
  it('reads each provider’s URL and secret, and counts the secrets as secrets', () => {
    const config = loadConfig({
      SANDBOX_WEBHOOK_THRIVE_URL: 'http://localhost:4001/webhooks/thrive',
      SANDBOX_WEBHOOK_THRIVE_SECRET: 'thrive-secret',
      SANDBOX_WEBHOOK_ISPRING_URL: 'https://hooks.example/ispring?token=1',
      SANDBOX_WEBHOOK_ISPRING_SECRET: 'ispring-secret',
    });
    expect(config.sandboxWebhooks).toEqual({
      thrive: { url: 'http://localhost:4001/webhooks/thrive', secret: 'thrive-secret' },
      ispring: { url: 'https://hooks.example/ispring?token=1', secret: 'ispring-secret' },
    });
    expect(secretsOf(config)).toEqual(expect.arrayContaining(['thrive-secret', 'ispring-secret']));
    expect(loadConfig({}).sandboxWebhooks).toEqual({});
  });

  it('refuses half a pair and a URL that is not http(s)', () => {
    expect(problemsOf({ SANDBOX_WEBHOOK_THRIVE_URL: 'http://localhost:4001/webhooks/thrive' })).toEqual([
      'SANDBOX_WEBHOOK_THRIVE_URL and SANDBOX_WEBHOOK_THRIVE_SECRET go together; only SANDBOX_WEBHOOK_THRIVE_URL is set.',
    ]);
    expect(problemsOf({ SANDBOX_WEBHOOK_ISPRING_SECRET: 's' })).toEqual([
      'SANDBOX_WEBHOOK_ISPRING_URL and SANDBOX_WEBHOOK_ISPRING_SECRET go together; only SANDBOX_WEBHOOK_ISPRING_SECRET is set.',
    ]);
    expect(
      problemsOf({
        SANDBOX_WEBHOOK_ISPRING_URL: 'localhost:4001/hooks',
        SANDBOX_WEBHOOK_ISPRING_SECRET: 's',
      }),
    ).toEqual([
      'SANDBOX_WEBHOOK_ISPRING_URL must be an absolute http(s) URL, such as http://localhost:4001/webhooks/ispring.',
    ]);
  });
});

describe('the demo mode', () => {
  it('serves the large organisation and sends webhooks where the configuration says', async () => {
    let printed = '';
    const config = loadConfig({
      SANDBOX_USERS: '40',
      SANDBOX_WEBHOOK_THRIVE_URL: 'http://127.0.0.1:9/webhooks/thrive',
      SANDBOX_WEBHOOK_THRIVE_SECRET: 'demo-secret',
    });
    const demo = await startDemoMode(config, { print: (text) => (printed += text) });
    try {
      expect(printed).toContain('built-in large organisation (SANDBOX_USERS=40 per provider)');
      expect(printed).toContain('Thrive webhooks to:  http://127.0.0.1:9/webhooks/thrive');
      const { tenantId, apiSecret } = SANDBOX_CREDENTIALS.thrive;
      const response = await fetch(`${demo.providers.thrive!.baseUrl}/users?perPage=1000`, {
        headers: { authorization: `Basic ${Buffer.from(`${tenantId}:${apiSecret}`).toString('base64')}` },
      });
      expect(((await response.json()) as any).pagination.totalResults).toBe(40);
    } finally {
      await demo.close();
    }
  });
});
