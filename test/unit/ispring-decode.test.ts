import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PayloadShapeError } from '../../src/errors.ts';
import {
  decodeIspringDepartmentById,
  decodeIspringDepartmentList,
  decodeIspringErrorBody,
  decodeIspringGroupById,
  decodeIspringGroupList,
  decodeIspringTokenResponse,
  decodeIspringUser,
  decodeIspringUserListPage,
  decodeIspringUsersPage,
  parseIspringBody,
  readIspringUsersPage,
  userIdOf,
  type IspringBody,
} from '../../src/providers/ispring/decode.ts';
import type { IspringDepartment, IspringUserProfile } from '../../src/providers/ispring/wire.ts';
import { PayloadIssues } from '../../src/payload.ts';

const fixtureText = (name: string): string =>
  readFileSync(new URL(`../fixtures/ispring/${name}`, import.meta.url), 'utf8');
const fixture = (name: string): Record<string, any> => JSON.parse(fixtureText(name));
const body = (text: string): Promise<IspringBody> => parseIspringBody(text);
const json = (value: unknown): Promise<IspringBody> => parseIspringBody(JSON.stringify(value));

/** The `PayloadShapeError` that `run` throws or rejects with (fails the test otherwise). */
async function shapeError(run: () => unknown): Promise<PayloadShapeError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadShapeError);
    return error as PayloadShapeError;
  }
  throw new Error('expected a PayloadShapeError, but nothing was thrown');
}

const USER_ID = '3d7e1028-1545-11ec-b8d1-0242ac17002a';
const DEPARTMENT_ID = 'd479bc48-5b70-11e9-b123-22e9fbac4a59';
const PARENT_ID = 'b00ba37c-5b6f-11e9-bb45-0a580af40556';
const SUPERVISOR_ID = '0ccca211-b60f-11ea-bc49-028d9ecdf612';
const GROUP_A = '14b5893c-a75e-11eb-a87c-0242ac13002a';
const GROUP_B = 'ee5a6cca-154a-11ec-a6a8-0242ac17002a';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** A `GET /user/{id}` XML body whose profile holds `userId` and `inner`. */
const userXml = (inner: string, userId = USER_ID): string =>
  `${XML_DECLARATION}<response><userProfile><userId>${userId}</userId>${inner}</userProfile></response>`;
const decodeUserXml = async (inner: string): Promise<IspringUserProfile> =>
  decodeIspringUser(await body(userXml(inner)));

const departmentXml = (id: string, inner = ''): string =>
  `<department><departmentId>${id}</departmentId><name>Dept ${id.slice(0, 4)}</name>${inner}</department>`;

/** The subordination elements of the docs' verbatim subordination request body, to embed in responses. */
const subordinationElements = (): string =>
  /<request>([\s\S]*)<\/request>/.exec(fixtureText('subordination-request.xml'))![1]!;

describe('parseIspringBody', () => {
  it('reads a body starting with < as XML', async () => {
    const parsed = await body(fixtureText('department-by-id.xml'));
    expect(parsed.format).toBe('xml');
    expect(parsed.format === 'xml' && parsed.document.rootName).toBe('response');
  });

  it('reads a body starting with { or [ as JSON, after leading whitespace', async () => {
    expect(await body('\n  {"a": 1}')).toEqual({ format: 'json', json: { a: 1 } });
    expect(await body('[1, 2]')).toEqual({ format: 'json', json: [1, 2] });
  });

  it('refuses a body that is neither XML nor JSON, without echoing it', async () => {
    const error = await shapeError(() => body('Permission denied for helen@ispringsolutions.com'));
    expect(error.path).toBe('(body)');
    expect(error.expected).toBe('an XML or JSON document');
    expect(error.received).toBe('48 characters that are neither');
    expect(error.message).not.toContain('helen');
  });

  it('refuses an empty body', async () => {
    const error = await shapeError(() => body('  \n'));
    expect(error.received).toBe('an empty body');
  });

  it('refuses JSON that does not parse, without echoing it', async () => {
    const error = await shapeError(() =>
      body('{"access_token": "5_nz54vlUBIcxt8oJOmE5K6Qr1ARMy5jwPMdVATOCBB"'),
    );
    expect(error.path).toBe('(body)');
    expect(error.expected).toBe('a JSON document');
    expect(error.message).not.toContain('5_nz54');
  });

  it('refuses malformed XML, without echoing it', async () => {
    const error = await shapeError(() => body(userXml('<status>1</stat>')));
    expect(error.path).toBe('(body)');
    expect(error.expected).toBe('a well-formed XML document');
    expect(error.message).not.toContain(USER_ID);
    expect(error.message).not.toContain('stat>');
  });

  it('refuses XML with a DOCTYPE', async () => {
    const error = await shapeError(() =>
      body(`${XML_DECLARATION}<!DOCTYPE response SYSTEM "file:///etc/passwd"><response/>`),
    );
    expect(error.path).toBe('(body)');
    expect(error.message).not.toContain('passwd');
  });
});

