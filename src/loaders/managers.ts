import DataLoader from 'dataloader';
import type { DepartmentModel, ManagerRule } from '../models.js';

/**
 * Turns manager rules into user ids (the schema's `User.manager`, `managers`, `Department.supervisor`).
 *
 * A rule naming a user is that user. A department rule walks up the tree: each department's own
 * rule for the slot (supervisor or functional manager) is read; `inherit` goes on to the parent;
 * `no_supervisor` ends the walk with no manager; a named supervisor who is the person being
 * resolved is skipped and the walk goes on to the parent department; a department seen twice ends
 * the walk with no manager.
 *
 * The resolutions an operation needs at one depth are made together in one batch and released
 * together. That is what keeps one `users/v2` request per depth: were each resolved on its own,
 * people with a named supervisor would be asked for before people whose supervisor is still
 * being walked to, and one depth would cost two user batches.
 */

export interface ManagerRequest {
  readonly rule: ManagerRule;
  /** The person whose manager this is (null for a department's own supervisor). */
  readonly subjectId: string | null;
}

export type LoadDepartment = (globalId: string) => Promise<DepartmentModel | null>;

export async function resolveManagerRule(
  request: ManagerRequest,
  loadDepartment: LoadDepartment,
): Promise<string | null> {
  const { rule, subjectId } = request;
  if (rule.kind === 'none') return null;
  if (rule.kind === 'user') return rule.userId === subjectId ? null : rule.userId;

  const seen = new Set<string>();
  let departmentId: string | null = rule.departmentId;
  while (departmentId !== null) {
    if (seen.has(departmentId)) return null;
    seen.add(departmentId);
    const department = await loadDepartment(departmentId);
    if (department === null) return null;
    const own = rule.slot === 'supervisor' ? department.supervisor : department.functionalManager;
    switch (own.kind) {
      case 'none':
        return null;
      case 'user':
        if (own.userId !== subjectId) return own.userId;
        departmentId = department.parentId;
        break;
      case 'department':
        departmentId = own.departmentId;
        break;
    }
  }
  return null;
}

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
