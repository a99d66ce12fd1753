/**
 * Provider-neutral models: what each provider's mapper produces and what the resolvers receive
 * (codegen `mappers` point here). Ids in models are always global ids (`<provider>:<own id>`),
 * except `externalId`, which is the provider's own.
 */

export type ProviderName = 'thrive' | 'ispring';

/** The GraphQL `UserStatus` enum values. */
export const USER_STATUS_VALUES = Object.freeze([
  'ACTIVE',
  'PENDING',
  'INACTIVE',
  'EXPIRED',
  'EMPLOYMENT_ENDED',
  'DELETED',
  'UNKNOWN',
] as const);

export type UserStatusValue = (typeof USER_STATUS_VALUES)[number];

/**
 * How a manager is found. Thrive names managers directly; iSpring may say "inherit from the
 * department", which is resolved by walking up the department tree (see `loaders/managers.ts`).
 */
export type ManagerRule =
  | { readonly kind: 'none' }
  | { readonly kind: 'user'; readonly userId: string }
  | {
      readonly kind: 'department';
      /** Where the walk starts: this department's own rule is read first. */
      readonly departmentId: string;
      /** iSpring `subordination` (supervisor) or `coSubordination` (functional manager). */
      readonly slot: SubordinationSlot;
    };

export type SubordinationSlot = 'supervisor' | 'functional';

export const NO_MANAGER: ManagerRule = Object.freeze({ kind: 'none' });

export interface CustomFieldModel {
  readonly name: string;
  readonly value: string | null;
}

export interface PositionModel {
  readonly title: string | null;
  readonly departmentId: string | null;
  readonly manager: ManagerRule;
  readonly isPrimary: boolean;
  readonly isActive: boolean;
  /** ISO-8601 date-time, UTC. */
  readonly startDate: string | null;
  readonly endDate: string | null;
}

export interface UserModel {
  readonly id: string;
  readonly provider: ProviderName;
  readonly externalId: string;
  readonly ref: string | null;
  readonly login: string | null;
  readonly email: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly displayName: string;
  readonly jobTitle: string | null;
  readonly phone: string | null;
  readonly country: string | null;
  readonly languageCode: string | null;
  readonly timeZone: string | null;
  readonly role: string | null;
  readonly status: UserStatusValue;
  readonly providerStatus: string | null;
  readonly createdAt: string | null;
  readonly lastLoginAt: string | null;
  readonly positions: readonly PositionModel[];
  /**
   * Every way this user's direct managers are found, the primary manager's rule first
   * (`{ kind: 'none' }` there when there is no primary manager).
   */
  readonly managerRules: readonly ManagerRule[];
  readonly departmentId: string | null;
  readonly groupIds: readonly string[];
  readonly manageableDepartmentIds: readonly string[];
  readonly customFields: readonly CustomFieldModel[];
}

export interface DepartmentModel {
  readonly id: string;
  readonly provider: ProviderName;
  readonly externalId: string;
  readonly name: string | null;
  readonly code: string | null;
  readonly parentId: string | null;
  /**
   * True when this came from a list that does not tell parents (Thrive's audience list may send
   * `AudienceStub`s without `parent`): `parentId` is then null for want of knowing, and only a read
   * by id tells it. Absent or false: `parentId` is what the provider says.
   */
  readonly parentUnknown?: boolean;
  /** The department's own rules; `inherit` is expressed as a walk to the parent department. */
  readonly supervisor: ManagerRule;
  readonly functionalManager: ManagerRule;
}

export interface GroupModel {
  readonly id: string;
  readonly provider: ProviderName;
  readonly externalId: string;
  readonly name: string | null;
  readonly isSmart: boolean | null;
  readonly parentId: string | null;
  /**
   * True when this came from a list that does not tell parents (Thrive's audience list may send
   * `AudienceStub`s without `parent`): `parentId` is then null for want of knowing, and only a read
   * by id tells it. Absent or false: `parentId` is what the provider says.
   */
  readonly parentUnknown?: boolean;
}

/**
 * One person across both platforms (schema `Person`): the users whose email, normalised, is `email`,
 * in account order (THRIVE first, then ISPRING, then by id). Never empty.
 */
export interface PersonModel {
  /** `person:` and an opaque id made from `email` (`directory/person-ids.ts`). */
  readonly id: string;
  readonly email: string;
  readonly accounts: readonly UserModel[];
}

/** "first last", else login, else email, else the provider's id (the schema's `User.displayName`). */
export function toDisplayName(parts: {
  firstName: string | null;
  lastName: string | null;
  login: string | null;
  email: string | null;
  externalId: string;
}): string {
  const fullName = [parts.firstName, parts.lastName]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');
  return fullName || parts.login?.trim() || parts.email?.trim() || parts.externalId;
}

/** A position as the API serves it: with the user who holds it, whom a supervisor walk must skip. */
export interface HeldPosition extends PositionModel {
  readonly holderId: string;
}
