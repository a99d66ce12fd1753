import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PayloadShapeError } from '../../src/errors.ts';
import {
  NO_MANAGER,
  type DepartmentModel,
  type GroupModel,
  type ManagerRule,
  type UserModel,
} from '../../src/models.ts';
import {
  decodeIspringDepartmentById,
  decodeIspringGroupById,
  decodeIspringGroupList,
  decodeIspringUser,
  parseIspringBody,
} from '../../src/providers/ispring/decode.ts';
import {
  toDepartmentModel,
  toGroupModel,
  toUserModel,
  toUserStatus,
} from '../../src/providers/ispring/mapper.ts';
import type {
  IspringDepartment,
  IspringGroup,
  IspringProfileField,
  IspringSubordination,
  IspringUserProfile,
} from '../../src/providers/ispring/wire.ts';

const fixtureText = (name: string): string =>
  readFileSync(new URL(`../fixtures/ispring/${name}`, import.meta.url), 'utf8');

const USER_ID = '3d7e1028-1545-11ec-b8d1-0242ac17002a';
const DEPARTMENT_ID = 'd479bc48-5b70-11e9-b123-22e9fbac4a59';
const PARENT_ID = 'b00ba37c-5b6f-11e9-bb45-0a580af40556';
const SUPERVISOR_ID = '0ccca211-b60f-11ea-bc49-028d9ecdf612';
const GROUP_A = '14b5893c-a75e-11eb-a87c-0242ac13002a';
const GROUP_B = 'ee5a6cca-154a-11ec-a6a8-0242ac17002a';

/** A user holding only what a test is about. */
const user = (fields: Partial<IspringUserProfile> = {}): UserModel =>
  toUserModel({ userId: USER_ID, ...fields });
const withFields = (fields: IspringProfileField[]): UserModel => user({ fields });
const department = (fields: Partial<IspringDepartment> = {}): DepartmentModel =>
  toDepartmentModel({ departmentId: DEPARTMENT_ID, name: 'Sales Department', ...fields });

/** A body decoded, then mapped, as the client does. */
const userFromBody = async (text: string): Promise<UserModel> =>
  toUserModel(decodeIspringUser(await parseIspringBody(text)));
const userFromXml = (inner: string): Promise<UserModel> =>
  userFromBody(`<response><userProfile><userId>${USER_ID}</userId>${inner}</userProfile></response>`);

const manual = (supervisorId?: string): IspringSubordination =>
  supervisorId === undefined
    ? { subordinationType: 'manual' }
    : { subordinationType: 'manual', supervisorId };
const byUser = (id: string): ManagerRule => ({ kind: 'user', userId: `ispring:${id}` });
const byDepartment = (id: string, slot: 'supervisor' | 'functional'): ManagerRule => ({
  kind: 'department',
  departmentId: `ispring:${id}`,
  slot,
});

/** The subordination elements of the docs' verbatim subordination request body, to embed in responses. */
const subordinationElements = (): string =>
  /<request>([\s\S]*)<\/request>/.exec(fixtureText('subordination-request.xml'))![1]!;

function shapeError(run: () => unknown): PayloadShapeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadShapeError);
    return error as PayloadShapeError;
  }
  throw new Error('expected a PayloadShapeError, but nothing was thrown');
}

