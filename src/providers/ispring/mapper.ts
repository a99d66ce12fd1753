import { toGlobalId } from '../../ids.js';
import {
  NO_MANAGER,
  toDisplayName,
  type CustomFieldModel,
  type DepartmentModel,
  type GroupModel,
  type ManagerRule,
  type SubordinationSlot,
  type UserModel,
  type UserStatusValue,
} from '../../models.js';
import { normaliseOptionalDateTime } from '../dates.js';
import { at, type PayloadIssues } from '../../payload.js';
import type {
  IspringDepartment,
  IspringGroup,
  IspringProfileField,
  IspringSubordination,
  IspringUserProfile,
} from './wire.js';

/**
 * iSpring wire objects (already decoded: ids are UUIDs) → provider-neutral models (the rules
 * are the schema's descriptions). Pure; throws `PayloadShapeError` only for a date it cannot read.
 */

const globalId = (externalId: string): string => toGlobalId('ispring', externalId);

/** Read through the v2 endpoints, so that 5 is seen; 2 and 4 are legacy values, per iSpring's docs. */
const STATUSES: Readonly<Record<string, UserStatusValue>> = {
  '1': 'ACTIVE',
  '2': 'DELETED',
  '3': 'INACTIVE',
  '4': 'PENDING',
  '5': 'EMPLOYMENT_ENDED',
};

export function toUserStatus(status: IspringUserProfile['status']): UserStatusValue {
  if (status === null || status === undefined) return 'UNKNOWN';
  const key = String(status).trim();
  return (Object.hasOwn(STATUSES, key) && STATUSES[key]) || 'UNKNOWN';
}

/**
 * Profile fields that become named `User` fields. Names are matched without regard to case: the
 * docs and most clients write `EMAIL`, one public script reads `email`, and
 * `country_id` is that script's name for the country.
 */
const NAMED_FIELDS = {
  LOGIN: 'login',
  EMAIL: 'email',
  FIRST_NAME: 'firstName',
  LAST_NAME: 'lastName',
  JOB_TITLE: 'jobTitle',
  PHONE: 'phone',
  COUNTRY: 'country',
  COUNTRY_ID: 'country',
} as const;

type NamedField = (typeof NAMED_FIELDS)[keyof typeof NAMED_FIELDS];

function readFields(fields: readonly IspringProfileField[]): {
  named: Partial<Record<NamedField, string>>;
  custom: CustomFieldModel[];
} {
  const named: Partial<Record<NamedField, string>> = {};
  const custom: CustomFieldModel[] = [];
  for (const field of fields) {
    const key = field.name.trim().toUpperCase();
    if (Object.hasOwn(NAMED_FIELDS, key)) {
      const target = NAMED_FIELDS[key as keyof typeof NAMED_FIELDS];
      // The first non-empty value wins (`COUNTRY` and `country_id` both present, say).
      if (named[target] === undefined && field.value !== null && field.value.trim() !== '') {
        named[target] = field.value;
      }
      continue;
    }
    custom.push({ name: field.name, value: field.value });
  }
  return { named, custom };
}

/**
 * A date it cannot read is null and noted in `issues` (without `issues`, `PayloadShapeError`),
 * at `path` (the profile's place in a page, `userProfiles[3]`, as its decoder named it).
 */
