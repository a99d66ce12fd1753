import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IspringUserProfile } from '../../src/providers/ispring/wire.ts';
import type { ThriveAudience, ThriveUser } from '../../src/providers/thrive/wire.ts';
import { expectNoneIn } from '../helpers/errors.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * Real tenants (README, "What real tenants send"): one odd field never loses a user. The payloads
 * are published variants, labelled here T-V1 (a Thrive user whose position's manager has null ids),
 * T-V2 (Thrive audiences), I-V5 (iSpring's by-id sample) and I-V11 (iSpring dates), verbatim, with one field
 * changed per test; the sandboxes serve them as they are. A field whose value does not fit becomes
 * null (a list item is dropped), with one warning line per payload naming the path, what was
 * expected and the kind that came (never the value), and `upstream_payload_issues_total`; the user
 * is kept. A manager without a usable id is "no manager", and an empty date is no date, silently.
 * Only a record without a usable id is lost.
 */

const PAYLOAD_WARNING =
  'upstream payload had values that do not fit their documented shape: they were left out, the records kept';
const ISSUES_METRIC = 'learning_directory_upstream_payload_issues_total';
const DATE_EXPECTED = 'an ISO-8601 date (YYYY-MM-DD) or date-time';
const THRIVE_ID_EXPECTED = 'a Thrive id (letters, digits, "_" or "-")';

/** T-V1, verbatim. */
const T_V1 = `{"id":"646767d82535201223349e09","ref":"EMP-1","firstName":"Jo","lastName":"Bloggs","email":"jo@example.com","role":"learner","status":"active",
 "positions":[{"id":"646767d82535201223349e09","title":"Analyst","manager":{"id":null,"name":null,"ref":null},"ouId":null,"isActive":true,"startDate":"2021-01-01T09:00:00Z","createdAt":"2021-01-01T09:00:00Z","updatedAt":"2021-01-01T09:00:00Z"}],
 "audiences":[{"id":"63f8c5361b9c80d3274be7ca"}],"deleted":false}`;
/** T-V2's two audiences, as `GET /audiences/{id}` answers them (Tech Team's parent is Technology). */
const TECHNOLOGY: ThriveAudience = JSON.parse(
  '{"id":"673db100e5c0503ac23b0e2b","name":"Technology","reference":"tech","apiControlled":true,"category":"structure","type":"manual"}',
);
const TECH_TEAM: ThriveAudience = JSON.parse(
  '{"id":"63f8c5361b9c80d3274be7ca","name":"Tech Team","reference":"audience123","apiControlled":true,"category":"audience","type":"manual","parent":{"name":"Technology","reference":"tech","id":"673db100e5c0503ac23b0e2b"}}',
);

/** I-V5's user, verbatim (the spec's by-id sample), unwrapped from `{"response": …}`. */
const I_V5 = `{"userId":"3d7e1028-1545-11ec-b8d1-0242ac17002a","role":"learner","roleId":"eaf01e14-2ae1-11e9-89a5-0242ac13000a","departmentId":"1141d74c-a75e-11eb-ad56-0242ac13002a","status":5,"fields":[{"name":"LOGIN","value":"kate.smith"},{"name":"EMAIL","value":"kate.smith@test.com"}],"addedDate":"2021-09-14","lastLoginDate":"2021-11-30","userRoles":[{"roleId":"eaf01e14-2ae1-11e9-89a5-0242ac13000a","roleType":"learner"}],"subordination":{"subordinationType":"inherit"},"coSubordination":{"subordinationType":"no_supervisor"}}`;

/** T-V1 with `edit` applied to its parsed copy. */
function thriveUser(edit: (user: Record<string, any>) => void = () => {}): ThriveUser {
  const user = JSON.parse(T_V1) as Record<string, any>;
  edit(user);
  return user as unknown as ThriveUser;
}

function ispringUser(edit: (user: Record<string, any>) => void = () => {}): IspringUserProfile {
  const user = JSON.parse(I_V5) as Record<string, any>;
  edit(user);
  return user as unknown as IspringUserProfile;
}

const THRIVE_ID = 'thrive:646767d82535201223349e09';
const ISPRING_ID = 'ispring:3d7e1028-1545-11ec-b8d1-0242ac17002a';

const THRIVE_USER = `query ($id: ID!) {
  user(id: $id) {
    id displayName status createdAt lastLoginAt
    manager { id } managers { id } department { id name }
    positions { title isActive startDate endDate department { id name } manager { id } }
    groups { id name }
  }
}`;
const ISPRING_USER = `query ($id: ID!) { user(id: $id) { id login email status createdAt lastLoginAt } }`;

/** The T-V1 user as the subgraph answers it, with `changes` over it. */
function thriveAnswer(changes: Record<string, unknown> = {}) {
  return {
    id: THRIVE_ID,
    displayName: 'Jo Bloggs',
    status: 'ACTIVE',
    createdAt: null,
    lastLoginAt: null,
    manager: null,
    managers: [],
    department: null,
    positions: [
      {
        title: 'Analyst',
        isActive: true,
        startDate: '2021-01-01T09:00:00.000Z',
        endDate: null,
        department: null,
        manager: null,
      },
    ],
    groups: [{ id: `thrive:${TECH_TEAM.id}`, name: 'Tech Team' }],
    ...changes,
  };
}

function ispringAnswer(changes: Record<string, unknown> = {}) {
  return {
    id: ISPRING_ID,
    login: 'kate.smith',
    email: 'kate.smith@test.com',
    status: 'EMPLOYMENT_ENDED',
    createdAt: '2021-09-14T00:00:00.000Z',
    lastLoginAt: '2021-11-30T00:00:00.000Z',
    ...changes,
  };
}

/** The payload warnings written since the last reset. */
const warnings = (stack: Stack) => stack.logs.filter((line) => line.msg === PAYLOAD_WARNING);

/** `upstream_payload_issues_total` by `provider/endpoint` (zeros left out). */
async function issueCounts(stack: Stack): Promise<Record<string, number>> {
  const metric = (await stack.metrics.registry.getMetricsAsJSON()).find(
    (candidate) => candidate.name === ISSUES_METRIC,
  )!;
  return Object.fromEntries(
    metric.values
      .filter((sample) => sample.value > 0)
      .map((sample) => [`${sample.labels.provider} ${sample.labels.endpoint}`, sample.value]),
  );
}

/** One payload warning naming exactly `issues`, and the metric counting them; no value of `values` in any log. */
async function expectOneWarning(
  stack: Stack,
  provider: 'thrive' | 'ispring',
  endpoint: string,
  issues: Array<{ path: string; expected: string; received: string }>,
  values: readonly string[] = [],
): Promise<void> {
  const lines = warnings(stack);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 40, provider, endpoint, issueCount: issues.length });
  expect(lines[0]!.issues).toEqual(issues);
  expect(await issueCounts(stack)).toEqual({ [`${provider} ${endpoint}`]: issues.length });
  expectNoneIn(JSON.stringify(stack.logs), [...values, ...stack.secrets]);
}

