import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ThriveConfig } from '../../src/providers/thrive/config.ts';
import { type ProviderError } from '../../src/errors.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import type { UserModel } from '../../src/models.ts';
import {
  createThriveProvider,
  toDepartmentModel,
  toGroupModel,
  toUserModel,
} from '../../src/providers/thrive/index.ts';
import { sandboxProviderConfigs, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { rejection, expectNoSecrets } from '../helpers/errors.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';

/**
 * The Thrive provider against the Thrive sandbox over real HTTP: what it asks for (the sandbox's
 * request log) as much as what it returns.
 */

const USER = THRIVE_ENDPOINTS.user;
const AUDIENCES = THRIVE_ENDPOINTS.audiences;
const AUDIENCE = THRIVE_ENDPOINTS.audience;
const TOKEN = THRIVE_ENDPOINTS.token;
/** An id in the Thrive alphabet that no sandbox entity has. */
const UNKNOWN_ID = 'ffffffffffffffffffffffff';

type Mode = 'basic' | 'oauth';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.thrive.setDelay(0);
  sandbox.thrive.reset();
  sandbox.thrive.resetVariants();
});

function configFor(mode: Mode, overrides: Partial<ThriveConfig> = {}): ThriveConfig {
  return { ...sandboxProviderConfigs(sandbox, { thrive: mode }).thrive, ...overrides };
}

function providerFor(mode: Mode, overrides: Partial<ThriveConfig> = {}) {
  const config = configFor(mode, overrides);
  return createThriveProvider(config, { redactor: new SecretRedactor([]) });
}

const users = () => sandbox.organisation.thrive.users;
const audiences = () => sandbox.organisation.thrive.audiences;
const userIds = (count: number, from = 0) =>
  users()
    .slice(from, from + count)
    .map((user) => user.id);

const basicCredentials = (user: string, password: string) =>
  Buffer.from(`${user}:${password}`).toString('base64');

/** An audience with a parent; fails the test when the organisation has none. */
function childAudience() {
  const child = audiences().find((audience) => audience.parent);
  if (!child) throw new Error('the demo organisation has no child audience');
  return child;
}

/**
 * A proxy in front of the sandbox that holds every request it gets until `release()`, and passes
 * them on from then; it counts the requests in flight through it (from arrival until answered).
 */
