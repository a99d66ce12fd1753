import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IspringConfig } from '../../src/providers/ispring/config.ts';
import { defaultResilience } from '../../src/providers/resilience/config.ts';
import { ProviderError } from '../../src/errors.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import type { ResilienceClock } from '../../src/providers/resilience/index.ts';
import type { DepartmentModel, ManagerRule, UserModel } from '../../src/models.ts';
import {
  createIspringProvider,
  toDepartmentModel,
  toGroupModel,
  toUserModel,
} from '../../src/providers/ispring/index.ts';
import type { IspringUserProfile } from '../../src/providers/ispring/wire.ts';
import {
  DEMO,
  SANDBOX_CREDENTIALS,
  sandboxProviderConfigs,
  startSandbox,
  type Sandbox,
} from '../../src/sandbox/index.ts';
import { rejection, expectNoSecrets } from '../helpers/errors.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * The iSpring provider against the iSpring sandbox over real HTTP: what it asks for (the sandbox's
 * request log, and the headers a recording proxy in front of the sandbox sees) as much as what it
 * returns.
 */

const USERS = ISPRING_ENDPOINTS.usersV2;
const TOKEN = ISPRING_ENDPOINTS.token;
const DEPARTMENTS = ISPRING_ENDPOINTS.departmentList;
const DEPARTMENT = ISPRING_ENDPOINTS.department;
const GROUPS = ISPRING_ENDPOINTS.groupList;
const GROUP = ISPRING_ENDPOINTS.group;
/** Valid iSpring ids (UUIDs) that no sandbox entity has. */
const UNKNOWN_ID = 'ffffffff-ffff-11e9-8fff-ffffffffffff';
const OTHER_UNKNOWN_ID = 'eeeeeeee-eeee-11e9-8eee-eeeeeeeeeeee';

type Mode = 'token' | 'headers';
type Format = 'xml' | 'json';

const credentials = SANDBOX_CREDENTIALS.ispring;
const anchors = DEMO.ispring;

// ---------------------------------------------------------------------------------------------
// A recording proxy: the sandbox logs paths and statuses, not headers; this sees the headers.

interface SeenRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

interface RecordingProxy {
  readonly baseUrl: string;
  readonly seen: SeenRequest[];
  /** Every access token the token endpoint handed out through this proxy. */
  readonly issuedTokens: Set<string>;
  close(): Promise<void>;
}

async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const { hostname, port } = new URL(target);
  const seen: SeenRequest[] = [];
  const issuedTokens = new Set<string>();
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    seen.push({ method: req.method ?? 'GET', url, headers: { ...req.headers } });
    const upstream = request(
      { hostname, port, method: req.method, path: url, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const token = /"access_token":"([^"]+)"|<access_token>([^<]+)</.exec(body.toString('utf8'));
          if (token) issuedTokens.add((token[1] ?? token[2])!);
          if (res.destroyed) return;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    // A client that gives up (a timeout) closes its side; the proxy just lets go.
    req.on('error', () => upstream.destroy());
    res.on('error', () => {});
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    seen,
    issuedTokens,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------

let sandbox: Sandbox;
let proxy: RecordingProxy;
beforeAll(async () => {
  sandbox = await startSandbox();
  proxy = await startRecordingProxy(sandbox.ispring.baseUrl);
});
afterAll(async () => {
  await proxy.close();
  await sandbox.close();
});
beforeEach(() => {
  sandbox.ispring.setDelay(0);
  sandbox.ispring.reset();
  sandbox.ispring.resetVariants();
  proxy.seen.length = 0;
});

function configFor(mode: Mode, overrides: Partial<IspringConfig> = {}): IspringConfig {
  return {
    ...sandboxProviderConfigs(sandbox, { ispring: mode }, { ispringFormat: overrides.format }).ispring,
    ...overrides,
  };
}

function providerFor(mode: Mode, overrides: Partial<IspringConfig> = {}) {
  return createIspringProvider(configFor(mode, overrides), { redactor: new SecretRedactor([]) });
}

/** The same provider, its requests sent through the recording proxy. */
function proxiedProviderFor(mode: Mode, overrides: Partial<IspringConfig> = {}) {
  return providerFor(mode, { ...overrides, baseUrl: proxy.baseUrl });
}