async function expectSilence(stack: Stack): Promise<void> {
  expect(warnings(stack)).toEqual([]);
  expect(await issueCounts(stack)).toEqual({});
}

describe('Thrive users (T-V1)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ providers: ['thrive'], modes: { thrive: 'basic' }, logLevel: 'warn' });
    stack.sandbox.thrive.putAudience(TECHNOLOGY);
    stack.sandbox.thrive.putAudience(TECH_TEAM);
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.sandbox.thrive.clearFaults();
    stack.resetCounts();
    stack.logs.length = 0;
    stack.metrics.registry.resetMetrics();
  });

  async function read(user: ThriveUser) {
    stack.sandbox.thrive.putUser(user);
    const response = await stack.query(THRIVE_USER, { id: THRIVE_ID });
    expectNoneIn(JSON.stringify(response), stack.secrets);
    return response;
  }

  it.each([
    ['{"id": null, "name": null, "ref": null} (T-V1 as published)', undefined],
    ['{}', {}],
    ['{"id": ""}', { id: '' }],
    ['null', null],
  ])('reads a position manager %s as no manager, silently', async (_name, manager) => {
    const user = thriveUser((edit) => {
      if (manager !== undefined) edit.positions[0].manager = manager;
    });
    const response = await read(user);
    expect(response.errors).toBeUndefined();
    expect(response.data!.user).toEqual(thriveAnswer());
    // No manager to look up: the user, and the one audience its groups name.
    expect(stack.sandbox.thrive.counts()).toEqual({
      [THRIVE_ENDPOINTS.user]: 1,
      [THRIVE_ENDPOINTS.audience]: 1,
    });
    await expectSilence(stack);
  });

  it('drops a null item of audiences[], keeps the user and the other audiences, and warns once', async () => {
    const response = await read(thriveUser((user) => user.audiences.unshift(null)));
    expect(response.errors).toBeUndefined();
    expect(response.data!.user).toEqual(thriveAnswer());
    await expectOneWarning(stack, 'thrive', THRIVE_ENDPOINTS.user, [
      { path: 'audiences[0]', expected: `${THRIVE_ID_EXPECTED} or an object with an id`, received: 'null' },
    ]);
  });

  it('drops a null item of positions[], keeps the user and the other positions, and warns once', async () => {
    const response = await read(thriveUser((user) => user.positions.unshift(null)));
    expect(response.errors).toBeUndefined();
    expect(response.data!.user).toEqual(thriveAnswer());
    await expectOneWarning(stack, 'thrive', THRIVE_ENDPOINTS.user, [
      { path: 'positions[0]', expected: 'an object', received: 'null' },
    ]);
  });

  it('reads an ouId outside the id alphabet as no department, keeps the user, and warns once without the value', async () => {
    const response = await read(thriveUser((user) => (user.positions[0].ouId = 'ou.123')));
    expect(response.errors).toBeUndefined();
    expect(response.data!.user).toEqual(thriveAnswer());
    await expectOneWarning(
      stack,
      'thrive',
      THRIVE_ENDPOINTS.user,
      [{ path: 'positions[0].ouId', expected: THRIVE_ID_EXPECTED, received: 'a string of 6 characters' }],
      ['ou.123'],
    );
  });

  it.each([
    ['0000-00-00', true],
    ['0000-00-00 00:00:00', true],
    ['n/a', true],
    ['', false],
  ])('reads createdAt %j as no date, keeps the user, and warns: %s', async (value, warned) => {
    const response = await read(thriveUser((user) => (user.createdAt = value)));
    expect(response.errors).toBeUndefined();
    expect(response.data!.user).toEqual(thriveAnswer({ createdAt: null }));
    if (warned) {
      await expectOneWarning(stack, 'thrive', THRIVE_ENDPOINTS.user, [
        { path: 'createdAt', expected: DATE_EXPECTED, received: `a string of ${value.length} characters` },
      ]);
    } else {
      await expectSilence(stack);
    }
  });

  it('names every unreadable date of one payload in one warning: lastLogin and a position’s startDate and endDate', async () => {
    const response = await read(
      thriveUser((user) => {
        user.lastLogin = '0000-00-00 00:00:00';
        user.positions[0].startDate = 'n/a';
        user.positions[0].endDate = '0000-00-00';
      }),
    );
    expect(response.errors).toBeUndefined();
    const answer = thriveAnswer();
    expect(response.data!.user).toEqual({
      ...answer,
      positions: [{ ...answer.positions[0], startDate: null }],
    });
    await expectOneWarning(stack, 'thrive', THRIVE_ENDPOINTS.user, [
      { path: 'positions[0].startDate', expected: DATE_EXPECTED, received: 'a string of 3 characters' },
      { path: 'positions[0].endDate', expected: DATE_EXPECTED, received: 'a string of 10 characters' },
      { path: 'lastLogin', expected: DATE_EXPECTED, received: 'a string of 19 characters' },
    ]);
  });

  it('keeps a user with every odd field of this file at once, one warning for the payload', async () => {
    const response = await read(
      thriveUser((user) => {
        user.audiences.push(null);
        user.positions.push(null);
        user.positions[0].ouId = 'ou.123';
        user.positions[0].manager = {};
        user.createdAt = '0000-00-00';
      }),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.user).toEqual(thriveAnswer());
    expect(warnings(stack)).toHaveLength(1);
    expect(warnings(stack)[0]!.issueCount).toBe(4);
    expect(await issueCounts(stack)).toEqual({ [`thrive ${THRIVE_ENDPOINTS.user}`]: 4 });
  });

  it('loses only a record without a usable id: UPSTREAM_BAD_RESPONSE for that user', async () => {
    stack.sandbox.thrive.putUser(thriveUser());
    stack.sandbox.thrive.inject(
      {
        kind: 'status',
        status: 200,
        body: T_V1.replace('"id":"646767d82535201223349e09","ref"', '"id":null,"ref"'),
      },
      { endpoint: THRIVE_ENDPOINTS.user },
    );
    const response = await stack.query(THRIVE_USER, { id: THRIVE_ID });
    expect(response.data).toEqual({ user: null });
    expect(response.errors!.map((error) => error.extensions)).toEqual([
      { code: 'UPSTREAM_BAD_RESPONSE', provider: 'THRIVE' },
    ]);
    expect(response.errors![0]!.message).toContain(`id: expected ${THRIVE_ID_EXPECTED}, received null`);
    expect(stack.sandbox.thrive.counts()).toEqual({ [THRIVE_ENDPOINTS.user]: 1 });
  });

  it('drops an audience of the list without a usable id, keeps the others, and warns once', async () => {
    stack.sandbox.thrive.putAudience({ ...TECHNOLOGY, id: 'audience.42', name: 'Dotted' });
    try {
      const response = await stack.query(
        `{ a: group(id: "thrive:${TECHNOLOGY.id}") { name } b: group(id: "thrive:${TECH_TEAM.id}") { name } }`,
      );
      expect(response).toEqual({ data: { a: { name: 'Technology' }, b: { name: 'Tech Team' } } });
      expect(stack.sandbox.thrive.counts()).toEqual({ [THRIVE_ENDPOINTS.audiences]: 1 });
      const index = stack.sandbox.organisation.thrive.audiences.findIndex(
        (audience) => audience.id === 'audience.42',
      );
      await expectOneWarning(
        stack,
        'thrive',
        THRIVE_ENDPOINTS.audiences,
        [
          {
            path: `results[${index}].id`,
            expected: THRIVE_ID_EXPECTED,
            received: 'a string of 11 characters',
          },
        ],
        ['audience.42'],
      );
    } finally {
      stack.sandbox.thrive.removeAudience('audience.42');
    }
  });
});

