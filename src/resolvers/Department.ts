import type { DepartmentResolvers } from '../generated/resolvers-types.js';
import type { DepartmentModel } from '../models.js';
import { toProviderEnum, validId } from './shared.js';

export const Department: DepartmentResolvers = {
  __resolveReference: async (reference, { loaders }) =>
    loaders.department(validId(reference.id, 'representation id')),

  provider: (department) => toProviderEnum(department.provider),

  parent: (department, _, { loaders }) =>
    department.parentId === null ? null : loaders.department(department.parentId),

  ancestors: async (department, _, { loaders }) => {
    const ancestors: DepartmentModel[] = [];
    const seen = new Set([department.id]);
    let parentId = department.parentId;
    while (parentId !== null && !seen.has(parentId)) {
      seen.add(parentId);
      const parent = await loaders.department(parentId);
      if (parent === null) break;
      ancestors.push(parent);
      parentId = parent.parentId;
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