const users = () => sandbox.organisation.ispring.users;
const departments = () => sandbox.organisation.ispring.departments;
const groups = () => sandbox.organisation.ispring.groups;
const userIds = (count: number, from = 0) =>
  users()
    .slice(from, from + count)
    .map((user) => user.userId);
const g = (id: string) => `ispring:${id}`;

function sandboxUser(id: string): IspringUserProfile {
  const user = users().find((candidate) => candidate.userId === id);
  if (!user) throw new Error(`no sandbox user ${id}`);
  return user;
}

/**
 * What the provider should deliver for a sandbox user: the mapper applied to the sandbox's own
 * record, with an empty profile field value read as no value (the decoder reads `<value/>` and
 * `""` alike as none).
 */
function expectedUser(user: IspringUserProfile): UserModel {
  const model = toUserModel(user);
  return {
    ...model,
    customFields: model.customFields.map((field) => ({
      name: field.name,
      value: field.value === '' ? null : field.value,
    })),
  };
}

/** A user from a `fetchUsers` answer, failing when it is missing or an error. */
function userIn(found: ReadonlyMap<string, UserModel | ProviderError>, id: string): UserModel {
  const value = found.get(id);
  if (value === undefined) throw new Error(`user ${id} is not in the answer`);
  if (value instanceof ProviderError) throw value;
  return value;
}

/** The `userIds[]` of each logged `GET /users/v2`, in the order sent. */
const userIdsAskedFor = () =>
  sandbox.ispring.log
    .filter((entry) => entry.endpoint === USERS)
    .map((entry) => new URLSearchParams(entry.query).getAll('userIds[]'));

/** The seen requests to a path (query aside). */
const seenAt = (path: string) => proxy.seen.filter((entry) => entry.url.split('?')[0] === path);

// ---------------------------------------------------------------------------------------------

