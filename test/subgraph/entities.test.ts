import { idsPerUrl } from '../../src/providers/ispring/client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/sandbox/index.ts';
import { thrivePrimaryManagerId, thriveRecord } from '../helpers/demo.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * `_entities`, as a router sends it: mixed representations of every entity type and both
 * providers, answered in the order given, in batches (README, "How requests are batched").
 */

const ENTITIES = `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on User { id displayName manager { id } }
      ... on Department { id name }
      ... on Group { id name }
    }
  }
`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  // Warm both tokens, so that the counts below are data requests only.
  await stack.query(
    `{ a: user(id: "thrive:${DEMO.thrive.ceo}") { id } b: user(id: "ispring:${DEMO.ispring.ceo}") { id } }`,
  );
});
afterAll(() => stack.close());

describe('_entities', () => {
  it('resolves a mix of users, departments and groups of both providers, in order', async () => {
    const organisation = stack.sandbox.organisation;
    const department = organisation.ispring.departments[3]!;
    const group = organisation.ispring.groups[0]!;
    const audience = organisation.thrive.audiences[0]!;
    const representations = [
      { __typename: 'User', id: `ispring:${DEMO.ispring.departmentHead}` },
      { __typename: 'Department', id: `ispring:${department.departmentId}` },
      { __typename: 'User', id: `thrive:${DEMO.thrive.multiPosition}` },
      { __typename: 'Group', id: `thrive:${audience.id}` },
      { __typename: 'User', id: 'ispring:00000000-0000-4000-8000-000000000000' },
      { __typename: 'Group', id: `ispring:${group.groupId}` },
      { __typename: 'User', id: `ispring:${DEMO.ispring.inheritsThroughTwoDepartments}` },
    ];
    stack.resetCounts();
    const response = await stack.query(ENTITIES, { representations });
    expect(response.errors).toBeUndefined();
    const entities = response.data!._entities as Array<Record<string, unknown> | null>;
    expect(entities.map((entity) => entity && [entity.__typename, entity.id])).toEqual(
      representations.map((representation, index) =>
        index === 4 ? null : [representation.__typename, representation.id],
      ),
    );
    expect(entities[1]).toMatchObject({ name: department.name });
    expect(entities[3]).toMatchObject({ name: audience.name });
    expect(entities[5]).toMatchObject({ name: group.name });
    expect(entities[6]).toMatchObject({ manager: { id: `ispring:${DEMO.ispring.departmentHead}` } });

    // Three iSpring users (one missing) in one users/v2 request, their managers in one more. The
    // one department and the one group asked for at the first depth are read by id; the manager
    // walks that follow need several departments, which come from one list read.
    expect(stack.sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.usersV2]: 2,
      [ISPRING_ENDPOINTS.department]: 1,
      [ISPRING_ENDPOINTS.group]: 1,
      [ISPRING_ENDPOINTS.departmentList]: 1,
    });
    // Thrive: one user and their primary manager (one request each), and the audience read by id.
    const managerId = thrivePrimaryManagerId(thriveRecord(organisation, DEMO.thrive.multiPosition));
    expect(managerId).not.toBeNull();
    expect(stack.sandbox.thrive.counts()).toEqual({
      [THRIVE_ENDPOINTS.user]: new Set([DEMO.thrive.multiPosition, managerId]).size,
      [THRIVE_ENDPOINTS.audience]: 1,
    });
  });

  it('answers a malformed representation id with BAD_USER_INPUT at its index and resolves the rest', async () => {
    const representations = [
      { __typename: 'User', id: `thrive:${DEMO.thrive.ceo}` },
      { __typename: 'User', id: 'ispring:../../user' },
      { __typename: 'Group', id: `ispring:${DEMO.ispring.smartGroup}` },
    ];
    const response = await stack.query(ENTITIES, { representations });
    const entities = response.data!._entities as Array<Record<string, unknown> | null>;
    expect(entities[0]).toMatchObject({ id: `thrive:${DEMO.thrive.ceo}` });
    expect(entities[1]).toBeNull();
    expect(entities[2]).toMatchObject({ id: `ispring:${DEMO.ispring.smartGroup}` });
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      path: ['_entities', 1],
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('batches every iSpring user of the organisation as representations: batches of 100, each in the fewest 4 KB URLs', async () => {
    const users = stack.sandbox.organisation.ispring.users;
    expect(users.length).toBeGreaterThan(100);
    const representations = users.map((user) => ({ __typename: 'User', id: `ispring:${user.userId}` }));
    stack.resetCounts();
    const response = await stack.query(
      `query ($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on User { id } } }`,
      { representations },
    );
    expect(response.errors).toBeUndefined();
    expect((response.data!._entities as Array<{ id: string }>).map((entity) => entity.id)).toEqual(
      representations.map((representation) => representation.id),
    );
    const perUrl = idsPerUrl(stack.sandbox.ispring.baseUrl);
    expect(perUrl).toBeLessThan(100);
    // DataLoader's batches of at most 100, in order.
    const batches: number[] = [];
    for (let left = users.length; left > 0; left -= 100) batches.push(Math.min(left, 100));
    expect(stack.sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.usersV2]: batches.reduce((sum, size) => sum + Math.ceil(size / perUrl), 0),
    });
  });
});
