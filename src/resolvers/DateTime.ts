import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** RFC 3339 / ISO-8601 date-time with a zone: what the mappers produce and what clients may send. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function checked(value: unknown): string {
  if (typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))
    return value;
  throw new GraphQLError(
    `DateTime must be an ISO-8601 date-time string such as 2021-09-14T08:30:00.000Z; got ${
      typeof value === 'string' ? `a ${value.length}-character string that is not one` : typeof value
    }.`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO-8601 date-time string in UTC.',
  serialize: checked,
  parseValue: checked,
  parseLiteral: (ast) => checked(ast.kind === Kind.STRING ? ast.value : undefined),
});