describe('toUserModel on verbatim payloads', () => {
  it('maps the sample of the vendor page Getting User Info', async () => {
    const departmentId = 'ispring:1141d74c-a75e-11eb-ad56-0242ac13002a';
    expect(await userFromBody(fixtureText('user-by-id.xml'))).toEqual({
      id: 'ispring:3d7e1028-1545-11ec-b8d1-0242ac17002a',
      provider: 'ispring',
      externalId: '3d7e1028-1545-11ec-b8d1-0242ac17002a',
      ref: null,
      login: 'kate.smith',
      email: 'kate.smith@test.com',
      firstName: 'Kate',
      lastName: 'Smith',
      displayName: 'Kate Smith',
      jobTitle: 'Sales Manager',
      // `<value></value>` for PHONE and COUNTRY.
      phone: null,
      country: null,
      languageCode: null,
      timeZone: null,
      role: 'department_administrator',
      status: 'ACTIVE',
      providerStatus: '1',
      createdAt: '2021-09-14T00:00:00.000Z',
      lastLoginAt: null,
      positions: [
        {
          title: 'Sales Manager',
          departmentId,
          // No subordination in the sample: inherit from the user's department.
          manager: { kind: 'department', departmentId, slot: 'supervisor' },
          isPrimary: true,
          isActive: true,
          startDate: null,
          endDate: null,
        },
      ],
      managerRules: [
        { kind: 'department', departmentId, slot: 'supervisor' },
        { kind: 'department', departmentId, slot: 'functional' },
      ],
      departmentId,
      groupIds: [`ispring:${GROUP_A}`, `ispring:${GROUP_B}`],
      manageableDepartmentIds: [departmentId],
      customFields: [],
    } satisfies UserModel);
  });

  it('maps the JSON fixture (from a public Java test)', async () => {
    const departmentId = 'ispring:71bcd598-c6ba-11ea-918e-82e47ebefe73';
    const restored = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((n) => ({
      name: `USER_DEFINED_FIELD${n}`,
      value: null,
    }));
    expect(await userFromBody(fixtureText('user-by-id.json'))).toEqual({
      id: 'ispring:2dfc2178-75b2-11ea-9ead-6ace4d08e47c',
      provider: 'ispring',
      externalId: '2dfc2178-75b2-11ea-9ead-6ace4d08e47c',
      ref: null,
      login: 'Ricarda.Conely@boarshead.com',
      email: 'Ricarda.Conely@boarshead.com',
      firstName: 'Ricarda',
      lastName: 'Conely',
      displayName: 'Ricarda Conely',
      jobTitle: 'Analyst III, Systems',
      phone: null,
      country: '224',
      languageCode: null,
      timeZone: null,
      role: 'administrator',
      status: 'ACTIVE',
      providerStatus: '1',
      createdAt: '2020-04-03T00:00:00.000Z',
      lastLoginAt: '2021-11-30T00:00:00.000Z',
      positions: [
        {
          title: 'Analyst III, Systems',
          departmentId,
          manager: { kind: 'department', departmentId, slot: 'supervisor' },
          isPrimary: true,
          isActive: true,
          startDate: null,
          endDate: null,
        },
      ],
      managerRules: [
        { kind: 'department', departmentId, slot: 'supervisor' },
        { kind: 'department', departmentId, slot: 'functional' },
      ],
      departmentId,
      groupIds: [
        'ispring:c07fd7ac-ee15-11ea-a6c5-868d178ff8b2',
        'ispring:541dd02e-bd80-11eb-bcd3-12833af9e441',
        'ispring:39c38d6e-bd66-11eb-9787-b21998aee3c7',
        'ispring:0c64e63a-bd69-11eb-91a8-e2ba74138d7f',
      ],
      manageableDepartmentIds: ['ispring:2dd1d670-75b2-11ea-b7d9-6ace4d08e47c'],
      customFields: [{ name: 'USER_DEFINED_FIELD1', value: '113743' }, ...restored],
    } satisfies UserModel);
  });

  it('maps the compacted Getting User Info sample', async () => {
    expect(await userFromBody(fixtureText('user-by-id-truncated.xml'))).toMatchObject({
      id: 'ispring:f29d887c-5cff-11e9-9e6a-0a580af40692',
      login: 'helen@ispringsolutions.com',
      email: 'helen@ispringsolutions.com',
      displayName: 'Helen Smith',
      jobTitle: 'Sales Manager',
      country: null,
      role: 'publisher',
      status: 'ACTIVE',
      departmentId: 'ispring:3fa85f64-5717-4562-b3fc-2c963f66afa6',
      groupIds: [],
      manageableDepartmentIds: [],
      customFields: [],
    });
  });

  it('maps a profile holding nothing but an id', () => {
    expect(user()).toEqual({
      id: `ispring:${USER_ID}`,
      provider: 'ispring',
      externalId: USER_ID,
      ref: null,
      login: null,
      email: null,
      firstName: null,
      lastName: null,
      displayName: USER_ID,
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
      positions: [
        {
          title: null,
          departmentId: null,
          manager: NO_MANAGER,
          isPrimary: true,
          isActive: true,
          startDate: null,
          endDate: null,
        },
      ],
      managerRules: [NO_MANAGER, NO_MANAGER],
      departmentId: null,
      groupIds: [],
      manageableDepartmentIds: [],
      customFields: [],
    } satisfies UserModel);
  });
});

