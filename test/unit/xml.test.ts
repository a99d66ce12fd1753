import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PayloadShapeError } from '../../src/errors.ts';
import {
  childrenOf,
  fromXml,
  parseXml,
  repeatedFromXml,
  xmlList,
  xmlObject,
  xmlText,
  type XmlValue,
} from '../../src/providers/xml.ts';

const fixtureText = (name: string): string =>
  readFileSync(new URL(`../fixtures/ispring/${name}`, import.meta.url), 'utf8');

/** The `PayloadShapeError` that `run` rejects with (fails the test when it resolves or rejects otherwise). */
async function shapeError(run: () => Promise<unknown>): Promise<PayloadShapeError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadShapeError);
    return error as PayloadShapeError;
  }
  throw new Error('expected a PayloadShapeError, but nothing was thrown');
}

/** The children of the root of `xml`, by name. */
async function rootChildren(xml: string): Promise<Readonly<Record<string, XmlValue[]>>> {
  return childrenOf((await parseXml(xml)).root);
}

const IDS = xmlList('id', xmlText);
const SUBORDINATION = xmlObject({ subordinationType: xmlText, supervisorId: xmlText });
const DEPARTMENT = xmlObject({
  departmentId: xmlText,
  name: xmlText,
  parentDepartmentId: xmlText,
  code: xmlText,
});
const GROUP = xmlObject({ groupId: xmlText, name: xmlText, isSmart: xmlText });