describe.each(['xml', 'json'] as const)('iSpring users (I-V5, I-V11), asked for %s', (format) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      providers: ['ispring'],
      modes: { ispring: 'headers' },
      overrides: { ispringFormat: format },
      logLevel: 'warn',
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.sandbox.ispring.clearFaults();
    stack.resetCounts();
    stack.logs.length = 0;
    stack.metrics.registry.resetMetrics();
  });

  async function read(user: IspringUserProfile) {
    stack.sandbox.ispring.putUser(user);
    const response = await stack.query(ISPRING_USER, { id: ISPRING_ID });
    expectNoneIn(JSON.stringify(response), stack.secrets);
    expect(stack.sandbox.ispring.counts()).toEqual({ [ISPRING_ENDPOINTS.usersV2]: 1 });
    return response;
  }

  it('reads the published user as it is, silently', async () => {
    const response = await read(ispringUser());
    expect(response).toEqual({ data: { user: ispringAnswer() } });
    await expectSilence(stack);
  });

  it.each([
    ['0000-00-00', true],
    ['0000-00-00 00:00:00', true],
    ['n/a', true],
    ['', false],
  ])('reads lastLoginDate %j as no date, keeps the user, and warns: %s', async (value, warned) => {
    const response = await read(ispringUser((user) => (user.lastLoginDate = value)));
    expect(response).toEqual({ data: { user: ispringAnswer({ lastLoginAt: null }) } });
    if (warned) {
      await expectOneWarning(stack, 'ispring', ISPRING_ENDPOINTS.usersV2, [
        {
          path: 'userProfiles[0].lastLoginDate',
          expected: DATE_EXPECTED,
          received: `a string of ${value.length} characters`,
        },
      ]);
    } else {
      await expectSilence(stack);
    }
  });

  it('reads addedDate 0000-00-00 as no date, keeps the user, and warns once', async () => {
    const response = await read(ispringUser((user) => (user.addedDate = '0000-00-00')));
    expect(response).toEqual({ data: { user: ispringAnswer({ createdAt: null }) } });
    await expectOneWarning(stack, 'ispring', ISPRING_ENDPOINTS.usersV2, [
      { path: 'userProfiles[0].addedDate', expected: DATE_EXPECTED, received: 'a string of 10 characters' },
    ]);
  });

  it('reads a space-separated addedDate without a zone as UTC, silently', async () => {
    const response = await read(ispringUser((user) => (user.addedDate = '2021-09-14 08:30:00')));
    expect(response).toEqual({ data: { user: ispringAnswer({ createdAt: '2021-09-14T08:30:00.000Z' }) } });
    await expectSilence(stack);
  });

  it('drops a group id that is not a UUID, keeps the user and its other groups, and warns once', async () => {
    const group = stack.sandbox.organisation.ispring.groups[0]!;
    stack.sandbox.ispring.putUser(ispringUser((user) => (user.groups = ['group.7', group.groupId])));
    const response = await stack.query(`query ($id: ID!) { user(id: $id) { id groups { id name } } }`, {
      id: ISPRING_ID,
    });
    expect(response).toEqual({
      data: { user: { id: ISPRING_ID, groups: [{ id: `ispring:${group.groupId}`, name: group.name }] } },
    });
    expect(stack.sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.usersV2]: 1,
      [ISPRING_ENDPOINTS.group]: 1,
    });
    await expectOneWarning(
      stack,
      'ispring',
      ISPRING_ENDPOINTS.usersV2,
      [
        {
          path: 'userProfiles[0].groups[0]',
          expected: 'an iSpring id (a UUID)',
          received: 'a string of 7 characters',
        },
      ],
      ['group.7'],
    );
  });

  it('loses only a profile without a usable id: the others of the page are kept', async () => {
    const other = ispringUser((user) => (user.userId = 'not-a-uuid'));
    const body =
      format === 'json'
        ? JSON.stringify({ userProfiles: [JSON.parse(I_V5), other] })
        : `<?xml version="1.0" encoding="UTF-8"?><response><userProfiles><userProfile><userId>3d7e1028-1545-11ec-b8d1-0242ac17002a</userId><status>5</status><fields><field><name>LOGIN</name><value>kate.smith</value></field><field><name>EMAIL</name><value>kate.smith@test.com</value></field></fields><addedDate>2021-09-14</addedDate><lastLoginDate>2021-11-30</lastLoginDate></userProfile><userProfile><userId>not-a-uuid</userId></userProfile></userProfiles></response>`;
    stack.sandbox.ispring.inject(
      {
        kind: 'status',
        status: 200,
        body,
        headers: { 'content-type': format === 'json' ? 'application/json' : 'application/xml' },
      },
      { endpoint: ISPRING_ENDPOINTS.usersV2, times: 1 },
    );
    const missing = 'ispring:00000000-0000-4000-8000-000000000000';
    const response = await stack.query(
      `query ($ids: [ID!]!) { users(ids: $ids) { id login email status createdAt lastLoginAt } }`,
      { ids: [ISPRING_ID, missing] },
    );
    // The unreadable profile may be the one asked for by the other id: that id fails, it is not "none".
    expect(response.data).toEqual({ users: [ispringAnswer(), null] });
    expect(response.errors).toEqual([
      expect.objectContaining({
        path: ['users', 1],
        extensions: { code: 'UPSTREAM_BAD_RESPONSE', provider: 'ISPRING' },
      }),
    ]);
    expect(stack.sandbox.ispring.counts()).toEqual({ [ISPRING_ENDPOINTS.usersV2]: 1 });
  });
});

