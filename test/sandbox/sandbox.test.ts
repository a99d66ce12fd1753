import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UPSTREAM_DEFAULTS } from '../../src/config.ts';
import { ISPRING_DEFAULTS } from '../../src/providers/ispring/config.ts';
import { THRIVE_DEFAULTS } from '../../src/providers/thrive/config.ts';
import {
  createDemoOrganisation,
  DEFAULT_ISPRING_VARIANTS,
  DEFAULT_THRIVE_VARIANTS,
  DEMO,
  ISPRING_VARIANT_VALUES,
  THRIVE_VARIANT_VALUES,
  SANDBOX_CREDENTIALS,
  sandboxProviderConfigs,
  startSandbox,
  type Sandbox,
} from '../../src/sandbox/index.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/** What every sandbox server shares: request log, counters, variants, delay, closing; and the configs it hands out. */

const thriveBasic = `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.thrive.tenantId}:${SANDBOX_CREDENTIALS.thrive.apiSecret}`).toString('base64')}`;
const ispringHeaders = {
  'x-auth-account-url': SANDBOX_CREDENTIALS.ispring.accountUrl,
  'x-auth-email': SANDBOX_CREDENTIALS.ispring.email,
  'x-auth-password': SANDBOX_CREDENTIALS.ispring.password,
};

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** True when something can listen on the port again. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('base URLs', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('puts Thrive under /rest/v1 and iSpring at the origin, on ephemeral loopback ports', () => {
    expect(sandbox.thrive.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.thrive.baseUrl).toBe(`${sandbox.thrive.origin}/rest/v1`);
    expect(sandbox.ispring.baseUrl).toBe(sandbox.ispring.origin);
    expect(portOf(sandbox.thrive.origin)).not.toBe(portOf(sandbox.ispring.origin));
  });

  it('serves the organisation it was given', async () => {
    const organisation = createDemoOrganisation();
    organisation.thrive.users = organisation.thrive.users.slice(0, 3);
    const small = await startSandbox({ organisation });
    try {
      const response = await fetch(`${small.thrive.baseUrl}/users`, {
        headers: { authorization: thriveBasic },
      });
      expect(((await response.json()) as any).pagination.totalResults).toBe(3);
      expect(small.organisation).toBe(organisation);
    } finally {
      await small.close();
    }
  });
});

describe('variants', () => {
  it('start as the defaults of variants.ts, with the token lifetimes given to startSandbox', async () => {
    const sandbox = await startSandbox({ tokenLifetimeSeconds: { ispring: 90 } });
    try {
      expect(sandbox.thrive.variants).toEqual(DEFAULT_THRIVE_VARIANTS);
      expect(sandbox.ispring.variants).toEqual({ ...DEFAULT_ISPRING_VARIANTS, tokenLifetimeSeconds: 90 });
      expect(DEFAULT_ISPRING_VARIANTS).toMatchObject({ notFoundStatus: 400, arrayFilters: 'brackets' });
      expect(DEFAULT_THRIVE_VARIANTS).toMatchObject({ tokenClientAuth: 'basic', tokenLifetimeSeconds: 3600 });
    } finally {
      await sandbox.close();
    }
  });

  it('start as startSandbox was told, and come back to that with resetVariants(), not with reset()', async () => {
    const sandbox = await startSandbox({
      variants: {
        thrive: { audienceList: 'full' },
        ispring: { notFoundStatus: 404, tokenLifetimeSeconds: 60 },
      },
    });
    try {
      expect(sandbox.thrive.variants.audienceList).toBe('full');
      expect(sandbox.ispring.variants).toMatchObject({ notFoundStatus: 404, tokenLifetimeSeconds: 60 });
      sandbox.ispring.setVariants({ notFoundStatus: 400, pageEnd: 'empty' });
      sandbox.ispring.reset();
      expect(sandbox.ispring.variants).toMatchObject({ notFoundStatus: 400, pageEnd: 'empty' });
      sandbox.ispring.resetVariants();
      expect(sandbox.ispring.variants).toEqual({
        ...DEFAULT_ISPRING_VARIANTS,
        notFoundStatus: 404,
        tokenLifetimeSeconds: 60,
      });
      const unknown = await fetch(`${sandbox.ispring.baseUrl}/group/00000000-0000-0000-0000-000000000000`, {
        headers: ispringHeaders,
      });
      expect(unknown.status).toBe(404);
    } finally {
      await sandbox.close();
    }
  });

  it('apply from the next request on, the others staying as they were', async () => {
    const sandbox = await startSandbox();
    try {
      const read = async () =>
        (await fetch(`${sandbox.thrive.baseUrl}/user/nope`, { headers: { authorization: thriveBasic } }))
          .status;
      expect(await read()).toBe(400);
      sandbox.thrive.setVariants({ malformedUserId: 404 });
      sandbox.thrive.setVariants({ notFoundMessage: 'object' });
      expect(sandbox.thrive.variants).toMatchObject({ malformedUserId: 404, notFoundMessage: 'object' });
      expect(await read()).toBe(404);
    } finally {
      await sandbox.close();
    }
  });

  it('refuse a value out of range or an unknown name with a RangeError naming the variant and its values, and change nothing', async () => {
    const sandbox = await startSandbox();
    try {
      const before = sandbox.ispring.variants;
      expect(() => sandbox.ispring.setVariants({ pageEnd: 'empty', notFoundStatus: 403 as never })).toThrow(
        new RangeError('The iSpring variant notFoundStatus must be 400 or 404; got 403.'),
      );
      expect(() => sandbox.ispring.setVariants({ arrayFilters: 'some' as never })).toThrow(
        /arrayFilters must be "brackets" or "any" or "ignored"; got "some"/,
      );
      expect(() => sandbox.thrive.setVariants({ tokenLifetimeSeconds: 0 })).toThrow(
        /Thrive variant tokenLifetimeSeconds must be a positive number of seconds; got 0/,
      );
      expect(() => sandbox.thrive.setVariants({ tokenClientAuth: 'none' } as never)).toThrow(RangeError);
      expect(() => sandbox.thrive.setVariants({ colour: 'blue' } as never)).toThrow(
        /Thrive has no variant "colour"; its variants are tokenClientAuth, /,
      );
      expect(sandbox.ispring.variants).toBe(before);
      expect(Object.isFrozen(sandbox.ispring.variants)).toBe(true);
      await expect(startSandbox({ variants: { ispring: { xmlStyle: 'tabs' as never } } })).rejects.toThrow(
        RangeError,
      );
    } finally {
      await sandbox.close();
    }
  });

  it('list their values in ISPRING_VARIANT_VALUES and THRIVE_VARIANT_VALUES, every default among them', () => {
    for (const [values, defaults] of [
      [ISPRING_VARIANT_VALUES, DEFAULT_ISPRING_VARIANTS],
      [THRIVE_VARIANT_VALUES, DEFAULT_THRIVE_VARIANTS],
    ] as const) {
      expect(Object.keys(values)).toEqual(Object.keys(defaults));
      for (const [name, allowed] of Object.entries(values)) {
        const value = (defaults as Record<string, unknown>)[name];
        if (allowed === 'seconds') expect(value).toBeGreaterThan(0);
        else expect(allowed as readonly unknown[]).toContain(value);
      }
    }
  });
});

describe('the request log and counters', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('log every request with its endpoint template, raw path and query, status and time', async () => {
    sandbox.thrive.reset();
    const before = Date.now();
    await fetch(`${sandbox.thrive.baseUrl}/user/${DEMO.thrive.ceo}`, {
      headers: { authorization: thriveBasic },
    });
    await fetch(`${sandbox.thrive.baseUrl}/users?page=2&perPage=5`);
    await fetch(`${sandbox.thrive.baseUrl}/no/such/thing?x=1`, { headers: { authorization: thriveBasic } });
    await fetch(`${sandbox.thrive.origin}/oauth2/token/${SANDBOX_CREDENTIALS.thrive.tenantId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const after = Date.now();
    expect(sandbox.thrive.log).toEqual([
      {
        method: 'GET',
        endpoint: THRIVE_ENDPOINTS.user,
        path: `/rest/v1/user/${DEMO.thrive.ceo}`,
        query: '',
        status: 200,
        at: expect.any(Number),
      },
      {
        method: 'GET',
        endpoint: THRIVE_ENDPOINTS.users,
        path: '/rest/v1/users',
        query: 'page=2&perPage=5',
        status: 401,
        at: expect.any(Number),
      },
      {
        method: 'GET',
        endpoint: 'GET <unknown>',
        path: '/rest/v1/no/such/thing',
        query: 'x=1',
        status: 404,
        at: expect.any(Number),
      },
      {
        method: 'POST',
        endpoint: THRIVE_ENDPOINTS.token,
        path: `/oauth2/token/${SANDBOX_CREDENTIALS.thrive.tenantId}`,
        query: '',
        status: 401,
        at: expect.any(Number),
      },
    ]);
    for (const entry of sandbox.thrive.log) {
      expect(entry.at).toBeGreaterThanOrEqual(before);
      expect(entry.at).toBeLessThanOrEqual(after);
    }
  });

  it('count requests by endpoint template, in total, and not at all for templates never hit', async () => {
    sandbox.ispring.reset();
    for (const path of [
      `/user/${DEMO.ispring.ceo}/v2`,
      `/user/${DEMO.ispring.deepUser}/v2`,
      '/users/v2?pageSize=1',
      '/x',
    ]) {
      await fetch(`${sandbox.ispring.baseUrl}${path}`, { headers: ispringHeaders });
    }
    await fetch(`${sandbox.ispring.baseUrl}/department/unknown`, { method: 'DELETE' });
    expect(sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.userV2]: 2,
      [ISPRING_ENDPOINTS.usersV2]: 1,
      'GET <unknown>': 1,
      'DELETE <unknown>': 1,
    });
    expect(sandbox.ispring.count(ISPRING_ENDPOINTS.userV2)).toBe(2);
    expect(sandbox.ispring.count(ISPRING_ENDPOINTS.groupList)).toBe(0);
    expect(sandbox.ispring.count()).toBe(5);
  });

  it('keep each server’s log to itself', async () => {
    sandbox.thrive.reset();
    sandbox.ispring.reset();
    await fetch(`${sandbox.ispring.baseUrl}/group`, { headers: ispringHeaders });
    expect(sandbox.ispring.count()).toBe(1);
    expect(sandbox.thrive.count()).toBe(0);
    expect(sandbox.thrive.log).toEqual([]);
  });

  it('are emptied by reset()', async () => {
    await fetch(`${sandbox.ispring.baseUrl}/group`, { headers: ispringHeaders });
    expect(sandbox.ispring.count()).toBeGreaterThan(0);
    sandbox.ispring.reset();
    expect(sandbox.ispring.count()).toBe(0);
    expect(sandbox.ispring.counts()).toEqual({});
    expect(sandbox.ispring.log).toEqual([]);
  });
});

