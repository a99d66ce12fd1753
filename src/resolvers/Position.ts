import type { PositionResolvers } from '../generated/resolvers-types.js';

export const Position: PositionResolvers = {
  department: (position, _, { loaders }) =>
    position.departmentId === null ? null : loaders.namedDepartment(position.departmentId),

  manager: async (position, _, { loaders }) => {
    const managerId = await loaders.manager({ rule: position.manager, subjectId: position.holderId });
    return managerId === null ? null : loaders.user(managerId);
  },
};
