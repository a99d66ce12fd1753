import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInMemoryDirectory } from '../../src/dev/bench/directory.ts';
import { UserRecordCodec } from '../../src/directory/user-record.ts';
import {
  USER_STATUS_VALUES,
  type ManagerRule,
  type PositionModel,
  type ProviderName,
  type UserModel,
} from '../../src/models.ts';
import { createDemoOrganisation } from '../../src/sandbox/seed/index.ts';

/**
 * The index keeps each user as a record (`user-record.ts`): whatever the user, decoding its record
 * gives back a user equal to it in every field, and equal users encode to the same record (the
 * index tells a changed user from one read again unchanged by comparing records).
 */

/** Any text, some of it looking like the values the shortcuts are for (numbers, dates, ids). */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('0', '-1', '1', 'null', '[]', ' ', '', 'Zoë Ødegård', '山田 太郎'),
  fc
    .date({ min: new Date(-1e14), max: new Date(1e14), noInvalidDate: true })
    .map((date) => date.toISOString()),
  fc.constantFrom('2021-06-24T09:55:52Z', '2021-06-24T09:55:52.000+00:00', '2021-06-24', 'not a date'),
);
const nullableText = fc.option(text, { nil: null });
const departmentId = fc.constantFrom('ispring:d-1', 'ispring:d-2', 'thrive:aud-1', 'x', '0');

const rule: fc.Arbitrary<ManagerRule> = fc.oneof(
  fc.constant<ManagerRule>({ kind: 'none' }),
  fc
    .oneof(text, fc.constantFrom('thrive:u-1', 'ispring:u-2'))
    .map((userId) => ({ kind: 'user' as const, userId })),
  fc
    .record({ departmentId, slot: fc.constantFrom('supervisor' as const, 'functional' as const) })
    .map(({ departmentId: id, slot }) => ({ kind: 'department' as const, departmentId: id, slot })),
);

const user: fc.Arbitrary<UserModel> = fc
  .record({
    provider: fc.constantFrom<ProviderName>('thrive', 'ispring'),
    externalId: fc.oneof(text, fc.constantFrom('u-1', '6aec3993865c850f8a606389')),
    idIsGlobal: fc.boolean(),
    ref: nullableText,
    login: nullableText,
    email: nullableText,
    firstName: nullableText,
    lastName: nullableText,
    displayName: fc.option(text, { nil: undefined }),
    jobTitle: nullableText,
    phone: nullableText,
    country: nullableText,
    languageCode: nullableText,
    timeZone: nullableText,
    role: nullableText,
    status: fc.constantFrom(...USER_STATUS_VALUES),
    providerStatus: nullableText,
    createdAt: nullableText,
    lastLoginAt: nullableText,
    managerRules: fc.array(rule, { maxLength: 3 }),
    positions: fc.array(
      fc.record({
        title: nullableText,
        departmentId: fc.option(departmentId, { nil: null }),
        manager: fc.option(rule, { nil: undefined }),
        isPrimary: fc.boolean(),
        isActive: fc.boolean(),
        startDate: nullableText,
        endDate: nullableText,
      }),
      { maxLength: 3 },
    ),
    departmentId: fc.option(departmentId, { nil: null }),
    groupIds: fc.array(fc.oneof(departmentId, text), { maxLength: 4 }),
    manageableDepartmentIds: fc.array(departmentId, { maxLength: 3 }),
    customFields: fc.array(
      fc.record({ name: text, value: nullableText }).map((field) => ({ ...field })),
      { maxLength: 3 },
    ),
  })
  .map(({ idIsGlobal, displayName, positions, ...fields }): UserModel => {
    const primary = fields.managerRules[0] ?? { kind: 'none' };
    return {
      ...fields,
      id: idIsGlobal ? `${fields.provider}:${fields.externalId}` : `${fields.provider}:other`,
      // Undefined: the first and last name joined, as the mappers make most display names.
      displayName: displayName ?? `${fields.firstName} ${fields.lastName}`,
      positions: positions.map(({ manager, ...position }): PositionModel => ({
        ...position,
        manager: manager ?? primary,
      })),
    };
  });

describe('a user record', () => {
  it('decodes to a user equal to the one encoded, for any user', () => {
    const codec = new UserRecordCodec();
    fc.assert(
      fc.property(user, (original) => {
        const record = codec.encode(original);
        expect(codec.decode(original.id, record)).toStrictEqual(original);
      }),
      { numRuns: 2000 },
    );
  });

  it('is the same string for equal users, and another for users that differ', () => {
    const codec = new UserRecordCodec();
    fc.assert(
      fc.property(user, user, (a, other) => {
        const copy = JSON.parse(JSON.stringify(a)) as UserModel;
        expect(codec.encode(copy)).toBe(codec.encode(a));
        // Records are compared between reads of one user: the same id.
        const b = { ...other, id: a.id };
        expect(codec.encode(a) === codec.encode(b)).toBe(isDeepStrictEqual(a, b));
      }),
      { numRuns: 1000 },
    );
  });

  it('holds every user of the demo organisation, in a third of its JSON', () => {
    const codec = new UserRecordCodec();
    const users = [...createInMemoryDirectory(createDemoOrganisation()).users.values()];
    let recordChars = 0;
    let jsonChars = 0;
    for (const original of users) {
      const record = codec.encode(original);
      expect(codec.decode(original.id, record)).toStrictEqual(original);
      recordChars += record.length;
      jsonChars += JSON.stringify(original).length;
    }
    expect(users.length).toBeGreaterThan(100);
    expect(recordChars / jsonChars).toBeLessThan(0.45);
  });
});
