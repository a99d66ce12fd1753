import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.ts';
import type { UserModel } from '../../src/models.ts';
import type { IspringConfig } from '../../src/providers/ispring/config.ts';
import {
  createIspringProvider,
  toDepartmentModel as ispringDepartment,
  toGroupModel as ispringGroup,
} from '../../src/providers/ispring/index.ts';
import { defaultResilience } from '../../src/providers/resilience/config.ts';
import type { ThriveConfig } from '../../src/providers/thrive/config.ts';
import {
  createThriveProvider,
  toDepartmentModel as thriveDepartment,
  toGroupModel as thriveGroup,
} from '../../src/providers/thrive/index.ts';
import type { ThriveUser } from '../../src/providers/thrive/wire.ts';
import type { DirectoryProvider, ProviderListing, UserListPage } from '../../src/providers/types.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import {
  ISPRING_ENDPOINTS,
  sandboxProviderConfigs,
  startSandbox,
  THRIVE_ENDPOINTS,
  type Sandbox,
} from '../../src/sandbox/index.ts';
import { rejection } from '../helpers/errors.ts';
import { recordingObserver } from '../helpers/observer.ts';

/**
 * `DirectoryProvider.listing` of both providers against the sandbox over real HTTP: every user
 * exactly once across pages (as the by-id reads give them), with the requests the sandbox counted;
 * the end states each list may send; a page that is not a page failing rather than reading as
 * empty; Thrive's `updatedSince`, honoured and ignored; and Thrive's audiences made whole.
 */

const THRIVE_USERS = THRIVE_ENDPOINTS.users;
const AUDIENCES = THRIVE_ENDPOINTS.audiences;
const AUDIENCE = THRIVE_ENDPOINTS.audience;
const ISPRING_USERS = ISPRING_ENDPOINTS.usersV2;
const ISPRING_TOKEN = ISPRING_ENDPOINTS.token;
/** Small, so that the sandbox organisation takes many pages, and prime, so that no page count is round. */
const PAGE_SIZE = 7;

const XML_TYPE = 'application/xml; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  for (const server of [sandbox.thrive, sandbox.ispring]) {
    server.setDelay(0);
    server.clearFaults();
    server.resetVariants();
    server.reset();
  }
});

const thriveUsers = () => sandbox.organisation.thrive.users;
const audiences = () => sandbox.organisation.thrive.audiences;
const ispringUsers = () => sandbox.organisation.ispring.users;

/** Retries after 1 ms at most: a test that meets a retry does not wait for the default backoff. */
const quickRetries = (provider: 'thrive' | 'ispring') => {
  const resilience = defaultResilience(provider);
  return { ...resilience, retry: { ...resilience.retry, baseDelayMs: 1, maxDelayMs: 1 } };
};

function thriveProvider(overrides: Partial<ThriveConfig> = {}, observer = recordingObserver().observer) {
  const config: ThriveConfig = {
    ...sandboxProviderConfigs(sandbox, { thrive: 'basic' }).thrive,
    userPageSize: PAGE_SIZE,
    resilience: quickRetries('thrive'),
    ...overrides,
  };
  return createThriveProvider(config, { redactor: new SecretRedactor([]), observer });
}

function ispringProvider(
  format: 'xml' | 'json',
  overrides: Partial<IspringConfig> = {},
  observer = recordingObserver().observer,
  mode: 'headers' | 'token' = 'headers',
) {
  const config: IspringConfig = {
    ...sandboxProviderConfigs(sandbox, { ispring: mode }, { ispringFormat: format }).ispring,
    userPageSize: PAGE_SIZE,
    resilience: quickRetries('ispring'),
    ...overrides,
  };
  return createIspringProvider(config, { redactor: new SecretRedactor([]), observer });
}

/** Every page from the first, following `next` until it is null. */
async function readAllPages(listing: ProviderListing, options?: { updatedSince?: string }) {
  const pages: UserListPage[] = [];
  let cursor: string | null = null;
  do {
    const page: UserListPage = await listing.readUsersPage(cursor, options);
    pages.push(page);
    cursor = page.next;
    if (pages.length > 10_000) throw new Error('the listing never ended');
  } while (cursor !== null);
  return { pages, users: pages.flatMap((page) => page.users) };
}