describe('iSpring I-V11 verbatim, in one XML page', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ providers: ['ispring'], modes: { ispring: 'headers' }, logLevel: 'warn' });
  });
  afterAll(() => stack.close());

  it('keeps three users whose dates are <lastLoginDate/>, 0000-00-00 and a space-separated addedDate, with one warning', async () => {
    const ids = [
      '3d7e1028-1545-11ec-b8d1-0242ac17002a',
      '3d7e1028-1545-11ec-b8d1-0242ac17002b',
      '3d7e1028-1545-11ec-b8d1-0242ac17002c',
    ];
    const profile = (id: string, dates: string) =>
      `<userProfile><userId>${id}</userId><status>1</status><fields><field><name>LOGIN</name><value>${id.slice(-1)}</value></field></fields>${dates}</userProfile>`;
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<response>
    <userProfiles>
        ${profile(ids[0]!, '<addedDate>2021-09-14</addedDate><lastLoginDate/>')}
        ${profile(ids[1]!, '<addedDate>2021-09-14</addedDate><lastLoginDate>0000-00-00</lastLoginDate>')}
        ${profile(ids[2]!, '<addedDate>2021-09-14 08:30:00</addedDate><lastLoginDate>2021-11-30</lastLoginDate>')}
    </userProfiles>
    <nextPageToken></nextPageToken>
</response>`;
    stack.sandbox.ispring.inject(
      { kind: 'status', status: 200, body, headers: { 'content-type': 'application/xml; charset=utf-8' } },
      { endpoint: ISPRING_ENDPOINTS.usersV2 },
    );
    const response = await stack.query(
      `query ($ids: [ID!]!) { users(ids: $ids) { id login createdAt lastLoginAt } }`,
      { ids: ids.map((id) => `ispring:${id}`) },
    );
    expect(response).toEqual({
      data: {
        users: [
          { id: `ispring:${ids[0]}`, login: 'a', createdAt: '2021-09-14T00:00:00.000Z', lastLoginAt: null },
          { id: `ispring:${ids[1]}`, login: 'b', createdAt: '2021-09-14T00:00:00.000Z', lastLoginAt: null },
          {
            id: `ispring:${ids[2]}`,
            login: 'c',
            createdAt: '2021-09-14T08:30:00.000Z',
            lastLoginAt: '2021-11-30T00:00:00.000Z',
          },
        ],
      },
    });
    expect(stack.sandbox.ispring.counts()).toEqual({ [ISPRING_ENDPOINTS.usersV2]: 1 });
    // The page's second profile: the path says which.
    await expectOneWarning(stack, 'ispring', ISPRING_ENDPOINTS.usersV2, [
      {
        path: 'userProfiles[1].lastLoginDate',
        expected: DATE_EXPECTED,
        received: 'a string of 10 characters',
      },
    ]);
  });
});