describe('decodeIspringUser on verbatim payloads', () => {
  it('decodes the sample of the vendor page Getting User Info whole', async () => {
    expect(decodeIspringUser(await body(fixtureText('user-by-id.xml')))).toEqual({
      userId: '3d7e1028-1545-11ec-b8d1-0242ac17002a',
      role: 'department_administrator',
      roleId: 'eaf01e14-2ae1-11e9-89a5-0242ac13000a',
      departmentId: '1141d74c-a75e-11eb-ad56-0242ac13002a',
      status: '1',
      fields: [
        { name: 'FIRST_NAME', value: 'Kate' },
        { name: 'LAST_NAME', value: 'Smith' },
        { name: 'LOGIN', value: 'kate.smith' },
        { name: 'EMAIL', value: 'kate.smith@test.com' },
        { name: 'PHONE', value: null },
        { name: 'JOB_TITLE', value: 'Sales Manager' },
        { name: 'COUNTRY', value: null },
      ],
      addedDate: '2021-09-14',
      groups: [GROUP_A, GROUP_B],
      manageableDepartmentIds: ['1141d74c-a75e-11eb-ad56-0242ac13002a'],
      userRoles: [
        {
          roleId: 'eaf01e14-2ae1-11e9-89a5-0242ac13000a',
          roleType: 'department_administrator',
          manageableDepartmentIds: ['1141d74c-a75e-11eb-ad56-0242ac13002a'],
        },
      ],
    } satisfies IspringUserProfile);
  });

  it('decodes the compacted Getting User Info sample, which has no roleId', async () => {
    const profile = decodeIspringUser(await body(fixtureText('user-by-id-truncated.xml')));
    expect(profile).toEqual({
      userId: 'f29d887c-5cff-11e9-9e6a-0a580af40692',
      role: 'publisher',
      departmentId: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
      status: '1',
      fields: [
        { name: 'LOGIN', value: 'helen@ispringsolutions.com' },
        { name: 'EMAIL', value: 'helen@ispringsolutions.com' },
        { name: 'FIRST_NAME', value: 'Helen' },
        { name: 'LAST_NAME', value: 'Smith' },
        { name: 'JOB_TITLE', value: 'Sales Manager' },
        { name: 'COUNTRY', value: null },
      ],
    });
  });

  it('decodes the JSON fixture (from a public Java test) whole, empty values read as null', async () => {
    const source = fixture('user-by-id.json');
    const expected = {
      ...source,
      fields: source.fields.map((f: { name: string; value: string }) => ({
        name: f.name,
        value: f.value === '' ? null : f.value,
      })),
    };
    expect(decodeIspringUser(await body(fixtureText('user-by-id.json')))).toEqual(expected);
  });

  it('keeps the JSON status as the number it came as', async () => {
    expect(decodeIspringUser(await body(fixtureText('user-by-id.json'))).status).toBe(1);
  });
});

describe('decodeIspringUser envelopes', () => {
  const bare = { userId: USER_ID, status: 3 };

  it('takes a bare JSON object', async () => {
    expect(decodeIspringUser(await json(bare))).toEqual(bare);
  });

  it('takes {"response": profile}', async () => {
    expect(decodeIspringUser(await json({ response: bare }))).toEqual(bare);
  });

  it('takes {"response": {"userProfile": profile}} and {"userProfile": profile}', async () => {
    expect(decodeIspringUser(await json({ response: { userProfile: bare } }))).toEqual(bare);
    expect(decodeIspringUser(await json({ userProfile: bare }))).toEqual(bare);
  });

  it('takes an XML document whose root is <userProfile>', async () => {
    expect(decodeIspringUser(await body(`<userProfile><userId>${USER_ID}</userId></userProfile>`))).toEqual({
      userId: USER_ID,
    });
  });

  it('names the missing <userProfile> of an XML <response>', async () => {
    const error = await shapeError(async () =>
      decodeIspringUser(await body('<response><other/></response>')),
    );
    expect(error).toMatchObject({ path: 'response.userProfile', received: 'no such element' });
  });
});

