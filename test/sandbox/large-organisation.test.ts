import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { IspringUserProfile } from '../../src/providers/ispring/wire.ts';
import {
  createDemoOrganisation,
  createLargeOrganisation,
  MAX_SANDBOX_USERS,
  SANDBOX_CREDENTIALS,
  startSandbox,
  type DemoOrganisation,
} from '../../src/sandbox/index.ts';

/**
 * The large organisation (`SANDBOX_USERS`, `startSandbox({ users })`, src/sandbox/seed/large.ts):
 * deterministic, consistent (every id it names exists, departments form a tree, managers a
 * hierarchy), about a fifth of its people in both providers, and served whole by the list
 * endpoints' paging.
 */

const email = (user: IspringUserProfile) => user.fields?.find((field) => field.name === 'EMAIL')?.value ?? '';

/** A digest of every id, in order: equal digests, equal organisations' ids. */
function idDigest(org: DemoOrganisation): string {
  const hash = createHash('sha256');
  for (const user of org.ispring.users) hash.update(`${user.userId}\n`);
  for (const department of org.ispring.departments) hash.update(`${department.departmentId}\n`);
  for (const group of org.ispring.groups) hash.update(`${group.groupId}\n`);
  for (const user of org.thrive.users) hash.update(`${user.id}\n`);
  for (const audience of org.thrive.audiences) hash.update(`${audience.id}\n`);
  return hash.digest('hex');
}

/** Follows `next` from `start`; the number of steps, or Infinity on a loop. */
function walk<T>(start: T, next: (item: T) => T | undefined): number {
  const seen = new Set<T>([start]);
  let steps = 0;
  for (let at = next(start); at !== undefined; at = next(at)) {
    if (seen.has(at)) return Infinity;
    seen.add(at);
    steps += 1;
  }
  return steps;
}

/**
 * Checks what every large organisation holds (collecting what is wrong rather than asserting each
 * of a million facts, which would cost the test seconds); returns figures for the test to look at.
 */