/** The query of each logged request to `endpoint`, in order. */
const queriesOf = (server: Sandbox['thrive'] | Sandbox['ispring'], endpoint: string) =>
  server.log
    .filter((entry) => entry.endpoint === endpoint)
    .map((entry) => Object.fromEntries(new URLSearchParams(entry.query)));

/** The users of a `fetchUsers` answer, in the order of `ids`, failing on a missing one or an error. */
async function readById(provider: DirectoryProvider, ids: readonly string[]): Promise<UserModel[]> {
  const found = await provider.openSession().fetchUsers(ids);
  return ids.map((id) => {
    const user = found.get(id);
    if (user === undefined) throw new Error(`user ${id} was not found by id`);
    if (user instanceof ProviderError) throw user;
    return user;
  });
}

/** Serves `body` with 200 as the next answer(s) of `endpoint` (a sandbox fault). */
function answerWith(
  server: Sandbox['thrive'] | Sandbox['ispring'],
  endpoint: string,
  body: string,
  contentType: string,
  times = 1,
) {
  server.inject(
    { kind: 'status', status: 200, body, headers: { 'content-type': contentType } },
    { endpoint, times },
  );
}

// ---------------------------------------------------------------------------------------------

describe('Thrive users', () => {
  it('pages the whole organisation: every user once, as the by-id read gives them, one GET /users a page', async () => {
    const provider = thriveProvider();
    expect(provider.listing.supportsUpdatedSince).toBe(true);
    const { pages, users } = await readAllPages(provider.listing);

    const expectedPages = Math.ceil(thriveUsers().length / PAGE_SIZE);
    expect(pages).toHaveLength(expectedPages);
    expect(users.map((user) => user.externalId)).toEqual(thriveUsers().map((user) => user.id));
    expect(new Set(users.map((user) => user.id)).size).toBe(users.length);
    expect(pages.map((page) => page.next)).toEqual([
      ...Array.from({ length: expectedPages - 1 }, (_, index) => String(index + 2)),
      null,
    ]);
    for (const page of pages) {
      expect(page.totalUsers).toBe(thriveUsers().length);
      expect(page).not.toHaveProperty('ignoredUpdatedSince');
    }
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_USERS]: expectedPages });
    expect(queriesOf(sandbox.thrive, THRIVE_USERS)).toEqual(
      pages.map((_, index) => ({ page: String(index + 1), perPage: String(PAGE_SIZE) })),
    );

    const byId = await readById(
      provider,
      thriveUsers().map((user) => user.id),
    );
    expect(users).toEqual(byId);
    // A few mapped fields named, so that a failure says which.
    const sample = users.find((user) => user.positions.length > 0 && user.email !== null)!;
    const same = byId.find((user) => user.id === sample.id)!;
    expect([sample.displayName, sample.email, sample.status, sample.departmentId, sample.groupIds]).toEqual([
      same.displayName,
      same.email,
      same.status,
      same.departmentId,
      same.groupIds,
    ]);
  });

  it('asks for 1000 a page by default: the sandbox organisation in one request', async () => {
    const provider = thriveProvider({ userPageSize: undefined });
    const page = await provider.listing.readUsersPage(null);
    expect(page.users).toHaveLength(thriveUsers().length);
    expect(page.next).toBeNull();
    expect(queriesOf(sandbox.thrive, THRIVE_USERS)).toEqual([{ page: '1', perPage: '1000' }]);
  });

  it('goes through an OAuth token as every other read does', async () => {
    const provider = thriveProvider({
      ...sandboxProviderConfigs(sandbox, { thrive: 'oauth' }).thrive,
      userPageSize: PAGE_SIZE,
    });
    await readAllPages(provider.listing);
    expect(sandbox.thrive.counts()).toEqual({
      [THRIVE_ENDPOINTS.token]: 1,
      [THRIVE_USERS]: Math.ceil(thriveUsers().length / PAGE_SIZE),
    });
  });

  it('ends on the T-V3 empty forms: totalPages 0, a page past the end, a short page without pagination', async () => {
    const listing = thriveProvider().listing;
    answerWith(
      sandbox.thrive,
      THRIVE_USERS,
      '{"pagination":{"totalResults":0,"totalPages":0,"page":1,"perPage":1000},"results":[]}',
      JSON_TYPE,
    );
    expect(await listing.readUsersPage(null)).toEqual({ users: [], next: null, totalUsers: 0 });

    // The real sandbox, past its last page.
    const past = Math.ceil(thriveUsers().length / PAGE_SIZE) + 1;
    expect(await listing.readUsersPage(String(past))).toEqual({
      users: [],
      next: null,
      totalUsers: thriveUsers().length,
    });

    // No pagination at all: a short page is the last, a full one is not.
    const [one] = thriveUsers();
    answerWith(sandbox.thrive, THRIVE_USERS, JSON.stringify({ results: [one] }), JSON_TYPE);
    const short = await listing.readUsersPage(null);
    expect(short.users.map((user) => user.externalId)).toEqual([one!.id]);
    expect(short).toMatchObject({ next: null });
    expect(short).not.toHaveProperty('totalUsers');
    answerWith(
      sandbox.thrive,
      THRIVE_USERS,
      JSON.stringify({ results: thriveUsers().slice(0, PAGE_SIZE) }),
      JSON_TYPE,
    );
    expect((await listing.readUsersPage(null)).next).toBe('2');
    // An empty page ends the list whatever totalPages says.
    answerWith(
      sandbox.thrive,
      THRIVE_USERS,
      '{"pagination":{"totalResults":50,"totalPages":8,"page":2,"perPage":7},"results":[]}',
      JSON_TYPE,
    );
    expect((await listing.readUsersPage('2')).next).toBeNull();
    expect(sandbox.thrive.count(THRIVE_USERS)).toBe(5);
  });

  it('fails on a page whose number is not the one asked for', async () => {
    answerWith(
      sandbox.thrive,
      THRIVE_USERS,
      JSON.stringify({
        pagination: { totalResults: 160, totalPages: 23, page: 1, perPage: 7 },
        results: thriveUsers().slice(0, 7),
      }),
      JSON_TYPE,
    );
    const error = await rejection(thriveProvider().listing.readUsersPage('2'));
    expect(error).toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      provider: 'thrive',
      endpoint: THRIVE_USERS,
    });
    expect(error.message).toContain('page 2');
  });

  it('drops a user without a usable id, and reports it as a payload issue', async () => {
    const { observer, payloadIssues } = recordingObserver();
    const [first, second] = thriveUsers();
    answerWith(
      sandbox.thrive,
      THRIVE_USERS,
      JSON.stringify({
        pagination: { totalResults: 3, totalPages: 1, page: 1, perPage: 7 },
        results: [first, { ...second, id: 'not an id' }, 'not a user'],
      }),
      JSON_TYPE,
    );
    const page = await thriveProvider({}, observer).listing.readUsersPage(null);
    expect(page.users.map((user) => user.externalId)).toEqual([first!.id]);
    expect(page.next).toBeNull();
    expect(payloadIssues).toHaveLength(1);
    expect(payloadIssues[0]!.endpoint).toBe(THRIVE_USERS);
    expect(payloadIssues[0]!.issues.map((issue) => issue.path)).toEqual(['results[1].id', 'results[2]']);
  });

  it.each([
    [
      'an HTML maintenance page',
      '<!DOCTYPE html><html><body><h1>Down for maintenance</h1></body></html>',
      'text/html',
    ],
    ['JSON {}', '{}', JSON_TYPE],
    ['JSON null', 'null', JSON_TYPE],
    ['results that are not a list', '{"pagination":null,"results":{}}', JSON_TYPE],
    ['a pagination without numbers', '{"pagination":{"page":"1"},"results":[]}', JSON_TYPE],
    ['an error document', '{"status":500,"error":"Internal Server Error","message":"boom"}', JSON_TYPE],
  ])('refuses %s sent with 200 as UPSTREAM_BAD_RESPONSE, not as an empty page', async (_name, body, type) => {
    answerWith(sandbox.thrive, THRIVE_USERS, body, type);
    const error = await rejection(thriveProvider().listing.readUsersPage(null));
    expect(error).toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      provider: 'thrive',
      endpoint: THRIVE_USERS,
    });
    // A 200 is an answer: not retried.
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_USERS]: 1 });
  });

  it('retries a 503 and reads the page that follows; a 404 is a wrong base URL', async () => {
    sandbox.thrive.inject({ kind: 'status', status: 503 }, { endpoint: THRIVE_USERS, times: 1 });
    const page = await thriveProvider().listing.readUsersPage(null);
    expect(page.users).toHaveLength(PAGE_SIZE);
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_USERS]: 2 });

    sandbox.thrive.inject({ kind: 'status', status: 404 }, { endpoint: THRIVE_USERS, times: 1 });
    const error = await rejection(thriveProvider().listing.readUsersPage(null));
    expect(error).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', endpoint: THRIVE_USERS, status: 404 });
  });

  it('refuses a page larger than the body bound without reading it', async () => {
    sandbox.thrive.inject({ kind: 'oversized', bytes: 64 * 1024 }, { endpoint: THRIVE_USERS, times: 1 });
    const error = await rejection(
      thriveProvider({
        resilience: { ...quickRetries('thrive'), maxBodyBytes: 16 * 1024 },
      }).listing.readUsersPage(null),
    );
    expect(error).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', endpoint: THRIVE_USERS });
    expect(error.message).toContain('UPSTREAM_MAX_BODY_BYTES');
  });

  it('refuses a cursor it did not give out, and an updatedSince that is not a date, without a request', async () => {
    const listing = thriveProvider().listing;
    for (const cursor of ['', '0', 'abc', '-1', '1.5']) {
      await expect(listing.readUsersPage(cursor), cursor).rejects.toThrow(RangeError);
    }
    await expect(listing.readUsersPage(null, { updatedSince: 'yesterday' })).rejects.toThrow(RangeError);
    expect(sandbox.thrive.count()).toBe(0);
  });
});

