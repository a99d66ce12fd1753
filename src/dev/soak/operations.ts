import type { DemoOrganisation } from '../../sandbox/seed/index.js';

/**
 * What the soak's clients send: the README's queries (one user with their managers, department
 * and groups; twenty users with three levels of managers; a department with its ancestors and a
 * group; `_entities` as a router asks), over many ids of both providers so that the short cache
 * TTLs keep upstream traffic going, and bad input (malformed ids, over-limit queries, bodies that
 * are not GraphQL or not JSON) that must be refused the documented way whatever the upstreams do.
 *
 * Each operation has a pool of request bodies, a weight, the HTTP statuses and `extensions.code`s
 * it may be answered with, and, per body, the fault-free answer taken at warm-up (`references`).
 */

export const UPSTREAM_CODES = [
  'UPSTREAM_AUTH',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_BAD_RESPONSE',
  'UPSTREAM_REJECTED',
] as const;

/** Every `extensions.code` the README documents; anything else is a malformed response. */
export const KNOWN_CODES: ReadonlySet<string> = new Set([
  'BAD_USER_INPUT',
  ...UPSTREAM_CODES,
  'PROVIDER_NOT_CONFIGURED',
  'QUERY_LIMIT_EXCEEDED',
  'UNAUTHENTICATED',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'PERSISTED_QUERY_VERSION_NOT_SUPPORTED',
  'TOO_MANY_ERRORS',
]);

export interface SoakRequest {
  /** The body: text sent as UTF-8, or bytes as they are (a body that is not UTF-8). */
  readonly body: string | Buffer;
  /** Default `application/json`. */
  readonly contentType?: string;
}

export interface Operation {
  readonly name: string;
  /**
   * `good`: a query a router sends; `bad`: input the subgraph must refuse; `attack`: a request built
   * to cost the subgraph much (many errors, fan-out, deep fragments), which it must refuse or answer
   * cheaply. Attacks are timed against a liveness probe (the event loop's lag).
   */
  readonly family: 'good' | 'bad' | 'attack';
  /** Relative frequency. */
  readonly weight: number;
  readonly requests: readonly SoakRequest[];
  /** HTTP statuses this operation may be answered with, faults or not. */
  readonly statuses: ReadonlySet<number>;
  /** `extensions.code`s its errors may carry, faults or not. */
  readonly codes: ReadonlySet<string>;
  /** The top-level `data` field it asks for, when it asks for one. */
  readonly field?: string;
  /** True when a fault-free answer carries no error (good operations). */
  readonly cleanWithoutFaults: boolean;
}

const USER_QUERY = `query SoakUser($id: ID!) {
  user(id: $id) {
    id displayName jobTitle status
    manager { displayName }
    managementChain { displayName jobTitle }
    department { name ancestors { name } }
    groups { name }
  }
}`;

const USERS_QUERY = `query SoakUsers($ids: [ID!]!) {
  users(ids: $ids) {
    id provider email displayName
    manager { displayName manager { displayName manager { displayName } } }
    managers { id }
    department { name }
    groups { name }
  }
}`;

const DEPARTMENT_QUERY = `query SoakDepartment($department: ID!, $group: ID!) {
  department(id: $department) {
    name code parent { name } ancestors { name } supervisor { displayName jobTitle }
  }
  group(id: $group) { name isSmart parent { name } }
}`;

const ENTITIES_QUERY = `query SoakEntities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on User { id displayName department { name } }
    ... on Department { id name parent { name } }
    ... on Group { id name }
  }
}`;