function checkOrganisation(org: DemoOrganisation, users: number) {
  const { ispring, thrive } = org;
  const problems: string[] = [];
  const check = (ok: boolean, problem: () => string) => {
    if (!ok && problems.length < 10) problems.push(problem());
  };
  expect(ispring.users).toHaveLength(users);
  expect(thrive.users).toHaveLength(users);

  // iSpring: ids, emails, the department tree, and every supervisor named.
  const ispringIds = new Set(ispring.users.map((user) => user.userId));
  const ispringEmails = new Set(ispring.users.map(email));
  expect(ispringIds.size).toBe(users);
  expect(ispringEmails.size).toBe(users);
  const departments = new Map(ispring.departments.map((department) => [department.departmentId, department]));
  expect(departments.size).toBe(ispring.departments.length);
  expect(ispring.departments.filter((department) => !department.parentDepartmentId)).toHaveLength(1);
  const groups = new Set(ispring.groups.map((group) => group.groupId));
  let maxDepth = 0;
  for (const department of ispring.departments) {
    const parent = department.parentDepartmentId;
    check(
      !parent || departments.has(parent),
      () => `department ${department.departmentId}: no parent ${parent}`,
    );
    const depth = walk(department, (d) =>
      d.parentDepartmentId ? departments.get(d.parentDepartmentId) : undefined,
    );
    check(depth < Infinity, () => `department ${department.departmentId} is in a loop`);
    maxDepth = Math.max(maxDepth, depth);
    for (const rule of [department.subordination, department.coSubordination])
      if (rule?.subordinationType === 'manual')
        check(
          ispringIds.has(rule.supervisorId!),
          () => `department ${department.departmentId}: no ${rule.supervisorId}`,
        );
  }
  for (const user of ispring.users) {
    check(
      departments.has(user.departmentId!),
      () => `user ${user.userId}: no department ${user.departmentId}`,
    );
    for (const id of user.groups ?? []) check(groups.has(id), () => `user ${user.userId}: no group ${id}`);
    for (const rule of [user.subordination, user.coSubordination])
      if (rule?.subordinationType === 'manual')
        check(
          ispringIds.has(rule.supervisorId!),
          () => `user ${user.userId}: no supervisor ${rule.supervisorId}`,
        );
  }
  // The supervisor walk the schema describes: manual, no_supervisor, or up the departments.
  const byId = new Map(ispring.users.map((user) => [user.userId, user]));
  const supervisorOf = (user: IspringUserProfile): IspringUserProfile | undefined => {
    const own = user.subordination;
    if (own?.subordinationType === 'manual') return byId.get(own.supervisorId!);
    if (own?.subordinationType === 'no_supervisor') return undefined;
    for (let id = user.departmentId; id;) {
      const department = departments.get(id)!;
      const rule = department.subordination;
      if (rule?.subordinationType === 'manual' && rule.supervisorId !== user.userId)
        return byId.get(rule.supervisorId!);
      if (rule?.subordinationType === 'no_supervisor') return undefined;
      id = department.parentDepartmentId ?? undefined;
    }
    return undefined;
  };
  let ispringManaged = 0;
  for (const user of ispring.users) {
    check(walk(user, supervisorOf) < Infinity, () => `user ${user.userId}: managers in a loop`);
    if (supervisorOf(user)) ispringManaged += 1;
  }

  // Thrive: ids, refs, emails, audiences, and every manager named.
  const thriveIds = new Set(thrive.users.map((user) => user.id));
  const thriveEmails = new Set(thrive.users.map((user) => user.email));
  expect(thriveIds.size).toBe(users);
  expect(thriveEmails.size).toBe(users);
  expect(new Set(thrive.users.map((user) => user.ref)).size).toBe(users);
  const audiences = new Map(thrive.audiences.map((audience) => [audience.id, audience]));
  for (const audience of thrive.audiences) {
    check(!audience.parent || audiences.has(audience.parent.id), () => `audience ${audience.id}: no parent`);
    const depth = walk(audience, (a) => (a.parent ? audiences.get(a.parent.id) : undefined));
    check(depth < Infinity, () => `audience ${audience.id} is in a loop`);
  }
  const thriveById = new Map(thrive.users.map((user) => [user.id, user]));
  const primaryManager = (user: (typeof thrive.users)[number]) => {
    const position = user.positions?.find((p) => p.isActive !== false) ?? user.positions?.[0];
    return position?.manager ? thriveById.get(position.manager.id) : undefined;
  };
  let thriveManaged = 0;
  for (const user of thrive.users) {
    for (const position of user.positions ?? []) {
      const manager = position.manager?.id;
      check(!manager || thriveIds.has(manager), () => `user ${user.id}: no manager ${manager}`);
      check(audiences.has(position.ouId!), () => `user ${user.id}: no unit ${position.ouId}`);
    }
    for (const entry of user.audiences ?? []) {
      const id = typeof entry === 'string' ? entry : entry.id;
      check(audiences.has(id), () => `user ${user.id}: no audience ${id}`);
    }
    check(walk(user, primaryManager) < Infinity, () => `user ${user.id}: managers in a loop`);
    if (primaryManager(user)) thriveManaged += 1;
  }
  for (const manager of thrive.audienceManagers ?? []) {
    check(audiences.has(manager.audienceId), () => `manager of unknown audience ${manager.audienceId}`);
    check(thriveIds.has(manager.userId), () => `unknown audience manager ${manager.userId}`);
  }
  expect(problems).toEqual([]);

  const shared = [...thriveEmails].filter((address) => ispringEmails.has(address!)).length;
  return {
    departments: ispring.departments.length,
    groups: ispring.groups.length,
    maxDepth,
    shared,
    ispringManaged,
    thriveManaged,
  };
}

