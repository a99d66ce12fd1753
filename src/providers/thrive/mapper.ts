import { toGlobalId } from '../../ids.js';
import {
  NO_MANAGER,
  toDisplayName,
  type CustomFieldModel,
  type DepartmentModel,
  type GroupModel,
  type ManagerRule,
  type PositionModel,
  type UserModel,
  type UserStatusValue,
} from '../../models.js';
import { normaliseOptionalDateTime } from '../dates.js';
import type { PayloadIssues } from '../../payload.js';
import type { ThriveAudience, ThriveUser, ThriveUserPosition } from './wire.js';

/**
 * Thrive wire objects (already decoded, so ids are in the Thrive alphabet) → provider-neutral
 * models (the schema's rules). Pure. A date it cannot read is null and noted in `issues`; without
 * `issues` it throws `PayloadShapeError`.
 */

const globalId = (externalId: string): string => toGlobalId('thrive', externalId);

const STATUSES: Readonly<Record<string, UserStatusValue>> = {
  active: 'ACTIVE',
  new: 'PENDING',
  inactive: 'INACTIVE',
  expired: 'EXPIRED',
};

/**
 * `deleted: true` wins whatever `status` says; a status public sources do not list is UNKNOWN.
 * Case is ignored (every source writes the values in lower case; `Active` can only mean active).
 */
export function toUserStatus(user: Pick<ThriveUser, 'status' | 'deleted'>): UserStatusValue {
  if (user.deleted === true) return 'DELETED';
  const status = user.status?.trim().toLowerCase();
  return (status !== undefined && Object.hasOwn(STATUSES, status) && STATUSES[status]) || 'UNKNOWN';
}

export function toUserModel(user: ThriveUser, issues?: PayloadIssues): UserModel {
  const items = user.positions ?? [];
  // The primary position is the first active one, else the first (the schema's `Position`).
  const activeIndex = items.findIndex(isActivePosition);
  const primaryIndex = activeIndex >= 0 ? activeIndex : items.length > 0 ? 0 : -1;
  const positions = items.map((position, index) =>
    toPositionModel(position, index, index === primaryIndex, issues),
  );
  const primary = positions[primaryIndex];

  const firstName = user.firstName ?? null;
  const lastName = user.lastName ?? null;
  const email = user.email ?? null;
  return {
    id: globalId(user.id),
    provider: 'thrive',
    externalId: user.id,
    ref: user.ref ?? null,
    login: null,
    email,
    firstName,
    lastName,
    displayName: toDisplayName({ firstName, lastName, login: null, email, externalId: user.id }),
    jobTitle: primary?.title ?? user.jobTitle ?? null,
    phone: null,
    country: null,
    languageCode: user.languageCode ?? null,
    timeZone: user.timeZone ?? null,
    role: user.role ?? null,
    status: toUserStatus(user),
    providerStatus: user.status ?? null,
    createdAt: normaliseOptionalDateTime(user.createdAt, 'createdAt', issues),
    lastLoginAt: normaliseOptionalDateTime(user.lastLogin, 'lastLogin', issues),
    positions,
    managerRules: toManagerRules(positions, primary),
    departmentId: primary?.departmentId ?? null,
    groupIds: distinct((user.audiences ?? []).map((audience) => globalId(audienceIdOf(audience)))),
    manageableDepartmentIds: [],
    customFields: toCustomFields(user.additionalFields),
  };
}

/**
 * `isActive` absent (or null) counts as active. The docs type it as a plain boolean, so absence is
 * not a documented state; a position the API lists without saying it ended is most plausibly
 * current, and reading it as inactive would drop its manager from `managers` without evidence.
 */
function isActivePosition(position: ThriveUserPosition): boolean {
  return position.isActive !== false;
}

