import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ThriveAudience, ThriveUser } from '../../src/providers/thrive/wire.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { expectNoneIn } from '../helpers/errors.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * Real tenants (README), Thrive's audiences, through the subgraph, with the exact upstream requests of each
 * operation (the cache is dropped before each one, so each is a cold operation):
 * - Thrive's audience list answers `AudienceStub`s (the sandbox's default) whose items have no
 *   `parent` key: parentage then comes from by-id reads, so a tree is the same whichever path ran
 *   first; an id no audience has is null from `department(id:)`, while a position naming it still
 *   gives a department with a null name;
 * - a department needed for a walk comes from the list, and Thrive's departments and groups share
 *   one catalog: one `GET /audiences` when more than one audience is needed in all.
 */

const AUDIENCES = THRIVE_ENDPOINTS.audiences;
const AUDIENCE = THRIVE_ENDPOINTS.audience;
const THRIVE_USER = THRIVE_ENDPOINTS.user;

/** A third level under Engineering (a child of the Technology structure), as an audience stub. */
const PLATFORM_TEAM: ThriveAudience = {
  id: '6710aa0be5c0503ac23b0e2c',
  name: 'Platform Team',
  reference: 'platform-team',
  apiControlled: true,
  category: 'audience',
  type: 'manual',
  parent: {
    id: DEMO.thrive.childAudience,
    name: 'Engineering',
    reference: DEMO.thrive.childAudienceReference,
  },
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ modes: { thrive: 'basic', ispring: 'headers' }, logLevel: 'warn' });
  stack.sandbox.thrive.putAudience(PLATFORM_TEAM);
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.sandbox.thrive.resetVariants();
  stack.sandbox.ispring.resetVariants();
  stack.resetCounts();
});

const audienceById = (id: string) => stack.sandbox.organisation.thrive.audiences.find((a) => a.id === id)!;

/** The ancestors of an audience, nearest first, from the sandbox's whole records. */
function ancestorsOf(id: string): Array<{ id: string; name: string | null }> {
  const chain: Array<{ id: string; name: string | null }> = [];
  for (let parent = audienceById(id).parent; parent; parent = audienceById(parent.id).parent) {
    chain.push({ id: `thrive:${parent.id}`, name: audienceById(parent.id).name });
  }
  return chain;
}

async function query(text: string, variables?: Record<string, unknown>) {
  const response = await stack.query(text, variables);
  expect(response.errors).toBeUndefined();
  expectNoneIn(JSON.stringify(response), stack.secrets);
  expectNoneIn(JSON.stringify(stack.logs), stack.secrets);
  return response.data!;
}