describe('the delay', () => {
  // A real delay is what is tested, so these tests wait for it; what they assert is an order, not
  // a time: a request sent later to a server without the delay is answered first. The delay is
  // long so that this holds on a loaded machine too (a loopback round trip is milliseconds).
  const DELAY_MS = 1000;

  /** A request whose status is known once its body has been read, and which says whether it has. */
  function tracked(send: () => Promise<Response>) {
    const state = { settled: false };
    const done = send().then(async (response) => {
      await response.text();
      state.settled = true;
      return response.status;
    });
    return { state, done };
  }

  const requestsTo = (sandbox: Sandbox): Array<() => Promise<Response>> => [
    () =>
      fetch(`${sandbox.thrive.baseUrl}/user/${DEMO.thrive.ceo}`, {
        headers: { authorization: thriveBasic },
      }),
    () => fetch(`${sandbox.thrive.baseUrl}/users`),
    () => fetch(`${sandbox.thrive.origin}/nothing`),
    () => fetch(`${sandbox.thrive.origin}/oauth2/token/x`, { method: 'POST' }),
    () => fetch(`${sandbox.ispring.baseUrl}/group`, { headers: ispringHeaders }),
    () => fetch(`${sandbox.ispring.baseUrl}/api/v3/token`, { method: 'POST' }),
  ];

  it('holds every response of both servers, errors and token requests included, past a request sent after it', async () => {
    const sandbox = await startSandbox({ delayMs: DELAY_MS });
    const undelayed = await startSandbox();
    try {
      const pending = requestsTo(sandbox).map(tracked);
      // The log has a request once its answer is ready, before the delay.
      await vi.waitFor(() => expect(sandbox.thrive.count() + sandbox.ispring.count()).toBe(pending.length), {
        timeout: 5000,
      });
      await (await fetch(`${undelayed.ispring.baseUrl}/group`, { headers: ispringHeaders })).text();
      expect(pending.map((request) => request.state.settled)).toEqual(pending.map(() => false));
      // Then each gets the answer it gets without a delay.
      const statuses = await Promise.all(pending.map((request) => request.done));
      const undelayedStatuses = await Promise.all(requestsTo(undelayed).map((send) => tracked(send).done));
      expect(statuses).toEqual(undelayedStatuses);
    } finally {
      await undelayed.close();
      await sandbox.close();
    }
  });

  it('can be changed while running, and refuses a negative value', async () => {
    const sandbox = await startSandbox();
    try {
      const ispringGroups = () => fetch(`${sandbox.ispring.baseUrl}/group`, { headers: ispringHeaders });
      const thriveUsers = () => fetch(`${sandbox.thrive.baseUrl}/users`);

      sandbox.ispring.setDelay(DELAY_MS);
      const held = tracked(ispringGroups);
      await vi.waitFor(() => expect(sandbox.ispring.count()).toBe(1), { timeout: 5000 });
      expect(await tracked(thriveUsers).done).toBe(401);
      expect(held.state.settled).toBe(false);
      expect(await held.done).toBe(200);

      // Back to none: iSpring now answers while a request to Thrive, which has the delay, waits.
      sandbox.ispring.setDelay(0);
      sandbox.thrive.setDelay(DELAY_MS);
      const thriveHeld = tracked(thriveUsers);
      await vi.waitFor(() => expect(sandbox.thrive.count()).toBe(2), { timeout: 5000 });
      expect(await tracked(ispringGroups).done).toBe(200);
      expect(thriveHeld.state.settled).toBe(false);
      expect(await thriveHeld.done).toBe(401);

      expect(() => sandbox.ispring.setDelay(-1)).toThrow(RangeError);
      await expect(startSandbox({ delayMs: Number.NaN })).rejects.toThrow(RangeError);
    } finally {
      await sandbox.close();
    }
  });
});

