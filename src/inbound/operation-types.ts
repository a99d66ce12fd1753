import type { ValidationRule } from 'graphql';
import { InboundRequestError } from './errors.js';

/**
 * The subgraph serves queries only: it has no `Mutation` or `Subscription` type. graphql-js 16
 * validates nothing about operation types and fails such an operation only when it executes,
 * where Apollo Server reports it as an internal error; this rule refuses it as the client's
 * mistake (`BAD_REQUEST`, HTTP 400) before anything runs.
 */
export const queriesOnlyRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    if (operation.operation !== 'query') {
      context.reportError(
        new InboundRequestError(
          `This subgraph serves queries only: a ${operation.operation} operation cannot be run.`,
          'BAD_REQUEST',
          [operation],
        ),
      );
    }
    return false;
  },
});
