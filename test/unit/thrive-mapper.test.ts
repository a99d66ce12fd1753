import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PayloadShapeError } from '../../src/errors.ts';
import { NO_MANAGER, type ManagerRule, type UserModel } from '../../src/models.ts';
import { DATE_TIME_EXPECTATION, toIsoDateTime } from '../../src/providers/dates.ts';
import { PayloadIssues } from '../../src/payload.ts';
import {
  decodeThriveAudience,
  decodeThriveUser,
  parseThriveJson,
} from '../../src/providers/thrive/decode.ts';
import {
  toDepartmentModel,
  toGroupModel,
  toUserModel,
  unknownDepartment,
} from '../../src/providers/thrive/mapper.ts';
import type { ThriveUser, ThriveUserPosition } from '../../src/providers/thrive/wire.ts';

const fixture = (name: string): unknown =>
  parseThriveJson(readFileSync(new URL(`../fixtures/thrive/${name}`, import.meta.url), 'utf8'));

const userFixture = (name: string): ThriveUser => decodeThriveUser(fixture(name));

/** A user holding only what a test is about. */
const user = (fields: Partial<ThriveUser> = {}): UserModel =>
  toUserModel({ id: '646767d82535201223349e09', ...fields });

const managedBy = (managerId: string | null, extra: ThriveUserPosition = {}): ThriveUserPosition => ({
  manager: managerId === null ? null : { id: managerId },
  ...extra,
});

const rule = (userId: string): ManagerRule => ({ kind: 'user', userId: `thrive:${userId}` });

describe('toUserModel on verbatim payloads', () => {
  it('maps the documented example object', () => {
    expect(toUserModel(userFixture('user-documented.json'))).toEqual({
      id: 'thrive:646767d82535201223349e09',
      provider: 'thrive',
      externalId: '646767d82535201223349e09',
      ref: 'xyzabc',
      login: null,
      email: 'sample@thrivelearning.com',
      firstName: 'John',
      lastName: 'Doe',
      displayName: 'John Doe',
      jobTitle: null,
      phone: null,
      country: null,
      languageCode: 'en-gb',
      timeZone: 'Europe/London',
      role: 'learner',
      status: 'ACTIVE',
      providerStatus: 'active',
      createdAt: '2021-01-01T09:00:00.000Z',
      lastLoginAt: '2021-01-01T09:00:00.000Z',
      positions: [
        {
          title: null,
          departmentId: 'thrive:646767d825',
          // The docs' example names the user as their own manager; the manager walk skips that.
          manager: rule('646767d82535201223349e09'),
          isPrimary: true,
          isActive: true,
          startDate: '2021-01-01T09:00:00.000Z',
          endDate: '2021-01-01T09:00:00.000Z',
        },
      ],
      managerRules: [rule('646767d82535201223349e09')],
      departmentId: 'thrive:646767d825',
      groupIds: ['thrive:646767d82535201223349e09'],
      manageableDepartmentIds: [],
      customFields: [{ name: 'location', value: 'London' }],
    } satisfies UserModel);
  });

  it('maps the variant Airbyte saw in real responses', () => {
    expect(toUserModel(userFixture('user-airbyte.json'))).toEqual({
      id: 'thrive:64b7f0c2e4b0a1d2c3f4a5b6',
      provider: 'thrive',
      externalId: '64b7f0c2e4b0a1d2c3f4a5b6',
      ref: 'E10442',
      login: null,
      email: 'priya.natarajan@example.com',
      firstName: 'Priya',
      lastName: 'Natarajan',
      displayName: 'Priya Natarajan',
      jobTitle: 'Senior Data Analyst',
      phone: null,
      country: null,
      languageCode: 'en-gb',
      timeZone: 'Europe/London',
      role: 'learner',
      status: 'ACTIVE',
      providerStatus: 'active',
      createdAt: '2023-03-01T08:12:44.512Z',
      lastLoginAt: '2024-05-20T07:58:03.221Z',
      positions: [
        {
          title: 'Senior Data Analyst',
          departmentId: null,
          manager: rule('64b7f0c2e4b0a1d2c3f4a001'),
          isPrimary: true,
          isActive: true,
          startDate: '2023-03-01T00:00:00.000Z',
          endDate: null,
        },
      ],
      managerRules: [rule('64b7f0c2e4b0a1d2c3f4a001')],
      departmentId: null,
      groupIds: ['thrive:63f8c5361b9c80d3274be7ca', 'thrive:63f8c5a41b9c80d3274be7d1'],
      manageableDepartmentIds: [],
      customFields: [
        { name: 'company', value: 'Northwind Trading' },
        { name: 'department', value: 'Analytics' },
        { name: 'employmenttype', value: 'Full time' },
        { name: 'location', value: 'Manchester' },
        { name: 'onleave', value: 'No' },
        { name: 'role', value: 'Individual contributor' },
        { name: 'team', value: 'Insights' },
        { name: 'tribe', value: 'Data' },
      ],
    } satisfies UserModel);
  });

  it('maps a BasicUser, leaving what it lacks null or empty', () => {
    const model = toUserModel(userFixture('basic-user.json'));
    expect(model).toMatchObject({
      status: 'ACTIVE',
      timeZone: null,
      createdAt: null,
      lastLoginAt: null,
      groupIds: [],
      departmentId: 'thrive:646767d825',
    });
  });

  it('maps a user whose every nullable field is null', () => {
    expect(
      user({
        ref: null,
        firstName: null,
        lastName: null,
        email: null,
        role: null,
        status: null,
        positions: null,
        additionalFields: null,
        languageCode: null,
        lastLogin: null,
        createdAt: null,
        timeZone: null,
        audiences: null,
        jobTitle: null,
      }),
    ).toEqual({
      id: 'thrive:646767d82535201223349e09',
      provider: 'thrive',
      externalId: '646767d82535201223349e09',
      ref: null,
      login: null,
      email: null,
      firstName: null,
      lastName: null,
      displayName: '646767d82535201223349e09',
      jobTitle: null,
      phone: null,
      country: null,
      languageCode: null,
      timeZone: null,
      role: null,
      status: 'UNKNOWN',
      providerStatus: null,
      createdAt: null,
      lastLoginAt: null,
      positions: [],
      managerRules: [NO_MANAGER],
      departmentId: null,
      groupIds: [],
      manageableDepartmentIds: [],
      customFields: [],
    } satisfies UserModel);
  });
});

