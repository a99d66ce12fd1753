import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IspringConfig } from '../../src/providers/ispring/config.ts';
import type { ThriveConfig } from '../../src/providers/thrive/config.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import { TOKEN_REFUSAL_BACKOFF_MS } from '../../src/providers/auth/bearer.ts';
import { createIspringProvider } from '../../src/providers/ispring/index.ts';
import type { ResilienceClock } from '../../src/providers/resilience/index.ts';
import { createThriveProvider } from '../../src/providers/thrive/index.ts';
import { sandboxProviderConfigs, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { rejection } from '../helpers/errors.ts';
import { recordingObserver } from '../helpers/observer.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * Token requests as real tenants answer them: which client authentication Thrive's endpoint takes,
 * tokens that cannot be used, refusals shared for a few seconds, and iSpring's token URL on the base
 * URL's origin. Against the sandboxes over real HTTP, their variants switched per test.
 */

const THRIVE_TOKEN = THRIVE_ENDPOINTS.token;
const THRIVE_USER = THRIVE_ENDPOINTS.user;
const ISPRING_TOKEN = ISPRING_ENDPOINTS.token;
const ISPRING_DEPARTMENTS = ISPRING_ENDPOINTS.departmentList;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.thrive.reset();
  sandbox.ispring.reset();
  sandbox.thrive.resetVariants();
  sandbox.ispring.resetVariants();
});

/** A clock the test moves: no real waits, and retries never sleep. */
function manualClock(): ResilienceClock & { advance(ms: number): void } {
  let now = Date.now();
  return {
    now: () => now,
    sleep: async () => {},
    random: () => 0,
    advance(ms) {
      now += ms;
    },
  };
}

function thriveConfig(overrides: Partial<ThriveConfig['auth']> = {}): ThriveConfig {
  const config = sandboxProviderConfigs(sandbox, { thrive: 'oauth' }).thrive;
  if (config.auth.mode !== 'oauth') throw new Error('the sandbox did not give an OAuth config');
  return { ...config, auth: { ...config.auth, ...overrides } as ThriveConfig['auth'] };
}

function thrive(config: ThriveConfig = thriveConfig(), clock = manualClock()) {
  const heard = recordingObserver();
  const tokenStore = new InMemoryLRUCache<string>();
  const provider = createThriveProvider(config, {
    redactor: new SecretRedactor([]),
    observer: heard.observer,
    clock,
    tokenStore,
  });
  const someone = sandbox.organisation.thrive.users[0]!.id;
  return { provider, heard, tokenStore, clock, read: () => provider.openSession().fetchUsers([someone]) };
}