describe('Thrive updatedSince', () => {
  /** A date between the users' `updatedAt`s: one user's own, so that "on or after" is tested at its edge. */
  const threshold = () => {
    const sorted = thriveUsers()
      .map((user) => user.updatedAt!)
      .sort();
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const changedSince = (since: string) =>
    thriveUsers().filter((user) => Date.parse(user.updatedAt!) >= Date.parse(since));
  const olderThan = (since: string, user: ThriveUser) => Date.parse(user.updatedAt!) < Date.parse(since);

  it('honoured: only users changed on or after it come, and no page says it was ignored', async () => {
    const since = threshold();
    const expected = changedSince(since);
    // The user whose updatedAt is the threshold itself is among them.
    expect(expected.some((user) => user.updatedAt === since)).toBe(true);
    expect(expected.length).toBeLessThan(thriveUsers().length);

    const { pages, users } = await readAllPages(thriveProvider().listing, { updatedSince: since });
    expect(users.map((user) => user.externalId)).toEqual(expected.map((user) => user.id));
    expect(pages.map((page) => page.ignoredUpdatedSince)).toEqual(pages.map(() => false));
    expect(pages.map((page) => page.totalUsers)).toEqual(pages.map(() => expected.length));
    const requests = Math.ceil(expected.length / PAGE_SIZE);
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_USERS]: requests });
    const sent = new Date(Date.parse(since)).toISOString();
    expect(queriesOf(sandbox.thrive, THRIVE_USERS)).toEqual(
      pages.map((_, index) => ({ page: String(index + 1), perPage: String(PAGE_SIZE), updatedSince: sent })),
    );
  });

  it('ignored (usersIgnoreUpdatedSince): every user comes, and each page holding an older one says so', async () => {
    sandbox.thrive.setVariants({ usersIgnoreUpdatedSince: true });
    const since = threshold();
    const { pages, users } = await readAllPages(thriveProvider().listing, { updatedSince: since });
    expect(users.map((user) => user.externalId)).toEqual(thriveUsers().map((user) => user.id));
    const byId = new Map(thriveUsers().map((user) => [user.id, user]));
    expect(pages.map((page) => page.ignoredUpdatedSince)).toEqual(
      pages.map((page) => page.users.some((user) => olderThan(since, byId.get(user.externalId)!))),
    );
    expect(pages.some((page) => page.ignoredUpdatedSince)).toBe(true);
    expect(sandbox.thrive.counts()).toEqual({ [THRIVE_USERS]: Math.ceil(thriveUsers().length / PAGE_SIZE) });
  });

  it('reads a user without updatedAt as telling nothing about the filter', async () => {
    const [one] = thriveUsers();
    answerWith(
      sandbox.thrive,
      THRIVE_USERS,
      JSON.stringify({
        pagination: { totalResults: 1, totalPages: 1, page: 1, perPage: 7 },
        results: [{ ...one, updatedAt: null }],
      }),
      JSON_TYPE,
    );
    const page = await thriveProvider().listing.readUsersPage(null, { updatedSince: '2020-01-01' });
    expect(page).toMatchObject({ next: null, ignoredUpdatedSince: false });
  });
});

