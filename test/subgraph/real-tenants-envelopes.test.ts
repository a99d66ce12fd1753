import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoOrganisation, DEMO } from '../../src/sandbox/index.ts';
import { expectNoneIn } from '../helpers/errors.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { THRIVE_ENDPOINTS } from '../../src/providers/thrive/endpoints.ts';
import { ISPRING_ENDPOINTS } from '../../src/providers/ispring/endpoints.ts';

/**
 * Real tenants (README, "What real tenants send"): a 200 whose body is not the documented list or record is
 * `UPSTREAM_BAD_RESPONSE`, never an empty list and never null. Each bad body is a 200 `status`
 * fault on one endpoint, with the cross-request cache on: the error, a response the router may not
 * keep (no `Cache-Control: public`), and, once the fault is cleared, the right answer at the cost of
 * exactly one more request to that endpoint (nothing of the failure was cached); then the answer
 * is served from the cache and is cacheable again. iSpring in both formats it may be asked for.
 */

const XML = 'application/xml; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

interface BadBody {
  readonly name: string;
  readonly body: string;
  readonly contentType: string;
  /** What the error's message says came, when the message names it. */
  readonly says?: RegExp;
}

const XHTML_PAGE: BadBody = {
  name: 'an XHTML maintenance page as text/html',
  contentType: HTML,
  says: /received an XML document whose root is <html>/,
  body: '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Scheduled maintenance</title></head><body><h1>We will be back soon</h1></body></html>',
};
const XHTML_DOCTYPE_PAGE: BadBody = {
  name: 'an XHTML page with its DOCTYPE',
  contentType: HTML,
  says: /received a document type declaration/,
  body: '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Error</title></head><body><p>Service unavailable</p></body></html>',
};
const FOO: BadBody = {
  name: '<foo/>',
  contentType: XML,
  says: /received an XML document whose root is <foo>/,
  body: '<?xml version="1.0" encoding="UTF-8"?><foo/>',
};
const EMPTY_RESPONSE: BadBody = {
  name: '<response/> without the list or record element',
  contentType: XML,
  body: '<?xml version="1.0" encoding="UTF-8"?><response/>',
};
const XML_ERROR_DOCUMENT: BadBody = {
  name: 'an iSpring error document (XML)',
  contentType: XML,
  says: /received an iSpring error document \(code 500\)/,
  body: '<?xml version="1.0" encoding="UTF-8"?><response><code>500</code><message>Internal server error</message></response>',
};
const JSON_ERROR_DOCUMENT: BadBody = {
  name: 'an iSpring error document (JSON)',
  contentType: JSON_TYPE,
  says: /received an iSpring error document \(code 500\)/,
  body: '{"code":500,"message":"Internal server error"}',
};
const JSON_EMPTY_OBJECT: BadBody = { name: 'JSON {}', contentType: JSON_TYPE, body: '{}' };
const JSON_NULL: BadBody = { name: 'JSON null', contentType: JSON_TYPE, body: 'null' };

const ISPRING_BODIES: readonly BadBody[] = [
  XHTML_PAGE,
  XHTML_DOCTYPE_PAGE,
  FOO,
  EMPTY_RESPONSE,
  XML_ERROR_DOCUMENT,
  JSON_ERROR_DOCUMENT,
  JSON_EMPTY_OBJECT,
  JSON_NULL,
];
const THRIVE_BODIES: readonly BadBody[] = [
  { ...XHTML_PAGE, says: /received \d+ characters that are not JSON/ },
  JSON_EMPTY_OBJECT,
  JSON_NULL,
];

/** The sandbox serves this organisation: it is deterministic, so anchors are known up front. */
const organisation = createDemoOrganisation();

const ispringUser = organisation.ispring.users.find((user) => user.userId === DEMO.ispring.ceo)!;
const ispringEmail = ispringUser.fields!.find((field) => field.name === 'EMAIL')!.value;
const childDepartment = organisation.ispring.departments.find((department) => department.parentDepartmentId)!;
const parentDepartment = organisation.ispring.departments.find(
  (department) => department.departmentId === childDepartment.parentDepartmentId,
)!;
const [groupA, groupB] = organisation.ispring.groups as [
  (typeof organisation.ispring.groups)[number],
  (typeof organisation.ispring.groups)[number],
];
const thriveUser = organisation.thrive.users.find((user) => user.id === DEMO.thrive.ceo)!;
const [audienceA, audienceB] = organisation.thrive.audiences as [
  (typeof organisation.thrive.audiences)[number],
  (typeof organisation.thrive.audiences)[number],
];

/** One read the subgraph makes, the operation that makes it, and what that operation costs. */
interface ReadCase {
  readonly endpoint: string;
  readonly query: string;
  /** Where the errors are (one per field the read fails), and what the data holds with them. */
  readonly errorPaths: ReadonlyArray<readonly string[]>;
  readonly failedData: unknown;
  readonly data: unknown;
  /** Upstream requests of the operation on a cold cache. */
  readonly cold: Record<string, number>;
  /** Upstream requests of the operation once the fault is cleared (what the first one kept stays kept). */
  readonly recovered: Record<string, number>;
  /** Only `<response/>` is an answer here: the empty list (an account may have no groups). */
  readonly emptyResponseIsAnAnswer?: boolean;
  /** Needs `ISPRING_USER_LOOKUP=single`. */
  readonly single?: boolean;
}

