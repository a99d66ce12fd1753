import DataLoader from 'dataloader';
import { resolveManagerRule, type ManagerRequest } from '../manager-walk.js';
import type { DepartmentModel, ManagerRule } from '../models.js';

/**
 * The manager loader: the resolutions an operation needs at one depth are made together in one
 * batch and released together (the rule itself is `manager-walk.ts`). That is what keeps one
 * `users/v2` request per depth: were each resolved on its own, people with a named supervisor would
 * be asked for before people whose supervisor is still being walked to, and one depth would cost
 * two user batches.
 */

export type { ManagerRequest };

export type LoadDepartment = (globalId: string) => Promise<DepartmentModel | null>;

export function createManagerLoader(
  loadDepartment: LoadDepartment,
): DataLoader<ManagerRequest, string | null, string> {
  return new DataLoader<ManagerRequest, string | null, string>(
    async (requests) => {
      const settled = await Promise.allSettled(
        requests.map((request) => resolveManagerRule(request, loadDepartment)),
      );
      return settled.map((outcome) =>
        outcome.status === 'fulfilled' ? outcome.value : toError(outcome.reason),
      );
    },
    { cacheKeyFn: ({ rule, subjectId }) => `${subjectId ?? ''}|${ruleKey(rule)}` },
  );
}

function ruleKey(rule: ManagerRule): string {
  switch (rule.kind) {
    case 'none':
      return 'none';
    case 'user':
      return `user:${rule.userId}`;
    case 'department':
      return `department:${rule.slot}:${rule.departmentId}`;
  }
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
