import type { DepartmentModel, ManagerRule } from './models.js';

/**
 * How a manager rule becomes a user id (the schema's `User.manager`, `managers`,
 * `Department.supervisor`), written once for both readers of it: the loaders, which fetch each
 * department of the walk as they go (`loaders/managers.ts`), and the directory index, which holds
 * every department already (`directory/`).
 *
 * A rule naming a user is that user. A department rule walks up the tree: each department's own
 * rule for the slot (supervisor or functional manager) is read; `inherit` goes on to the parent;
 * `no_supervisor` ends the walk with no manager; a named supervisor who is the person being
 * resolved is skipped and the walk goes on to the parent department; a department seen twice ends
 * the walk with no manager.
 */

export interface ManagerRequest {
  readonly rule: ManagerRule;
  /** The person whose manager this is (null for a department's own supervisor). */
  readonly subjectId: string | null;
}

/**
 * The walk as a generator: it yields each department id it needs and is given that department
 * (null when there is none); it returns the manager's user id, or null.
 */
export function* managerWalk(
  request: ManagerRequest,
): Generator<string, string | null, DepartmentModel | null> {
  const { rule, subjectId } = request;
  if (rule.kind === 'none') return null;
  if (rule.kind === 'user') return rule.userId === subjectId ? null : rule.userId;

  const seen = new Set<string>();
  let departmentId: string | null = rule.departmentId;
  while (departmentId !== null) {
    if (seen.has(departmentId)) return null;
    seen.add(departmentId);
    const department: DepartmentModel | null = yield departmentId;
    if (department === null) return null;
    const own: ManagerRule =
      rule.slot === 'supervisor' ? department.supervisor : department.functionalManager;
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

/** The walk over departments that are all at hand. */
export function resolveManagerRuleNow(
  request: ManagerRequest,
  departmentOf: (globalId: string) => DepartmentModel | null,
): string | null {
  const walk = managerWalk(request);
  let step = walk.next();
  while (!step.done) step = walk.next(departmentOf(step.value));
  return step.value;
}

/** The walk with each department fetched as it is needed. */
export async function resolveManagerRule(
  request: ManagerRequest,
  loadDepartment: (globalId: string) => Promise<DepartmentModel | null>,
): Promise<string | null> {
  const walk = managerWalk(request);
  let step = walk.next();
  while (!step.done) step = walk.next(await loadDepartment(step.value));
  return step.value;
}