describe('status', () => {
  it.each([
    ['active', 'ACTIVE'],
    ['new', 'PENDING'],
    ['inactive', 'INACTIVE'],
    ['expired', 'EXPIRED'],
    ['suspended', 'UNKNOWN'],
    ['Active', 'ACTIVE'],
    [' NEW ', 'PENDING'],
    ['', 'UNKNOWN'],
    ['toString', 'UNKNOWN'],
  ])('maps status %j to %s and keeps the raw value', (status, expected) => {
    expect(user({ status })).toMatchObject({ status: expected, providerStatus: status });
  });

  it('maps a null status to UNKNOWN with providerStatus null', () => {
    expect(user({ status: null })).toMatchObject({ status: 'UNKNOWN', providerStatus: null });
  });

  it('maps an absent status to UNKNOWN with providerStatus null', () => {
    expect(user()).toMatchObject({ status: 'UNKNOWN', providerStatus: null });
  });

  it.each(['active', 'new', 'inactive', 'expired', 'other', null])(
    'maps deleted: true to DELETED whatever the status (%j) says',
    (status) => {
      expect(user({ status, deleted: true })).toMatchObject({ status: 'DELETED', providerStatus: status });
    },
  );

  it('keeps the status when deleted is false', () => {
    expect(user({ status: 'expired', deleted: false }).status).toBe('EXPIRED');
  });
});

