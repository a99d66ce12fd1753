import type { Loaders } from '../../loaders/index.js';
import { resolveManagerRule, resolveManagerRuleNow, type ManagerRequest } from '../../manager-walk.js';
import { externalIdOf, providerOf } from '../../ids.js';
import type { DepartmentModel, GroupModel, UserModel } from '../../models.js';
import * as ispringMapper from '../../providers/ispring/mapper.js';
import * as thriveMapper from '../../providers/thrive/mapper.js';
import type { DemoOrganisation } from '../../sandbox/seed/index.js';

/**
 * The organisation as models, built once through the providers' own mappers: what B1 answers from,
 * and what the bench works the declared minimum request counts out of (before measuring).
 */
export interface InMemoryDirectory {
  readonly users: ReadonlyMap<string, UserModel>;
  readonly departments: ReadonlyMap<string, DepartmentModel>;
  readonly groups: ReadonlyMap<string, GroupModel>;
  /** A department as the subgraph's loaders give it: Thrive ouIds no audience has are stand-ins. */
  department(globalId: string): DepartmentModel | null;
  /** The user id a manager rule resolves to (the subgraph's own `resolveManagerRule`). */
  manager(request: ManagerRequest): Promise<string | null>;
  /** `Loaders` answering from the maps: no HTTP client, no parsing, no DataLoader. */
  readonly loaders: Loaders;
}

export function createInMemoryDirectory(organisation: DemoOrganisation): InMemoryDirectory {
  const users = new Map<string, UserModel>();
  const departments = new Map<string, DepartmentModel>();
  const groups = new Map<string, GroupModel>();

  for (const user of organisation.thrive.users) {
    const model = thriveMapper.toUserModel(user);
    users.set(model.id, model);
  }
  // Thrive audiences are both the organisational units and the groups (as the Thrive provider reads them).
  for (const audience of organisation.thrive.audiences) {
    const department = thriveMapper.toDepartmentModel(audience);
    departments.set(department.id, department);
    const group = thriveMapper.toGroupModel(audience);
    groups.set(group.id, group);
  }
  for (const profile of organisation.ispring.users) {
    const model = ispringMapper.toUserModel(profile);
    users.set(model.id, model);
  }
  for (const wire of organisation.ispring.departments) {
    const department = ispringMapper.toDepartmentModel(wire);
    departments.set(department.id, department);
  }
  for (const wire of organisation.ispring.groups) {
    const group = ispringMapper.toGroupModel(wire);
    groups.set(group.id, group);
  }

  /** A department a position names: Thrive's unknownDepartment stands in for an id no audience has. */
  const department = (globalId: string): DepartmentModel | null => {
    const found = departments.get(globalId);
    if (found) return found;
    return providerOf(globalId) === 'thrive' ? thriveMapper.unknownDepartment(externalIdOf(globalId)) : null;
  };
  const loadDepartment = async (globalId: string) => departments.get(globalId) ?? null;
  const manager = (request: ManagerRequest) => resolveManagerRule(request, loadDepartment);

  const loaders: Loaders = {
    user: async (id) => users.get(id) ?? null,
    department: loadDepartment,
    namedDepartment: async (globalId) => department(globalId),
    group: async (id) => groups.get(id) ?? null,
    // Built from the organisation's by-id shapes: every parent is known.
    parentOf: async (entity) => entity.parentId,
    manager,
    // Everything is at hand: every field answers at once, as the subgraph's do when its cache or
    // index holds what they need (the ceiling of that path too).
    peekUser: (id) => users.get(id) ?? null,
    peekNamedDepartment: (globalId) => department(globalId),
    peekGroup: (id) => groups.get(id) ?? null,
    peekManager: (request) =>
      resolveManagerRuleNow(request, (departmentId) => departments.get(departmentId) ?? null),
  };
  return { users, departments, groups, department, manager, loaders };
}
