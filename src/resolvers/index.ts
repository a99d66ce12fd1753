import type { Resolvers } from '../generated/resolvers-types.js';
import { DateTime } from './DateTime.js';
import { Department } from './Department.js';
import { Group } from './Group.js';
import { Person, personQueryFields, personUserFields } from './Person.js';
import { Position } from './Position.js';
import { Query } from './Query.js';
import { User } from './User.js';

import {
  directoryDepartmentFields,
  directoryGroupFields,
  directoryQueryFields,
  directoryUserFields,
} from './directory.js';

export const resolvers: Resolvers = {
  DateTime,
  Query: { ...Query, ...directoryQueryFields, ...personQueryFields },
  User: { ...User, ...directoryUserFields, ...personUserFields },
  Person,
  Position,
  Department: { ...Department, ...directoryDepartmentFields },
  Group: { ...Group, ...directoryGroupFields },
};