describe('iSpring statuses', () => {
  it.each([
    [1, 'ACTIVE'],
    [3, 'INACTIVE'],
    [5, 'EMPLOYMENT_ENDED'],
    [2, 'DELETED'],
    [4, 'PENDING'],
  ] as const)('maps the JSON number %s to %s', (status, expected) => {
    expect(user({ status })).toMatchObject({ status: expected, providerStatus: String(status) });
  });

  it.each([
    ['1', 'ACTIVE'],
    ['3', 'INACTIVE'],
    ['5', 'EMPLOYMENT_ENDED'],
    ['2', 'DELETED'],
    ['4', 'PENDING'],
  ] as const)('maps the XML text <status>%s</status> to %s', async (status, expected) => {
    expect(await userFromXml(`<status>${status}</status>`)).toMatchObject({
      status: expected,
      providerStatus: status,
    });
  });

  it.each([['7'], ['abc'], ['0'], ['-1']])(
    'maps the unknown status "%s" to UNKNOWN, keeping it',
    async (status) => {
      expect(await userFromXml(`<status>${status}</status>`)).toMatchObject({
        status: 'UNKNOWN',
        providerStatus: status,
      });
    },
  );

  it('maps the unknown JSON number 7 to UNKNOWN, keeping it', () => {
    expect(user({ status: 7 })).toMatchObject({ status: 'UNKNOWN', providerStatus: '7' });
  });

  it('maps an absent, null or empty status to UNKNOWN with no provider status', async () => {
    expect(user()).toMatchObject({ status: 'UNKNOWN', providerStatus: null });
    expect(user({ status: null })).toMatchObject({ status: 'UNKNOWN', providerStatus: null });
    expect(await userFromXml('<status/>')).toMatchObject({ status: 'UNKNOWN', providerStatus: null });
  });

  it('toUserStatus reads text with whitespace and never a prototype key', () => {
    expect(toUserStatus(' 5 ')).toBe('EMPLOYMENT_ENDED');
    expect(toUserStatus('toString')).toBe('UNKNOWN');
    expect(toUserStatus(undefined)).toBe('UNKNOWN');
  });
});

