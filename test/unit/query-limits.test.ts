import { buildSchema, getIntrospectionQuery, Kind, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { LIMIT_DEFAULTS } from '../../src/config.ts';
import { QueryLimitError } from '../../src/inbound/errors.ts';
import { createQueryLimitsRule, createShapeMeter, type QueryShape } from '../../src/inbound/query-limits.ts';

const schema = buildSchema(`
  type Query { user(id: ID!): User users(ids: [ID!]!): [User]! }
  type User { id: ID! name: String manager: User managementChain(maxDepth: Int): [User!]! }
`);

/** The shape of the document's first operation. */
function shapeOf(source: string): QueryShape {
  const document = parse(source);
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error('no operation');
  return createShapeMeter(document)(operation);
}

function limitErrors(source: string, limits = LIMIT_DEFAULTS) {
  return validate(schema, parse(source), [createQueryLimitsRule(limits)]);
}

describe('measuring an operation', () => {
  it('counts depth in fields: a field inside a field is depth 2', () => {
    expect(shapeOf('{ user(id: "a") { id } }')).toEqual({ depth: 2, aliases: 0, fields: 2 });
    expect(shapeOf('{ __typename }')).toEqual({ depth: 1, aliases: 0, fields: 1 });
  });

  it('follows fragment spreads and inline fragments, each one level deep', () => {
    const shape = shapeOf(`
      { user(id: "a") { ...M } }
      fragment M on User { manager { ... on User { manager { ...N } } } }
      fragment N on User { manager { id } }
    `);
    // user, ...M, manager, ... on User, manager, ...N, manager, id
    expect(shape).toEqual({ depth: 8, aliases: 0, fields: 5 });
    expect(shapeOf('{ ... on Query { __typename } }').depth).toBe(2);
  });

  it('counts a fragment once per spread, and the aliases inside it each time', () => {
    const shape = shapeOf(`
      { a: user(id: "a") { ...F } b: user(id: "b") { ...F } }
      fragment F on User { x: id y: name }
    `);
    expect(shape).toEqual({ depth: 3, aliases: 6, fields: 6 });
  });

  it('measures exponentially expanding fragments without expanding them', () => {
    let fragments = 'fragment F0 on User { id }\n';
    for (let i = 1; i <= 60; i++) fragments += `fragment F${i} on User { ...F${i - 1} ...F${i - 1} }\n`;
    const started = performance.now();
    const shape = shapeOf(`{ user(id: "a") { ...F60 } } ${fragments}`);
    expect(performance.now() - started).toBeLessThan(200);
    expect(shape.fields).toBe(1 + 2 ** 60);
    // user, 61 spreads, id
    expect(shape.depth).toBe(63);
  });

  it('walks a chain of 20,000 fragment spreads without overflowing the stack', () => {
    let fragments = 'fragment F0 on User { manager { id } }\n';
    for (let i = 1; i <= 20_000; i++) fragments += `fragment F${i} on User { ...F${i - 1} }\n`;
    expect(shapeOf(`{ user(id: "a") { ...F20000 } } ${fragments}`)).toEqual({
      depth: 20_004,
      aliases: 0,
      fields: 3,
    });
  });

  it('counts a fragment cycle as nothing (the standard NoFragmentCycles rule reports it)', () => {
    const source =
      '{ user(id: "a") { ...A } } fragment A on User { manager { ...B } } fragment B on User { ...A }';
    // user, ...A, manager, ...B (whose spread of A is the cycle, counted as nothing)
    expect(shapeOf(source)).toEqual({ depth: 4, aliases: 0, fields: 2 });
    const errors = validate(schema, parse(source), [
      ...specifiedRules,
      createQueryLimitsRule(LIMIT_DEFAULTS),
    ]);
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringContaining('Cannot spread fragment "A" within itself'),
    ]);
  });

  it('gives graphql-js introspection query depth 18: the default limit (20) lets it through', () => {
    for (const options of [
      undefined,
      { inputValueDeprecation: true, oneOf: true, schemaDescription: true },
    ]) {
      expect(shapeOf(getIntrospectionQuery(options)).depth).toBe(18);
    }
    expect(limitErrors(getIntrospectionQuery())).toEqual([]);
  });
});

describe('the query limits rule', () => {
  const chain = (depth: number) =>
    `{ user(id: "a") ${'{ manager '.repeat(depth - 2)}{ id }${' }'.repeat(depth - 2)} }`;

  it('accepts an operation at each limit', () => {
    expect(shapeOf(chain(20)).depth).toBe(20);
    expect(limitErrors(chain(20))).toEqual([]);
    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: __typename`).join(' ');
    expect(limitErrors(`{ ${aliases} }`)).toEqual([]);
  });

  it('refuses depth 21 with a QueryLimitError that says how deep and the limit', () => {
    const errors = limitErrors(chain(21));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(QueryLimitError);
    expect(errors[0]!.message).toBe('Query depth 21 exceeds the limit of 20.');
    expect(errors[0]!.extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED' });
  });

  it('refuses 31 aliases, and names the operation', () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ');
    expect(limitErrors(`query Wide { ${aliases} }`).map((error) => error.message)).toEqual([
      'Query alias count 31 exceeds the limit of 30 (operation "Wide").',
    ]);
  });

  it('refuses more fields than the limit, counted with fragments expanded', () => {
    const errors = limitErrors('{ user(id: "a") { ...F ...F } } fragment F on User { id name }', {
      ...LIMIT_DEFAULTS,
      maxFields: 4,
    });
    expect(errors.map((error) => error.message)).toEqual([
      'Query field count 5 exceeds the limit of 4 (fields are counted with fragments expanded).',
    ]);
  });

  it('reports every limit exceeded, and a count past 2^53 in words', () => {
    let fragments = 'fragment F0 on User { x: id }\n';
    for (let i = 1; i <= 60; i++) fragments += `fragment F${i} on User { ...F${i - 1} ...F${i - 1} }\n`;
    const messages = limitErrors(`${chain(20).replace('{ id }', '{ ...F60 }')} ${fragments}`).map(
      (error) => error.message,
    );
    expect(messages).toEqual([
      // 19 fields, then 61 spreads and the aliased field
      'Query depth 81 exceeds the limit of 20.',
      'Query alias count more than 9007199254740991 exceeds the limit of 30.',
      'Query field count more than 9007199254740991 exceeds the limit of 2000 (fields are counted with fragments expanded).',
    ]);
  });
});