export function toUserModel(profile: IspringUserProfile, issues?: PayloadIssues, path = ''): UserModel {
  const { named, custom } = readFields(profile.fields ?? []);
  const firstName = named.firstName ?? null;
  const lastName = named.lastName ?? null;
  const login = named.login ?? null;
  const email = named.email ?? null;
  const jobTitle = named.jobTitle ?? null;
  const departmentId = profile.departmentId ? globalId(profile.departmentId) : null;
  const supervisor = subordinationRule(profile.subordination, departmentId, 'supervisor');
  const functional = subordinationRule(profile.coSubordination, departmentId, 'functional');
  return {
    id: globalId(profile.userId),
    provider: 'ispring',
    externalId: profile.userId,
    ref: null,
    login,
    email,
    firstName,
    lastName,
    displayName: toDisplayName({ firstName, lastName, login, email, externalId: profile.userId }),
    jobTitle,
    phone: named.phone ?? null,
    country: named.country ?? null,
    languageCode: null,
    timeZone: null,
    role: profile.role ?? null,
    status: toUserStatus(profile.status),
    providerStatus: profile.status === null || profile.status === undefined ? null : String(profile.status),
    createdAt: normaliseOptionalDateTime(profile.addedDate, at(path, 'addedDate'), issues),
    lastLoginAt: normaliseOptionalDateTime(profile.lastLoginDate, at(path, 'lastLoginDate'), issues),
    // One position per user (the schema's `User.positions`): the job title in the user's department.
    positions: [
      {
        title: jobTitle,
        departmentId,
        manager: supervisor,
        isPrimary: true,
        isActive: true,
        startDate: null,
        endDate: null,
      },
    ],
    // The supervisor first; the functional manager second (the resolver drops a repeat).
    managerRules: [supervisor, functional],
    departmentId,
    groupIds: distinct((profile.groups ?? []).map(globalId)),
    manageableDepartmentIds: distinct(manageableDepartmentsOf(profile).map(globalId)),
    customFields: custom,
  };
}

/**
 * A subordination as a rule: `manual` names the supervisor; `no_supervisor` is none; `inherit`, or
 * no subordination at all, is the rule of the department it inherits from (a user's own
 * department; a department's parent, and at the root nothing). A type the docs do not list gives
 * no manager rather than a guess.
 */
function subordinationRule(
  subordination: IspringSubordination | null | undefined,
  inheritsFrom: string | null,
  slot: SubordinationSlot,
): ManagerRule {
  const type = subordination?.subordinationType.trim().toLowerCase() ?? 'inherit';
  switch (type) {
    case 'manual':
      return subordination?.supervisorId
        ? { kind: 'user', userId: globalId(subordination.supervisorId) }
        : NO_MANAGER;
    case 'inherit':
      return inheritsFrom === null ? NO_MANAGER : { kind: 'department', departmentId: inheritsFrom, slot };
    default:
      return NO_MANAGER;
  }
}

/** `manageableDepartmentIds`, else the union of the roles' (test/fixtures/ispring's JSON has both). */
function manageableDepartmentsOf(profile: IspringUserProfile): string[] {
  if (profile.manageableDepartmentIds !== undefined) return profile.manageableDepartmentIds;
  return (profile.userRoles ?? []).flatMap((role) => role.manageableDepartmentIds ?? []);
}

export function toDepartmentModel(department: IspringDepartment): DepartmentModel {
  const parentId = department.parentDepartmentId ? globalId(department.parentDepartmentId) : null;
  return {
    id: globalId(department.departmentId),
    provider: 'ispring',
    externalId: department.departmentId,
    name: department.name,
    code: department.code ?? null,
    parentId,
    supervisor: subordinationRule(department.subordination, parentId, 'supervisor'),
    functionalManager: subordinationRule(department.coSubordination, parentId, 'functional'),
  };
}

export function toGroupModel(group: IspringGroup): GroupModel {
  return {
    id: globalId(group.groupId),
    provider: 'ispring',
    externalId: group.groupId,
    name: group.name,
    isSmart: smartOf(group.isSmart),
    // iSpring groups are flat.
    parentId: null,
  };
}

/**
 * The wire type keeps both documented forms, true/false and 0/1 (by endpoint); reading only a
 * boolean made a group given as `1` or `"0"` "unknown". Anything else is unknown.
 */
function smartOf(value: IspringGroup['isSmart']): boolean | null {
  const normalised = String(value).trim().toLowerCase();
  if (normalised === 'true' || normalised === '1') return true;
  if (normalised === 'false' || normalised === '0') return false;
  return null;
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