describe('Thrive audience stubs (no parent key in the list)', () => {
  const ANCESTORS = `query ($id: ID!) { department(id: $id) { id ancestors { id name } } }`;
  const LIST_FIRST = `query ($other: ID!, $id: ID!) {
    other: department(id: $other) { name }
    department(id: $id) { id ancestors { id name } }
  }`;

  it('are what the sandbox serves by default (the premise of the tests below)', () => {
    expect(stack.sandbox.thrive.variants.audienceList).toBe('stubs');
  });

  it('read by id first: the ancestors, from one list read and a by-id read per ancestor', async () => {
    const expected = ancestorsOf(PLATFORM_TEAM.id);
    expect(expected.map((ancestor) => ancestor.name)).toEqual(['Engineering', 'Technology']);
    const data = await query(ANCESTORS, { id: `thrive:${PLATFORM_TEAM.id}` });
    expect(data.department).toEqual({ id: `thrive:${PLATFORM_TEAM.id}`, ancestors: expected });
    // The department itself by id (whole); the walk reads the list; each ancestor from the list
    // does not tell its parent, so it is read by id once (the root too, to learn it has none).
    expect(stack.sandbox.thrive.counts()).toEqual({ [AUDIENCE]: 1 + expected.length, [AUDIENCES]: 1 });
  });

  it('read from the list first: the same ancestors, each audience read by id once to know its parent', async () => {
    const expected = ancestorsOf(PLATFORM_TEAM.id);
    const data = await query(LIST_FIRST, {
      other: `thrive:${DEMO.thrive.structure}`,
      id: `thrive:${PLATFORM_TEAM.id}`,
    });
    expect(data.department).toEqual({ id: `thrive:${PLATFORM_TEAM.id}`, ancestors: expected });
    // Two departments at once: the list. Then the department and each ancestor by id for parents.
    expect(stack.sandbox.thrive.counts()).toEqual({ [AUDIENCES]: 1, [AUDIENCE]: 1 + expected.length });
  });

  it('give a group its parent whichever path ran first', async () => {
    const child = `thrive:${DEMO.thrive.childAudience}`;
    const parent = { id: `thrive:${DEMO.thrive.structure}`, name: audienceById(DEMO.thrive.structure).name };
    const byId = await query(`query ($id: ID!) { group(id: $id) { id parent { id name } } }`, { id: child });
    expect(byId.group).toEqual({ id: child, parent });
    expect(stack.sandbox.thrive.counts()).toEqual({ [AUDIENCE]: 1, [AUDIENCES]: 1 });

    stack.resetCounts();
    const listFirst = await query(
      `query ($a: ID!, $id: ID!) { a: group(id: $a) { name } group(id: $id) { id parent { id name } } }`,
      { a: `thrive:${DEMO.thrive.smartAudience}`, id: child },
    );
    expect(listFirst.group).toEqual(byId.group);
    expect(stack.sandbox.thrive.counts()).toEqual({ [AUDIENCES]: 1, [AUDIENCE]: 1 });
  });

  it('give a group its parent after an earlier operation left the list of stubs in the cache', async () => {
    const child = `thrive:${DEMO.thrive.childAudience}`;
    const names = await query(
      `query ($a: ID!, $b: ID!) { a: group(id: $a) { name } b: group(id: $b) { name } }`,
      {
        a: `thrive:${DEMO.thrive.smartAudience}`,
        b: child,
      },
    );
    expect(names.b).toEqual({ name: audienceById(DEMO.thrive.childAudience).name });
    expect(stack.sandbox.thrive.counts()).toEqual({ [AUDIENCES]: 1 });

    stack.resetCounts({ keepCache: true });
    const tree = await query(`query ($id: ID!) { group(id: $id) { parent { id } } }`, { id: child });
    expect(tree.group).toEqual({ parent: { id: `thrive:${DEMO.thrive.structure}` } });
    // The cached list does not tell parents: the group is read by id; its parent comes from the list.
    expect(stack.sandbox.thrive.counts()).toEqual({ [AUDIENCE]: 1 });
  });

  it('cost no by-id read when the list is of whole audiences (audienceList: full)', async () => {
    stack.sandbox.thrive.setVariants({ audienceList: 'full' });
    const expected = ancestorsOf(PLATFORM_TEAM.id);
    const data = await query(LIST_FIRST, {
      other: `thrive:${DEMO.thrive.structure}`,
      id: `thrive:${PLATFORM_TEAM.id}`,
    });
    expect(data.department).toEqual({ id: `thrive:${PLATFORM_TEAM.id}`, ancestors: expected });
    expect(stack.sandbox.thrive.counts()).toEqual({ [AUDIENCES]: 1 });
  });
});

describe('a Thrive department id no audience has', () => {
  it('is null from department(id:), after one by-id read', async () => {
    const data = await query(`{ department(id: "thrive:6710aa0be5c0503ac23b0eff") { id name } }`);
    expect(data).toEqual({ department: null });
    expect(stack.sandbox.thrive.log.map((entry) => [entry.endpoint, entry.status])).toEqual([
      [AUDIENCE, 404],
    ]);
  });

  it('is null from department(id:) even when a position names it', async () => {
    const data = await query(`{ department(id: "thrive:${DEMO.thrive.unknownOuId}") { id name } }`);
    expect(data).toEqual({ department: null });
    expect(stack.sandbox.thrive.counts()).toEqual({ [AUDIENCE]: 1 });
  });

  it('is still a department with a null name from User.department and Position.department', async () => {
    const data = await query(
      `query ($id: ID!) {
      user(id: $id) { department { id name } positions { department { id name } } }
    }`,
      { id: `thrive:${DEMO.thrive.unknownOu}` },
    );
    const named = { id: `thrive:${DEMO.thrive.unknownOuId}`, name: null };
    expect(data.user.department).toEqual(named);
    expect(data.user.positions).toContainEqual({ department: named });
    // The user, and one read of the id for both fields.
    expect(stack.sandbox.thrive.counts()).toEqual({ [THRIVE_USER]: 1, [AUDIENCE]: 1 });
  });
});