describe('Thrive departments and groups', () => {
  /** What by-id reads give: the organisation's own records, `parent` included. */
  const wholeDepartments = () => audiences().map((audience) => thriveDepartment(audience));
  const wholeGroups = () => audiences().map((audience) => thriveGroup(audience));

  it('reads stubs without parent whole: the list, then every audience by id, and every parent known', async () => {
    expect(sandbox.thrive.variants.audienceList).toBe('stubs');
    const listing = thriveProvider({ audiencePageSize: PAGE_SIZE }).listing;
    const listPages = Math.ceil(audiences().length / PAGE_SIZE);

    const departments = await listing.readAllDepartments();
    expect(departments).toEqual(wholeDepartments());
    expect(departments.some((department) => department.parentId !== null)).toBe(true);
    expect(departments.every((department) => department.parentUnknown === undefined)).toBe(true);
    expect(sandbox.thrive.counts()).toEqual({ [AUDIENCES]: listPages, [AUDIENCE]: audiences().length });

    sandbox.thrive.reset();
    const groups = await listing.readAllGroups();
    expect(groups).toEqual(wholeGroups());
    expect(groups.every((group) => group.parentUnknown === undefined)).toBe(true);
    // Nothing is kept between calls.
    expect(sandbox.thrive.counts()).toEqual({ [AUDIENCES]: listPages, [AUDIENCE]: audiences().length });
  });

  it('shares the reads of departments and groups asked for at once', async () => {
    const listing = thriveProvider().listing;
    const [departments, groups] = await Promise.all([listing.readAllDepartments(), listing.readAllGroups()]);
    expect(departments).toEqual(wholeDepartments());
    expect(groups).toEqual(wholeGroups());
    expect(sandbox.thrive.counts()).toEqual({ [AUDIENCES]: 1, [AUDIENCE]: audiences().length });
  });

  it('reads a list that tells parents (full items) as it is, with no reads by id', async () => {
    sandbox.thrive.setVariants({ audienceList: 'full' });
    const listing = thriveProvider().listing;
    expect(await listing.readAllDepartments()).toEqual(wholeDepartments());
    expect(await listing.readAllGroups()).toEqual(wholeGroups());
    expect(sandbox.thrive.counts()).toEqual({ [AUDIENCES]: 2 });
  });

  it('fails the call when a read by id fails, and sends no more of them', async () => {
    sandbox.thrive.inject(
      { kind: 'status', status: 200, body: '{}', headers: { 'content-type': JSON_TYPE } },
      { endpoint: AUDIENCE, times: 1 },
    );
    const error = await rejection(thriveProvider({ concurrency: 1 }).listing.readAllDepartments());
    expect(error).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', endpoint: AUDIENCE });
    expect(sandbox.thrive.counts()).toEqual({ [AUDIENCES]: 1, [AUDIENCE]: 1 });
  });

  it('leaves out an audience that is gone when read by id', async () => {
    sandbox.thrive.inject(
      {
        kind: 'status',
        status: 404,
        body: '{"status":404,"error":"Not Found","message":"Audience not found"}',
        headers: { 'content-type': JSON_TYPE },
      },
      { endpoint: AUDIENCE, times: 1 },
    );
    const groups = await thriveProvider({ concurrency: 1 }).listing.readAllGroups();
    expect(groups).toEqual(wholeGroups().slice(1));
  });

  it('fails the call when the list fails', async () => {
    sandbox.thrive.inject({ kind: 'html', status: 200 }, { endpoint: AUDIENCES, times: 1 });
    const error = await rejection(thriveProvider().listing.readAllGroups());
    expect(error).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', endpoint: AUDIENCES });
    expect(sandbox.thrive.counts()).toEqual({ [AUDIENCES]: 1 });
  });
});