describe.each<[Mode, Format]>([
  ['token', 'xml'],
  ['token', 'json'],
  ['headers', 'xml'],
  ['headers', 'json'],
])('with %s authentication and %s bodies', (mode, format) => {
  /** What a fresh provider's first call costs besides its data requests. */
  const tokenCost = mode === 'token' ? { [TOKEN]: 1 } : {};

  it('fetches users by id in one GET /users/v2 and maps them as the mapper does', async () => {
    const wanted = [
      ...userIds(8),
      anchors.specialCharacters,
      anchors.loginOnly,
      anchors.neverLoggedIn,
      anchors.dateTimeAddedDate,
      anchors.onLeave,
      anchors.departmentAdministrator,
    ];
    const found = await providerFor(mode, { format }).openSession().fetchUsers(wanted);
    expect([...found.keys()].sort()).toEqual([...wanted].sort());
    for (const id of wanted) expect(userIn(found, id)).toEqual(expectedUser(sandboxUser(id)));
    expect(sandbox.ispring.counts()).toEqual({ ...tokenCost, [USERS]: 1 });
  });

  it('names each distinct id once in userIds[], and leaves unknown ids out of the map', async () => {
    const [first, second, third] = userIds(3, 20);
    const found = await providerFor(mode, { format })
      .openSession()
      .fetchUsers([first!, UNKNOWN_ID, second!, first!, third!, OTHER_UNKNOWN_ID, UNKNOWN_ID]);
    expect([...found.keys()].sort()).toEqual([first, second, third].sort());
    expect(userIdsAskedFor()).toEqual([[first, UNKNOWN_ID, second, third, OTHER_UNKNOWN_ID]]);
    expect(sandbox.ispring.counts()).toEqual({ ...tokenCost, [USERS]: 1 });
  });

  it('answers an empty map for ids iSpring does not have, after one request', async () => {
    const found = await providerFor(mode, { format }).openSession().fetchUsers([UNKNOWN_ID]);
    expect(found.size).toBe(0);
    expect(sandbox.ispring.counts()).toEqual({ ...tokenCost, [USERS]: 1 });
  });

  it(`asks for ${format} and sends the ${mode} credentials`, async () => {
    const ids = userIds(4, 30);
    await proxiedProviderFor(mode, { format }).openSession().fetchUsers(ids);

    const data = seenAt('/users/v2');
    expect(data).toHaveLength(1);
    const [sent] = data;
    expect(sent!.headers.accept).toBe(format === 'json' ? 'application/json' : 'application/xml');
    expect(new URL(sent!.url, 'http://x').searchParams.getAll('userIds[]')).toEqual(ids);

    if (mode === 'token') {
      const tokenRequests = seenAt('/api/v3/token');
      expect(tokenRequests.map((entry) => entry.method)).toEqual(['POST']);
      expect(tokenRequests[0]!.headers['content-type']).toContain('application/x-www-form-urlencoded');
      expect(proxy.issuedTokens.size).toBeGreaterThan(0);
      const bearer = /^Bearer (.+)$/.exec(sent!.headers.authorization ?? '')?.[1];
      expect(proxy.issuedTokens.has(bearer ?? '')).toBe(true);
      expect(sent!.headers['x-auth-password']).toBeUndefined();
      expect(sent!.headers['x-auth-email']).toBeUndefined();
    } else {
      expect(seenAt('/api/v3/token')).toEqual([]);
      expect(sent!.headers.authorization).toBeUndefined();
      expect(sent!.headers['x-auth-account-url']).toBe(credentials.accountUrl);
      expect(sent!.headers['x-auth-email']).toBe(credentials.email);
      expect(sent!.headers['x-auth-password']).toBe(credentials.password);
    }
  });

  it('lists every department and every group, one request each', async () => {
    const session = providerFor(mode, { format }).openSession();
    expect(await session.listDepartments()).toEqual(departments().map(toDepartmentModel));
    expect(await session.listGroups()).toEqual(groups().map(toGroupModel));
    expect(sandbox.ispring.counts()).toEqual({ ...tokenCost, [DEPARTMENTS]: 1, [GROUPS]: 1 });
  });

  it.each([400, 404] as const)(
    'fetches a department and a group by id, and answers null for ids iSpring does not have (%i)',
    async (notFoundStatus) => {
      sandbox.ispring.setVariants({ notFoundStatus });
      const department = departments().find((candidate) => candidate.parentDepartmentId);
      if (!department) throw new Error('the demo organisation has no department with a parent');
      const group = groups().find((candidate) => candidate.groupId === anchors.smartGroup)!;
      const session = providerFor(mode, { format }).openSession();

      expect(await session.fetchDepartment(department.departmentId)).toEqual(toDepartmentModel(department));
      expect(await session.fetchGroup(group.groupId)).toEqual(toGroupModel(group));
      expect(await session.fetchDepartment(UNKNOWN_ID)).toBeNull();
      expect(await session.fetchGroup(UNKNOWN_ID)).toBeNull();

      expect(sandbox.ispring.counts()).toEqual({ ...tokenCost, [DEPARTMENT]: 2, [GROUP]: 2 });
      const statuses = (endpoint: string) =>
        sandbox.ispring.log.filter((entry) => entry.endpoint === endpoint).map((entry) => entry.status);
      expect(statuses(DEPARTMENT)).toEqual([200, notFoundStatus]);
      expect(statuses(GROUP)).toEqual([200, notFoundStatus]);
    },
  );

  it('reads status 5 from the v2 endpoint as EMPLOYMENT_ENDED', async () => {
    const found = await providerFor(mode, { format })
      .openSession()
      .fetchUsers([anchors.employmentEnded, anchors.inactive]);
    expect(userIn(found, anchors.employmentEnded)).toMatchObject({
      status: 'EMPLOYMENT_ENDED',
      providerStatus: '5',
    });
    expect(userIn(found, anchors.inactive)).toMatchObject({ status: 'INACTIVE', providerStatus: '3' });
    expect(sandbox.ispring.count(USERS)).toBe(1);
  });

  it('passes the credentials check with one GET /users/v2?pageSize=1', async () => {
    await providerFor(mode, { format }).checkCredentials();
    expect(sandbox.ispring.counts()).toEqual({ ...tokenCost, [USERS]: 1 });
    const [entry] = sandbox.ispring.log.filter((logged) => logged.endpoint === USERS);
    expect(Object.fromEntries(new URLSearchParams(entry!.query))).toEqual({ pageSize: '1' });
  });
});

describe('configuration', () => {
  it('takes the format from the sandbox override and from a config spread alike', async () => {
    const fromOverride = sandboxProviderConfigs(sandbox, { ispring: 'headers' }, { ispringFormat: 'json' });
    expect(fromOverride.ispring.format).toBe('json');
    const viaOverride = createIspringProvider(
      { ...fromOverride.ispring, baseUrl: proxy.baseUrl },
      { redactor: new SecretRedactor([]) },
    );
    await viaOverride.openSession().listGroups();
    await proxiedProviderFor('headers', { format: 'json' }).openSession().listGroups();
    await proxiedProviderFor('headers').openSession().listGroups();
    expect(seenAt('/group').map((entry) => entry.headers.accept)).toEqual([
      'application/json',
      'application/json',
      'application/xml',
    ]);
  });
});