describe('close()', () => {
  it('releases both ports, keep-alive connections included', async () => {
    const sandbox = await startSandbox();
    const thrivePort = portOf(sandbox.thrive.origin);
    const ispringPort = portOf(sandbox.ispring.origin);
    // fetch keeps these connections alive in its pool.
    await (await fetch(`${sandbox.thrive.baseUrl}/users`)).text();
    await (await fetch(`${sandbox.ispring.baseUrl}/group`)).text();
    await sandbox.close();
    expect(await portIsFree(thrivePort)).toBe(true);
    expect(await portIsFree(ispringPort)).toBe(true);
    await expect(fetch(`${sandbox.thrive.baseUrl}/users`)).rejects.toThrow();
  });

  it('does not wait for a response still in its delay, and may be called twice', async () => {
    const sandbox = await startSandbox({ delayMs: 10_000 });
    const pending = fetch(`${sandbox.ispring.baseUrl}/group`, { headers: ispringHeaders }).then(
      () => 'answered',
      () => 'failed',
    );
    while (sandbox.ispring.count() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    await Promise.all([sandbox.close(), sandbox.close()]);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await pending).toBe('failed');
  });
});

describe('sandboxProviderConfigs', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('defaults to Thrive OAuth and iSpring token mode, with the DEFAULTS of src/config.ts', () => {
    const { thrive, ispring } = sandboxProviderConfigs(sandbox);
    expect(thrive).toEqual({
      baseUrl: sandbox.thrive.baseUrl,
      auth: {
        mode: 'oauth',
        tenantId: SANDBOX_CREDENTIALS.thrive.tenantId,
        clientId: SANDBOX_CREDENTIALS.thrive.clientId,
        clientSecret: SANDBOX_CREDENTIALS.thrive.clientSecret,
        tokenUrl: `${sandbox.thrive.origin}/oauth2/token/${SANDBOX_CREDENTIALS.thrive.tenantId}`,
        scope: THRIVE_DEFAULTS.scope,
      },
      timeoutMs: UPSTREAM_DEFAULTS.timeoutMs,
      userBatchSize: THRIVE_DEFAULTS.userBatchSize,
      concurrency: THRIVE_DEFAULTS.concurrency,
      audiencePageSize: THRIVE_DEFAULTS.audiencePageSize,
    });
    expect(ispring).toEqual({
      baseUrl: sandbox.ispring.baseUrl,
      auth: {
        mode: 'token',
        clientId: SANDBOX_CREDENTIALS.ispring.clientId,
        clientSecret: SANDBOX_CREDENTIALS.ispring.clientSecret,
      },
      timeoutMs: UPSTREAM_DEFAULTS.timeoutMs,
      userBatchSize: ISPRING_DEFAULTS.userBatchSize,
      format: 'xml',
      userLookup: 'auto',
    });
  });

  it('gives Basic and header modes, and applies overrides', () => {
    const { thrive, ispring } = sandboxProviderConfigs(
      sandbox,
      { thrive: 'basic', ispring: 'headers' },
      {
        timeoutMs: 500,
        thriveUserBatchSize: 7,
        thriveConcurrency: 3,
        ispringUserBatchSize: 250,
        ispringUserLookup: 'single',
        audiencePageSize: 5,
      },
    );
    expect(thrive.auth).toEqual({
      mode: 'basic',
      tenantId: SANDBOX_CREDENTIALS.thrive.tenantId,
      apiSecret: SANDBOX_CREDENTIALS.thrive.apiSecret,
    });
    expect(ispring.auth).toEqual({
      mode: 'headers',
      accountUrl: SANDBOX_CREDENTIALS.ispring.accountUrl,
      email: SANDBOX_CREDENTIALS.ispring.email,
      password: SANDBOX_CREDENTIALS.ispring.password,
    });
    expect(thrive).toMatchObject({ timeoutMs: 500, userBatchSize: 7, concurrency: 3, audiencePageSize: 5 });
    expect(ispring).toMatchObject({ timeoutMs: 500, userBatchSize: 250, userLookup: 'single' });
  });

  it('hands out credentials the sandbox accepts in every mode', async () => {
    const oauth = sandboxProviderConfigs(sandbox).thrive.auth;
    if (oauth.mode !== 'oauth') throw new Error('expected OAuth');
    const tokenResponse = await fetch(oauth.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${oauth.clientId}:${oauth.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: oauth.scope }).toString(),
    });
    expect(tokenResponse.status).toBe(200);

    const basic = sandboxProviderConfigs(sandbox, { thrive: 'basic' }).thrive.auth;
    if (basic.mode !== 'basic') throw new Error('expected Basic');
    const basicResponse = await fetch(`${sandbox.thrive.baseUrl}/users?perPage=1`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${basic.tenantId}:${basic.apiSecret}`).toString('base64')}`,
      },
    });
    expect(basicResponse.status).toBe(200);

    const token = sandboxProviderConfigs(sandbox).ispring.auth;
    if (token.mode !== 'token') throw new Error('expected token mode');
    const ispringToken = await fetch(`${sandbox.ispring.baseUrl}/api/v3/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: token.clientId,
        client_secret: token.clientSecret,
        grant_type: 'client_credentials',
      }).toString(),
    });
    expect(ispringToken.status).toBe(200);

    const headers = sandboxProviderConfigs(sandbox, { ispring: 'headers' }).ispring.auth;
    if (headers.mode !== 'headers') throw new Error('expected header mode');
    const headerResponse = await fetch(`${sandbox.ispring.baseUrl}/group`, {
      headers: {
        'x-auth-account-url': headers.accountUrl,
        'x-auth-email': headers.email,
        'x-auth-password': headers.password,
      },
    });
    expect(headerResponse.status).toBe(200);
  });
});

describe('npm run sandbox (src/sandbox/cli.ts)', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));

  function runCli(env: Record<string, string>) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/cli.ts'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, output: () => ({ stdout, stderr }) };
  }

  it('prints base URLs, every credential and the env lines, serves, and stops cleanly on SIGTERM', async () => {
    const cli = runCli({ SANDBOX_THRIVE_PORT: '0', SANDBOX_ISPRING_PORT: '0', SANDBOX_DELAY_MS: '0' });
    try {
      const deadline = Date.now() + 20_000;
      while (!cli.output().stdout.includes('Ctrl-C') && Date.now() < deadline) {
        if (cli.child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const { stdout, stderr } = cli.output();
      expect(stderr).toBe('');
      const thrive = SANDBOX_CREDENTIALS.thrive;
      const ispring = SANDBOX_CREDENTIALS.ispring;
      for (const secret of [thrive.tenantId, thrive.apiSecret, thrive.clientId, thrive.clientSecret]) {
        expect(stdout).toContain(secret);
      }
      for (const secret of [
        ispring.clientId,
        ispring.clientSecret,
        ispring.accountUrl,
        ispring.email,
        ispring.password,
      ]) {
        expect(stdout).toContain(secret);
      }
      const thriveBaseUrl = /THRIVE_BASE_URL=(\S+)/.exec(stdout)![1]!;
      const ispringBaseUrl = /ISPRING_BASE_URL=(\S+)/.exec(stdout)![1]!;
      expect(thriveBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/rest\/v1$/);
      expect(stdout).toContain(`Also under ${ispringBaseUrl}/api/v2 and ${ispringBaseUrl}/index.php/api/v2`);
      expect(stdout).toContain(`THRIVE_TENANT_ID=${thrive.tenantId}`);
      expect(stdout).toContain(DEMO.thrive.multiPosition);
      expect(stdout).toContain(DEMO.ispring.inheritsThroughTwoDepartments);

      const user = await fetch(`${thriveBaseUrl}/user/${DEMO.thrive.multiPosition}`, {
        headers: { authorization: thriveBasic },
      });
      expect(user.status).toBe(200);
      const group = await fetch(`${ispringBaseUrl}/group`, { headers: ispringHeaders });
      expect(group.status).toBe(200);

      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it('refuses a malformed setting with a message and exit code 1', async () => {
    const cli = runCli({ SANDBOX_DELAY_MS: 'soon' });
    expect(await cli.exited).toBe(1);
    expect(cli.output().stderr).toContain('SANDBOX_DELAY_MS must be a whole number');
  });

  it('refuses SANDBOX_USERS out of range and half a webhook pair, listing both', async () => {
    const cli = runCli({ SANDBOX_USERS: '100001', SANDBOX_WEBHOOK_ISPRING_URL: 'http://127.0.0.1:9/hooks' });
    expect(await cli.exited).toBe(1);
    const { stderr } = cli.output();
    expect(stderr).toContain('SANDBOX_USERS must be a whole number from 1 to 100000; got "100001".');
    expect(stderr).toContain('SANDBOX_WEBHOOK_ISPRING_URL and SANDBOX_WEBHOOK_ISPRING_SECRET go together');
  });

  it('serves a large organisation with SANDBOX_USERS, and names where webhooks go', async () => {
    const cli = runCli({
      SANDBOX_THRIVE_PORT: '0',
      SANDBOX_ISPRING_PORT: '0',
      SANDBOX_USERS: '30',
      SANDBOX_WEBHOOK_THRIVE_URL: 'http://127.0.0.1:9/webhooks/thrive',
      SANDBOX_WEBHOOK_THRIVE_SECRET: 'cli-secret',
    });
    try {
      const deadline = Date.now() + 20_000;
      while (!cli.output().stdout.includes('Ctrl-C') && Date.now() < deadline) {
        if (cli.child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const { stdout, stderr } = cli.output();
      expect(stderr).toBe('');
      expect(stdout).toContain('serving a large organisation (30 Thrive users');
      expect(stdout).toContain('30 iSpring users');
      expect(stdout).toContain(
        'Webhook deliveries for changes: Thrive to http://127.0.0.1:9/webhooks/thrive.',
      );
      expect(stdout).not.toContain(DEMO.thrive.multiPosition);
      const thriveBaseUrl = /THRIVE_BASE_URL=(\S+)/.exec(stdout)![1]!;
      const ceo = /Thrive CEO:\s+thrive:(\S+)/.exec(stdout)![1]!;
      const user = await fetch(`${thriveBaseUrl}/user/${ceo}`, { headers: { authorization: thriveBasic } });
      expect(((await user.json()) as any).positions[0].title).toBe('Chief Executive Officer');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });
});