// ---------------------------------------------------------------------------------------------

/** A profile iSpring could send, in each format (a sandbox user's id). */
const profileXml = (id: string) => `<userProfile><userId>${id}</userId><status>1</status></userProfile>`;
const profileJson = (id: string) => ({ userId: id, status: 1 });

describe.each(['xml', 'json'] as const)('iSpring users in %s', (format) => {
  const type = format === 'xml' ? XML_TYPE : JSON_TYPE;
  const usersPage = (ids: readonly string[], token?: string) =>
    format === 'xml'
      ? `<?xml version="1.0" encoding="UTF-8"?><response><userProfiles>${ids.map(profileXml).join('')}</userProfiles>${
          token === undefined ? '' : `<nextPageToken>${token}</nextPageToken>`
        }</response>`
      : JSON.stringify({
          userProfiles: ids.map(profileJson),
          ...(token === undefined ? {} : { nextPageToken: token }),
        });

  it.each(['absent', 'empty'] as const)(
    'pages the whole organisation (last page token %s): every user once, as the by-id read gives them, one GET /users/v2 a page',
    async (pageEnd) => {
      sandbox.ispring.setVariants({ pageEnd });
      const provider = ispringProvider(format);
      expect(provider.listing.supportsUpdatedSince).toBe(false);
      const { pages, users } = await readAllPages(provider.listing);

      const expectedPages = Math.ceil(ispringUsers().length / PAGE_SIZE);
      expect(pages).toHaveLength(expectedPages);
      expect(users.map((user) => user.externalId)).toEqual(ispringUsers().map((user) => user.userId));
      expect(new Set(users.map((user) => user.id)).size).toBe(users.length);
      expect(pages.at(-1)!.next).toBeNull();
      for (const page of pages) expect(page).not.toHaveProperty('totalUsers');
      expect(sandbox.ispring.counts()).toEqual({ [ISPRING_USERS]: expectedPages });
      // The first page without a token, each later one with the token the page before gave.
      expect(queriesOf(sandbox.ispring, ISPRING_USERS)).toEqual(
        pages.map((_, index) =>
          index === 0
            ? { pageSize: String(PAGE_SIZE) }
            : { pageSize: String(PAGE_SIZE), pageToken: pages[index - 1]!.next },
        ),
      );

      sandbox.ispring.reset();
      const byId = await readById(
        provider,
        ispringUsers().map((user) => user.userId),
      );
      expect(users).toEqual(byId);
      const sample = users.find((user) => user.email !== null && user.departmentId !== null)!;
      const same = byId.find((user) => user.id === sample.id)!;
      expect([
        sample.displayName,
        sample.email,
        sample.status,
        sample.departmentId,
        sample.managerRules,
      ]).toEqual([same.displayName, same.email, same.status, same.departmentId, same.managerRules]);
    },
  );

  it('asks for 1000 a page by default, and goes through a token in token mode', async () => {
    const provider = ispringProvider(format, { userPageSize: undefined }, undefined, 'token');
    const page = await provider.listing.readUsersPage(null);
    expect(page.users).toHaveLength(ispringUsers().length);
    expect(page.next).toBeNull();
    expect(sandbox.ispring.counts()).toEqual({ [ISPRING_TOKEN]: 1, [ISPRING_USERS]: 1 });
    expect(queriesOf(sandbox.ispring, ISPRING_USERS)).toEqual([{ pageSize: '1000' }]);
  });

  const endStates: Array<[string, () => string]> =
    format === 'xml'
      ? [
          [
            '<nextPageToken></nextPageToken>',
            () => usersPage([firstId()]).replace('</response>', '<nextPageToken></nextPageToken></response>'),
          ],
          [
            '<nextPageToken/>',
            () => usersPage([firstId()]).replace('</response>', '<nextPageToken/></response>'),
          ],
          ['no <nextPageToken>', () => usersPage([firstId()])],
          ['<userProfiles></userProfiles>', () => '<response><userProfiles></userProfiles></response>'],
          ['<userProfiles/>', () => '<response><userProfiles/></response>'],
          [
            '<userProfiles/> with <nextPageToken/>',
            () => '<?xml version="1.0"?>\n<response>\n  <userProfiles/>\n  <nextPageToken/>\n</response>',
          ],
          [
            'an empty page that still names a next token',
            () => '<response><userProfiles/><nextPageToken>eHl6</nextPageToken></response>',
          ],
        ]
      : [
          [
            '"nextPageToken":""',
            () => JSON.stringify({ userProfiles: [profileJson(firstId())], nextPageToken: '' }),
          ],
          [
            '"nextPageToken":null',
            () => JSON.stringify({ userProfiles: [profileJson(firstId())], nextPageToken: null }),
          ],
          ['no nextPageToken', () => usersPage([firstId()])],
          ['{"userProfiles":[]}', () => '{"userProfiles":[]}'],
          ['{"userProfiles":[],"nextPageToken":""}', () => '{"userProfiles":[],"nextPageToken":""}'],
          ['{"response":{"userProfiles":[]}}', () => '{"response":{"userProfiles":[]}}'],
          ['an empty page that still names a next token', () => '{"userProfiles":[],"nextPageToken":"eHl6"}'],
        ];

  it.each(endStates)('ends on %s', async (_name, body) => {
    answerWith(sandbox.ispring, ISPRING_USERS, body(), type);
    const page = await ispringProvider(format).listing.readUsersPage('c29tZSB0b2tlbg==');
    expect(page.next).toBeNull();
    expect(page.users.map((user) => user.externalId)).toEqual(body().includes(firstId()) ? [firstId()] : []);
    expect(sandbox.ispring.counts()).toEqual({ [ISPRING_USERS]: 1 });
  });

  it('follows a next token, and fails on one equal to the token it was asked with', async () => {
    const listing = ispringProvider(format).listing;
    answerWith(sandbox.ispring, ISPRING_USERS, usersPage([firstId()], 'bmV4dA=='), type);
    expect(await listing.readUsersPage('dGhpcw==')).toMatchObject({ next: 'bmV4dA==' });

    answerWith(sandbox.ispring, ISPRING_USERS, usersPage([firstId()], 'dGhpcw=='), type);
    const error = await rejection(listing.readUsersPage('dGhpcw=='));
    expect(error).toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      provider: 'ispring',
      endpoint: ISPRING_USERS,
    });
    expect(error.message).not.toContain('dGhpcw==');
    expect(sandbox.ispring.counts()).toEqual({ [ISPRING_USERS]: 2 });
  });

  it('drops a profile without a usable id, and reports it as a payload issue', async () => {
    const { observer, payloadIssues } = recordingObserver();
    const body =
      format === 'xml'
        ? `<response><userProfiles><userProfile><userId>not-a-uuid</userId></userProfile>${profileXml(firstId())}<userProfile><status>1</status></userProfile></userProfiles></response>`
        : JSON.stringify({
            userProfiles: [{ userId: 'not-a-uuid' }, profileJson(firstId()), { status: 1 }, 'not a profile'],
          });
    answerWith(sandbox.ispring, ISPRING_USERS, body, type);
    const page = await ispringProvider(format, {}, observer).listing.readUsersPage(null);
    expect(page.users.map((user) => user.externalId)).toEqual([firstId()]);
    expect(page.next).toBeNull();
    expect(payloadIssues).toHaveLength(1);
    expect(payloadIssues[0]!.endpoint).toBe(ISPRING_USERS);
    expect(payloadIssues[0]!.issues.map((issue) => issue.path)).toEqual(
      format === 'xml'
        ? ['userProfiles[0].userId', 'userProfiles[2].userId']
        : ['userProfiles[0].userId', 'userProfiles[2].userId', 'userProfiles[3]'],
    );
  });

  it('says it ignored updatedSince, which iSpring does not have, and does not send it', async () => {
    const page = await ispringProvider(format).listing.readUsersPage(null, {
      updatedSince: '2024-01-01T00:00:00Z',
    });
    expect(page).toMatchObject({ ignoredUpdatedSince: true });
    expect(page.users).toHaveLength(PAGE_SIZE);
    expect(queriesOf(sandbox.ispring, ISPRING_USERS)).toEqual([{ pageSize: String(PAGE_SIZE) }]);
  });

  it('reads every department and every group, one request each, as the by-id mapping gives them', async () => {
    const listing = ispringProvider(format).listing;
    expect(await listing.readAllDepartments()).toEqual(
      sandbox.organisation.ispring.departments.map(ispringDepartment),
    );
    expect(await listing.readAllGroups()).toEqual(sandbox.organisation.ispring.groups.map(ispringGroup));
    expect(sandbox.ispring.counts()).toEqual({
      [ISPRING_ENDPOINTS.departmentList]: 1,
      [ISPRING_ENDPOINTS.groupList]: 1,
    });
  });
});