describe('createLargeOrganisation', () => {
  it('holds together for a few sizes, small ones included', () => {
    for (const users of [1, 2, 13, 500]) {
      const org = createLargeOrganisation(users);
      const figures = checkOrganisation(org, users);
      expect(figures.shared).toBe(Math.round(users * 0.2));
      expect(figures.departments).toBe(Math.max(1, Math.round(users / 12)));
      expect(figures.groups).toBeGreaterThanOrEqual(1);
    }
  });

  it('is the same for the same number, and another for another', () => {
    expect(JSON.stringify(createLargeOrganisation(300))).toBe(JSON.stringify(createLargeOrganisation(300)));
    expect(idDigest(createLargeOrganisation(300))).not.toBe(idDigest(createLargeOrganisation(301)));
  });

  it('refuses a number outside 1 to 100,000, as startSandbox does', async () => {
    expect(MAX_SANDBOX_USERS).toBe(100_000);
    for (const bad of [0, -1, 1.5, 100_001, Number.NaN]) {
      expect(() => createLargeOrganisation(bad)).toThrow(
        /SANDBOX_USERS\) must be a whole number from 1 to 100000/,
      );
      await expect(startSandbox({ users: bad })).rejects.toThrow(RangeError);
    }
    await expect(startSandbox({ users: 5, organisation: createDemoOrganisation() })).rejects.toThrow(
      /not both/,
    );
  });

  it('leaves the demo organisation as it was when no number is given', async () => {
    // The demo organisation's bytes, pinned: change this only when changing the demo organisation.
    const digest = createHash('sha256').update(JSON.stringify(createDemoOrganisation())).digest('hex');
    expect(digest).toBe('c367be1c1f1608fc4703bc0857674fb187a4b37d983b546cf2e482abe7ff4c1c');
    const sandbox = await startSandbox();
    try {
      expect(JSON.stringify(sandbox.organisation)).toBe(JSON.stringify(createDemoOrganisation()));
    } finally {
      await sandbox.close();
    }
  });
});

describe('SANDBOX_USERS=100000', () => {
  it('seeds the same organisation twice, consistent, a fifth shared, and pages every user once', async () => {
    const users = 100_000;
    let first: DemoOrganisation | undefined = createLargeOrganisation(users);
    const digest = idDigest(first);
    const figures = checkOrganisation(first, users);
    expect(figures.shared).toBe(20_000);
    expect(figures.departments).toBe(8333);
    expect(figures.groups).toBe(500);
    expect(figures.maxDepth).toBeGreaterThanOrEqual(5);
    expect(figures.ispringManaged).toBeGreaterThan(users * 0.9);
    expect(figures.thriveManaged).toBeGreaterThan(users * 0.95);
    first = undefined;

    const sandbox = await startSandbox({ users });
    try {
      expect(idDigest(sandbox.organisation)).toBe(digest);

      const ispringHeaders = {
        'x-auth-account-url': SANDBOX_CREDENTIALS.ispring.accountUrl,
        'x-auth-email': SANDBOX_CREDENTIALS.ispring.email,
        'x-auth-password': SANDBOX_CREDENTIALS.ispring.password,
        accept: 'application/json',
      };
      const ispringSeen = new Set<string>();
      let token: string | undefined;
      let pages = 0;
      do {
        const query = token ? `&pageToken=${encodeURIComponent(token)}` : '';
        const response = await fetch(`${sandbox.ispring.baseUrl}/users/v2?pageSize=1000${query}`, {
          headers: ispringHeaders,
        });
        const body = (await response.json()) as {
          userProfiles: Array<{ userId: string }>;
          nextPageToken?: string;
        };
        for (const user of body.userProfiles) {
          expect(ispringSeen.has(user.userId)).toBe(false);
          ispringSeen.add(user.userId);
        }
        token = body.nextPageToken;
        pages += 1;
      } while (token);
      expect(pages).toBe(100);
      expect(ispringSeen.size).toBe(users);
      expect(sandbox.organisation.ispring.users.every((user) => ispringSeen.has(user.userId))).toBe(true);

      const thriveAuth = `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.thrive.tenantId}:${SANDBOX_CREDENTIALS.thrive.apiSecret}`).toString('base64')}`;
      const thriveSeen = new Set<string>();
      for (let page = 1; page <= 100; page += 1) {
        const response = await fetch(`${sandbox.thrive.baseUrl}/users?perPage=1000&page=${page}`, {
          headers: { authorization: thriveAuth },
        });
        const body = (await response.json()) as {
          results: Array<{ id: string }>;
          pagination: { totalResults: number; totalPages: number };
        };
        expect(body.pagination).toMatchObject({ totalResults: users, totalPages: 100 });
        for (const user of body.results) {
          if (thriveSeen.has(user.id)) throw new Error(`Thrive user ${user.id} listed twice`);
          thriveSeen.add(user.id);
        }
      }
      expect(thriveSeen.size).toBe(users);
    } finally {
      await sandbox.close();
    }
  }, 180_000);
});