function toPositionModel(
  position: ThriveUserPosition,
  index: number,
  isPrimary: boolean,
  issues: PayloadIssues | undefined,
): PositionModel {
  const path = `positions[${index}]`;
  return {
    title: position.title ?? null,
    departmentId: position.ouId == null ? null : globalId(position.ouId),
    manager: position.manager == null ? NO_MANAGER : { kind: 'user', userId: globalId(position.manager.id) },
    isPrimary,
    isActive: isActivePosition(position),
    startDate: normaliseOptionalDateTime(position.startDate, `${path}.startDate`, issues),
    endDate: normaliseOptionalDateTime(position.endDate, `${path}.endDate`, issues),
  };
}

/**
 * The primary position's manager rule first (NO_MANAGER when it has none, so `manager` stays the
 * primary's), then the managers of every other active position, each user once.
 */
function toManagerRules(
  positions: readonly PositionModel[],
  primary: PositionModel | undefined,
): ManagerRule[] {
  const rules: ManagerRule[] = [primary?.manager ?? NO_MANAGER];
  const seen = new Set<string>();
  if (primary?.manager.kind === 'user') seen.add(primary.manager.userId);
  for (const position of positions) {
    if (position === primary || !position.isActive || position.manager.kind !== 'user') continue;
    if (seen.has(position.manager.userId)) continue;
    seen.add(position.manager.userId);
    rules.push(position.manager);
  }
  return rules;
}

function audienceIdOf(audience: string | { id: string }): string {
  return typeof audience === 'string' ? audience : audience.id;
}

/**
 * `additionalFields` in the object's order. Strings are kept; numbers and booleans become their
 * text; null stays null; an object or array (never seen, the docs say only "object") becomes its
 * JSON text rather than failing the whole user over one custom field.
 */
function toCustomFields(fields: Record<string, unknown> | null | undefined): CustomFieldModel[] {
  if (fields == null) return [];
  return Object.entries(fields).map(([name, value]) => ({ name, value: toFieldText(value) }));
}

function toFieldText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * An audience as an organisational unit. A "structure" is Thrive's only documented organisational
 * unit, but `ouId` is not documented to point only at structures, so every audience can name one.
 * Thrive has no supervisor on units.
 */
export function toDepartmentModel(audience: ThriveAudience, fromStubs = false): DepartmentModel {
  return {
    id: globalId(audience.id),
    provider: 'thrive',
    externalId: audience.id,
    name: audience.name,
    code: audience.reference ?? null,
    ...parentOf(audience, fromStubs),
    supervisor: NO_MANAGER,
    functionalManager: NO_MANAGER,
  };
}

export function toGroupModel(audience: ThriveAudience, fromStubs = false): GroupModel {
  return {
    id: globalId(audience.id),
    provider: 'thrive',
    externalId: audience.id,
    name: audience.name,
    isSmart: audience.type == null ? null : audience.type.toLowerCase() === 'smart',
    ...parentOf(audience, fromStubs),
  };
}

/**
 * `fromStubs`: the audience comes from a list whose items carry no `parent` key at all
 * (`areStubs`), so its parent is unknown rather than none.
 */
function parentOf(
  audience: ThriveAudience,
  fromStubs: boolean,
): { parentId: string | null; parentUnknown?: true } {
  if (fromStubs && audience.parent === undefined) return { parentId: null, parentUnknown: true };
  return { parentId: audience.parent == null ? null : globalId(audience.parent.id) };
}

/**
 * True when a list's audiences are `AudienceStub`s: not one of them has a `parent` key. A list in
 * which some items have one says "no parent" by leaving it out, and is read as it is.
 */
export function areStubs(audiences: readonly ThriveAudience[]): boolean {
  return audiences.length > 0 && audiences.every((audience) => audience.parent === undefined);
}

/** An organisational unit known only by the `ouId` that names it: no audience has that id. */
export function unknownDepartment(ouId: string): DepartmentModel {
  return {
    id: globalId(ouId),
    provider: 'thrive',
    externalId: ouId,
    name: null,
    code: null,
    parentId: null,
    supervisor: NO_MANAGER,
    functionalManager: NO_MANAGER,
  };
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