describe('subordination as delivered', () => {
  let byId: Map<string, DepartmentModel>;
  const department = (id: string): DepartmentModel => {
    const found = byId.get(g(id));
    if (!found) throw new Error(`no department ${id}`);
    return found;
  };
  const inheritFrom = (departmentId: string, slot: 'supervisor' | 'functional' = 'supervisor') => ({
    kind: 'department',
    departmentId: g(departmentId),
    slot,
  });
  const userRule = (userId: string): ManagerRule => ({ kind: 'user', userId: g(userId) });

  describe.each<Format>(['xml', 'json'])('in %s', (format) => {
    beforeEach(async () => {
      const list = await providerFor('headers', { format }).openSession().listDepartments();
      byId = new Map(list.map((model) => [model.id, model]));
      sandbox.ispring.reset();
    });

    it('gives a Pipelines member a rule that inherits through two departments to the Platform head', async () => {
      const id = anchors.inheritsThroughTwoDepartments;
      const user = userIn(await providerFor('headers', { format }).openSession().fetchUsers([id]), id);
      const pipelines = anchors.twoLevelInheritDepartment;
      expect(user.departmentId).toBe(g(pipelines));
      expect(user.managerRules[0]).toEqual(inheritFrom(pipelines));
      expect(user.positions[0]!.manager).toEqual(inheritFrom(pipelines));

      // Pipelines inherits from Data, Data from Platform, and Platform names its head.
      const data = department(pipelines).parentId!;
      expect(department(pipelines).supervisor).toEqual({
        kind: 'department',
        departmentId: data,
        slot: 'supervisor',
      });
      const platform = byId.get(data)!.parentId!;
      expect(byId.get(data)!.supervisor).toEqual({
        kind: 'department',
        departmentId: platform,
        slot: 'supervisor',
      });
      expect(byId.get(platform)!.supervisor).toEqual(userRule(anchors.departmentHead));
      expect(sandbox.ispring.counts()).toEqual({ [USERS]: 1 });
    });

    it('gives the Platform head an inherit rule to the department that names them', async () => {
      const id = anchors.departmentHead;
      const user = userIn(await providerFor('headers', { format }).openSession().fetchUsers([id]), id);
      expect(user.managerRules[0]).toEqual({
        kind: 'department',
        departmentId: user.departmentId,
        slot: 'supervisor',
      });
      expect(byId.get(user.departmentId!)!.supervisor).toEqual(userRule(id));
    });

    it('names the supervisor of each member of the manual cycle', async () => {
      const found = await providerFor('headers', { format }).openSession().fetchUsers(anchors.cycle);
      // A loop needs two people at least; with none the checks below would check nothing.
      expect(anchors.cycle.length).toBeGreaterThan(1);
      anchors.cycle.forEach((id, index) => {
        const next = anchors.cycle[(index + 1) % anchors.cycle.length]!;
        expect(userIn(found, id).managerRules[0]).toEqual(userRule(next));
      });
    });

    it('reads a missing subordination as inherit, and no_supervisor as no manager', async () => {
      const found = await providerFor('headers', { format })
        .openSession()
        .fetchUsers([anchors.noSubordination, anchors.noSupervisor, anchors.ceo]);
      const missing = userIn(found, anchors.noSubordination);
      expect(missing.managerRules[0]).toEqual(
        inheritFrom(sandboxUser(anchors.noSubordination).departmentId!),
      );
      expect(userIn(found, anchors.noSupervisor).managerRules[0]).toEqual({ kind: 'none' });
      expect(userIn(found, anchors.ceo).managerRules).toEqual([{ kind: 'none' }, { kind: 'none' }]);
    });

    it('carries functional managers: manual, and inherited through the department', async () => {
      const found = await providerFor('headers', { format })
        .openSession()
        .fetchUsers([anchors.functionalManagerUser, anchors.inheritedFunctionalManagerUser]);
      expect(userIn(found, anchors.functionalManagerUser).managerRules[1]).toEqual(
        userRule(anchors.functionalManager),
      );
      const inherited = userIn(found, anchors.inheritedFunctionalManagerUser);
      expect(inherited.managerRules[1]).toEqual(
        inheritFrom(sandboxUser(anchors.inheritedFunctionalManagerUser).departmentId!, 'functional'),
      );
      expect(byId.get(inherited.departmentId!)!.functionalManager).toEqual(
        userRule(anchors.qualityFunctionalManager),
      );
    });

    it('delivers the department tree: the deep department five levels below the root', async () => {
      const chain: string[] = [];
      for (let id: string | null = g(anchors.deepDepartment); id !== null; id = byId.get(id)!.parentId) {
        chain.push(id);
      }
      expect(chain).toHaveLength(6);
      expect(chain.at(-1)).toBe(g(anchors.rootDepartment));
      expect(department(anchors.rootDepartment)).toMatchObject({
        parentId: null,
        supervisor: userRule(anchors.ceo),
        functionalManager: { kind: 'none' },
      });
      expect(department(anchors.noSupervisorDepartment).supervisor).toEqual({ kind: 'none' });
    });
  });
});

