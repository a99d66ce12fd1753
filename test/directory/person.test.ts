import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inAccountOrder } from '../../src/directory/index-store.ts';
import { emailProblem, normaliseEmail, personEmailOf } from '../../src/directory/text.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { startStackWithIspringSyncing, startSyncedStackWithWebhooks, syncAll } from '../helpers/directory.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

/**
 * One person across both platforms (README, "One person across both platforms"), through the
 * subgraph's HTTP server over the sandboxes: the invariant of `Person` over the whole organisation,
 * the email rule (case, padding and Unicode variants are one person; a non-address is no person
 * and `BAD_USER_INPUT`), ids that are opaque and stable, `_entities` with persons, and a changed
 * email moving an account to its new person once the webhook is delivered.
 */

const SECRETS = { thrive: 'person-test-thrive-hook', ispring: 'person-test-ispring-hook' };

interface AccountNode {
  id: string;
  displayName: string;
}
interface PersonNode {
  id: string;
  email: string;
  displayName: string;
  accounts: AccountNode[];
}
interface UserNode {
  id: string;
  displayName: string;
  email: string | null;
  person: PersonNode | null;
}

const PERSON_FIELDS = 'id email displayName accounts { id displayName }';
const PERSON_BY_EMAIL = `query ($email: String!) { person(email: $email) { ${PERSON_FIELDS} } }`;

let stack: Stack;

async function data<T = any>(target: Stack, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await target.query<T>(query, variables);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!;
}

