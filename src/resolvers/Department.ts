import { toProviderEnum } from '../provider-facts.js';
import type { DepartmentResolvers } from '../generated/resolvers-types.js';
import type { DepartmentModel } from '../models.js';
import { validId } from './shared.js';

export const Department: DepartmentResolvers = {
  __resolveReference: async (reference, { loaders }) =>
    loaders.department(validId(reference.id, 'representation id')),

  provider: (department) => toProviderEnum(department.provider),

  parent: async (department, _, { loaders }) => {
    const parentId = await loaders.parentOf(department, 'department');
    return parentId === null ? null : loaders.department(parentId, 'walk');
  },

  ancestors: async (department, _, { loaders }) => {
    const ancestors: DepartmentModel[] = [];
    const seen = new Set([department.id]);
    let parentId = await loaders.parentOf(department, 'department');
    while (parentId !== null && !seen.has(parentId)) {
      seen.add(parentId);
      const parent = await loaders.department(parentId, 'walk');
      if (parent === null) break;
      ancestors.push(parent);
      parentId = await loaders.parentOf(parent, 'department');
    }
    return ancestors;
  },

  supervisor: async (department, _, { loaders }) => {
    const supervisorId = await loaders.manager({
      rule: { kind: 'department', departmentId: department.id, slot: 'supervisor' },
      subjectId: null,
    });
    return supervisorId === null ? null : loaders.user(supervisorId);
  },
};
