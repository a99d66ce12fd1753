import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ThriveUser } from '../../src/providers/thrive/wire.ts';
import { SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';

/**
 * The sandboxes' user lists as the directory listing reads them: Thrive's `GET /users` with
 * `updatedSince` (and the `usersIgnoreUpdatedSince` variant), and iSpring's `GET /users/v2` and
 * `GET /users` paged with `pageSize` and `pageToken`, every user exactly once whatever the page size.
 */

const thriveAuth = {
  authorization: `Basic ${Buffer.from(
    `${SANDBOX_CREDENTIALS.thrive.tenantId}:${SANDBOX_CREDENTIALS.thrive.apiSecret}`,
  ).toString('base64')}`,
};
const ispringAuth = {
  'x-auth-account-url': SANDBOX_CREDENTIALS.ispring.accountUrl,
  'x-auth-email': SANDBOX_CREDENTIALS.ispring.email,
  'x-auth-password': SANDBOX_CREDENTIALS.ispring.password,
  accept: 'application/json',
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.thrive.resetVariants();
  sandbox.ispring.resetVariants();
});

async function thriveGet(path: string) {
  const response = await fetch(`${sandbox.thrive.baseUrl}${path}`, { headers: thriveAuth });
  return { status: response.status, body: (await response.json()) as any };
}

/** Every page of `GET /users` with `query`, 25 a page. */
async function thriveUsersWith(query: string): Promise<ThriveUser[]> {
  const collected: ThriveUser[] = [];
  for (let page = 1; ; page += 1) {
    const { status, body } = await thriveGet(`/users?page=${page}&perPage=25&${query}`);
    expect(status).toBe(200);
    collected.push(...body.results);
    if (page >= body.pagination.totalPages) return collected;
  }
}

describe('Thrive GET /users updatedSince', () => {
  const users = () => sandbox.organisation.thrive.users;
  const since = () => {
    const sorted = users()
      .map((user) => user.updatedAt!)
      .sort();
    return sorted[Math.floor(sorted.length / 3)]!;
  };

  it('answers only the users whose updatedAt is on or after it, paged and counted as such', async () => {
    const threshold = since();
    const expected = users().filter((user) => Date.parse(user.updatedAt!) >= Date.parse(threshold));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(users().length);
    // The user updated at the threshold itself is among them.
    expect(expected.some((user) => user.updatedAt === threshold)).toBe(true);

    const first = await thriveGet(`/users?perPage=25&updatedSince=${encodeURIComponent(threshold)}`);
    expect(first.body.pagination).toEqual({
      totalResults: expected.length,
      totalPages: Math.ceil(expected.length / 25),
      page: 1,
      perPage: 25,
    });
    expect(await thriveUsersWith(`updatedSince=${encodeURIComponent(threshold)}`)).toEqual(expected);
  });

  it('takes a date, a date-time with milliseconds, and one with an offset, as the same instants', async () => {
    const threshold = since();
    const instant = new Date(Date.parse(threshold));
    const noZone = instant.toISOString().slice(0, 19); // read as UTC
    const plusTwo = new Date(instant.getTime() + 2 * 3600_000).toISOString().slice(0, 19) + '+02:00';
    const expected = await thriveUsersWith(`updatedSince=${encodeURIComponent(threshold)}`);
    for (const form of [instant.toISOString(), noZone, plusTwo]) {
      expect(await thriveUsersWith(`updatedSince=${encodeURIComponent(form)}`), form).toEqual(expected);
    }
    const day = threshold.slice(0, 10);
    expect(await thriveUsersWith(`updatedSince=${day}`)).toEqual(
      users().filter((user) => user.updatedAt!.slice(0, 10) >= day),
    );
  });

  it('answers 400 to an updatedSince that is not an ISO 8601 date, as to its other parameters', async () => {
    for (const value of ['yesterday', '2024-13-01', '2024-02-30T00:00:00Z', '1700000000', '']) {
      const response = await thriveGet(`/users?updatedSince=${encodeURIComponent(value)}`);
      expect(response.status, value).toBe(400);
      expect(response.body).toEqual({
        status: 400,
        error: 'Bad Request',
        message: expect.stringContaining('updatedSince'),
      });
    }
  });

  it('leaves out a user without a readable updatedAt when filtering, and serves it without a filter', async () => {
    const [one] = users();
    const undated = { ...one!, id: 'aaaaaaaaaaaaaaaaaaaaaaaa', updatedAt: null };
    sandbox.thrive.putUser(undated);
    try {
      const filtered = await thriveUsersWith('updatedSince=1970-01-01');
      expect(filtered.map((user) => user.id)).not.toContain(undated.id);
      expect(filtered).toHaveLength(users().length - 1);
      expect((await thriveUsersWith('')).map((user) => user.id)).toContain(undated.id);
    } finally {
      sandbox.thrive.removeUser(undated.id);
    }
  });

  it('usersIgnoreUpdatedSince: answers every user, whatever updatedSince says (even a malformed one)', async () => {
    sandbox.thrive.setVariants({ usersIgnoreUpdatedSince: true });
    expect(await thriveUsersWith(`updatedSince=${encodeURIComponent(since())}`)).toEqual(users());
    expect((await thriveGet('/users?updatedSince=yesterday')).status).toBe(200);
    sandbox.thrive.setVariants({ usersIgnoreUpdatedSince: false });
    expect((await thriveGet('/users?updatedSince=yesterday')).status).toBe(400);
  });
});

describe('iSpring user pages', () => {
  const users = () => sandbox.organisation.ispring.users;

  /** Every page of `path` with `pageSize`, following the tokens; the ids in order and the page count. */
  async function pageThrough(path: string, pageSize: number) {
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = `pageSize=${pageSize}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`;
      const response = await fetch(`${sandbox.ispring.baseUrl}${path}?${query}`, { headers: ispringAuth });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        userProfiles: Array<{ userId: string }>;
        nextPageToken?: string;
      };
      expect(body.userProfiles.length).toBeLessThanOrEqual(pageSize);
      ids.push(...body.userProfiles.map((profile) => profile.userId));
      token = body.nextPageToken;
      pages += 1;
      if (pages > users().length + 1) throw new Error(`${path} never ended`);
    } while (token);
    return { ids, pages };
  }

  it.each(['/users/v2', '/users'])(
    '%s gives every user exactly once, whatever the page size',
    async (path) => {
      const count = users().length;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.integer({ min: 1, max: count + 2 }), fc.constantFrom(1, count - 1, count, 1000)),
          async (pageSize) => {
            const { ids, pages } = await pageThrough(path, pageSize);
            expect(ids).toEqual(users().map((user) => user.userId));
            expect(pages).toBe(Math.ceil(count / pageSize));
          },
        ),
        { numRuns: 10 },
      );
    },
  );
});