async function everyUser(target: Stack): Promise<UserNode[]> {
  const users: UserNode[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = await data(
      target,
      `query ($after: String) { searchUsers(first: 100, after: $after) {
        nodes { id displayName email person { ${PERSON_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    users.push(...page.searchUsers.nodes);
    if (!page.searchUsers.pageInfo.hasNextPage) return users;
    after = page.searchUsers.pageInfo.endCursor;
  }
}

/** An iSpring profile's email field (iSpring keeps it among the profile fields). */
const ispringEmail = (user: { fields?: Array<{ name: string; value: string | null }> }) =>
  user.fields?.find((field) => field.name.toUpperCase() === 'EMAIL')?.value ?? null;

const personOf = async (target: Stack, email: string): Promise<PersonNode | null> =>
  (await data<{ person: PersonNode | null }>(target, PERSON_BY_EMAIL, { email })).person;

beforeAll(async () => {
  stack = await startSyncedStackWithWebhooks(SECRETS);
});

afterAll(async () => {
  await stack?.close();
});

describe('Person over the whole sandbox organisation', () => {
  let users: UserNode[];
  beforeAll(async () => {
    stack.resetCounts({ keepCache: true });
    users = await everyUser(stack);
  });

  it('p.accounts are exactly the users with p.email, in account order, and u.person.accounts holds u', () => {
    const byEmail = new Map<string, string[]>();
    for (const user of users) {
      const email = personEmailOf(user.email);
      if (email !== undefined) byEmail.set(email, [...(byEmail.get(email) ?? []), user.id]);
    }
    const displayNameOf = new Map(users.map((user) => [user.id, user.displayName]));
    const idOfEmail = new Map<string, string>();
    for (const user of users) {
      const email = personEmailOf(user.email);
      if (email === undefined) {
        expect(user.person, user.id).toBeNull();
        continue;
      }
      const person = user.person!;
      expect(person.email).toBe(email);
      const expected = inAccountOrder(byEmail.get(email)!);
      expect(person.accounts.map((account) => account.id)).toEqual(expected);
      expect(person.accounts.map((account) => account.id)).toContain(user.id);
      expect(person.displayName).toBe(displayNameOf.get(expected[0]!));
      expect(person.id).toMatch(/^person:[A-Za-z0-9_-]{22}$/);
      // One id per email, and another email's person never has it.
      expect(idOfEmail.get(email) ?? person.id).toBe(person.id);
      idOfEmail.set(email, person.id);
    }
    expect(new Set(idOfEmail.values()).size).toBe(idOfEmail.size);
    // The organisation holds about fifty people in both providers, and users with no email.
    const inBoth = [...byEmail.values()].filter(
      (ids) => ids.some((id) => id.startsWith('thrive:')) && ids.some((id) => id.startsWith('ispring:')),
    );
    expect(inBoth.length).toBeGreaterThanOrEqual(40);
    expect(users.some((user) => user.person === null)).toBe(true);
  });

  it('person(email:) finds each person, whatever the case and padding, and made no upstream request', async () => {
    const persons = new Map<string, PersonNode>();
    for (const user of users) if (user.person) persons.set(user.person.id, user.person);
    for (const person of persons.values()) {
      const found = await personOf(stack, `  ${person.email.toUpperCase()}\t`);
      expect(found, person.email).toEqual(person);
    }
    expect(await personOf(stack, 'nobody.at.all@northwind.example')).toBeNull();
    expect(stack.sandbox.thrive.count() + stack.sandbox.ispring.count()).toBe(0);
  });
});

describe('the email rule', () => {
  it('case, padding and Unicode (NFC, NFD) variants of one address are one person', async () => {
    const thrive = stack.sandbox.changes.thrive;
    const ispring = stack.sandbox.changes.ispring;
    const [first, second] = stack.sandbox.organisation.thrive.users.filter(
      (user) => user.email && user.id !== DEMO.sharedEmail.thriveId,
    );
    const ispringUser = stack.sandbox.organisation.ispring.users.find(
      (user) => user.userId !== DEMO.sharedEmail.ispringId && ispringEmail(user),
    )!;
    const nfc = 'Anaïs.Lima@x.test'.normalize('NFC');
    thrive.updateUser(first!.id, { email: nfc });
    thrive.updateUser(second!.id, { email: ' anaïs.lima@X.TEST '.normalize('NFD') });
    ispring.updateUser(ispringUser.userId, { email: 'ANAÏS.LIMA@x.test'.normalize('NFD') });
    await stack.sandbox.webhooks.settled();
    // iSpring announces no update: a full sync brings it.
    expect(await stack.directory.sync('ispring')!.fullSync()).toBe(true);

    const expected = inAccountOrder([
      `thrive:${first!.id}`,
      `thrive:${second!.id}`,
      `ispring:${ispringUser.userId}`,
    ]);
    for (const spelling of [nfc, nfc.normalize('NFD'), 'anaïs.lima@x.test', ' ANAÏS.LIMA@X.TEST\n']) {
      const person = await personOf(stack, spelling);
      expect(person?.email, spelling).toBe(normaliseEmail(nfc));
      expect(person?.accounts.map((account) => account.id)).toEqual(expected);
    }
    const viaUser = await data(stack, `{ user(id: "ispring:${ispringUser.userId}") { person { id } } }`);
    expect(viaUser.user.person.id).toBe((await personOf(stack, nfc))!.id);
  });

  it('an email that is not an address is BAD_USER_INPUT, saying what was expected, without echoing it', async () => {
    const cases = [
      '',
      '   ',
      'n/a',
      '-',
      '@northwind.example',
      'ana@',
      'ana lima@x.test',
      `${'a'.repeat(250)}@x.test`,
    ];
    for (const email of cases) {
      const response = await stack.query(PERSON_BY_EMAIL, { email });
      expect(response.data?.person ?? null, JSON.stringify(email)).toBeNull();
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.message).toMatch(/^person\(email:\) must be an email address/);
      if (email.trim().length > 3) expect(response.errors?.[0]?.message).not.toContain(email.trim());
    }
  });

  it('any string is either an address (a person or null) or BAD_USER_INPUT, never another error', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a}@${b}`),
      fc.emailAddress(),
    );
    await fc.assert(
      fc.asyncProperty(text, async (email) => {
        const response = await stack.query(PERSON_BY_EMAIL, { email });
        if (emailProblem(normaliseEmail(email)) === undefined) {
          expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
          const person = response.data!.person;
          if (person !== null) expect(person.email).toBe(normaliseEmail(email));
        } else {
          expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe('person ids', () => {
  const extra: Stack[] = [];
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((one) => one.close()));
  });
  const another = async (personIdSecret?: string) => {
    const one = await startStack({
      directory: { fullSyncSeconds: 3600, pollSeconds: 3600, personIdSecret },
    });
    extra.push(one);
    await syncAll(one);
    return one;
  };

  it('reveal nothing of the email, and are the same across restarts with the same configuration', async () => {
    const email = DEMO.sharedEmail.email;
    const id = (await personOf(stack, email))!.id;
    const [localPart] = email.split('@');
    expect(id).not.toContain(localPart);
    const unkeyed = createHash('sha256').update(normaliseEmail(email)).digest();
    expect(id).not.toContain(unkeyed.subarray(0, 16).toString('base64url'));
    // A restart (another process over the same tenant and credentials) gives the same id.
    const restarted = await another();
    expect((await personOf(restarted, email))!.id).toBe(id);
  });

  it('PERSON_ID_SECRET keys them: replicas sharing it agree, and another key gives other ids', async () => {
    const email = DEMO.sharedEmail.email;
    const [a, b] = await Promise.all([another('replica-key-0123456789'), another('replica-key-0123456789')]);
    const fromA = (await personOf(a, email))!.id;
    expect((await personOf(b, email))!.id).toBe(fromA);
    expect(fromA).not.toBe((await personOf(stack, email))!.id);
    // A's id resolves through B (a router may send the representation to either replica).
    const entity = await data(
      b,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { email } } }`,
      { r: [{ __typename: 'Person', id: fromA }] },
    );
    expect(entity._entities).toEqual([{ email }]);
  });
});

describe('_entities with persons', () => {
  it('resolves Person and User representations mixed, in order; an unknown person is null, a malformed id its own error', async () => {
    const shared = (await personOf(stack, DEMO.sharedEmail.email))!;
    const otherEmail = stack.sandbox.organisation.ispring.users
      .map(ispringEmail)
      .find((email) => email && normaliseEmail(email) !== shared.email)!;
    const other = (await personOf(stack, otherEmail))!;
    const representations = [
      { __typename: 'Person', id: shared.id },
      { __typename: 'User', id: `thrive:${DEMO.thrive.multiPosition}` },
      { __typename: 'Person', id: `person:${'A'.repeat(22)}` },
      { __typename: 'Person', id: other.id },
      { __typename: 'User', id: `ispring:${DEMO.sharedEmail.ispringId}` },
      { __typename: 'Person', id: 'person:not-one' },
    ];
    const response = await stack.query(
      `query ($r: [_Any!]!) { _entities(representations: $r) {
        __typename ... on Person { ${PERSON_FIELDS} } ... on User { id person { id } } } }`,
      { r: representations },
    );
    const entities = response.data!._entities as Array<Record<string, any> | null>;
    expect(entities[0]).toEqual({ __typename: 'Person', ...shared });
    expect(entities[1]).toMatchObject({ __typename: 'User', id: `thrive:${DEMO.thrive.multiPosition}` });
    expect(entities[2]).toBeNull();
    expect(entities[3]).toEqual({ __typename: 'Person', ...other });
    expect(entities[4]).toEqual({
      __typename: 'User',
      id: `ispring:${DEMO.sharedEmail.ispringId}`,
      person: { id: shared.id },
    });
    expect(entities[5]).toBeNull();
    expect(response.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['_entities', 5], 'BAD_USER_INPUT'],
    ]);
    expect(shared.accounts.map((account) => account.id)).toEqual([
      `thrive:${DEMO.sharedEmail.thriveId}`,
      `ispring:${DEMO.sharedEmail.ispringId}`,
    ]);
  });
});

describe('freshness', () => {
  it('a webhook that changes an email moves the account to its new person within 2 s', async () => {
    const thriveId = `thrive:${DEMO.sharedEmail.thriveId}`;
    const ispringId = `ispring:${DEMO.sharedEmail.ispringId}`;
    const before = (await personOf(stack, DEMO.sharedEmail.email))!;
    expect(before.accounts.map((account) => account.id)).toEqual([thriveId, ispringId]);

    const changedAt = Date.now();
    stack.sandbox.changes.thrive.updateUser(DEMO.sharedEmail.thriveId, {
      email: 'moved.on@elsewhere.example',
    });
    let moved: PersonNode | null = null;
    while (Date.now() - changedAt < 5000) {
      moved = await personOf(stack, 'Moved.On@elsewhere.example');
      if (moved !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const elapsed = Date.now() - changedAt;
    expect(moved?.accounts.map((account) => account.id)).toEqual([thriveId]);
    expect(elapsed).toBeLessThan(2000);

    const left = (await personOf(stack, DEMO.sharedEmail.email))!;
    expect(left.id).toBe(before.id);
    expect(left.accounts.map((account) => account.id)).toEqual([ispringId]);
    expect(moved!.id).not.toBe(before.id);
    const fromEachSide = await data(
      stack,
      `{ t: user(id: "${thriveId}") { person { id } } i: user(id: "${ispringId}") { person { id } } }`,
    );
    expect(fromEachSide).toEqual({ t: { person: { id: moved!.id } }, i: { person: { id: before.id } } });
  });
});

describe('before the first full syncs, and with DIRECTORY=live', () => {
  const extra: Stack[] = [];
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((one) => one.close()));
  });

  it('answers DIRECTORY_NOT_READY naming the provider still syncing: a person spans both', async () => {
    const one = await startStackWithIspringSyncing();
    extra.push(one);
    const response = await one.query(PERSON_BY_EMAIL, { email: DEMO.sharedEmail.email });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'DIRECTORY_NOT_READY',
      provider: 'ISPRING',
    });
    const viaUser = await one.query(
      `{ user(id: "thrive:${DEMO.sharedEmail.thriveId}") { id person { id } } }`,
    );
    expect(viaUser.data?.user).toEqual({ id: `thrive:${DEMO.sharedEmail.thriveId}`, person: null });
    expect(viaUser.errors?.[0]).toMatchObject({
      path: ['user', 'person'],
      extensions: { code: 'DIRECTORY_NOT_READY', provider: 'ISPRING' },
    });
    await syncAll(one);
    expect((await personOf(one, DEMO.sharedEmail.email))?.accounts).toHaveLength(2);
  });

  it('answers DIRECTORY_DISABLED with DIRECTORY=live; the user itself still loads', async () => {
    const one = await startStack({});
    extra.push(one);
    const response = await one.query(PERSON_BY_EMAIL, { email: DEMO.sharedEmail.email });
    expect(response.errors?.[0]?.extensions?.code).toBe('DIRECTORY_DISABLED');
    const viaUser = await one.query(
      `{ user(id: "thrive:${DEMO.sharedEmail.thriveId}") { id person { id } } }`,
    );
    expect(viaUser.data?.user?.id).toBe(`thrive:${DEMO.sharedEmail.thriveId}`);
    expect(viaUser.errors?.[0]?.extensions?.code).toBe('DIRECTORY_DISABLED');
  });
});