describe('iSpring dates', () => {
  it('reads a date-only value as midnight UTC', () => {
    expect(user({ addedDate: '2020-04-03', lastLoginDate: '2021-11-30' })).toMatchObject({
      createdAt: '2020-04-03T00:00:00.000Z',
      lastLoginAt: '2021-11-30T00:00:00.000Z',
    });
  });

  it('reads a date-time with an offset as the instant it names', () => {
    expect(
      user({ addedDate: '2019-03-26T06:34:57+00:00', lastLoginDate: '2021-11-30T10:15:00+03:00' }),
    ).toMatchObject({ createdAt: '2019-03-26T06:34:57.000Z', lastLoginAt: '2021-11-30T07:15:00.000Z' });
  });

  it('reads a date-time without a zone as UTC', () => {
    expect(user({ lastLoginDate: '2021-11-30 10:15:00' }).lastLoginAt).toBe('2021-11-30T10:15:00.000Z');
    expect(user({ lastLoginDate: '2021-11-30T10:15' }).lastLoginAt).toBe('2021-11-30T10:15:00.000Z');
  });

  it('reads an empty <lastLoginDate/> as never', async () => {
    expect((await userFromXml('<addedDate>2021-09-14</addedDate><lastLoginDate/>')).lastLoginAt).toBeNull();
  });

  it('refuses an unreadable date, naming the path and not the value', () => {
    const error = shapeError(() => user({ addedDate: '30/11/2021' }));
    expect(error.path).toBe('addedDate');
    expect(error.message).not.toContain('30/11/2021');
    const other = shapeError(() => user({ lastLoginDate: '2021-02-30' }));
    expect(other.path).toBe('lastLoginDate');
    expect(other.message).not.toContain('2021-02-30');
  });

  it('refuses an unreadable date read from XML', async () => {
    await expect(userFromXml('<lastLoginDate>yesterday</lastLoginDate>')).rejects.toMatchObject({
      name: 'PayloadShapeError',
      path: 'lastLoginDate',
    });
  });
});

describe('iSpring user subordination', () => {
  const inDepartment = (fields: Partial<IspringUserProfile>): UserModel =>
    user({ departmentId: DEPARTMENT_ID, ...fields });

  it('manual names the supervisor', () => {
    const model = inDepartment({ subordination: manual(SUPERVISOR_ID) });
    expect(model.managerRules[0]).toEqual(byUser(SUPERVISOR_ID));
    expect(model.positions[0]!.manager).toEqual(byUser(SUPERVISOR_ID));
  });

  it('manual without a supervisorId is no manager', () => {
    expect(inDepartment({ subordination: manual() }).managerRules[0]).toEqual(NO_MANAGER);
    expect(inDepartment({ subordination: manual('') }).managerRules[0]).toEqual(NO_MANAGER);
    expect(
      inDepartment({ subordination: { subordinationType: 'manual', supervisorId: null } }).managerRules[0],
    ).toEqual(NO_MANAGER);
  });

  it('no_supervisor is no manager, whatever supervisorId says', () => {
    expect(
      inDepartment({ subordination: { subordinationType: 'no_supervisor', supervisorId: SUPERVISOR_ID } })
        .managerRules[0],
    ).toEqual(NO_MANAGER);
  });

  it("inherit is the rule of the user's department, in the slot it is for", () => {
    const model = inDepartment({ subordination: { subordinationType: 'inherit' } });
    expect(model.managerRules[0]).toEqual(byDepartment(DEPARTMENT_ID, 'supervisor'));
    expect(model.positions[0]!.manager).toEqual(byDepartment(DEPARTMENT_ID, 'supervisor'));
  });

  it('inherit ignores a supervisorId', () => {
    expect(
      inDepartment({ subordination: { subordinationType: 'inherit', supervisorId: SUPERVISOR_ID } })
        .managerRules[0],
    ).toEqual(byDepartment(DEPARTMENT_ID, 'supervisor'));
  });

  it('no subordination at all is read as inherit', () => {
    expect(inDepartment({}).managerRules).toEqual([
      byDepartment(DEPARTMENT_ID, 'supervisor'),
      byDepartment(DEPARTMENT_ID, 'functional'),
    ]);
    expect(inDepartment({ subordination: null, coSubordination: null }).managerRules).toEqual([
      byDepartment(DEPARTMENT_ID, 'supervisor'),
      byDepartment(DEPARTMENT_ID, 'functional'),
    ]);
  });

  it('inherit without a department is no manager', () => {
    expect(user({ subordination: { subordinationType: 'inherit' } }).managerRules).toEqual([
      NO_MANAGER,
      NO_MANAGER,
    ]);
  });

  it('an unknown subordination type is no manager, not a guess', () => {
    expect(
      inDepartment({ subordination: { subordinationType: 'boss', supervisorId: SUPERVISOR_ID } })
        .managerRules[0],
    ).toEqual(NO_MANAGER);
  });

  it('reads the type without regard to case or surrounding space', () => {
    expect(
      inDepartment({ subordination: { subordinationType: ' Manual ', supervisorId: SUPERVISOR_ID } })
        .managerRules[0],
    ).toEqual(byUser(SUPERVISOR_ID));
  });

  it('coSubordination is the second rule, in the functional slot', () => {
    const model = inDepartment({
      subordination: { subordinationType: 'no_supervisor' },
      coSubordination: manual(SUPERVISOR_ID),
    });
    expect(model.managerRules).toEqual([NO_MANAGER, byUser(SUPERVISOR_ID)]);
    // The position carries the supervisor only.
    expect(model.positions[0]!.manager).toEqual(NO_MANAGER);
    expect(inDepartment({ coSubordination: { subordinationType: 'inherit' } }).managerRules[1]).toEqual(
      byDepartment(DEPARTMENT_ID, 'functional'),
    );
  });

  it('maps the subordination elements of the subordination page body read from XML', async () => {
    const model = await userFromXml(
      `<departmentId>${DEPARTMENT_ID}</departmentId>${subordinationElements()}`,
    );
    expect(model.managerRules).toEqual([byUser(SUPERVISOR_ID), NO_MANAGER]);
  });

  it('maps an XML manual subordination with an empty <supervisorId/> to no manager', async () => {
    const model = await userFromXml(
      `<departmentId>${DEPARTMENT_ID}</departmentId><subordination><subordinationType>manual</subordinationType><supervisorId/></subordination>`,
    );
    expect(model.managerRules[0]).toEqual(NO_MANAGER);
  });
});