describe('decodeIspringUser on documented variants', () => {
  it('reads an empty <value/> as no value', async () => {
    const profile = await decodeUserXml(
      '<fields><field><name>USER_DEFINED_FIELD3</name><value/></field><field><name>PHONE</name><value></value></field></fields>',
    );
    expect(profile.fields).toEqual([
      { name: 'USER_DEFINED_FIELD3', value: null },
      { name: 'PHONE', value: null },
    ]);
  });

  it('reads a <field> without <value> as no value', async () => {
    expect((await decodeUserXml('<fields><field><name>LOGIN</name></field></fields>')).fields).toEqual([
      { name: 'LOGIN', value: null },
    ]);
  });

  it('reads one <field> as a list of one', async () => {
    expect(
      (await decodeUserXml('<fields><field><name>LOGIN</name><value>kate.smith</value></field></fields>'))
        .fields,
    ).toEqual([{ name: 'LOGIN', value: 'kate.smith' }]);
  });

  it('reads one group id and two alike', async () => {
    expect((await decodeUserXml(`<groups><id>${GROUP_A}</id></groups>`)).groups).toEqual([GROUP_A]);
    expect((await decodeUserXml(`<groups><id>${GROUP_A}</id><id>${GROUP_B}</id></groups>`)).groups).toEqual([
      GROUP_A,
      GROUP_B,
    ]);
  });

  it('reads the repeated-wrapper form <groups>a</groups><groups>b</groups>', async () => {
    expect((await decodeUserXml(`<groups>${GROUP_A}</groups><groups>${GROUP_B}</groups>`)).groups).toEqual([
      GROUP_A,
      GROUP_B,
    ]);
  });

  it('reads an empty <groups/> as no groups', async () => {
    expect((await decodeUserXml('<groups/>')).groups).toEqual([]);
    expect(
      (await decodeUserXml('<manageableDepartmentIds></manageableDepartmentIds>')).manageableDepartmentIds,
    ).toEqual([]);
  });

  it('leaves out what the profile does not hold, and empty elements', async () => {
    const profile = await decodeUserXml(
      '<role/><departmentId/><status/><addedDate/><lastLoginDate/><subordination/><coSubordination/><workLeaveStatus/>',
    );
    expect(profile).toEqual({ userId: USER_ID });
  });

  it('keeps an unknown status as it came, number or text', async () => {
    expect((await decodeUserXml('<status> 7 </status>')).status).toBe('7');
    expect((await decodeUserXml('<status>abc</status>')).status).toBe('abc');
    expect(decodeIspringUser(await json({ userId: USER_ID, status: 7 })).status).toBe(7);
  });

  it('refuses a status that is neither a number nor text', async () => {
    const error = await shapeError(async () =>
      decodeIspringUser(await json({ userId: USER_ID, status: true })),
    );
    expect(error).toMatchObject({ path: 'status', received: 'a boolean' });
  });

  it('reads one <userRole> and two alike', async () => {
    const role = (id: string): string =>
      `<userRole><roleId>${id}</roleId><roleType>administrator</roleType></userRole>`;
    expect((await decodeUserXml(`<userRoles>${role('r1')}</userRoles>`)).userRoles).toEqual([
      { roleId: 'r1', roleType: 'administrator' },
    ]);
    expect((await decodeUserXml(`<userRoles>${role('r1')}${role('r2')}</userRoles>`)).userRoles).toHaveLength(
      2,
    );
  });

  it('reads subordination and coSubordination', async () => {
    const profile = await decodeUserXml(subordinationElements());
    expect(profile.subordination).toEqual({ subordinationType: 'manual', supervisorId: SUPERVISOR_ID });
    expect(profile.coSubordination).toEqual({ subordinationType: 'no_supervisor' });
  });

  it('reads an empty <supervisorId/> as no supervisor', async () => {
    const profile = await decodeUserXml(
      '<subordination><subordinationType>manual</subordinationType><supervisorId/></subordination>',
    );
    expect(profile.subordination).toEqual({ subordinationType: 'manual' });
  });

  it('requires a subordinationType', async () => {
    const error = await shapeError(() =>
      decodeUserXml(`<subordination><supervisorId>${SUPERVISOR_ID}</supervisorId></subordination>`),
    );
    expect(error.path).toBe('userProfile.subordination.subordinationType');
  });

  it('reads workLeaveStatus', async () => {
    const profile = await decodeUserXml(
      '<workLeaveStatus><workLeaveReason>OnVacation</workLeaveReason><startDate>2024-07-01</startDate><endDate/></workLeaveStatus>',
    );
    expect(profile.workLeaveStatus).toEqual({ workLeaveReason: 'OnVacation', startDate: '2024-07-01' });
  });

  it('reads JSON fields given as an object keyed by name, numbers as text', async () => {
    const profile = decodeIspringUser(
      await json({
        userId: USER_ID,
        fields: { LOGIN: 'kate.smith', COUNTRY: 224, USER_DEFINED_FIELD2: '', X: null },
      }),
    );
    expect(profile.fields).toEqual([
      { name: 'LOGIN', value: 'kate.smith' },
      { name: 'COUNTRY', value: '224' },
      { name: 'USER_DEFINED_FIELD2', value: null },
      { name: 'X', value: null },
    ]);
  });

  it('reads JSON id lists in the {"id": …} form an XML converter emits', async () => {
    expect(decodeIspringUser(await json({ userId: USER_ID, groups: { id: GROUP_A } })).groups).toEqual([
      GROUP_A,
    ]);
    expect(
      decodeIspringUser(await json({ userId: USER_ID, groups: { id: [GROUP_A, GROUP_B] } })).groups,
    ).toEqual([GROUP_A, GROUP_B]);
  });

  it('trims whitespace around ids', async () => {
    expect((await decodeUserXml(`<departmentId>\n  ${DEPARTMENT_ID}\n</departmentId>`)).departmentId).toBe(
      DEPARTMENT_ID,
    );
  });
});