describe('positions and managers', () => {
  it('makes the first active position primary', () => {
    const model = user({
      positions: [
        managedBy('m1', { isActive: false, title: 'Former role', ouId: 'ou1' }),
        managedBy('m2', { isActive: true, title: 'Analyst', ouId: 'ou2' }),
        managedBy('m3', { isActive: true, title: 'Mentor', ouId: 'ou3' }),
      ],
    });
    expect(model.positions.map((position) => position.isPrimary)).toEqual([false, true, false]);
    expect(model).toMatchObject({ jobTitle: 'Analyst', departmentId: 'thrive:ou2' });
    expect(model.managerRules[0]).toEqual(rule('m2'));
  });

  it('makes the first position primary when none is active', () => {
    const model = user({
      positions: [
        managedBy('m1', { isActive: false, title: 'First', ouId: 'ou1' }),
        managedBy('m2', { isActive: false, title: 'Second', ouId: 'ou2' }),
      ],
    });
    expect(model.positions.map((position) => position.isPrimary)).toEqual([true, false]);
    expect(model).toMatchObject({ jobTitle: 'First', departmentId: 'thrive:ou1' });
    expect(model.managerRules).toEqual([rule('m1')]);
  });

  it('reads a position without isActive as active', () => {
    const model = user({ positions: [managedBy('m1', { isActive: false }), managedBy('m2')] });
    expect(model.positions.map((position) => [position.isActive, position.isPrimary])).toEqual([
      [false, false],
      [true, true],
    ]);
  });

  it('lists the primary manager first, then the managers of the other active positions in order', () => {
    const model = user({
      positions: [
        managedBy('m0', { isActive: false }),
        managedBy('m3', { isActive: true }),
        managedBy('m1', { isActive: true }),
        managedBy('m2', { isActive: true }),
      ],
    });
    expect(model.managerRules).toEqual([rule('m3'), rule('m1'), rule('m2')]);
  });

  it('names each manager once, however many positions they manage', () => {
    const model = user({
      positions: [managedBy('m1'), managedBy('m2'), managedBy('m1'), managedBy('m2'), managedBy('m3')],
    });
    expect(model.managerRules).toEqual([rule('m1'), rule('m2'), rule('m3')]);
  });

  it('leaves out the managers of inactive positions other than the primary', () => {
    const model = user({ positions: [managedBy('m1'), managedBy('m2', { isActive: false })] });
    expect(model.managerRules).toEqual([rule('m1')]);
  });

  it('puts NO_MANAGER first when the primary position has no manager, keeping the others after it', () => {
    const model = user({ positions: [managedBy(null), managedBy('m2'), { isActive: true }] });
    expect(model.managerRules).toEqual([NO_MANAGER, rule('m2')]);
  });

  it('gives a position without a manager key NO_MANAGER', () => {
    expect(user({ positions: [{ title: 'Lead' }] }).positions[0]!.manager).toBe(NO_MANAGER);
  });

  it('gives a position with ouId null or absent no department', () => {
    const model = user({ positions: [{ ouId: null }, {}] });
    expect(model.positions.map((position) => position.departmentId)).toEqual([null, null]);
    expect(model.departmentId).toBeNull();
  });

  it('takes jobTitle from the payload when the primary position has no title', () => {
    expect(user({ jobTitle: 'Engineer', positions: [{ title: null }] }).jobTitle).toBe('Engineer');
    expect(user({ jobTitle: 'Engineer' }).jobTitle).toBe('Engineer');
  });

  it('prefers the primary position title over the payload jobTitle', () => {
    expect(user({ jobTitle: 'Engineer', positions: [{ title: 'Staff Engineer' }] }).jobTitle).toBe(
      'Staff Engineer',
    );
  });

  it('normalises position dates and keeps null ones null', () => {
    const model = user({ positions: [{ startDate: '2024-02-01', endDate: null }] });
    expect(model.positions[0]).toMatchObject({ startDate: '2024-02-01T00:00:00.000Z', endDate: null });
  });
});

describe('groups, custom fields and display name', () => {
  it('takes groups from audiences of both shapes, each once, as global ids', () => {
    expect(user({ audiences: ['a1', { id: 'a2' }, { id: 'a1' }, 'a3', 'a2'] }).groupIds).toEqual([
      'thrive:a1',
      'thrive:a2',
      'thrive:a3',
    ]);
  });

  it('turns additionalFields into custom fields in order, numbers and booleans as text, null kept', () => {
    expect(
      user({
        additionalFields: {
          location: 'London',
          headcount: 12,
          onLeave: false,
          badge: null,
          extra: { a: [1] },
        },
      }).customFields,
    ).toEqual([
      { name: 'location', value: 'London' },
      { name: 'headcount', value: '12' },
      { name: 'onLeave', value: 'false' },
      { name: 'badge', value: null },
      { name: 'extra', value: '{"a":[1]}' },
    ]);
  });

  it('falls back to the email for the display name, then to the id', () => {
    expect(user({ firstName: ' ', lastName: null, email: 'a@example.com' }).displayName).toBe(
      'a@example.com',
    );
    expect(user({ firstName: null, email: null }).displayName).toBe('646767d82535201223349e09');
  });

  it('uses a lone first name as the display name', () => {
    expect(user({ firstName: 'Cher', lastName: null }).displayName).toBe('Cher');
  });
});