describe("Thrive's token endpoint", () => {
  it('is asked with client_secret_basic, which the default sandbox takes, and says so once', async () => {
    const { read, heard } = thrive();
    await read();
    sandbox.thrive.expireTokens();
    await read();
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_TOKEN]: 2, [THRIVE_USER]: 3 });
    expect(heard.notices.filter((notice) => notice.details?.clientAuthentication)).toEqual([
      expect.objectContaining({
        level: 'info',
        details: expect.objectContaining({ clientAuthentication: 'client_secret_basic' }),
      }),
    ]);
  });

  it('is asked again once with client_secret_post after invalid_client, and that form is kept', async () => {
    sandbox.thrive.setVariants({ tokenClientAuth: 'post' });
    const { read, heard } = thrive();
    const first = await read();
    expect([...first.values()][0]).toMatchObject({ provider: 'thrive' });
    // Basic refused, then the form body: two token requests, one data request.
    expect(sandbox.thrive.log.map((entry) => [entry.endpoint, entry.status])).toEqual([
      [THRIVE_TOKEN, 401],
      [THRIVE_TOKEN, 200],
      [THRIVE_USER, 200],
    ]);
    sandbox.thrive.reset();
    sandbox.thrive.expireTokens();
    await read();
    // The data request's 401, one token request (straight to the form body), the data again.
    expect(sandbox.thrive.log.map((entry) => [entry.endpoint, entry.status])).toEqual([
      [THRIVE_USER, 401],
      [THRIVE_TOKEN, 200],
      [THRIVE_USER, 200],
    ]);
    const said = heard.notices.filter((notice) => notice.details?.clientAuthentication);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ level: 'warn', details: { clientAuthentication: 'client_secret_post' } });
  });

  it('names the OAuth error and both forms when neither takes the credentials', async () => {
    const { read } = thrive(thriveConfig({ clientSecret: 'not-the-secret-0000' }));
    const error = await rejection(read());
    expect(error.code).toBe('UPSTREAM_AUTH');
    expect(error.message).toContain('HTTP 401 invalid_client');
    expect(error.message).toContain('sent as client_secret_basic and as client_secret_post');
    expect(error.message).not.toContain('not-the-secret-0000');
  });

  it('asks for no scope with THRIVE_SCOPE=none (an empty scope), and gets the default scope', async () => {
    const { read } = thrive(thriveConfig({ scope: '' }));
    expect((await read()).size).toBe(1);
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_TOKEN]: 1, [THRIVE_USER]: 1 });
  });

  it('shares a refusal for TOKEN_REFUSAL_BACKOFF_MS: one pair of token requests, then none until it has passed', async () => {
    const { read, clock } = thrive(thriveConfig({ clientSecret: 'not-the-secret-0000' }));
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await rejection(read())).code).toBe('UPSTREAM_AUTH');
    }
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_TOKEN]: 2 });
    clock.advance(TOKEN_REFUSAL_BACKOFF_MS - 1);
    await rejection(read());
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_TOKEN]: 2 });
    clock.advance(1);
    await rejection(read());
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_TOKEN]: 4 });
  });

  it.each([
    ['crlf', { accessToken: 'crlf' }],
    ['space', { accessToken: 'space' }],
    ['a 10 s lifetime', { tokenLifetimeSeconds: 10 }],
  ] as const)(
    'refuses a token it cannot use (%s) as UPSTREAM_BAD_RESPONSE, caches it nowhere, and recovers when the endpoint mends',
    async (_name, variant) => {
      sandbox.thrive.setVariants(variant);
      const { read, clock, tokenStore } = thrive();
      const error = await rejection(read());
      expect([error.code, error.endpoint]).toEqual(['UPSTREAM_BAD_RESPONSE', THRIVE_TOKEN]);
      expect(error.message).toContain('cannot be used');
      expect(sandbox.thrive.counts()).toEqual({ [THRIVE_TOKEN]: 1 });
      // Not in the store: a token nobody can send is never handed to another process.
      const keys = () => [...(tokenStore as unknown as { cache: { keys(): Iterable<string> } }).cache.keys()];
      expect(keys()).toEqual([]);

      sandbox.thrive.resetVariants();
      clock.advance(TOKEN_REFUSAL_BACKOFF_MS);
      expect((await read()).size).toBe(1);
      expect(sandbox.thrive.counts()).toEqual({ [THRIVE_TOKEN]: 2, [THRIVE_USER]: 1 });
      expect(keys()).toHaveLength(1);
    },
  );
});

describe("iSpring's token endpoint", () => {
  function ispring(overrides: Partial<IspringConfig> = {}) {
    const config = { ...sandboxProviderConfigs(sandbox, { ispring: 'token' }).ispring, ...overrides };
    return createIspringProvider(config, { redactor: new SecretRedactor([]), clock: manualClock() });
  }

  it('is asked on the origin of an account-domain base URL (…/api/v2), whose API is served under that path', async () => {
    const provider = ispring({ baseUrl: `${sandbox.ispring.origin}/api/v2` });
    const departments = await provider.openSession().listDepartments();
    expect(departments).toHaveLength(sandbox.organisation.ispring.departments.length);
    expect(sandbox.ispring.counts()).toEqual({ [ISPRING_TOKEN]: 1, [ISPRING_DEPARTMENTS]: 1 });
    expect(sandbox.ispring.log[0]!.path).toBe('/api/v3/token');
    expect(sandbox.ispring.log[1]!.path).toBe('/api/v2/department');
  });

  it('refuses a token with a CR/LF as UPSTREAM_BAD_RESPONSE', async () => {
    sandbox.ispring.setVariants({ accessToken: 'crlf' });
    const error = await rejection(ispring().openSession().listDepartments());
    expect([error.code, error.endpoint]).toEqual(['UPSTREAM_BAD_RESPONSE', ISPRING_TOKEN]);
    expect(sandbox.ispring.counts()).toEqual({ [ISPRING_TOKEN]: 1 });
  });
});