describe('decodeIspringUser refuses what is not the documented shape', () => {
  it('a userId that is not a UUID, naming the path and not the value', async () => {
    const error = await shapeError(async () =>
      decodeIspringUser(await body(userXml('', 'helen@ispringsolutions.com'))),
    );
    expect(error.path).toBe('userProfile.userId');
    expect(error.expected).toBe('an iSpring id (a UUID)');
    expect(error.received).toBe('a string of 26 characters');
    expect(error.message).not.toContain('helen');
  });

  it('a profile without a userId', async () => {
    const error = await shapeError(async () => decodeIspringUser(await json({ status: 1 })));
    expect(error.path).toBe('userId');
    expect(error.received).toBe('no value (the field is absent)');
  });

  it('a group id that is not a UUID, naming its index', async () => {
    const error = await shapeError(() =>
      decodeUserXml(`<groups><id>${GROUP_A}</id><id>Sales Team</id></groups>`),
    );
    expect(error.path).toBe('userProfile.groups[1]');
    expect(error.message).not.toContain('Sales Team');
  });

  it('an element with children where text is expected', async () => {
    const error = await shapeError(() => decodeUserXml('<role><name>secret-role</name></role>'));
    expect(error).toMatchObject({ path: 'userProfile.role', expected: 'a string', received: 'an object' });
    expect(error.message).not.toContain('secret-role');
  });

  it('a JSON object where a field value is expected', async () => {
    const error = await shapeError(async () =>
      decodeIspringUser(
        await json({ userId: USER_ID, fields: [{ name: 'EMAIL', value: { address: 'x@y.z' } }] }),
      ),
    );
    expect(error).toMatchObject({ path: 'fields[0].value', expected: 'a string', received: 'an object' });
    expect(error.message).not.toContain('x@y.z');
  });

  it('a JSON array where a profile is expected', async () => {
    const error = await shapeError(async () => decodeIspringUser(await json([{ userId: USER_ID }])));
    expect(error).toMatchObject({ path: '(body)', expected: 'an object' });
  });
});

describe('readIspringUsersPage', () => {
  const profileXml = (id: string): string => `<userProfile><userId>${id}</userId></userProfile>`;
  const OTHER_ID = 'f29d887c-5cff-11e9-9e6a-0a580af40692';

  it('reads one <userProfile> and two alike under <userProfiles>, keeping the page token', async () => {
    const one = readIspringUsersPage(
      await body(
        `${XML_DECLARATION}<response><userProfiles>${profileXml(USER_ID)}</userProfiles><nextPageToken>MmFiZmJhNDItZmE1MS0xMWU5LTk1ZjAtMGE1ODBhZjQwYTgz</nextPageToken></response>`,
      ),
    );
    expect(one).toEqual({
      items: [{ value: { userId: USER_ID }, path: 'userProfiles[0]' }],
      nextPageToken: 'MmFiZmJhNDItZmE1MS0xMWU5LTk1ZjAtMGE1ODBhZjQwYTgz',
    });
    const two = readIspringUsersPage(
      await body(
        `<response><userProfiles>${profileXml(USER_ID)}${profileXml(OTHER_ID)}</userProfiles></response>`,
      ),
    );
    expect(two.items.map((item) => item.value)).toEqual([{ userId: USER_ID }, { userId: OTHER_ID }]);
    expect(two.items[1]!.path).toBe('userProfiles[1]');
  });

  it('drops an empty <nextPageToken/>', async () => {
    const page = readIspringUsersPage(
      await body(`<response><userProfiles>${profileXml(USER_ID)}</userProfiles><nextPageToken/></response>`),
    );
    expect(page.nextPageToken).toBeUndefined();
  });

  it('reads <userProfile> repeated directly under <response> (GET /user)', async () => {
    const page = readIspringUsersPage(
      await body(`<response>${profileXml(USER_ID)}${profileXml(OTHER_ID)}</response>`),
    );
    expect(page.items.map((item) => userIdOf(item.value))).toEqual([USER_ID, OTHER_ID]);
    expect(page.nextPageToken).toBeUndefined();
  });

  it('reads an empty page', async () => {
    expect(readIspringUsersPage(await body('<response><userProfiles/></response>'))).toEqual({
      items: [],
      nextPageToken: undefined,
    });
  });

  it('reads the JSON page, bare or under "response"', async () => {
    const page = { userProfiles: [{ userId: USER_ID }], nextPageToken: 'abc' };
    for (const value of [page, { response: page }]) {
      expect(readIspringUsersPage(await json(value))).toEqual({
        items: [{ value: { userId: USER_ID }, path: 'userProfiles[0]' }],
        nextPageToken: 'abc',
      });
    }
  });

  it('drops an empty or null JSON nextPageToken', async () => {
    expect(
      readIspringUsersPage(await json({ userProfiles: [], nextPageToken: '' })).nextPageToken,
    ).toBeUndefined();
    expect(
      readIspringUsersPage(await json({ userProfiles: [], nextPageToken: null })).nextPageToken,
    ).toBeUndefined();
  });

  it('reads a bare JSON array (GET /user/v2)', async () => {
    expect(readIspringUsersPage(await json([{ userId: USER_ID }, { userId: OTHER_ID }]))).toEqual({
      items: [
        { value: { userId: USER_ID }, path: '[0]' },
        { value: { userId: OTHER_ID }, path: '[1]' },
      ],
      nextPageToken: undefined,
    });
  });

  it('reads a single JSON profile under "userProfiles" as a list of one', async () => {
    expect(readIspringUsersPage(await json({ userProfiles: { userId: USER_ID } })).items).toEqual([
      { value: { userId: USER_ID }, path: 'userProfiles[0]' },
    ]);
  });

  it('refuses a nextPageToken that is not text', async () => {
    const error = await shapeError(async () =>
      readIspringUsersPage(await json({ userProfiles: [], nextPageToken: { token: 'x' } })),
    );
    expect(error).toMatchObject({ path: 'nextPageToken', expected: 'a string', received: 'an object' });
  });

  it('does not decode the profiles, so one bad profile does not fail the page', async () => {
    const page = readIspringUsersPage(
      await body(
        `<response><userProfiles>${profileXml(USER_ID)}${profileXml('not-an-id')}</userProfiles></response>`,
      ),
    );
    expect(page.items).toHaveLength(2);
  });
});