describe('iSpring profile fields', () => {
  it('reads the named fields without regard to case', () => {
    const upper = withFields([
      { name: 'EMAIL', value: 'kate.smith@test.com' },
      { name: 'LOGIN', value: 'kate.smith' },
    ]);
    const lower = withFields([
      { name: 'email', value: 'kate.smith@test.com' },
      { name: 'login', value: 'kate.smith' },
    ]);
    expect(upper).toMatchObject({ email: 'kate.smith@test.com', login: 'kate.smith', customFields: [] });
    expect(lower).toMatchObject({ email: 'kate.smith@test.com', login: 'kate.smith', customFields: [] });
  });

  it('reads every named field into its own User field', () => {
    expect(
      withFields([
        { name: 'LOGIN', value: 'kate.smith' },
        { name: 'EMAIL', value: 'kate.smith@test.com' },
        { name: 'FIRST_NAME', value: 'Kate' },
        { name: 'LAST_NAME', value: 'Smith' },
        { name: 'JOB_TITLE', value: 'Sales Manager' },
        { name: 'PHONE', value: '+1 555 0100' },
        { name: 'COUNTRY', value: '224' },
      ]),
    ).toMatchObject({
      login: 'kate.smith',
      email: 'kate.smith@test.com',
      firstName: 'Kate',
      lastName: 'Smith',
      jobTitle: 'Sales Manager',
      phone: '+1 555 0100',
      country: '224',
      customFields: [],
    });
  });

  it('keeps the numeric COUNTRY text as it is', async () => {
    expect(
      (await userFromXml('<fields><field><name>COUNTRY</name><value>224</value></field></fields>')).country,
    ).toBe('224');
  });

  it('puts the job title on the one position', () => {
    expect(withFields([{ name: 'job_title', value: 'Analyst' }]).positions[0]!.title).toBe('Analyst');
  });

  it('keeps the other fields as custom fields, in provider order, empty values as null', () => {
    expect(
      withFields([
        { name: 'USER_DEFINED_FIELD3', value: 'c' },
        { name: 'FIRST_NAME', value: 'Kate' },
        { name: 'USER_DEFINED_FIELD1', value: null },
        { name: 'EMAIL', value: 'kate.smith@test.com' },
        { name: 'about_me', value: 'Hello' },
      ]).customFields,
    ).toEqual([
      { name: 'USER_DEFINED_FIELD3', value: 'c' },
      { name: 'USER_DEFINED_FIELD1', value: null },
      { name: 'about_me', value: 'Hello' },
    ]);
  });

  it('reads an empty <value/> custom field as null', async () => {
    expect(
      (await userFromXml('<fields><field><name>USER_DEFINED_FIELD2</name><value/></field></fields>'))
        .customFields,
    ).toEqual([{ name: 'USER_DEFINED_FIELD2', value: null }]);
  });

  it('takes the first non-empty value of a named field given twice', () => {
    expect(
      withFields([
        { name: 'EMAIL', value: '' },
        { name: 'email', value: null },
        { name: 'Email', value: 'kate.smith@test.com' },
        { name: 'EMAIL', value: 'other@test.com' },
      ]),
    ).toMatchObject({ email: 'kate.smith@test.com', customFields: [] });
  });

  it('reads fields given as a JSON object map', async () => {
    const model = await userFromBody(
      JSON.stringify({
        userId: USER_ID,
        fields: {
          LOGIN: 'kate.smith',
          first_name: 'Kate',
          COUNTRY: 224,
          USER_DEFINED_FIELD1: 'x',
          USER_DEFINED_FIELD2: '',
        },
      }),
    );
    expect(model).toMatchObject({
      login: 'kate.smith',
      firstName: 'Kate',
      country: '224',
      displayName: 'Kate',
      customFields: [
        { name: 'USER_DEFINED_FIELD1', value: 'x' },
        { name: 'USER_DEFINED_FIELD2', value: null },
      ],
    });
  });
});

