import DataLoader from 'dataloader';
import { resolveManagerRule, resolveManagerRuleNow, type ManagerRequest } from '../manager-walk.js';
import type { DepartmentModel, ManagerRule, SubordinationSlot } from '../models.js';

/**
 * The manager loader: the resolutions an operation needs at one depth are made together in one
 * batch and released together (the rule itself is `manager-walk.ts`). That is what keeps one
 * `users/v2` request per depth: were each resolved on its own, people with a named supervisor would
 * be asked for before people whose supervisor is still being walked to, and one depth would cost
 * two user batches.
 */

export type { ManagerRequest };

export type LoadDepartment = (globalId: string) => Promise<DepartmentModel | null>;

/** What a department lookup gives for a walk done now: the department, null, or undefined (not at hand). */
export type PeekDepartment = (globalId: string) => DepartmentModel | null | undefined;

export interface ManagerLoader {
  load(request: ManagerRequest): Promise<string | null>;
  /**
   * The manager id now, without waiting: what `load` gave for this request, or the walk done at
   * once when every department it needs is at hand (`peekDepartment`); undefined otherwise.
   */
  peek(request: ManagerRequest): string | null | undefined;
}

/** Thrown inside a walk done now, to stop it at the first department not at hand. */
const NOT_AT_HAND = Symbol('not at hand');

export function createManagerLoader(
  loadDepartment: LoadDepartment,
  peekDepartment: PeekDepartment = () => undefined,
): ManagerLoader {
  const keyOf = ({ rule, subjectId }: ManagerRequest) => `${subjectId ?? ''}|${ruleKey(rule)}`;
  const resolved = new Map<string, string | null>();
  const loader = new DataLoader<ManagerRequest, string | null, string>(
    async (requests) => {
      const settled = await Promise.allSettled(
        requests.map((request) => resolveManagerRule(request, loadDepartment)),
      );
      return settled.map((outcome, index) => {
        if (outcome.status === 'rejected') return toError(outcome.reason);
        resolved.set(keyOf(requests[index]!), outcome.value);
        return outcome.value;
      });
    },
    { cacheKeyFn: keyOf },
  );
  /**
   * The first manager a department rule's walk finds, whoever is being resolved, by slot and
   * department (`managerWalk`: only a named user depends on the subject, and is skipped when it is
   * the subject). Everyone in a department but that manager gets the same answer, so a walk is
   * done once per department an operation meets rather than once per person: on the warm path a
   * walk for each of a hundred users was a tenth of what the loaders cost.
   */
  const firstManagers: Record<SubordinationSlot, Map<string, string | null>> = {
    supervisor: new Map(),
    functional: new Map(),
  };
  /** The walk done now for `request`; undefined when a department it needs is not at hand. */
  const walkNow = (request: ManagerRequest): string | null | undefined => {
    try {
      return resolveManagerRuleNow(request, (departmentId) => {
        const department = peekDepartment(departmentId);
        if (department === undefined) throw NOT_AT_HAND;
        return department;
      });
    } catch (error) {
      if (error === NOT_AT_HAND) return undefined;
      throw error;
    }
  };
  return {
    load: (request) => loader.load(request),
    peek(request) {
      // A rule that names a user, or none, needs no walk (most rules: Thrive's all, iSpring's manual).
      const { rule, subjectId } = request;
      if (rule.kind === 'none') return null;
      if (rule.kind === 'user') return rule.userId === subjectId ? null : rule.userId;
      const found = firstManagers[rule.slot];
      let first = found.get(rule.departmentId);
      if (first === undefined) {
        first = walkNow({ rule, subjectId: null });
        if (first !== undefined) found.set(rule.departmentId, first);
      }
      // The manager found is someone else (or there is none): theirs too.
      if (first !== undefined && first !== subjectId) return first;
      // The subject is the manager found first, or the walk cannot be done now: what `load` gave
      // for this request, else the subject's own walk, which goes on past them. (A walk that could
      // not be done now stops, for the subject too, at the same department, before any manager.)
      const key = keyOf(request);
      const known = resolved.get(key);
      if (known !== undefined || resolved.has(key)) return known;
      if (first === undefined) return undefined;
      const id = walkNow(request);
      if (id !== undefined) resolved.set(key, id);
      return id;
    },
  };
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
