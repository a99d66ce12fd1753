import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldForSearch } from '../../src/directory/text.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { syncAll } from '../helpers/directory.ts';

/**
 * The directory's queries through the subgraph's HTTP server, over the whole sandbox organisation
 * (README, "The directory"): every connection paged with small `first` values, the invariants
 * checked for every user, department and group, and no upstream request once the first full syncs
 * are applied.
 */

interface UserNode {
  id: string;
  displayName: string;
  manager: { id: string } | null;
  department: { id: string } | null;
  groups: Array<{ id: string }>;
}

interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

let stack: Stack;

/** Pages a connection through with `first`, checking each page's shape; returns the nodes. */
async function pageAll<T>(
  read: (first: number, after: string | null) => Promise<Connection<T>>,
  first: number,
): Promise<{ nodes: T[]; totalCount: number }> {
  const nodes: T[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let page = 0; page < 10_000; page += 1) {
    const connection = await read(first, after);
    expect(connection.nodes).toEqual(connection.edges.map((edge) => edge.node));
    expect(connection.nodes.length).toBeLessThanOrEqual(first);
    if (totalCount === -1) totalCount = connection.totalCount;
    expect(connection.totalCount).toBe(totalCount);
    nodes.push(...connection.nodes);
    if (!connection.pageInfo.hasNextPage) {
      expect(nodes.length).toBe(totalCount);
      return { nodes, totalCount };
    }
    after = connection.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

const USER_FIELDS = 'id displayName manager { id } department { id } groups { id }';

async function data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await stack.query<T>(query, variables);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!;
}

async function everyUser(first: number): Promise<UserNode[]> {
  const { nodes } = await pageAll<UserNode>(
    async (pageSize, after) =>
      (
        await data<{ searchUsers: Connection<UserNode> }>(
          `query ($first: Int, $after: String) { searchUsers(first: $first, after: $after) {
            edges { cursor node { ${USER_FIELDS} } } nodes { ${USER_FIELDS} } pageInfo { hasNextPage endCursor } totalCount } }`,
          { first: pageSize, after },
        )
      ).searchUsers,
    first,
  );
  return nodes;
}

beforeAll(async () => {
  stack = await startStack({ directory: { fullSyncSeconds: 3600, pollSeconds: 3600 } });
  await syncAll(stack);
});

afterAll(async () => {
  await stack?.close();
});

describe('the directory over the whole sandbox organisation', () => {
  let users: UserNode[];
  beforeAll(async () => {
    stack.resetCounts({ keepCache: true });
    users = await everyUser(37);
  });

  it('pages every user once, in display-name order, with totalCount their number, and no upstream request', () => {
    const organisation = stack.sandbox.organisation;
    expect(users.length).toBe(organisation.thrive.users.length + organisation.ispring.users.length);
    expect(new Set(users.map((user) => user.id)).size).toBe(users.length);
    const keys = users.map((user) => `${foldForSearch(user.displayName)}\u0000${user.id}`);
    expect(keys).toEqual([...keys].sort());
    expect(stack.sandbox.thrive.count() + stack.sandbox.ispring.count()).toBe(0);
  });

  it('v is in u.directReports exactly when v.manager is u, for every user', async () => {
    const managerOf = new Map(users.map((user) => [user.id, user.manager?.id ?? null]));
    let reports = 0;
    for (const user of users) {
      const { user: read } = await data<{ user: { directReports: Connection<{ id: string }> } }>(
        `query ($id: ID!) { user(id: $id) { directReports(first: 100) { nodes { id } totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } }`,
        { id: user.id },
      );
      const ids = read.directReports.nodes.map((node) => node.id).sort();
      const expected = users.filter((other) => managerOf.get(other.id) === user.id).map((other) => other.id);
      expect(ids, user.id).toEqual(expected.sort());
      reports += ids.length;
    }
    expect(reports).toBeGreaterThan(users.length / 2);
  });

  it('direct reports page through with first 2', async () => {
    const counts = new Map<string, number>();
    for (const user of users)
      if (user.manager) counts.set(user.manager.id, (counts.get(user.manager.id) ?? 0) + 1);
    const [busiest] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const { nodes } = await pageAll<{ id: string }>(
      async (first, after) =>
        (
          await data<{ user: { directReports: Connection<{ id: string }> } }>(
            `query ($id: ID!, $first: Int, $after: String) { user(id: $id) { directReports(first: $first, after: $after) {
              edges { cursor node { id } } nodes { id } pageInfo { hasNextPage endCursor } totalCount } } }`,
            { id: busiest, first, after },
          )
        ).user.directReports,
      2,
    );
    expect(nodes.length).toBe(counts.get(busiest));
    expect(new Set(nodes.map((node) => node.id)).size).toBe(nodes.length);
  });

  it('departments: every one once; members ⇔ department (and ancestors); children ⇔ parent', async () => {
    type DepartmentNode = { id: string; parent: { id: string } | null; ancestors: Array<{ id: string }> };
    const { nodes: departments } = await pageAll<DepartmentNode>(
      async (first, after) =>
        (
          await data<{ departments: Connection<DepartmentNode> }>(
            `query ($first: Int, $after: String) { departments(first: $first, after: $after) {
              edges { cursor node { id parent { id } ancestors { id } } } nodes { id parent { id } ancestors { id } }
              pageInfo { hasNextPage endCursor } totalCount } }`,
            { first, after },
          )
        ).departments,
      7,
    );
    expect(new Set(departments.map((d) => d.id)).size).toBe(departments.length);
    const ancestorsOf = new Map(departments.map((d) => [d.id, d.ancestors.map((a) => a.id)]));
    for (const department of departments) {
      const read = await data<{
        department: {
          children: Array<{ id: string }>;
          members: Connection<{ id: string }>;
          all: Connection<{ id: string }>;
        };
      }>(
        `query ($id: ID!) { department(id: $id) { children { id }
          members(first: 100) { nodes { id } totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } }
          all: members(first: 100, includeSubdepartments: true) { nodes { id } totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } }`,
        { id: department.id },
      );
      expect(read.department.members.pageInfo.hasNextPage).toBe(false);
      expect(read.department.members.nodes.map((n) => n.id).sort()).toEqual(
        users
          .filter((u) => u.department?.id === department.id)
          .map((u) => u.id)
          .sort(),
      );
      if (!read.department.all.pageInfo.hasNextPage) {
        expect(read.department.all.nodes.map((n) => n.id).sort()).toEqual(
          users
            .filter(
              (u) =>
                u.department &&
                (u.department.id === department.id ||
                  ancestorsOf.get(u.department.id)?.includes(department.id)),
            )
            .map((u) => u.id)
            .sort(),
        );
      }
      expect(read.department.children.map((c) => c.id).sort()).toEqual(
        departments
          .filter((d) => d.parent?.id === department.id)
          .map((d) => d.id)
          .sort(),
      );
    }
  });

  it('groups: every one once; members ⇔ groups', async () => {
    const { nodes: groups } = await pageAll<{ id: string }>(
      async (first, after) =>
        (
          await data<{ groups: Connection<{ id: string }> }>(
            `query ($first: Int, $after: String) { groups(first: $first, after: $after) {
              edges { cursor node { id } } nodes { id } pageInfo { hasNextPage endCursor } totalCount } }`,
            { first, after },
          )
        ).groups,
      5,
    );
    expect(new Set(groups.map((g) => g.id)).size).toBe(groups.length);
    for (const group of groups) {
      const { nodes } = await pageAll<{ id: string }>(
        async (first, after) =>
          (
            await data<{ group: { members: Connection<{ id: string }> } }>(
              `query ($id: ID!, $first: Int, $after: String) { group(id: $id) { members(first: $first, after: $after) {
                edges { cursor node { id } } nodes { id } pageInfo { hasNextPage endCursor } totalCount } } }`,
              { id: group.id, first, after },
            )
          ).group.members,
        13,
      );
      expect(nodes.map((n) => n.id).sort()).toEqual(
        users
          .filter((u) => u.groups.some((g) => g.id === group.id))
          .map((u) => u.id)
          .sort(),
      );
    }
  });

  it('made no upstream request for any of it', () => {
    expect(stack.sandbox.thrive.count() + stack.sandbox.ispring.count()).toBe(0);
  });
});

describe('searchUsers', () => {
  it('finds José Yilmaz by "jose", and a user by their exact email first', async () => {
    const { searchUsers } = await data<{
      searchUsers: Connection<{ displayName: string; email: string | null; id: string }>;
    }>(
      `{ searchUsers(query: "jose yil", first: 10) { nodes { id displayName email } totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(searchUsers.nodes.some((node) => node.displayName === 'José Yilmaz')).toBe(true);
    const someone = searchUsers.nodes[0]!;
    const exact = await data<{ searchUsers: Connection<{ id: string; email: string | null }> }>(
      `query ($q: String) { searchUsers(query: $q, first: 5) { nodes { id email } totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
      { q: someone.email!.toUpperCase() },
    );
    expect(exact.searchUsers.nodes[0]!.email?.toLowerCase()).toBe(someone.email!.toLowerCase());
  });

  it('filters by provider, status, department (with sub-departments), group and manager', async () => {
    const filtered = async (filter: Record<string, unknown>) =>
      (
        await data<{ searchUsers: Connection<{ id: string; provider: string; status: string }> }>(
          `query ($filter: UserFilter) { searchUsers(filter: $filter, first: 100) { nodes { id provider status } totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
          { filter },
        )
      ).searchUsers;
    const ispring = await filtered({ provider: 'ISPRING' });
    expect(ispring.totalCount).toBe(stack.sandbox.organisation.ispring.users.length);
    expect(ispring.nodes.every((node) => node.provider === 'ISPRING')).toBe(true);
    const inactive = await filtered({ status: ['INACTIVE', 'EXPIRED'] });
    expect(inactive.nodes.every((node) => ['INACTIVE', 'EXPIRED'].includes(node.status))).toBe(true);
    const deep = `ispring:${DEMO.ispring.deepDepartment}`;
    const inDeep = await filtered({ departmentId: deep, includeSubdepartments: true });
    const direct = await filtered({ departmentId: deep });
    expect(inDeep.totalCount).toBeGreaterThanOrEqual(direct.totalCount);
  });

  it('refuses a first out of bounds, a cursor it did not make, and a malformed filter id', async () => {
    for (const [query, variables] of [
      ['{ searchUsers(first: 101) { totalCount } }', {}],
      ['{ searchUsers(first: -1) { totalCount } }', {}],
      ['{ departments(first: 1001) { totalCount } }', {}],
      ['query ($a: String) { searchUsers(after: $a) { totalCount } }', { a: 'bm90IG91cnM' }],
      ['{ searchUsers(filter: { managerId: "nobody" }) { totalCount } }', {}],
    ] as const) {
      const response = await stack.query(query, variables);
      expect(response.errors?.[0]?.extensions?.code, query).toBe('BAD_USER_INPUT');
    }
  });
});