const ISPRING_CASES: readonly ReadCase[] = [
  {
    endpoint: ISPRING_ENDPOINTS.usersV2,
    query: `{ user(id: "ispring:${ispringUser.userId}") { id email } }`,
    errorPaths: [['user']],
    failedData: { user: null },
    data: { user: { id: `ispring:${ispringUser.userId}`, email: ispringEmail } },
    cold: { [ISPRING_ENDPOINTS.usersV2]: 1 },
    recovered: { [ISPRING_ENDPOINTS.usersV2]: 1 },
  },
  {
    endpoint: ISPRING_ENDPOINTS.userV2,
    query: `{ user(id: "ispring:${ispringUser.userId}") { id email } }`,
    errorPaths: [['user']],
    failedData: { user: null },
    data: { user: { id: `ispring:${ispringUser.userId}`, email: ispringEmail } },
    cold: { [ISPRING_ENDPOINTS.userV2]: 1 },
    recovered: { [ISPRING_ENDPOINTS.userV2]: 1 },
    single: true,
  },
  {
    endpoint: ISPRING_ENDPOINTS.department,
    query: `{ department(id: "ispring:${childDepartment.departmentId}") { id name } }`,
    errorPaths: [['department']],
    failedData: { department: null },
    data: { department: { id: `ispring:${childDepartment.departmentId}`, name: childDepartment.name } },
    cold: { [ISPRING_ENDPOINTS.department]: 1 },
    recovered: { [ISPRING_ENDPOINTS.department]: 1 },
  },
  {
    // The department is read by id (and kept); its parent is a walk, which reads the list.
    endpoint: ISPRING_ENDPOINTS.departmentList,
    query: `{ department(id: "ispring:${childDepartment.departmentId}") { id parent { id name } } }`,
    errorPaths: [['department', 'parent']],
    failedData: { department: { id: `ispring:${childDepartment.departmentId}`, parent: null } },
    data: {
      department: {
        id: `ispring:${childDepartment.departmentId}`,
        parent: { id: `ispring:${parentDepartment.departmentId}`, name: parentDepartment.name },
      },
    },
    cold: { [ISPRING_ENDPOINTS.department]: 1, [ISPRING_ENDPOINTS.departmentList]: 1 },
    recovered: { [ISPRING_ENDPOINTS.departmentList]: 1 },
  },
  {
    endpoint: ISPRING_ENDPOINTS.group,
    query: `{ group(id: "ispring:${groupA.groupId}") { id name } }`,
    errorPaths: [['group']],
    failedData: { group: null },
    data: { group: { id: `ispring:${groupA.groupId}`, name: groupA.name } },
    cold: { [ISPRING_ENDPOINTS.group]: 1 },
    recovered: { [ISPRING_ENDPOINTS.group]: 1 },
  },
  {
    // Two groups in one operation: the list.
    endpoint: ISPRING_ENDPOINTS.groupList,
    query: `{ a: group(id: "ispring:${groupA.groupId}") { name } b: group(id: "ispring:${groupB.groupId}") { name } }`,
    errorPaths: [['a'], ['b']],
    failedData: { a: null, b: null },
    data: { a: { name: groupA.name }, b: { name: groupB.name } },
    cold: { [ISPRING_ENDPOINTS.groupList]: 1 },
    recovered: { [ISPRING_ENDPOINTS.groupList]: 1 },
    emptyResponseIsAnAnswer: true,
  },
];

const THRIVE_CASES: readonly ReadCase[] = [
  {
    endpoint: THRIVE_ENDPOINTS.user,
    query: `{ user(id: "thrive:${thriveUser.id}") { id email } }`,
    errorPaths: [['user']],
    failedData: { user: null },
    data: { user: { id: `thrive:${thriveUser.id}`, email: thriveUser.email } },
    cold: { [THRIVE_ENDPOINTS.user]: 1 },
    recovered: { [THRIVE_ENDPOINTS.user]: 1 },
  },
  {
    endpoint: THRIVE_ENDPOINTS.audience,
    query: `{ group(id: "thrive:${audienceA.id}") { id name } }`,
    errorPaths: [['group']],
    failedData: { group: null },
    data: { group: { id: `thrive:${audienceA.id}`, name: audienceA.name } },
    cold: { [THRIVE_ENDPOINTS.audience]: 1 },
    recovered: { [THRIVE_ENDPOINTS.audience]: 1 },
  },
  {
    endpoint: THRIVE_ENDPOINTS.audiences,
    query: `{ a: department(id: "thrive:${audienceA.id}") { name } b: group(id: "thrive:${audienceB.id}") { name } }`,
    errorPaths: [['a'], ['b']],
    failedData: { a: null, b: null },
    data: { a: { name: audienceA.name }, b: { name: audienceB.name } },
    cold: { [THRIVE_ENDPOINTS.audiences]: 1 },
    recovered: { [THRIVE_ENDPOINTS.audiences]: 1 },
  },
];