describe('iSpring displayName', () => {
  it('is first and last name', () => {
    expect(
      withFields([
        { name: 'FIRST_NAME', value: 'Kate' },
        { name: 'LAST_NAME', value: 'Smith' },
        { name: 'LOGIN', value: 'kate.smith' },
      ]).displayName,
    ).toBe('Kate Smith');
  });

  it('is the one name there is', () => {
    expect(withFields([{ name: 'LAST_NAME', value: 'Smith' }]).displayName).toBe('Smith');
  });

  it('falls back to the login', () => {
    expect(
      withFields([
        { name: 'FIRST_NAME', value: ' ' },
        { name: 'LOGIN', value: 'kate.smith' },
        { name: 'EMAIL', value: 'kate.smith@test.com' },
      ]).displayName,
    ).toBe('kate.smith');
  });

  it('falls back to the email', () => {
    expect(
      withFields([
        { name: 'LOGIN', value: null },
        { name: 'EMAIL', value: 'kate.smith@test.com' },
      ]).displayName,
    ).toBe('kate.smith@test.com');
  });

  it("falls back to the user's iSpring id", () => {
    expect(withFields([{ name: 'PHONE', value: '+1 555 0100' }]).displayName).toBe(USER_ID);
  });
});

describe('iSpring user groups and manageable departments', () => {
  it('makes global ids of the groups, once each', () => {
    expect(user({ groups: [GROUP_A, GROUP_B, GROUP_A] }).groupIds).toEqual([
      `ispring:${GROUP_A}`,
      `ispring:${GROUP_B}`,
    ]);
  });

  it('reads an empty <groups/> as no groups', async () => {
    expect((await userFromXml('<groups/>')).groupIds).toEqual([]);
  });

  it('reads one group id and two alike', async () => {
    expect((await userFromXml(`<groups><id>${GROUP_A}</id></groups>`)).groupIds).toEqual([
      `ispring:${GROUP_A}`,
    ]);
    expect((await userFromXml(`<groups><id>${GROUP_A}</id><id>${GROUP_B}</id></groups>`)).groupIds).toEqual([
      `ispring:${GROUP_A}`,
      `ispring:${GROUP_B}`,
    ]);
  });

  it("takes the roles' manageable departments when the profile has none of its own", () => {
    expect(
      user({
        userRoles: [
          { roleId: 'r1', manageableDepartmentIds: [DEPARTMENT_ID] },
          { roleId: 'r2', manageableDepartmentIds: [PARENT_ID, DEPARTMENT_ID] },
          { roleId: 'r3' },
        ],
      }).manageableDepartmentIds,
    ).toEqual([`ispring:${DEPARTMENT_ID}`, `ispring:${PARENT_ID}`]);
  });

  it("prefers the profile's own manageableDepartmentIds, even when empty", () => {
    expect(
      user({
        manageableDepartmentIds: [],
        userRoles: [{ roleId: 'r1', manageableDepartmentIds: [DEPARTMENT_ID] }],
      }).manageableDepartmentIds,
    ).toEqual([]);
  });
});