describe('lists holding text where their items should be', () => {
  // Read as a list of one unreadable item, such a list came out empty once the item was dropped:
  // no departments, no groups, a users page with nobody on it.
  it.each([
    ['<userProfiles>', '<response><userProfiles>none</userProfiles></response>', 'response.userProfiles'],
    ['"userProfiles"', '{"userProfiles":"none"}', 'userProfiles'],
    ['"userProfiles" a number', '{"userProfiles":5}', 'userProfiles'],
  ])('refuses %s holding text as a users page', async (_name, text, path) => {
    const error = await shapeError(async () => readIspringUsersPage(await body(text)));
    expect(error.path).toBe(path);
  });

  it.each([
    ['<departments>', '<response><departments>none</departments></response>', decodeIspringDepartmentList],
    ['"departments"', '{"departments":"none"}', decodeIspringDepartmentList],
    ['<groups>', '<response><groups>none</groups></response>', decodeIspringGroupList],
    ['"groups"', '{"groups":"none"}', decodeIspringGroupList],
  ] as const)('refuses %s holding text, leniently read or not', async (_name, text, decode) => {
    await shapeError(async () => decode(await body(text), new PayloadIssues()));
    await shapeError(async () => decode(await body(text)));
  });
});

describe('decodeIspringUserListPage', () => {
  const OTHER_ID = 'f29d887c-5cff-11e9-9e6a-0a580af40692';

  it('decodes each profile leniently, and drops one without a usable id, noting it', async () => {
    const issues = new PayloadIssues();
    const page = decodeIspringUserListPage(
      await json({
        userProfiles: [
          { userId: USER_ID, status: 1, addedDate: 42 },
          { userId: 'kate.smith' },
          'not a profile',
          { userId: OTHER_ID },
        ],
        nextPageToken: 'next',
      }),
      issues,
    );
    expect(page).toEqual({
      profiles: [
        { profile: { userId: USER_ID, status: 1 }, path: 'userProfiles[0]' },
        { profile: { userId: OTHER_ID }, path: 'userProfiles[3]' },
      ],
      received: 4,
      nextPageToken: 'next',
    });
    expect(issues.list().map((issue) => issue.path)).toEqual([
      'userProfiles[0].addedDate',
      'userProfiles[1].userId',
      'userProfiles[2]',
    ]);
    expect(JSON.stringify(issues.list())).not.toContain('kate.smith');
  });

  it('reads the empty pages as empty, with no token', async () => {
    for (const text of [
      '<response><userProfiles></userProfiles></response>',
      '<response><userProfiles/><nextPageToken/></response>',
      '{"userProfiles":[],"nextPageToken":""}',
      '{"userProfiles":[]}',
    ]) {
      expect(decodeIspringUserListPage(await body(text), new PayloadIssues()), text).toEqual({
        profiles: [],
        received: 0,
        nextPageToken: undefined,
      });
    }
  });

  it('keeps the envelope strict', async () => {
    for (const text of ['<response/>', '{}', '<response><code>500</code><message>x</message></response>']) {
      await shapeError(async () => decodeIspringUserListPage(await body(text), new PayloadIssues()));
    }
  });
});

describe('userIdOf', () => {
  it('gives the id of a profile with a valid userId, trimmed', () => {
    expect(userIdOf({ userId: USER_ID })).toBe(USER_ID);
    expect(userIdOf({ userId: ` ${USER_ID}\n` })).toBe(USER_ID);
  });

  it('gives undefined for a profile without a valid id', () => {
    expect(userIdOf({ userId: 'not-a-uuid' })).toBeUndefined();
    expect(userIdOf({ userId: 42 })).toBeUndefined();
    expect(userIdOf({ userId: { id: USER_ID } })).toBeUndefined();
    expect(userIdOf({})).toBeUndefined();
    expect(userIdOf(null)).toBeUndefined();
    expect(userIdOf(USER_ID)).toBeUndefined();
  });
});

describe('decodeIspringUsersPage', () => {
  it('decodes every profile and keeps the token', async () => {
    const page = decodeIspringUsersPage(
      await body(
        `<response><userProfiles><userProfile><userId>${USER_ID}</userId><status>5</status></userProfile></userProfiles><nextPageToken>t</nextPageToken></response>`,
      ),
    );
    expect(page).toEqual({ userProfiles: [{ userId: USER_ID, status: '5' }], nextPageToken: 't' });
  });

  it('leaves nextPageToken out on the last page', async () => {
    const page = decodeIspringUsersPage(await json({ userProfiles: [{ userId: USER_ID }] }));
    expect(page).toEqual({ userProfiles: [{ userId: USER_ID }] });
    expect(page).not.toHaveProperty('nextPageToken');
  });

  it('fails on a bad profile, naming its index', async () => {
    const error = await shapeError(async () =>
      decodeIspringUsersPage(await json({ userProfiles: [{ userId: USER_ID }, { userId: 'kate.smith' }] })),
    );
    expect(error.path).toBe('userProfiles[1].userId');
    expect(error.message).not.toContain('kate.smith');
  });
});