describe('the fewest catalog reads', () => {
  it('an iSpring user two inherit levels below a named supervisor: one user request per round, one department list, one group request', async () => {
    const user = stack.sandbox.organisation.ispring.users.find(
      (candidate) => candidate.userId === DEMO.ispring.inheritsThroughTwoDepartments,
    )!;
    // The walk: the user inherits from Pipelines, which inherits from Data, which names the
    // Platform head; and the user is in exactly one group.
    const departments = new Map(
      stack.sandbox.organisation.ispring.departments.map((department) => [
        department.departmentId,
        department,
      ]),
    );
    const pipelines = departments.get(user.departmentId!)!;
    const data = departments.get(pipelines.parentDepartmentId!)!;
    const platform = departments.get(data.parentDepartmentId!)!;
    expect(user.subordination?.subordinationType).toBe('inherit');
    expect([pipelines, data].map((d) => d.subordination?.subordinationType)).toEqual(['inherit', 'inherit']);
    expect(platform.subordination).toEqual({
      subordinationType: 'manual',
      supervisorId: DEMO.ispring.departmentHead,
    });
    expect(user.groups).toHaveLength(1);

    const response = await query(`query ($id: ID!) { user(id: $id) { manager { id } groups { name } } }`, {
      id: `ispring:${user.userId}`,
    });
    expect(response.user.manager).toEqual({ id: `ispring:${DEMO.ispring.departmentHead}` });
    expect(stack.sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.usersV2]: 2,
      [ISPRING_ENDPOINTS.departmentList]: 1,
      [ISPRING_ENDPOINTS.group]: 1,
    });
  });

  it.each([
    'department { name } manager { id } groups { name }',
    'manager { id } department { name } groups { name }',
    'positions { department { name } manager { id } } groups { name }',
  ])(
    'the same with the user’s department asked for too, in any order (%s): still one department list',
    async (fields) => {
      const response = await query(`query ($id: ID!) { user(id: $id) { ${fields} } }`, {
        id: `ispring:${DEMO.ispring.inheritsThroughTwoDepartments}`,
      });
      const manager = response.user.manager ?? response.user.positions[0].manager;
      expect(manager).toEqual({ id: `ispring:${DEMO.ispring.departmentHead}` });
      expect(stack.sandbox.ispring.counts()).toEqual({
        [ISPRING_ENDPOINTS.usersV2]: 2,
        [ISPRING_ENDPOINTS.departmentList]: 1,
        [ISPRING_ENDPOINTS.group]: 1,
      });
    },
  );

  it('a Thrive user whose department and groups are more than one audience in all: one GET /audiences', async () => {
    const known = new Set(stack.sandbox.organisation.thrive.audiences.map((audience) => audience.id));
    const neededBy = (candidate: ThriveUser) =>
      new Set([departmentIdOf(candidate), ...audienceIdsOf(candidate)]);
    const user = stack.sandbox.organisation.thrive.users.find(
      (candidate) => neededBy(candidate).size > 1 && [...neededBy(candidate)].every((id) => known.has(id!)),
    )!;
    const data = await query(`query ($id: ID!) { user(id: $id) { department { name } groups { name } } }`, {
      id: `thrive:${user.id}`,
    });
    expect(data.user.department).toEqual({ name: audienceById(departmentIdOf(user)!).name });
    expect(data.user.groups).toEqual(audienceIdsOf(user).map((id) => ({ name: audienceById(id).name })));
    expect(stack.sandbox.thrive.counts()).toEqual({ [THRIVE_USER]: 1, [AUDIENCES]: 1 });
  });

  it('a Thrive user whose department is their one group: one audience, read by id once for both', async () => {
    const user = stack.sandbox.organisation.thrive.users.find((candidate) => {
      const audiences = audienceIdsOf(candidate);
      return audiences.length === 1 && departmentIdOf(candidate) === audiences[0];
    })!;
    const data = await query(`query ($id: ID!) { user(id: $id) { department { name } groups { name } } }`, {
      id: `thrive:${user.id}`,
    });
    const name = audienceById(departmentIdOf(user)!).name;
    expect(data.user).toEqual({ department: { name }, groups: [{ name }] });
    expect(stack.sandbox.thrive.counts()).toEqual({ [THRIVE_USER]: 1, [AUDIENCE]: 1 });
  });
});

/** The `ouId` of a Thrive user's primary position (the first active, else the first). */
function departmentIdOf(user: ThriveUser): string | null | undefined {
  const positions = user.positions ?? [];
  return (positions.find((position) => position.isActive !== false) ?? positions[0])?.ouId;
}

function audienceIdsOf(user: ThriveUser): string[] {
  return (user.audiences ?? []).map((audience) => (typeof audience === 'string' ? audience : audience.id));
}