describe('toDepartmentModel', () => {
  it('maps the verbatim sample (Getting Department Info)', async () => {
    const model = toDepartmentModel(
      decodeIspringDepartmentById(await parseIspringBody(fixtureText('department-by-id.xml'))),
    );
    expect(model).toEqual({
      id: `ispring:${DEPARTMENT_ID}`,
      provider: 'ispring',
      externalId: DEPARTMENT_ID,
      name: 'Sales Department',
      code: '5',
      parentId: `ispring:${PARENT_ID}`,
      // No subordination in the sample: inherit from the parent.
      supervisor: byDepartment(PARENT_ID, 'supervisor'),
      functionalManager: byDepartment(PARENT_ID, 'functional'),
    } satisfies DepartmentModel);
  });

  it('maps the subordination elements of the subordination page body', async () => {
    const model = toDepartmentModel(
      decodeIspringDepartmentById(
        await parseIspringBody(
          `<response><department><departmentId>${DEPARTMENT_ID}</departmentId><name>Sales</name><parentDepartmentId>${PARENT_ID}</parentDepartmentId>${subordinationElements()}</department></response>`,
        ),
      ),
    );
    expect(model).toMatchObject({ supervisor: byUser(SUPERVISOR_ID), functionalManager: NO_MANAGER });
  });

  it('reads an empty <parentDepartmentId/> as a root department', async () => {
    const model = toDepartmentModel(
      decodeIspringDepartmentById(
        await parseIspringBody(
          `<response><department><departmentId>${DEPARTMENT_ID}</departmentId><name>Root</name><parentDepartmentId/></department></response>`,
        ),
      ),
    );
    expect(model).toMatchObject({
      parentId: null,
      code: null,
      supervisor: NO_MANAGER,
      functionalManager: NO_MANAGER,
    });
  });

  it("inherit is the parent's rule", () => {
    expect(
      department({
        parentDepartmentId: PARENT_ID,
        subordination: { subordinationType: 'inherit' },
        coSubordination: { subordinationType: 'inherit' },
      }),
    ).toMatchObject({
      supervisor: byDepartment(PARENT_ID, 'supervisor'),
      functionalManager: byDepartment(PARENT_ID, 'functional'),
    });
  });

  it('inherit at a root department is no manager', () => {
    expect(department({ subordination: { subordinationType: 'inherit' } }).supervisor).toEqual(NO_MANAGER);
    expect(department({ parentDepartmentId: null }).supervisor).toEqual(NO_MANAGER);
  });

  it('manual names the supervisor; without a supervisorId it is no manager', () => {
    expect(
      department({ parentDepartmentId: PARENT_ID, subordination: manual(SUPERVISOR_ID) }).supervisor,
    ).toEqual(byUser(SUPERVISOR_ID));
    expect(department({ parentDepartmentId: PARENT_ID, subordination: manual() }).supervisor).toEqual(
      NO_MANAGER,
    );
  });

  it('no_supervisor and an unknown type are no manager', () => {
    expect(
      department({ parentDepartmentId: PARENT_ID, subordination: { subordinationType: 'no_supervisor' } })
        .supervisor,
    ).toEqual(NO_MANAGER);
    expect(
      department({ parentDepartmentId: PARENT_ID, coSubordination: { subordinationType: 'delegate' } })
        .functionalManager,
    ).toEqual(NO_MANAGER);
  });

  it('coSubordination is the functional manager, apart from the supervisor', () => {
    expect(
      department({
        parentDepartmentId: PARENT_ID,
        subordination: { subordinationType: 'no_supervisor' },
        coSubordination: manual(SUPERVISOR_ID),
      }),
    ).toMatchObject({ supervisor: NO_MANAGER, functionalManager: byUser(SUPERVISOR_ID) });
  });
});