describe('decodeIspringDepartmentById', () => {
  it('decodes the verbatim sample (Getting Department Info)', async () => {
    expect(decodeIspringDepartmentById(await body(fixtureText('department-by-id.xml')))).toEqual({
      departmentId: DEPARTMENT_ID,
      name: 'Sales Department',
      parentDepartmentId: PARENT_ID,
      code: '5',
    } satisfies IspringDepartment);
  });

  it('reads an empty <parentDepartmentId/> as no parent', async () => {
    const department = decodeIspringDepartmentById(
      await body(`<response>${departmentXml(DEPARTMENT_ID, '<parentDepartmentId/><code/>')}</response>`),
    );
    expect(department).toEqual({ departmentId: DEPARTMENT_ID, name: 'Dept d479' });
  });

  it('reads the subordination elements of the subordination page body inside a department', async () => {
    const department = decodeIspringDepartmentById(
      await body(`<response>${departmentXml(DEPARTMENT_ID, subordinationElements())}</response>`),
    );
    expect(department.subordination).toEqual({ subordinationType: 'manual', supervisorId: SUPERVISOR_ID });
    expect(department.coSubordination).toEqual({ subordinationType: 'no_supervisor' });
  });

  it('takes JSON bare, under "response" and under "department"; a numeric code as text', async () => {
    const bare = { departmentId: DEPARTMENT_ID, name: 'Sales Department', code: 5 };
    const expected = { departmentId: DEPARTMENT_ID, name: 'Sales Department', code: '5' };
    for (const value of [
      bare,
      { response: bare },
      { department: bare },
      { response: { department: bare } },
    ]) {
      expect(decodeIspringDepartmentById(await json(value))).toEqual(expected);
    }
  });

  it('reads a null name as the empty name, and refuses an absent one', async () => {
    expect(decodeIspringDepartmentById(await json({ departmentId: DEPARTMENT_ID, name: null })).name).toBe(
      '',
    );
    const error = await shapeError(async () =>
      decodeIspringDepartmentById(await json({ departmentId: DEPARTMENT_ID })),
    );
    expect(error.path).toBe('name');
  });

  it('refuses a parentDepartmentId that is not a UUID', async () => {
    const error = await shapeError(async () =>
      decodeIspringDepartmentById(
        await body(
          `<response>${departmentXml(DEPARTMENT_ID, '<parentDepartmentId>root</parentDepartmentId>')}</response>`,
        ),
      ),
    );
    expect(error).toMatchObject({
      path: 'department.parentDepartmentId',
      expected: 'an iSpring id (a UUID)',
    });
    expect(error.message).not.toContain('root');
  });

  it('refuses an object where the name is expected', async () => {
    const error = await shapeError(async () =>
      decodeIspringDepartmentById(await json({ departmentId: DEPARTMENT_ID, name: { en: 'Sales' } })),
    );
    expect(error).toMatchObject({ path: 'name', expected: 'a string', received: 'an object' });
  });
});