/** POSTs a query and keeps the response's `Cache-Control` (`stack.query` gives the body only). */
async function post(stack: Stack, query: string) {
  const response = await fetch(stack.subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return {
    cacheControl: response.headers.get('cache-control'),
    body: (await response.json()) as { data?: unknown; errors?: Array<Record<string, any>> },
  };
}

/** The whole story of one bad body on one endpoint (see the module comment). */
async function expectBadBodyThenRecovery(
  stack: Stack,
  provider: 'thrive' | 'ispring',
  read: ReadCase,
  bad: BadBody,
): Promise<void> {
  const server = stack.sandbox[provider];
  server.inject(
    { kind: 'status', status: 200, body: bad.body, headers: { 'content-type': bad.contentType } },
    { endpoint: read.endpoint },
  );

  const failed = await post(stack, read.query);
  expect(failed.body.data).toEqual(read.failedData);
  expect(failed.body.errors!.map((error) => error.path)).toEqual(read.errorPaths);
  for (const error of failed.body.errors!) {
    expect(error.extensions).toEqual({ code: 'UPSTREAM_BAD_RESPONSE', provider: provider.toUpperCase() });
    expect(error.message).toContain(read.endpoint);
    if (bad.says) expect(error.message).toMatch(bad.says);
  }
  expect(failed.cacheControl).not.toContain('public');
  expect(failed.cacheControl).toBe('no-store');
  // A 200 is an answer: it is not retried.
  expect(server.counts()).toEqual(read.cold);
  expect(server.log.filter((entry) => entry.fault === 'status').map((entry) => entry.endpoint)).toEqual([
    read.endpoint,
  ]);
  expectNoneIn(JSON.stringify(failed), stack.secrets);
  expectNoneIn(JSON.stringify(stack.logs), stack.secrets);

  server.clearFaults();
  stack.resetCounts({ keepCache: true });
  const recovered = await post(stack, read.query);
  expect(recovered.body).toEqual({ data: read.data });
  expect(recovered.cacheControl).toMatch(/^max-age=\d+, public$/);
  expect(server.counts()).toEqual(read.recovered);

  // Kept now: the same operation costs nothing.
  stack.resetCounts({ keepCache: true });
  expect((await post(stack, read.query)).body).toEqual({ data: read.data });
  expect(server.count()).toBe(0);
}

describe.each(['xml', 'json'] as const)('iSpring asked for %s', (format) => {
  let auto: Stack;
  let single: Stack;
  beforeAll(async () => {
    const options = {
      providers: ['ispring' as const],
      modes: { ispring: 'headers' as const },
      logLevel: 'warn' as const,
    };
    auto = await startStack({ ...options, overrides: { ispringFormat: format } });
    single = await startStack({
      ...options,
      overrides: { ispringFormat: format, ispringUserLookup: 'single' },
    });
  });
  afterAll(async () => {
    await auto.close();
    await single.close();
  });
  beforeEach(() => {
    for (const stack of [auto, single]) {
      stack.sandbox.ispring.clearFaults();
      stack.resetCounts();
    }
  });

  const cases = ISPRING_CASES.flatMap((read) =>
    ISPRING_BODIES.filter((bad) => !(read.emptyResponseIsAnAnswer && bad === EMPTY_RESPONSE)).map(
      (bad) => [read.endpoint, bad.name, read, bad] as const,
    ),
  );
  it.each(cases)(
    '%s answering 200 with %s: UPSTREAM_BAD_RESPONSE, not cached, the right answer once it recovers',
    async (_endpoint, _name, read, bad) => {
      await expectBadBodyThenRecovery(read.single ? single : auto, 'ispring', read, bad);
    },
  );

  it('reads <response/> from GET /group as no groups: an account may have none', async () => {
    auto.sandbox.ispring.inject(
      { kind: 'status', status: 200, body: EMPTY_RESPONSE.body, headers: { 'content-type': XML } },
      { endpoint: ISPRING_ENDPOINTS.groupList },
    );
    const read = ISPRING_CASES.find((candidate) => candidate.endpoint === ISPRING_ENDPOINTS.groupList)!;
    const response = await post(auto, read.query);
    expect(response.body).toEqual({ data: { a: null, b: null } });
    expect(auto.sandbox.ispring.counts()).toEqual({ [ISPRING_ENDPOINTS.groupList]: 1 });
  });
});

describe('Thrive', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ providers: ['thrive'], modes: { thrive: 'basic' }, logLevel: 'warn' });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.sandbox.thrive.clearFaults();
    stack.resetCounts();
  });

  const cases = THRIVE_CASES.flatMap((read) =>
    THRIVE_BODIES.map((bad) => [read.endpoint, bad.name, read, bad] as const),
  );
  it.each(cases)(
    '%s answering 200 with %s: UPSTREAM_BAD_RESPONSE, not cached, the right answer once it recovers',
    async (_endpoint, _name, read, bad) => {
      await expectBadBodyThenRecovery(stack, 'thrive', read, bad);
    },
  );
});