describe('toGroupModel', () => {
  it('maps the verbatim GET /group sample (Getting a List of Groups), isSmart true/false', async () => {
    const models = decodeIspringGroupList(await parseIspringBody(fixtureText('group-list.xml'))).map(
      toGroupModel,
    );
    expect(models).toEqual([
      {
        id: 'ispring:d3dce128-ae3d-11e9-aa19-2e820d27258c',
        provider: 'ispring',
        externalId: 'd3dce128-ae3d-11e9-aa19-2e820d27258c',
        name: 'Active Sales',
        isSmart: false,
        parentId: null,
      },
      {
        id: 'ispring:e0df6e34-a95d-11e9-a6f1-72515768dba2',
        provider: 'ispring',
        externalId: 'e0df6e34-a95d-11e9-a6f1-72515768dba2',
        name: 'Business Services',
        isSmart: false,
        parentId: null,
      },
      {
        id: 'ispring:7de5b784-af0c-11e9-82a9-6ee5008c8f90',
        provider: 'ispring',
        externalId: '7de5b784-af0c-11e9-82a9-6ee5008c8f90',
        name: 'Cold Calling',
        isSmart: true,
        parentId: null,
      },
    ] satisfies GroupModel[]);
  });

  it('maps the verbatim GET /group/{id} sample (Getting Group Info), isSmart 0', async () => {
    expect(
      toGroupModel(decodeIspringGroupById(await parseIspringBody(fixtureText('group-by-id.xml')))),
    ).toEqual({
      id: 'ispring:6b2d3e10-e043-11e9-8511-0a580af40b37',
      provider: 'ispring',
      externalId: '6b2d3e10-e043-11e9-8511-0a580af40b37',
      name: 'Interns',
      isSmart: false,
      parentId: null,
    } satisfies GroupModel);
  });

  const group = (isSmart: IspringGroup['isSmart']): GroupModel =>
    toGroupModel({ groupId: GROUP_A, name: 'x', isSmart });

  it.each([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    ['1', true],
    ['0', false],
    ['true', true],
    ['false', false],
  ] as const)('maps the wire isSmart %j to %s', (isSmart, expected) => {
    expect(group(isSmart).isSmart).toBe(expected);
  });

  it('maps an unknown isSmart to null', () => {
    expect(group('').isSmart).toBeNull();
    expect(group(2).isSmart).toBeNull();
  });

  it('maps a group whose isSmart is absent from XML to null', async () => {
    const decoded = decodeIspringGroupById(
      await parseIspringBody(
        `<response><group><groupId>${GROUP_A}</groupId><name>x</name></group></response>`,
      ),
    );
    expect(toGroupModel(decoded).isSmart).toBeNull();
  });

  it('maps 0/1 read from XML to false/true', async () => {
    const decoded = decodeIspringGroupList(
      await parseIspringBody(
        `<response><groups><group><groupId>${GROUP_A}</groupId><name>a</name><isSmart>1</isSmart></group><group><groupId>${GROUP_B}</groupId><name>b</name><isSmart>0</isSmart></group></groups></response>`,
      ),
    );
    expect(decoded.map(toGroupModel).map((model) => model.isSmart)).toEqual([true, false]);
  });
});