describe('decodeIspringDepartmentList', () => {
  const ids = (list: IspringDepartment[]): string[] => list.map((d) => d.departmentId);

  it('reads one <department> under <response> as a list of one', async () => {
    const list = decodeIspringDepartmentList(await body(fixtureText('department-by-id.xml')));
    expect(list).toEqual([
      { departmentId: DEPARTMENT_ID, name: 'Sales Department', parentDepartmentId: PARENT_ID, code: '5' },
    ]);
  });

  it('reads several <department> under <response> (GET /department)', async () => {
    const list = decodeIspringDepartmentList(
      await body(
        `<response>${departmentXml(PARENT_ID)}${departmentXml(DEPARTMENT_ID, `<parentDepartmentId>${PARENT_ID}</parentDepartmentId>`)}</response>`,
      ),
    );
    expect(ids(list)).toEqual([PARENT_ID, DEPARTMENT_ID]);
    expect(list[0]).not.toHaveProperty('parentDepartmentId');
    expect(list[1]!.parentDepartmentId).toBe(PARENT_ID);
  });

  it('reads one and several under a <departments> wrapper (GET /departments)', async () => {
    const one = await body(
      `<response><departments>${departmentXml(PARENT_ID)}</departments><nextPageToken/></response>`,
    );
    const two = await body(
      `<response><departments>${departmentXml(PARENT_ID)}${departmentXml(DEPARTMENT_ID)}</departments></response>`,
    );
    expect(ids(decodeIspringDepartmentList(one))).toEqual([PARENT_ID]);
    expect(ids(decodeIspringDepartmentList(two))).toEqual([PARENT_ID, DEPARTMENT_ID]);
  });

  it('refuses an empty list: every account has at least its root department', async () => {
    for (const empty of [await body('<response/>'), await json([]), await json({ departments: [] })]) {
      const error = await shapeError(() => decodeIspringDepartmentList(empty));
      expect(error.path).toBe('(body)');
      expect(`${error.expected} ${error.received}`).toMatch(/department/);
    }
  });

  it('takes a bare JSON array, {"departments": […]} and {"response": {"departments": […]}}', async () => {
    const items = [
      { departmentId: PARENT_ID, name: 'Root' },
      { departmentId: DEPARTMENT_ID, name: 'Sales', parentDepartmentId: PARENT_ID },
    ];
    for (const value of [
      items,
      { departments: items },
      { response: { departments: items } },
      { response: items },
    ]) {
      expect(decodeIspringDepartmentList(await json(value))).toEqual(items);
    }
  });

  it('takes a single JSON object where the list is expected, under "departments" or "department"', async () => {
    const item = { departmentId: DEPARTMENT_ID, name: 'Sales' };
    expect(decodeIspringDepartmentList(await json({ departments: item }))).toEqual([item]);
    expect(decodeIspringDepartmentList(await json({ department: item }))).toEqual([item]);
    expect(decodeIspringDepartmentList(await json({ response: { department: [item] } }))).toEqual([item]);
  });

  it('refuses a JSON object that holds no list', async () => {
    const error = await shapeError(async () => decodeIspringDepartmentList(await json({ total: 3 })));
    expect(error).toMatchObject({ path: '(body)', expected: 'an array, or an object with "departments"' });
  });

  it('names the index of a bad department, XML and JSON', async () => {
    const xmlError = await shapeError(async () =>
      decodeIspringDepartmentList(
        await body(`<response>${departmentXml(PARENT_ID)}<department><name>x</name></department></response>`),
      ),
    );
    expect(xmlError.path).toBe('department[1].departmentId');
    const jsonError = await shapeError(async () =>
      decodeIspringDepartmentList(await json({ departments: [{ departmentId: 'Sales', name: 'x' }] })),
    );
    expect(jsonError.path).toBe('departments[0].departmentId');
    expect(jsonError.message).not.toContain('Sales');
  });
});

describe('decodeIspringGroupList', () => {
  it('decodes the verbatim GET /group sample (Getting a List of Groups), stray text and all', async () => {
    expect(decodeIspringGroupList(await body(fixtureText('group-list.xml')))).toEqual([
      { groupId: 'd3dce128-ae3d-11e9-aa19-2e820d27258c', name: 'Active Sales', isSmart: false },
      { groupId: 'e0df6e34-a95d-11e9-a6f1-72515768dba2', name: 'Business Services', isSmart: false },
      { groupId: '7de5b784-af0c-11e9-82a9-6ee5008c8f90', name: 'Cold Calling', isSmart: true },
    ]);
  });

  it('refuses the docs\' "..." placeholder of the GET /groups sample, naming it', async () => {
    const error = await shapeError(async () =>
      decodeIspringGroupList(await body(fixtureText('groups-page.xml'))),
    );
    expect(error).toMatchObject({ path: 'group[1]', expected: 'an object' });
  });

  it('decodes the GET /groups sample without its placeholder, isSmart 0 as false', async () => {
    const text = fixtureText('groups-page.xml').replace(/<group>\s*\.\.\.\s*<\/group>/, '');
    expect(decodeIspringGroupList(await body(text))).toEqual([
      { groupId: '84855bf6-06ac-11ea-9eea-0a580af40786', name: 'string', isSmart: false },
    ]);
  });

  it('takes JSON bare, under "groups" and one object under "group"', async () => {
    const item = { groupId: GROUP_A, name: 'Interns', isSmart: 1 };
    const expected = [{ groupId: GROUP_A, name: 'Interns', isSmart: true }];
    for (const value of [[item], { groups: [item] }, { response: { groups: [item] } }, { group: item }]) {
      expect(decodeIspringGroupList(await json(value))).toEqual(expected);
    }
  });
});