/** mulberry32: the same sequence on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const json = (query: string, variables?: Record<string, unknown>): SoakRequest => ({
  body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
});

const set = <T>(...values: T[]): ReadonlySet<T> => new Set(values);

export function createOperations(organisation: DemoOrganisation, maxBodyBytes: number): Operation[] {
  const random = seededRandom(0x50a4);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const thriveUsers = organisation.thrive.users.map((user) => `thrive:${user.id}`);
  const ispringUsers = organisation.ispring.users.map((user) => `ispring:${user.userId}`);
  const ispringDepartments = organisation.ispring.departments.map((d) => `ispring:${d.departmentId}`);
  const ispringGroups = organisation.ispring.groups.map((g) => `ispring:${g.groupId}`);
  const thriveStructures = organisation.thrive.audiences
    .filter((audience) => audience.category === 'structure')
    .map((audience) => `thrive:${audience.id}`);
  const thriveAudiences = organisation.thrive.audiences.map((audience) => `thrive:${audience.id}`);
  const thriveOus = [
    ...new Set(
      organisation.thrive.users.flatMap((user) =>
        (user.positions ?? []).flatMap((position) => (position.ouId ? [`thrive:${position.ouId}`] : [])),
      ),
    ),
  ];
  const thriveDepartments = thriveOus.length > 0 ? thriveOus : thriveStructures;

  /** `n` users, alternating providers, distinct. */
  const someUsers = (n: number): string[] => {
    const chosen = new Set<string>();
    while (chosen.size < n) chosen.add(pick(chosen.size % 2 === 0 ? thriveUsers : ispringUsers));
    return [...chosen];
  };

  const good = set(200);
  const upstream = set<string>(...UPSTREAM_CODES);
  const operations: Operation[] = [
    {
      name: 'user',
      family: 'good',
      weight: 30,
      requests: Array.from({ length: 40 }, () => json(USER_QUERY, { id: someUsers(1)[0] })),
      statuses: good,
      codes: upstream,
      field: 'user',
      cleanWithoutFaults: true,
    },
    {
      name: 'users×20',
      family: 'good',
      weight: 25,
      requests: Array.from({ length: 24 }, () => json(USERS_QUERY, { ids: someUsers(20) })),
      statuses: good,
      codes: upstream,
      field: 'users',
      cleanWithoutFaults: true,
    },
    {
      name: 'department+group',
      family: 'good',
      weight: 20,
      requests: Array.from({ length: 24 }, (_, i) =>
        json(DEPARTMENT_QUERY, {
          department: pick(i % 3 === 2 ? thriveDepartments : ispringDepartments),
          group: pick(i % 2 === 0 ? ispringGroups : thriveAudiences),
        }),
      ),
      statuses: good,
      codes: upstream,
      field: 'department',
      cleanWithoutFaults: true,
    },
    {
      name: '_entities×10',
      family: 'good',
      weight: 20,
      requests: Array.from({ length: 16 }, () =>
        json(ENTITIES_QUERY, {
          representations: [
            ...someUsers(6).map((id) => ({ __typename: 'User', id })),
            { __typename: 'Department', id: pick(ispringDepartments) },
            { __typename: 'Department', id: pick(thriveDepartments) },
            { __typename: 'Group', id: pick(ispringGroups) },
            { __typename: 'Group', id: pick(thriveAudiences) },
          ],
        }),
      ),
      statuses: good,
      codes: upstream,
      field: '_entities',
      cleanWithoutFaults: true,
    },

    // ---- Bad input ------------------------------------------------------------------------
    {
      name: 'malformed id',
      family: 'bad',
      weight: 4,
      requests: [
        'ispring:not-a-uuid',
        'thrive:../../etc/passwd',
        'thrive:%2e%2e%2fuser',
        'ispring:f29d887c-5cff-11e9-9e6a-0a580af40692/../x',
        'okta:00u1abcd',
        '',
        `thrive:${'a'.repeat(129)}`,
        'thrive:abc\u0000def',
        'thrive:abc\r\nX-Injected: 1',
        'ｔｈｒｉｖｅ:646767d82535201223349e09',
      ].map((id) => json('query SoakBadId($id: ID!) { user(id: $id) { id displayName } }', { id })),
      statuses: good,
      codes: set('BAD_USER_INPUT'),
      field: 'user',
      cleanWithoutFaults: false,
    },
    {
      name: 'users with malformed ids',
      family: 'bad',
      weight: 4,
      requests: Array.from({ length: 6 }, () => {
        const ids = someUsers(6);
        ids.splice(2, 0, 'ispring:not-a-uuid');
        ids.push('thrive:../admin');
        return json(USERS_QUERY, { ids });
      }),
      statuses: good,
      codes: set('BAD_USER_INPUT', ...UPSTREAM_CODES),
      field: 'users',
      cleanWithoutFaults: false,
    },
    {
      name: 'depth over limit',
      family: 'bad',
      weight: 2,
      requests: [
        json(`{ user(id: "${thriveUsers[0]}") { ${'manager { '.repeat(20)}displayName${' }'.repeat(20)} } }`),
      ],
      statuses: set(400),
      codes: set('QUERY_LIMIT_EXCEEDED'),
      cleanWithoutFaults: false,
    },
    {
      name: 'aliases over limit',
      family: 'bad',
      weight: 2,
      requests: [
        json(
          `{ ${Array.from({ length: 40 }, (_, i) => `u${i}: user(id: "${ispringUsers[i % ispringUsers.length]}") { id }`).join(' ')} }`,
        ),
      ],
      statuses: set(400),
      codes: set('QUERY_LIMIT_EXCEEDED'),
      cleanWithoutFaults: false,
    },
    {
      name: 'users×1001',
      family: 'bad',
      weight: 1,
      requests: [
        json('query SoakTooMany($ids: [ID!]!) { users(ids: $ids) { id } }', {
          ids: Array.from({ length: 1001 }, (_, i) =>
            i % 2 === 0 ? thriveUsers[i % thriveUsers.length] : ispringUsers[i % ispringUsers.length],
          ),
        }),
      ],
      statuses: good,
      codes: set('BAD_USER_INPUT'),
      field: 'users',
      cleanWithoutFaults: false,
    },
    {
      name: 'bad representation',
      family: 'bad',
      weight: 2,
      requests: [
        json(ENTITIES_QUERY, {
          representations: [
            { __typename: 'User', id: thriveUsers[1] },
            { __typename: 'Query', id: 'x' },
          ],
        }),
        json(ENTITIES_QUERY, { representations: [{ __typename: 'User', id: 'ispring:nope' }] }),
      ],
      statuses: good,
      codes: set('BAD_USER_INPUT', ...UPSTREAM_CODES),
      field: '_entities',
      cleanWithoutFaults: false,
    },
    {
      name: 'maxDepth out of range',
      family: 'bad',
      weight: 1,
      requests: [json(`{ user(id: "${ispringUsers[3]}") { id managementChain(maxDepth: 99) { id } } }`)],
      statuses: good,
      codes: set('BAD_USER_INPUT', ...UPSTREAM_CODES),
      field: 'user',
      cleanWithoutFaults: false,
    },
    {
      name: 'parse error',
      family: 'bad',
      weight: 2,
      requests: [json('{ user(id: "thrive:1") { id '), json('query { ... }')],
      statuses: set(400),
      codes: set('GRAPHQL_PARSE_FAILED'),
      cleanWithoutFaults: false,
    },
    {
      name: 'validation error',
      family: 'bad',
      weight: 2,
      requests: [
        json('{ user(id: "thrive:646767d82535201223349e09") { password } }'),
        json('{ __schema { types { name } } }'), // introspection is off in production
      ],
      statuses: set(400),
      codes: set('GRAPHQL_VALIDATION_FAILED'),
      cleanWithoutFaults: false,
    },
    {
      name: 'not JSON / CSRF',
      family: 'bad',
      weight: 2,
      requests: [
        { body: '{"query": "{ __typename }"' },
        { body: '\u00ff\u00fe not json' },
        { body: JSON.stringify({ query: '{ __typename }' }), contentType: 'text/plain' },
      ],
      statuses: set(400, 415),
      codes: set('BAD_REQUEST'),
      cleanWithoutFaults: false,
    },

    // ---- Attacks ----------------------------------------------------
    {
      name: 'attack: 1,000 malformed ids, one padded line',
      family: 'attack',
      weight: 0.5,
      requests: [
        json(
          `{ a0: users(ids: ${JSON.stringify(Array(1000).fill('thrive:.'))}) { id } }${' '.repeat(Math.min(500_000, maxBodyBytes / 2))}`,
        ),
      ],
      statuses: good,
      codes: set('BAD_USER_INPUT', 'TOO_MANY_ERRORS'),
      field: 'a0',
      cleanWithoutFaults: false,
    },
    {
      name: 'attack: 30 aliases × 1,000 ids',
      family: 'attack',
      weight: 0.5,
      requests: [
        json(
          `query SoakFanOut($ids: [ID!]!) { ${Array.from({ length: 30 }, (_, i) => `a${i}: users(ids: $ids) { id manager { id } }`).join(' ')} }`,
          { ids: Array.from({ length: 1000 }, (_, i) => thriveUsers[i % thriveUsers.length]) },
        ),
      ],
      statuses: set(400),
      codes: set('QUERY_LIMIT_EXCEEDED'),
      cleanWithoutFaults: false,
    },
    {
      name: 'attack: deep fragments',
      family: 'attack',
      weight: 0.5,
      requests: [
        json(
          `query SoakChain { ...F0 } ${Array.from({ length: 4500 }, (_, i) => `fragment F${i} on Query { ${i === 4499 ? '__typename' : `...F${i + 1}`} }`).join(' ')}`,
        ),
        json(`{ ${'... on Query { '.repeat(1500)}__typename${' }'.repeat(1500)} }`),
      ],
      statuses: set(400),
      codes: set('QUERY_LIMIT_EXCEEDED'),
      cleanWithoutFaults: false,
    },
    {
      name: 'attack: client mistakes',
      family: 'attack',
      weight: 0.5,
      requests: [
        json('mutation { __typename }'),
        json('subscription { __typename }'),
        {
          body: JSON.stringify({
            query: '{ __typename }',
            extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
          }),
        },
        {
          body: JSON.stringify({
            query: '{ __typename }',
            extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } },
          }),
        },
        { body: JSON.stringify({ query: 'query A { __typename }', operationName: 'Name'.repeat(50_000) }) },
        {
          body: Buffer.concat([Buffer.from('{"query":"{ '), Buffer.from([0xff, 0xfe]), Buffer.from(' }"}')]),
        },
      ],
      statuses: set(400),
      codes: set(
        'BAD_REQUEST',
        'OPERATION_RESOLUTION_FAILURE',
        'PERSISTED_QUERY_HASH_MISMATCH',
        'PERSISTED_QUERY_VERSION_NOT_SUPPORTED',
      ),
      cleanWithoutFaults: false,
    },
    {
      name: 'body over limit',
      family: 'bad',
      weight: 0.25,
      requests: [json(`query SoakBig { __typename } # ${'x'.repeat(maxBodyBytes)}`)],
      statuses: set(413),
      codes: set('QUERY_LIMIT_EXCEEDED'),
      cleanWithoutFaults: false,
    },
  ];
  return operations;
}

/** Picks an operation by weight, then one of its requests, from a seeded sequence. */
export function createPicker(
  operations: readonly Operation[],
  seed: number,
): () => { operation: Operation; index: number } {
  const random = seededRandom(seed);
  const total = operations.reduce((sum, operation) => sum + operation.weight, 0);
  return () => {
    let at = random() * total;
    let operation = operations[operations.length - 1]!;
    for (const candidate of operations) {
      at -= candidate.weight;
      if (at < 0) {
        operation = candidate;
        break;
      }
    }
    return { operation, index: Math.floor(random() * operation.requests.length) };
  };
}