describe('sessions', () => {
  it('read the department list once however often it is asked for', async () => {
    const session = providerFor('headers').openSession();
    const [first, second] = await Promise.all([session.listDepartments(), session.listDepartments()]);
    const third = await session.listDepartments();
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(sandbox.ispring.counts()).toEqual({ [DEPARTMENTS]: 1 });
  });

  it('read the group list once however often it is asked for', async () => {
    const session = providerFor('headers').openSession();
    await session.listGroups();
    await session.listGroups();
    expect(sandbox.ispring.counts()).toEqual({ [GROUPS]: 1 });
  });

  it('do not share their lists: each session reads its own', async () => {
    const provider = providerFor('headers');
    await provider.openSession().listGroups();
    await provider.openSession().listGroups();
    expect(sandbox.ispring.counts()).toEqual({ [GROUPS]: 2 });
  });

  it('make no request for an empty list of users', async () => {
    const found = await providerFor('token').openSession().fetchUsers([]);
    expect(found.size).toBe(0);
    expect(sandbox.ispring.count()).toBe(0);
  });
});

describe('access tokens', () => {
  it('fetches one token for many calls and sessions', async () => {
    const provider = providerFor('token');
    const session = provider.openSession();
    await Promise.all([
      session.fetchUsers(userIds(5)),
      session.listGroups(),
      session.listDepartments(),
      session.fetchDepartment(UNKNOWN_ID),
      session.fetchGroup(anchors.emptyGroup),
    ]);
    await provider.openSession().fetchUsers(userIds(3, 5));
    await provider.checkCredentials();
    // The department and the group by id are answered from the lists the session is reading.
    expect(sandbox.ispring.counts()).toEqual({
      [TOKEN]: 1,
      [USERS]: 3,
      [GROUPS]: 1,
      [DEPARTMENTS]: 1,
    });
  });

  it('after the sandbox expires its tokens, costs one token request and one retried request', async () => {
    const provider = providerFor('token');
    await provider.openSession().fetchUsers(userIds(1));
    sandbox.ispring.expireTokens();
    sandbox.ispring.reset();

    const ids = userIds(6, 1);
    const found = await provider.openSession().fetchUsers(ids);
    expect(ids.map((id) => userIn(found, id).externalId)).toEqual(ids);
    expect(sandbox.ispring.counts()).toEqual({ [TOKEN]: 1, [USERS]: 2 });
    expect(sandbox.ispring.log.map((entry) => [entry.endpoint, entry.status])).toEqual([
      [USERS, 401],
      [TOKEN, 200],
      [USERS, 200],
    ]);
    // The new token is kept: the next call costs nothing more.
    await provider.openSession().listGroups();
    expect(sandbox.ispring.count(TOKEN)).toBe(1);
  });

  it('refreshes a token rejected under a list read the same way', async () => {
    const provider = providerFor('token', { format: 'json' });
    await provider.checkCredentials();
    sandbox.ispring.expireTokens();
    sandbox.ispring.reset();
    expect(await provider.openSession().listDepartments()).toHaveLength(departments().length);
    expect(sandbox.ispring.counts()).toEqual({ [TOKEN]: 1, [DEPARTMENTS]: 2 });
  });
});