describe('decodeIspringGroupById', () => {
  it('decodes the verbatim GET /group/{id} sample (Getting Group Info): one <userIds><id>, isSmart 0', async () => {
    expect(decodeIspringGroupById(await body(fixtureText('group-by-id.xml')))).toEqual({
      groupId: '6b2d3e10-e043-11e9-8511-0a580af40b37',
      name: 'Interns',
      isSmart: false,
      usersCount: '1',
      userIds: ['1250ac9a-3c12-11ed-957b-5607de77b3b8'],
    });
  });

  it('reads an empty <userIds/> as no users (an Author sees only the count)', async () => {
    const group = decodeIspringGroupById(
      await body(
        `<response><group><groupId>${GROUP_A}</groupId><name>x</name><isSmart>1</isSmart><usersCount>4</usersCount><userIds/></group></response>`,
      ),
    );
    expect(group).toEqual({ groupId: GROUP_A, name: 'x', isSmart: true, usersCount: '4', userIds: [] });
  });

  it('takes the bare JSON DetailedGroup and {"response": …}', async () => {
    const detailed = { groupId: GROUP_A, name: 'Interns', isSmart: false, usersCount: 2, userIds: [USER_ID] };
    expect(decodeIspringGroupById(await json(detailed))).toEqual(detailed);
    expect(decodeIspringGroupById(await json({ response: detailed }))).toEqual(detailed);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
    [' TRUE ', true],
  ])('reads <isSmart>%s</isSmart> as %s', async (text, expected) => {
    const group = decodeIspringGroupById(
      await body(`<group><groupId>${GROUP_A}</groupId><name>x</name><isSmart>${text}</isSmart></group>`),
    );
    expect(group.isSmart).toBe(expected);
  });

  it.each([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
  ])('reads JSON isSmart %s as %s', async (value, expected) => {
    expect(decodeIspringGroupById(await json({ groupId: GROUP_A, name: 'x', isSmart: value })).isSmart).toBe(
      expected,
    );
  });

  it('reads an absent, empty or null isSmart as unknown', async () => {
    expect(
      decodeIspringGroupById(await body(`<group><groupId>${GROUP_A}</groupId><name>x</name></group>`))
        .isSmart,
    ).toBe('');
    expect(
      decodeIspringGroupById(
        await body(`<group><groupId>${GROUP_A}</groupId><name>x</name><isSmart/></group>`),
      ).isSmart,
    ).toBe('');
    expect(decodeIspringGroupById(await json({ groupId: GROUP_A, name: 'x', isSmart: null })).isSmart).toBe(
      '',
    );
  });

  it('refuses an isSmart that is none of true, false, 1, 0', async () => {
    const error = await shapeError(async () =>
      decodeIspringGroupById(
        await body(
          `<response><group><groupId>${GROUP_A}</groupId><name>x</name><isSmart>yes</isSmart></group></response>`,
        ),
      ),
    );
    expect(error).toMatchObject({ path: 'group.isSmart', expected: 'true, false, 1 or 0' });
  });

  it('refuses a user id that is not a UUID, naming its index', async () => {
    const error = await shapeError(async () =>
      decodeIspringGroupById(
        await json({ groupId: GROUP_A, name: 'x', isSmart: 0, userIds: [USER_ID, 'kate'] }),
      ),
    );
    expect(error.path).toBe('userIds[1]');
  });
});

describe('decodeIspringTokenResponse', () => {
  it('decodes the verbatim JSON response (Access Token page)', async () => {
    expect(decodeIspringTokenResponse(await body(fixtureText('token.json')))).toEqual(fixture('token.json'));
  });

  it('decodes the XML form (root <response>), expires_in read as a number', async () => {
    const token = decodeIspringTokenResponse(
      await body(
        '<response><access_token>5_nz54vlUBIcxt8oJOmE5K6Qr1ARMy5jwPMdVATOCBB</access_token><expires_in>1800</expires_in><token_type>bearer</token_type></response>',
      ),
    );
    expect(token).toEqual({
      access_token: '5_nz54vlUBIcxt8oJOmE5K6Qr1ARMy5jwPMdVATOCBB',
      expires_in: 1800,
      token_type: 'bearer',
    });
  });

  it('takes {"response": …} and leaves an absent expires_in out', async () => {
    const token = decodeIspringTokenResponse(
      await json({ response: { access_token: 'abc', token_type: 'bearer' } }),
    );
    expect(token).toEqual({ access_token: 'abc', token_type: 'bearer' });
  });

  it('refuses a missing or empty access_token, without echoing anything', async () => {
    const missing = await shapeError(async () =>
      decodeIspringTokenResponse(await json({ expires_in: 1800, token_type: 'bearer' })),
    );
    expect(missing.path).toBe('access_token');
    const empty = await shapeError(async () =>
      decodeIspringTokenResponse(
        await body('<response><access_token/><token_type>bearer</token_type></response>'),
      ),
    );
    expect(empty).toMatchObject({
      path: 'access_token',
      expected: 'a non-empty string',
      received: 'an empty string',
    });
  });

  it('refuses an expires_in that is not a positive integer', async () => {
    for (const expires_in of [0, -5, '18OO', 1.5]) {
      const error = await shapeError(async () =>
        decodeIspringTokenResponse(await json({ access_token: 'abc', token_type: 'bearer', expires_in })),
      );
      expect(error.path).toBe('expires_in');
    }
  });
});

describe('decodeIspringErrorBody', () => {
  it('decodes the XML error body, code as the text it came as', async () => {
    expect(decodeIspringErrorBody(await body(fixtureText('error-403.xml')))).toEqual({
      code: '403',
      message: '…',
    });
  });

  it('decodes the JSON error body, code as a number', async () => {
    expect(decodeIspringErrorBody(await body(fixtureText('error-403.json')))).toEqual({
      code: 403,
      message: '…',
    });
  });

  it('refuses an error body without a code', async () => {
    const error = await shapeError(async () =>
      decodeIspringErrorBody(await body('<response><message>Permission Denied</message></response>')),
    );
    expect(error).toMatchObject({ path: 'code', expected: 'an integer' });
  });

  it('refuses a code that is not an integer, without echoing it', async () => {
    const error = await shapeError(async () =>
      decodeIspringErrorBody(await json({ code: 'Forbidden', message: 'x' })),
    );
    expect(error).toMatchObject({ path: 'code', received: 'a string of 9 characters' });
    expect(error.message).not.toContain('Forbidden');
  });
});