describe('dates', () => {
  it.each([
    ['2021-01-01T09:00:00Z', '2021-01-01T09:00:00.000Z'],
    ['2021-01-01T09:00:00.123456Z', '2021-01-01T09:00:00.123Z'],
    ['2021-01-01T09:00:00.5Z', '2021-01-01T09:00:00.500Z'],
    ['2021-01-01T10:30:00+01:30', '2021-01-01T09:00:00.000Z'],
    ['2021-01-01T04:00:00-0500', '2021-01-01T09:00:00.000Z'],
    ['2021-01-01T11:00:00+02', '2021-01-01T09:00:00.000Z'],
    ['2021-01-01T09:00Z', '2021-01-01T09:00:00.000Z'],
    ['2021-01-01T09:00:00', '2021-01-01T09:00:00.000Z'],
    ['2021-01-01 09:00:00', '2021-01-01T09:00:00.000Z'],
    ['2021-01-01', '2021-01-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2021-01-01T00:30:00+01:00', '2020-12-31T23:30:00.000Z'],
  ])('normalises %s to %s', (input, expected) => {
    expect(user({ createdAt: input }).createdAt).toBe(expected);
    expect(toIsoDateTime(input)).toBe(expected);
  });

  it.each([
    'yesterday',
    '0000-00-00',
    '0000-00-00 00:00:00',
    'n/a',
    '01/02/2021',
    '2021-02-30',
    '2023-02-29',
    '2021-13-01',
    '2021-01-01T24:00:00Z',
    '2021-01-01T09:60:00Z',
    '2021-01-01T09:00:00+25:00',
    '1609491600000',
  ])('rejects %j with a PayloadShapeError naming the field', (input) => {
    let thrown: unknown;
    try {
      user({ lastLogin: input });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PayloadShapeError);
    expect((thrown as PayloadShapeError).path).toBe('lastLogin');
  });

  it('names the position of an unreadable position date', () => {
    expect(() => user({ positions: [{}, { endDate: 'soon' }] })).toThrow(
      expect.objectContaining({ path: 'positions[1].endDate' }),
    );
  });

  it('reads an empty or blank date as no date', () => {
    expect(user({ lastLogin: '', createdAt: '  ' })).toMatchObject({ lastLoginAt: null, createdAt: null });
  });

  it.each(['0000-00-00', '0000-00-00 00:00:00', '', 'n/a', 'yesterday'])(
    'with issues, reads the date %j as null, notes it unless it is blank, and keeps the user',
    (input) => {
      const issues = new PayloadIssues();
      const model = toUserModel(
        { id: 'u1', firstName: 'Jo', lastLogin: input, positions: [{ startDate: input, isActive: true }] },
        issues,
      );
      expect(model).toMatchObject({ id: 'thrive:u1', displayName: 'Jo', lastLoginAt: null });
      expect(model.positions[0]!.startDate).toBeNull();
      expect(issues.list()).toEqual(
        input === ''
          ? []
          : [
              {
                path: 'positions[0].startDate',
                expected: DATE_TIME_EXPECTATION,
                received: expect.any(String),
              },
              { path: 'lastLogin', expected: DATE_TIME_EXPECTATION, received: expect.any(String) },
            ],
      );
      for (const issue of issues.list()) expect(issue.received).not.toContain(input);
    },
  );
});

describe('audiences as departments and groups', () => {
  const structure = decodeThriveAudience(fixture('audience-structure.json'));
  const child = decodeThriveAudience(fixture('audience-child.json'));

  it('maps a structure to a department without parent or supervisor', () => {
    expect(toDepartmentModel(structure)).toEqual({
      id: 'thrive:63f8c5361b9c80d3274be7ca',
      provider: 'thrive',
      externalId: '63f8c5361b9c80d3274be7ca',
      name: 'Tech Team',
      code: 'audience123',
      parentId: null,
      supervisor: NO_MANAGER,
      functionalManager: NO_MANAGER,
    });
  });

  it('maps a child audience to a department whose parent is its structure', () => {
    expect(toDepartmentModel(child)).toMatchObject({
      id: 'thrive:63f8c5a41b9c80d3274be7d1',
      name: 'Platform Engineering',
      code: 'audience456',
      parentId: 'thrive:63f8c5361b9c80d3274be7ca',
    });
  });

  it('gives a department without a reference no code', () => {
    expect(toDepartmentModel({ id: 'a1', name: 'x', reference: null }).code).toBeNull();
    expect(toDepartmentModel({ id: 'a1', name: 'x' }).code).toBeNull();
  });

  it('maps a manual child audience to a group that is not smart, with its parent', () => {
    expect(toGroupModel(child)).toEqual({
      id: 'thrive:63f8c5a41b9c80d3274be7d1',
      provider: 'thrive',
      externalId: '63f8c5a41b9c80d3274be7d1',
      name: 'Platform Engineering',
      isSmart: false,
      parentId: 'thrive:63f8c5361b9c80d3274be7ca',
    });
  });

  it('maps a smart audience to a smart group, and an audience without a type to isSmart null', () => {
    expect(toGroupModel({ id: 'a1', name: 'x', type: 'smart' }).isSmart).toBe(true);
    expect(toGroupModel({ id: 'a1', name: 'x' }).isSmart).toBeNull();
  });

  it('stands in for an organisational unit no audience names with a nameless department', () => {
    expect(unknownDepartment('646767d825')).toEqual({
      id: 'thrive:646767d825',
      provider: 'thrive',
      externalId: '646767d825',
      name: null,
      code: null,
      parentId: null,
      supervisor: NO_MANAGER,
      functionalManager: NO_MANAGER,
    });
  });
});