describe('header authentication', () => {
  it('sends the X-Auth headers on every request and never asks for a token', async () => {
    const provider = proxiedProviderFor('headers');
    const session = provider.openSession();
    await Promise.all([
      session.fetchUsers(userIds(3)),
      session.listGroups(),
      session.fetchDepartment(UNKNOWN_ID),
    ]);
    await provider.checkCredentials();
    sandbox.ispring.expireTokens();
    await provider.openSession().listDepartments();

    expect(sandbox.ispring.count(TOKEN)).toBe(0);
    expect(proxy.seen).toHaveLength(5);
    for (const entry of proxy.seen) {
      expect(entry.method).toBe('GET');
      expect(entry.headers).toMatchObject({
        'x-auth-account-url': credentials.accountUrl,
        'x-auth-email': credentials.email,
        'x-auth-password': credentials.password,
      });
      expect(entry.headers.authorization).toBeUndefined();
    }
  });
});

describe('rejected credentials', () => {
  const wrongSecret = 'wrongIspringClientSecret00000000000000000';
  const wrongPassword = 'wrong-ispring-password-1234';

  function wrongTokenConfig(): Partial<IspringConfig> {
    return { auth: { mode: 'token', clientId: credentials.clientId, clientSecret: wrongSecret } };
  }
  function wrongHeaderConfig(): Partial<IspringConfig> {
    return {
      auth: {
        mode: 'headers',
        accountUrl: credentials.accountUrl,
        email: credentials.email,
        password: wrongPassword,
      },
    };
  }

  it('reports a wrong client secret as UPSTREAM_AUTH from the token endpoint, secret-free', async () => {
    const provider = proxiedProviderFor('token', wrongTokenConfig());
    const error = await rejection(provider.openSession().fetchUsers(userIds(3)));
    expect(error.code).toBe('UPSTREAM_AUTH');
    expect(error.provider).toBe('ispring');
    expect(error.endpoint).toBe(TOKEN);
    expect(error.status).toBe(401);
    expectNoSecrets(error, [wrongSecret, credentials.clientSecret, ...proxy.issuedTokens]);
    // The token endpoint said no once; no data request went out without a token.
    expect(sandbox.ispring.counts()).toEqual({ [TOKEN]: 1 });
  });

  it('reports a wrong client secret as UPSTREAM_AUTH on list and by-id reads too', async () => {
    const session = providerFor('token', wrongTokenConfig()).openSession();
    for (const call of [
      () => session.listDepartments(),
      () => session.listGroups(),
      () => session.fetchGroup(anchors.smartGroup),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe('UPSTREAM_AUTH');
      expectNoSecrets(error, [wrongSecret]);
    }
    // The refusal is shared for a few seconds (TOKEN_REFUSAL_BACKOFF_MS): one token request in all.
    expect(sandbox.ispring.counts()).toEqual({ [TOKEN]: 1 });
  });

  it('reports a wrong password as UPSTREAM_AUTH, password-free, after one request', async () => {
    const provider = proxiedProviderFor('headers', wrongHeaderConfig());
    const error = await rejection(provider.openSession().fetchUsers(userIds(3)));
    expect(error.code).toBe('UPSTREAM_AUTH');
    expect(error.provider).toBe('ispring');
    expect(error.endpoint).toBe(USERS);
    expect(error.status).toBe(401);
    expectNoSecrets(error, [wrongPassword, credentials.password, ...proxy.issuedTokens]);
    expect(sandbox.ispring.counts()).toEqual({ [USERS]: 1 });
  });

  it('reports a wrong password as UPSTREAM_AUTH on list reads', async () => {
    const error = await rejection(providerFor('headers', wrongHeaderConfig()).openSession().listGroups());
    expect(error.code).toBe('UPSTREAM_AUTH');
    expectNoSecrets(error, [wrongPassword]);
    expect(sandbox.ispring.counts()).toEqual({ [GROUPS]: 1 });
  });

  it.each<[Mode, () => Partial<IspringConfig>]>([
    ['token', wrongTokenConfig],
    ['headers', wrongHeaderConfig],
  ])('fails the credentials check in %s mode', async (mode, wrong) => {
    const error = await rejection(providerFor(mode, wrong()).checkCredentials());
    expect(error.code).toBe('UPSTREAM_AUTH');
    expect(error.provider).toBe('ispring');
  });
});

describe('an unreachable or misaddressed iSpring', () => {
  it.each<Mode>(['token', 'headers'])(
    'reports a sandbox slower than the timeout as UPSTREAM_UNAVAILABLE after its retries (%s mode)',
    async (mode) => {
      sandbox.ispring.setDelay(400);
      try {
        // Each attempt times out (60 ms; the sandbox answers after 400 ms). The waits between
        // attempts are written down on a clock of the test's, not waited. In token mode the token
        // request is the one that times out, and no data request is sent without a token.
        const resilience = defaultResilience('ispring');
        const config = { ...configFor(mode), baseUrl: proxy.baseUrl, timeoutMs: 60, resilience };
        const { retries } = resilience.retry;
        const endpoint = mode === 'token' ? TOKEN : GROUPS;
        const sleeps: number[] = [];
        const clock: ResilienceClock = {
          now: () => Date.now() + sleeps.reduce((sum, ms) => sum + ms, 0),
          sleep: async (ms) => {
            sleeps.push(ms);
          },
          random: () => 0.5,
        };
        const provider = createIspringProvider(config, { redactor: new SecretRedactor([]), clock });
        const error = await rejection(provider.openSession().listGroups());
        expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', provider: 'ispring', endpoint });
        expect(error.message).toContain(
          `did not answer in time (${endpoint}). Gave up after ${retries + 1} attempts.`,
        );
        expect(sandbox.ispring.counts()).toEqual({ [endpoint]: retries + 1 });
        expect(sleeps).toHaveLength(retries);
        expectNoSecrets(error, [credentials.clientSecret, credentials.password, ...proxy.issuedTokens]);
      } finally {
        sandbox.ispring.setDelay(0);
      }
    },
  );

  it('reports a timeout after a token was issued without the token in the error', async () => {
    const provider = proxiedProviderFor('token', { timeoutMs: 150 });
    await provider.openSession().listGroups();
    expect(proxy.issuedTokens.size).toBeGreaterThan(0);
    sandbox.ispring.setDelay(500);
    try {
      const error = await rejection(provider.openSession().fetchUsers(userIds(2)));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.endpoint).toBe(USERS);
      expectNoSecrets(error, [credentials.clientSecret, ...proxy.issuedTokens]);
    } finally {
      sandbox.ispring.setDelay(0);
    }
  });

  it('reports a base URL with a wrong path as UPSTREAM_BAD_RESPONSE naming ISPRING_BASE_URL', async () => {
    const session = providerFor('headers', { baseUrl: `${sandbox.ispring.baseUrl}/nope` }).openSession();
    for (const [call, endpoint] of [
      [() => session.listDepartments(), DEPARTMENTS],
      [() => session.listGroups(), GROUPS],
      [() => session.fetchUsers(userIds(2)), USERS],
    ] as const) {
      const error = await rejection(call());
      expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
      expect(error.endpoint).toBe(endpoint);
      expect(error.status).toBe(404);
      expect(error.message).toContain('ISPRING_BASE_URL');
    }
    expect(sandbox.ispring.counts()).toEqual({ 'GET <unknown>': 3 });
  });

  it("asks for the token on the base URL's origin, whatever the base URL's path", async () => {
    const session = providerFor('token', { baseUrl: `${sandbox.ispring.baseUrl}/nope` }).openSession();
    const error = await rejection(session.listDepartments());
    expect(error.endpoint).toBe(DEPARTMENTS);
    expect(error.message).toContain('ISPRING_BASE_URL');
    expect(sandbox.ispring.counts()).toEqual({ [TOKEN]: 1, 'GET <unknown>': 1 });
  });

  it('asks for the token at ISPRING_TOKEN_URL when it is set, and names it when the endpoint is not there', async () => {
    const session = providerFor('token', {
      tokenUrl: `${sandbox.ispring.origin}/elsewhere/token`,
    }).openSession();
    const error = await rejection(session.listDepartments());
    expect(error.endpoint).toBe(TOKEN);
    expect(error.message).toContain('ISPRING_TOKEN_URL');
    expect(sandbox.ispring.counts()).toEqual({ 'POST <unknown>': 1 });
  });

  it('fails the credentials check on a wrong base URL', async () => {
    const error = await rejection(
      providerFor('headers', { baseUrl: `${sandbox.ispring.baseUrl}/nope` }).checkCredentials(),
    );
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toContain('ISPRING_BASE_URL');
  });
});