describe('parseXml', () => {
  it('names the root element and keeps every child as an array', async () => {
    const document = await parseXml(fixtureText('department-by-id.xml'));
    expect(document.rootName).toBe('response');
    expect(document.root).toEqual({
      department: [
        {
          departmentId: ['d479bc48-5b70-11e9-b123-22e9fbac4a59'],
          name: ['Sales Department'],
          parentDepartmentId: ['b00ba37c-5b6f-11e9-bb45-0a580af40556'],
          code: ['5'],
        },
      ],
    });
  });

  it('reads an empty element, written either way, as the empty string', async () => {
    expect(await rootChildren('<response><a/><b></b></response>')).toEqual({ a: [''], b: [''] });
  });

  it('keeps a root that holds only text as that text', async () => {
    expect(await parseXml('<response>ok</response>')).toEqual({ rootName: 'response', root: 'ok' });
  });

  it('refuses a body with a document type declaration, without echoing it', async () => {
    const body =
      '<?xml version="1.0"?><!DOCTYPE response [<!ENTITY secret "s3cr3t">]><response>&secret;</response>';
    const error = await shapeError(() => parseXml(body));
    expect(error.path).toBe('(body)');
    expect(error.expected).toBe('an XML document without a DOCTYPE');
    expect(error.message).not.toContain('s3cr3t');
    expect(error.message).not.toContain('ENTITY');
  });

  it('refuses a lower-case doctype too', async () => {
    const error = await shapeError(() => parseXml('<!doctype response><response/>'));
    expect(error.received).toBe('a document type declaration');
  });

  it('reports malformed XML by line and column, never by content', async () => {
    const error = await shapeError(() => parseXml('<response><name>Helen Smith</nom></response>'));
    expect(error.path).toBe('(body)');
    expect(error.expected).toBe('a well-formed XML document');
    expect(error.received).toMatch(/^XML it could not parse \(.*Line: \d+ Column: \d+\)$/);
    expect(error.message).not.toContain('Helen');
    expect(error.message).not.toContain('nom');
  });

  it('reports an unclosed root element', async () => {
    const error = await shapeError(() => parseXml('<response><userId>f29d887c</userId>'));
    expect(error.received).toContain('Unclosed root tag');
    expect(error.message).not.toContain('f29d887c');
  });

  it('reports a declaration without a root element', async () => {
    const error = await shapeError(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>'));
    expect(error).toMatchObject({ path: '(body)', expected: 'an XML document', received: 'no root element' });
  });
});

describe('fromXml with a text shape', () => {
  it('gives the text of the first occurrence', async () => {
    const children = await rootChildren('<response><code>403</code><code>500</code></response>');
    expect(fromXml(children.code, xmlText)).toBe('403');
  });

  it('gives the empty string for an empty element', async () => {
    expect(fromXml((await rootChildren('<response><value/></response>')).value, xmlText)).toBe('');
  });

  it('gives undefined for a missing element', async () => {
    expect(fromXml((await rootChildren('<response><a>1</a></response>')).value, xmlText)).toBeUndefined();
    expect(fromXml([], xmlText)).toBeUndefined();
  });

  it('gives the text of an element that also has attributes', async () => {
    const children = await rootChildren(
      '<response><name lang="en">Sales</name><empty nil="true"/></response>',
    );
    expect(fromXml(children.name, xmlText)).toBe('Sales');
    expect(fromXml(children.empty, xmlText)).toBe('');
  });

  it('passes an element with children on as it is, for the decoder to report', async () => {
    const children = await rootChildren('<response><name><first>Helen</first></name></response>');
    const value = fromXml(children.name, xmlText);
    expect(typeof value).toBe('object');
    expect(value).toEqual({ first: ['Helen'] });
  });
});

describe('fromXml with a list shape', () => {
  it('reads one id and two ids alike, as lists', async () => {
    const one = await rootChildren('<response><groups><id>a</id></groups></response>');
    const two = await rootChildren('<response><groups><id>a</id><id>b</id></groups></response>');
    expect(fromXml(one.groups, IDS)).toEqual(['a']);
    expect(fromXml(two.groups, IDS)).toEqual(['a', 'b']);
  });

  it('reads the repeated-wrapper form as a list of the texts', async () => {
    const children = await rootChildren('<request><groups>a</groups><groups>b</groups></request>');
    expect(fromXml(children.groups, IDS)).toEqual(['a', 'b']);
  });

  it('reads the verbatim find_existing-style request body as a list of ids', async () => {
    const children = await rootChildren(
      '<request><userIds>f738730a-f39e-11eb-bf6e-0242ac130033</userIds><userIds>4cb0704f-3afd-11ec-852c-0242ac130005</userIds></request>',
    );
    expect(fromXml(children.userIds, IDS)).toEqual([
      'f738730a-f39e-11eb-bf6e-0242ac130033',
      '4cb0704f-3afd-11ec-852c-0242ac130005',
    ]);
  });

  it('reads an empty wrapper as the empty list', async () => {
    expect(fromXml((await rootChildren('<response><groups/></response>')).groups, IDS)).toEqual([]);
    expect(fromXml((await rootChildren('<response><groups>\n  </groups></response>')).groups, IDS)).toEqual(
      [],
    );
  });

  it('reads a missing wrapper as undefined, not as the empty list', async () => {
    expect(fromXml((await rootChildren('<response/>')).groups, IDS)).toBeUndefined();
  });

  it('reads a wrapper holding only other elements as the empty list', async () => {
    expect(
      fromXml((await rootChildren('<response><groups><x>1</x></groups></response>')).groups, IDS),
    ).toEqual([]);
  });

  it('reads one <userProfile> and two alike under <userProfiles>', async () => {
    const PROFILES = xmlList('userProfile', xmlObject({ userId: xmlText }));
    const one = await rootChildren(
      '<response><userProfiles><userProfile><userId>u1</userId></userProfile></userProfiles></response>',
    );
    const two = await rootChildren(
      '<response><userProfiles><userProfile><userId>u1</userId></userProfile><userProfile><userId>u2</userId></userProfile></userProfiles></response>',
    );
    expect(fromXml(one.userProfiles, PROFILES)).toEqual([{ userId: 'u1' }]);
    expect(fromXml(two.userProfiles, PROFILES)).toEqual([{ userId: 'u1' }, { userId: 'u2' }]);
  });
});

describe('fromXml with an object shape', () => {
  it('keeps the named children, each in its own shape, and leaves out the rest', async () => {
    const children = await rootChildren(
      '<response><userProfile><userId>u1</userId><status>1</status><groups><id>g1</id></groups><extra>x</extra></userProfile></response>',
    );
    expect(
      fromXml(children.userProfile, xmlObject({ userId: xmlText, status: xmlText, groups: IDS })),
    ).toEqual({
      userId: 'u1',
      status: '1',
      groups: ['g1'],
    });
  });

  it('leaves a missing child out rather than setting it to undefined', async () => {
    const children = await rootChildren('<response><department><name>Sales</name></department></response>');
    const value = fromXml(children.department, DEPARTMENT);
    expect(value).toEqual({ name: 'Sales' });
    expect(Object.keys(value as object)).toEqual(['name']);
  });

  it('reads an empty element as null (no value)', async () => {
    const children = await rootChildren(
      '<response><subordination/><coSubordination> </coSubordination></response>',
    );
    expect(fromXml(children.subordination, SUBORDINATION)).toBeNull();
    expect(fromXml(children.coSubordination, SUBORDINATION)).toBeNull();
  });

  it('passes text where an object was expected on as the text', async () => {
    const children = await rootChildren('<response><subordination>manual</subordination></response>');
    expect(fromXml(children.subordination, SUBORDINATION)).toBe('manual');
  });

  it('reads the verbatim subordination request body', async () => {
    const children = await rootChildren(fixtureText('subordination-request.xml'));
    expect(fromXml(children.subordination, SUBORDINATION)).toEqual({
      subordinationType: 'manual',
      supervisorId: '0ccca211-b60f-11ea-bc49-028d9ecdf612',
    });
    expect(fromXml(children.coSubordination, SUBORDINATION)).toEqual({ subordinationType: 'no_supervisor' });
  });

  it('ignores the stray text of the verbatim GET /group sample', async () => {
    const children = await rootChildren(fixtureText('group-list.xml'));
    expect(repeatedFromXml(children.group, GROUP)[1]).toEqual({
      groupId: 'e0df6e34-a95d-11e9-a6f1-72515768dba2',
      name: 'Business Services',
      isSmart: 'false',
    });
  });
});

describe('repeatedFromXml', () => {
  const DEPARTMENT_XML = (id: string): string =>
    `<department><departmentId>${id}</departmentId></department>`;

  it('reads one <department> under <response> as a list of one', async () => {
    const children = await rootChildren(`<response>${DEPARTMENT_XML('d1')}</response>`);
    expect(repeatedFromXml(children.department, DEPARTMENT)).toEqual([{ departmentId: 'd1' }]);
  });

  it('reads several <department> under <response> in document order', async () => {
    const children = await rootChildren(
      `<response>${DEPARTMENT_XML('d1')}${DEPARTMENT_XML('d2')}${DEPARTMENT_XML('d3')}</response>`,
    );
    expect(repeatedFromXml(children.department, DEPARTMENT)).toEqual([
      { departmentId: 'd1' },
      { departmentId: 'd2' },
      { departmentId: 'd3' },
    ]);
  });

  it('reads a missing element as the empty list', async () => {
    expect(repeatedFromXml((await rootChildren('<response/>')).department, DEPARTMENT)).toEqual([]);
    expect(repeatedFromXml(undefined, DEPARTMENT)).toEqual([]);
  });

  it('reads each verbatim GET /group item', async () => {
    const children = await rootChildren(fixtureText('group-list.xml'));
    expect(repeatedFromXml(children.group, GROUP).map((group) => (group as { name: string }).name)).toEqual([
      'Active Sales',
      'Business Services',
      'Cold Calling',
    ]);
  });
});

describe('childrenOf', () => {
  it('gives an empty record for a text-only element', () => {
    expect(childrenOf('some text')).toEqual({});
    expect(childrenOf('')).toEqual({});
  });

  it('leaves out the text and the attributes of an element', async () => {
    const document = await parseXml('<response version="2">stray<a>1</a><b/></response>');
    expect(childrenOf(document.root)).toEqual({ a: ['1'], b: [''] });
  });

  it('keeps repeated children in document order', async () => {
    expect(await rootChildren('<response><id>x</id><other/><id>y</id></response>')).toMatchObject({
      id: ['x', 'y'],
    });
  });
});