/** A sandbox iSpring user's id, for bodies made up here. */
const firstId = () => ispringUsers()[0]!.userId;

describe('iSpring: a page that is not a page', () => {
  const bodies: Array<[string, string, string]> = [
    [
      'an HTML maintenance page',
      '<!DOCTYPE html><html><body><h1>Down for maintenance</h1></body></html>',
      'text/html',
    ],
    [
      'an XHTML maintenance page',
      '<html xmlns="http://www.w3.org/1999/xhtml"><body>Maintenance</body></html>',
      XML_TYPE,
    ],
    [
      '<response><code>500</code>…',
      '<response><code>500</code><message>Internal error</message></response>',
      XML_TYPE,
    ],
    ['<response/> alone', '<response/>', XML_TYPE],
    ['<response> with something else', '<response><departments/></response>', XML_TYPE],
    ['XML that does not parse', '<response><userProfiles>', XML_TYPE],
    ['JSON {}', '{}', JSON_TYPE],
    ['JSON null', 'null', JSON_TYPE],
    ['a JSON error document', '{"code":500,"message":"Internal error"}', JSON_TYPE],
    ['"userProfiles" that is text', '{"userProfiles":"none"}', JSON_TYPE],
    ['<userProfiles> that holds text', '<response><userProfiles>none</userProfiles></response>', XML_TYPE],
    ['a nextPageToken that is not text', '{"userProfiles":[],"nextPageToken":{"token":"x"}}', JSON_TYPE],
    ['an empty body', '', JSON_TYPE],
  ];

  it.each(
    bodies.flatMap(([name, body, type]) =>
      (['xml', 'json'] as const).map((format) => [name, format, body, type] as const),
    ),
  )(
    '%s, asked for %s with 200: UPSTREAM_BAD_RESPONSE, not an empty page',
    async (_name, format, body, type) => {
      answerWith(sandbox.ispring, ISPRING_USERS, body, type);
      const error = await rejection(ispringProvider(format).listing.readUsersPage(null));
      expect(error).toMatchObject({
        code: 'UPSTREAM_BAD_RESPONSE',
        provider: 'ispring',
        endpoint: ISPRING_USERS,
      });
      expect(sandbox.ispring.counts()).toEqual({ [ISPRING_USERS]: 1 });
    },
  );

  it('retries a 503, and refuses a 404 (a wrong base URL) and a 400 (a stale token)', async () => {
    const listing = ispringProvider('xml').listing;
    sandbox.ispring.inject({ kind: 'status', status: 503 }, { endpoint: ISPRING_USERS, times: 1 });
    expect((await listing.readUsersPage(null)).users).toHaveLength(PAGE_SIZE);
    expect(sandbox.ispring.counts()).toEqual({ [ISPRING_USERS]: 2 });

    sandbox.ispring.inject({ kind: 'status', status: 404 }, { endpoint: ISPRING_USERS, times: 1 });
    expect(await rejection(listing.readUsersPage(null))).toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      status: 404,
    });
    // The sandbox's own answer to a token that is not one of its list's.
    expect(await rejection(listing.readUsersPage('bm8gc3VjaCB1c2Vy'))).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      status: 400,
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('any page size', () => {
  const sizes = (count: number) =>
    fc.oneof(
      fc.integer({ min: 1, max: count + 3 }),
      fc.constantFrom(1, 2, count - 1, count, count + 1, 1000),
    );

  it('pages Thrive: every user exactly once, in ceil(users / size) requests', async () => {
    const count = thriveUsers().length;
    await fc.assert(
      fc.asyncProperty(sizes(count), async (size) => {
        sandbox.thrive.reset();
        const { users } = await readAllPages(thriveProvider({ userPageSize: size }).listing);
        expect(users.map((user) => user.externalId)).toEqual(thriveUsers().map((user) => user.id));
        expect(sandbox.thrive.count(THRIVE_USERS)).toBe(Math.max(1, Math.ceil(count / size)));
      }),
      { numRuns: 12 },
    );
  });

  it.each(['xml', 'json'] as const)(
    'pages iSpring in %s: every user exactly once, in ceil(users / size) requests',
    async (format) => {
      const count = ispringUsers().length;
      await fc.assert(
        fc.asyncProperty(sizes(count), async (size) => {
          sandbox.ispring.reset();
          const { users } = await readAllPages(ispringProvider(format, { userPageSize: size }).listing);
          expect(users.map((user) => user.externalId)).toEqual(ispringUsers().map((user) => user.userId));
          expect(sandbox.ispring.count(ISPRING_USERS)).toBe(Math.max(1, Math.ceil(count / size)));
        }),
        { numRuns: 8 },
      );
    },
  );
});