async function startHoldingProxy(target: string) {
  const { hostname, port } = new URL(target);
  const held: Array<() => void> = [];
  let holding = true;
  let inFlight = 0;
  let mostInFlight = 0;
  const server = createServer((req, res) => {
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    let done = false;
    const leave = () => {
      if (!done) inFlight -= 1;
      done = true;
    };
    res.on('finish', leave);
    res.on('close', leave);
    res.on('error', () => {});
    const forward = () => {
      const upstream = request(
        { hostname, port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    };
    if (holding) held.push(forward);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held: () => held.length,
    mostInFlight: () => mostInFlight,
    release() {
      holding = false;
      for (const forward of held.splice(0)) forward();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe.each<Mode>(['basic', 'oauth'])('with %s authentication', (mode) => {
  it('fetches users by id and maps them as the mapper does', async () => {
    const wanted = users().slice(0, 3);
    const found = await providerFor(mode)
      .openSession()
      .fetchUsers(wanted.map((user) => user.id));
    expect(found.size).toBe(3);
    for (const user of wanted) expect(found.get(user.id)).toEqual(toUserModel(user));
  });

  it('lists every audience as a department and as a group, parents unknown from a list of stubs', async () => {
    const session = providerFor(mode).openSession();
    const unknownParent = { parentId: null, parentUnknown: true };
    expect(await session.listDepartments()).toEqual(
      audiences().map((audience) => ({ ...toDepartmentModel(audience), ...unknownParent })),
    );
    expect(await session.listGroups()).toEqual(
      audiences().map((audience) => ({ ...toGroupModel(audience), ...unknownParent })),
    );
  });

  it('lists every audience with its parent from a list of whole audiences', async () => {
    sandbox.thrive.setVariants({ audienceList: 'full' });
    const session = providerFor(mode).openSession();
    expect(await session.listDepartments()).toEqual(
      audiences().map((audience) => toDepartmentModel(audience)),
    );
    expect(await session.listGroups()).toEqual(audiences().map((audience) => toGroupModel(audience)));
  });

  it('passes the credentials check with one audience read', async () => {
    await providerFor(mode).checkCredentials();
    expect(sandbox.thrive.count(AUDIENCES)).toBe(1);
  });
});

describe('users', () => {
  it('makes exactly one GET /user/{id} per distinct id', async () => {
    const ids = userIds(7);
    await providerFor('basic')
      .openSession()
      .fetchUsers([...ids, ids[0]!, ids[3]!]);
    expect(sandbox.thrive.counts()).toEqual({ [USER]: 7 });
  });

  it('leaves an unknown id out of the map', async () => {
    const [known] = userIds(1);
    const found = await providerFor('basic').openSession().fetchUsers([known!, UNKNOWN_ID]);
    expect([...found.keys()]).toEqual([known]);
    expect(sandbox.thrive.count(USER)).toBe(2);
  });

  it('percent-encodes an id into the path, so it cannot name another endpoint', async () => {
    const found = await providerFor('basic').openSession().fetchUsers(['a b/../../audiences']);
    expect(found.size).toBe(0);
    expect(sandbox.thrive.counts()).toEqual({ [USER]: 1 });
  });

  it('keeps at most `concurrency` requests in flight, and does use that many', async () => {
    const concurrency = 3;
    const proxy = await startHoldingProxy(sandbox.thrive.origin);
    try {
      const ids = userIds(12);
      const pending = providerFor('basic', { concurrency, baseUrl: `${proxy.origin}/rest/v1` })
        .openSession()
        .fetchUsers(ids);
      // Nothing is answered while the proxy holds: the first `concurrency` are sent together, and
      // no more until one of them is answered.
      await vi.waitFor(() => expect(proxy.held()).toBe(concurrency), { timeout: 5000 });
      proxy.release();
      const found = await pending;
      expect(found.size).toBe(12);
      expect(sandbox.thrive.counts()).toEqual({ [USER]: 12 });
      expect(proxy.mostInFlight()).toBe(concurrency);
    } finally {
      await proxy.close();
    }
  });

  it('gives each id its own outcome when requests fail, rather than rejecting the batch', async () => {
    const ids = userIds(2);
    const found = await providerFor('basic', {
      auth: {
        mode: 'basic',
        tenantId: configFor('basic').auth.tenantId,
        apiSecret: 'wrong-thrive-secret-1234',
      },
    })
      .openSession()
      .fetchUsers(ids);
    expect(ids.map((id) => (found.get(id) as ProviderError | undefined)?.code)).toEqual([
      'UPSTREAM_AUTH',
      'UPSTREAM_AUTH',
    ]);
  });
});

describe('audiences', () => {
  it('serves departments and groups of one session from one audience list read, when the list tells parents', async () => {
    sandbox.thrive.setVariants({ audienceList: 'full' });
    const session = providerFor('basic').openSession();
    const [first, second] = audiences();
    await Promise.all([session.listDepartments(), session.listGroups()]);
    await session.listDepartments();
    await session.fetchGroup(first!.id);
    await session.fetchDepartment(second!.id);
    expect(sandbox.thrive.counts()).toEqual({ [AUDIENCES]: 1 });
  });

  it('reads an audience whole by id (once per session) when the list is of stubs', async () => {
    const session = providerFor('basic').openSession();
    const child = childAudience();
    await session.listGroups();
    expect(await session.fetchGroup(child.id)).toEqual(toGroupModel(child));
    expect(await session.fetchDepartment(child.id)).toEqual(toDepartmentModel(child));
    expect(sandbox.thrive.counts()).toEqual({ [AUDIENCES]: 1, [AUDIENCE]: 1 });
  });

  it('reads every page of the list, and each audience once', async () => {
    const pageSize = 2;
    const session = providerFor('basic', { audiencePageSize: pageSize }).openSession();
    const groups = await session.listGroups();
    expect(groups.map((group) => group.externalId)).toEqual(audiences().map((audience) => audience.id));
    const pages = sandbox.thrive.log.filter((entry) => entry.endpoint === AUDIENCES);
    expect(pages).toHaveLength(Math.ceil(audiences().length / pageSize));
    expect(pages.map((entry) => Object.fromEntries(new URLSearchParams(entry.query)))).toEqual(
      pages.map((_, index) => ({ page: String(index + 1), perPage: String(pageSize) })),
    );
  });

  it('fetches one department by id with GET /audiences/{id}', async () => {
    const child = childAudience();
    const department = await providerFor('basic').openSession().fetchDepartment(child.id);
    expect(department).toEqual(toDepartmentModel(child));
    expect(sandbox.thrive.counts()).toEqual({ [AUDIENCE]: 1 });
  });

  it('fetches one group by id, and a department with the same id costs nothing more', async () => {
    const audience = audiences()[0]!;
    const session = providerFor('basic').openSession();
    expect(await session.fetchGroup(audience.id)).toEqual(toGroupModel(audience));
    expect(await session.fetchDepartment(audience.id)).toEqual(toDepartmentModel(audience));
    expect(sandbox.thrive.counts()).toEqual({ [AUDIENCE]: 1 });
  });

  it('answers null for a department or group id Thrive does not have', async () => {
    const session = providerFor('basic').openSession();
    expect(await session.fetchDepartment(UNKNOWN_ID)).toBeNull();
    expect(await session.fetchGroup('eeeeeeeeeeeeeeeeeeeeeeee')).toBeNull();
  });

  it('stands in for an unknown organisational unit with a nameless department', () => {
    expect(providerFor('basic').unknownDepartment(UNKNOWN_ID)).toMatchObject({
      id: `thrive:${UNKNOWN_ID}`,
      name: null,
    });
  });
});

describe('OAuth tokens', () => {
  it('fetches one token for many calls and sessions', async () => {
    const provider = providerFor('oauth');
    const session = provider.openSession();
    await Promise.all([
      session.fetchUsers(userIds(5)),
      session.listGroups(),
      session.fetchDepartment(UNKNOWN_ID),
    ]);
    await provider.openSession().fetchUsers(userIds(3, 5));
    await provider.checkCredentials();
    expect(sandbox.thrive.count(TOKEN)).toBe(1);
  });

  it('refreshes once when the sandbox expires its tokens, and the calls succeed', async () => {
    const provider = providerFor('oauth');
    await provider.openSession().fetchUsers(userIds(1));
    sandbox.thrive.expireTokens();
    sandbox.thrive.reset();

    const ids = userIds(6, 1);
    const found = await provider.openSession().fetchUsers(ids);
    expect(ids.map((id) => (found.get(id) as UserModel | undefined)?.externalId)).toEqual(ids);
    // The expired token was refused at least once, and replaced exactly once.
    expect(sandbox.thrive.log.some((entry) => entry.endpoint === USER && entry.status === 401)).toBe(true);
    expect(sandbox.thrive.count(TOKEN)).toBe(1);
  });
});

describe('rejected credentials', () => {
  it('reports a wrong Basic secret as UPSTREAM_AUTH without the secret anywhere in the error', async () => {
    const secret = 'wrong-thrive-secret-1234';
    const { tenantId } = configFor('basic').auth;
    const provider = providerFor('basic', { auth: { mode: 'basic', tenantId, apiSecret: secret } });
    const error = await rejection(provider.openSession().listGroups());
    expect(error.code).toBe('UPSTREAM_AUTH');
    expect(error.status).toBe(401);
    expectNoSecrets(error, [secret, basicCredentials(tenantId, secret)]);
    expect(sandbox.thrive.count(AUDIENCES)).toBe(1);
  });

  it('fails the credentials check on a wrong Basic secret', async () => {
    const { tenantId } = configFor('basic').auth;
    const provider = providerFor('basic', {
      auth: { mode: 'basic', tenantId, apiSecret: 'wrong-thrive-secret-1234' },
    });
    expect((await rejection(provider.checkCredentials())).code).toBe('UPSTREAM_AUTH');
  });

  it('reports a wrong OAuth client secret as UPSTREAM_AUTH from the token endpoint, secret-free', async () => {
    const secret = 'wrong-thrive-client-secret-5678';
    const good = configFor('oauth');
    if (good.auth.mode !== 'oauth') throw new Error('the sandbox did not give an OAuth config');
    const provider = providerFor('oauth', { auth: { ...good.auth, clientSecret: secret } });

    const error = await rejection(provider.openSession().fetchUsers(userIds(3)));
    expect(error.code).toBe('UPSTREAM_AUTH');
    expect(error.endpoint).toBe(TOKEN);
    expectNoSecrets(error, [secret, basicCredentials(good.auth.clientId, secret)]);
    // The OAuth error code is in the message, and both client authentications were tried.
    expect(error.message).toContain('HTTP 401 invalid_client');
    expect(error.message).toContain('client_secret_basic and as client_secret_post');
    // invalid_client to the Basic header, then to the form body; no data request went out
    // without a token.
    expect(sandbox.thrive.counts()).toEqual({ [TOKEN]: 2 });
  });

  it('reports a wrong OAuth client secret as UPSTREAM_AUTH on list reads too', async () => {
    const good = configFor('oauth');
    if (good.auth.mode !== 'oauth') throw new Error('the sandbox did not give an OAuth config');
    const provider = providerFor('oauth', {
      auth: { ...good.auth, clientSecret: 'wrong-thrive-client-secret-5678' },
    });
    const error = await rejection(provider.openSession().listDepartments());
    expect(error.code).toBe('UPSTREAM_AUTH');
  });
});
