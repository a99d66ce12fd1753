import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/sandbox/index.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

/**
 * A property over generated operations: whatever a client sends (random aliases, named and inline
 * fragments, nesting, id lists good and bad, representations, variables of the wrong type, wrong
 * operation types and names), the answer is never an internal error and never HTTP 5xx. Every
 * answer is JSON in the GraphQL shape. fast-check shrinks a failure to the smallest operation that
 * shows it, and prints its seed.
 */

const VALID_IDS = [
  `thrive:${DEMO.thrive.ceo}`,
  `thrive:${DEMO.thrive.multiPosition}`,
  `ispring:${DEMO.ispring.ceo}`,
  `ispring:${DEMO.ispring.deepUser}`,
  `ispring:${DEMO.ispring.deepDepartment}`,
  `ispring:${DEMO.ispring.smartGroup}`,
  `ispring:${DEMO.ispring.deepUser.toUpperCase()}`,
  'thrive:ffffffffffffffffffffffff',
  'ispring:00000000-0000-4000-8000-000000000000',
];
const BAD_IDS = [
  '',
  'thrive:',
  'thrive:.',
  'thrive:../../x',
  'ispring:x',
  'ldap:x',
  'x'.repeat(300),
  'thrive:a\u0000b',
];

const id = fc.oneof(fc.constantFrom(...VALID_IDS), fc.constantFrom(...BAD_IDS), fc.string({ maxLength: 12 }));
const idList = fc.oneof(
  { weight: 5, arbitrary: fc.array(id, { maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 900, max: 1200 })
      .map((n) => Array.from({ length: n }, (_, i) => VALID_IDS[i % 2]!)),
  },
);
const literal = (value: unknown) => JSON.stringify(value);

/** A selection of a User, `depth` levels deep at most. */
function userSelection(depth: number): fc.Arbitrary<string> {
  const scalars = fc.constantFrom(
    'id',
    'displayName',
    'email',
    'status',
    'createdAt',
    'lastLoginAt',
    'role',
    '__typename',
  );
  const nested: Array<fc.Arbitrary<string>> =
    depth <= 0
      ? []
      : [
          userSelection(depth - 1).map((inner) => `manager { ${inner} }`),
          userSelection(depth - 1).map((inner) => `managers { ${inner} }`),
          fc.integer({ min: -5, max: 60 }).map((max) => `managementChain(maxDepth: ${max}) { id }`),
          fc.constant('department { name parent { name } ancestors { name } supervisor { id } }'),
          fc.constant('groups { name parent { name } }'),
          userSelection(depth - 1).map(
            (inner) => `positions { title isPrimary department { name } manager { ${inner} } }`,
          ),
          userSelection(depth - 1).map((inner) => `... on User { ${inner} }`),
          fc.constant('...UserBits'),
          fc.constant('customFields { name value }'),
        ];
  return fc
    .array(fc.oneof(scalars, ...nested), { minLength: 1, maxLength: 4 })
    .chain((fields) =>
      fc
        .array(fc.boolean(), { minLength: fields.length, maxLength: fields.length })
        .map((aliased) =>
          fields
            .map((field, index) => (aliased[index] && !field.startsWith('.') ? `x${index}: ${field}` : field))
            .join(' '),
        ),
    );
}

const representation = fc.oneof(
  id.map((value) => ({ __typename: 'User', id: value })),
  id.map((value) => ({ __typename: 'Department', id: value })),
  id.map((value) => ({ __typename: 'Group', id: value })),
  fc.constantFrom<unknown>(
    null,
    42,
    'User',
    [],
    {},
    { __typename: 'Query', id: 'x' },
    { __typename: 'User' },
  ),
);

interface Generated {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly operationName?: string;
}

const rootField: fc.Arbitrary<{ text: string; variables: Record<string, unknown> }> = fc.oneof(
  fc
    .tuple(id, userSelection(3))
    .map(([value, selection]) => ({ text: `user(id: ${literal(value)}) { ${selection} }`, variables: {} })),
  fc
    .tuple(idList, userSelection(2))
    .map(([ids, selection]) => ({ text: `users(ids: ${literal(ids)}) { ${selection} }`, variables: {} })),
  fc.tuple(idList, userSelection(1), fc.nat(1_000_000)).map(([ids, selection, n]) => ({
    text: `users(ids: $ids${n}) { ${selection} }`,
    variables: { [`ids${n}`]: ids },
  })),
  id.map((value) => ({
    text: `department(id: ${literal(value)}) { name ancestors { name } supervisor { id } }`,
    variables: {},
  })),
  id.map((value) => ({
    text: `group(id: ${literal(value)}) { name isSmart parent { name } }`,
    variables: {},
  })),
  fc.tuple(fc.array(representation, { maxLength: 6 }), fc.nat(1_000_000)).map(([representations, n]) => ({
    text: `_entities(representations: $r${n}) { ... on User { id displayName manager { id } } ... on Department { name } ... on Group { name } }`,
    variables: { [`r${n}`]: representations },
  })),
  fc.constant({ text: '__typename', variables: {} }),
  fc.constant({ text: '_service { sdl }', variables: {} }),
  fc.constant({ text: '__type(name: "User") { name fields { name } }', variables: {} }),
);

const operation: fc.Arbitrary<Generated> = fc
  .tuple(
    fc.array(rootField, { minLength: 1, maxLength: 5 }),
    fc.oneof(
      { weight: 8, arbitrary: fc.constant('query') },
      { weight: 1, arbitrary: fc.constantFrom('mutation', 'subscription') },
    ),
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 4, arbitrary: fc.constant('Generated') },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
    ),
    fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  )
  .map(([fields, type, operationName, wrongVariable]) => {
    const variables: Record<string, unknown> = {};
    const declarations: string[] = [];
    const selections = fields.map((field, index) => {
      for (const [name, value] of Object.entries(field.variables)) {
        variables[name] = wrongVariable ? 42 : value;
        declarations.push(`$${name}: ${name.startsWith('r') ? '[_Any!]!' : '[ID!]!'}`);
      }
      return `a${index}: ${field.text}`;
    });
    const header = `${type} Generated${declarations.length > 0 ? `(${declarations.join(', ')})` : ''}`;
    const body = `${header} { ${selections.join(' ')} }`;
    // Only when spread: an unused fragment is a validation error of its own.
    const query = body.includes('...UserBits')
      ? `${body}\nfragment UserBits on User { id ... on User { email } }`
      : body;
    return operationName === undefined ? { query, variables } : { query, variables, operationName };
  });

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ logLevel: 'error' });
});
afterAll(() => stack.close());

describe('generated operations', () => {
  it('are never answered with an internal error or HTTP 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(operation, async (generated) => {
        const response = await fetch(stack.subgraph.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(generated),
        });
        const text = await response.text();
        expect(response.status).toBeLessThan(500);
        const body = JSON.parse(text) as {
          data?: unknown;
          errors?: Array<{ message: unknown; extensions?: { code?: unknown } }>;
        };
        expect(body.data !== undefined || body.errors !== undefined).toBe(true);
        for (const error of body.errors ?? []) {
          expect(typeof error.message).toBe('string');
          expect(error.extensions?.code).toEqual(expect.any(String));
          expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
        }
      }),
      { numRuns: 200 },
    );
    // The server logged no unexpected error on the way.
    expect(stack.logs.filter((line) => /unexpected/i.test(String(line.msg)))).toEqual([]);
  }, 120_000);
});
