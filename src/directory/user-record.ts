import {
  NO_MANAGER,
  type CustomFieldModel,
  type ManagerRule,
  type PositionModel,
  type ProviderName,
  type UserModel,
  type UserStatusValue,
} from '../models.js';
import { ownString } from './text.js';

/**
 * How the directory index keeps a user: one short string (README, "Memory"). A `UserModel` as
 * objects costs some 1,100 bytes of heap (two dozen fields, each array and position an object of its
 * own, every id and date a string of its own); the same user as a record costs about a third of
 * that, and V8 scans one string where it scanned some thirty objects. The index decodes a record when
 * a user is read (`decode`, a few microseconds; the index keeps the users read most recently decoded).
 *
 * A record is a JSON array of the user's fields in a fixed order. Values many users share
 * (department and group ids, job titles, countries, roles, statuses) are numbers: their place in
 * the codec's vocabulary, which keeps one string per value. A global id is not repeated as its
 * `externalId`, a display name made of the first and last name is not repeated, and a primary position's manager that is the
 * primary manager rule is kept once. Whatever does not fit these shortcuts is kept as it came, so
 * that `decode(encode(user))` equals `user` in every field for any user (test/directory/user-record.test.ts).
 *
 * A codec's encoding of a user depends only on the user and the vocabulary, which only grows: two
 * encodings of equal users are the same string, which is how the index tells a changed user from
 * one read again unchanged.
 */

/** Distinct shared values the vocabulary holds at most (a tenant has some thousands); past it, values are kept inline. */
const MAX_VOCABULARY = 200_000;

/** A manager rule in a record: 0 (none), a user id, or [department word, slot]. */
type EncodedRule = 0 | string | [Word, 1 | 2];
/** A shared value: its place in the vocabulary, or the value itself once the vocabulary is full. */
type Word = number | string;

/** A position's manager that is the user's primary manager rule, kept once. */
const SAME_AS_PRIMARY_RULE = -1;

type EncodedPosition = [
  title: Word | null,
  departmentId: Word | null,
  manager: EncodedRule | typeof SAME_AS_PRIMARY_RULE,
  flags: number,
  startDate: string | null,
  endDate: string | null,
];

type EncodedUser = [
  provider: Word,
  externalId: string | 0,
  ref: string | null,
  login: string | null,
  email: string | null,
  firstName: string | null,
  lastName: string | null,
  displayName: string | 0,
  jobTitle: Word | null,
  phone: string | null,
  country: Word | null,
  languageCode: Word | null,
  timeZone: Word | null,
  role: Word | null,
  status: Word,
  providerStatus: Word | null,
  createdAt: string | null,
  lastLoginAt: string | null,
  positions: EncodedPosition[],
  managerRules: EncodedRule[],
  departmentId: Word | null,
  groupIds: Word[],
  manageableDepartmentIds: Word[],
  customFields: [name: Word, value: string | null][],
];

const IS_PRIMARY = 1;
const IS_ACTIVE = 2;

export class UserRecordCodec {
  readonly #words: string[] = [];
  readonly #placeOf = new Map<string, number>();

  encode(user: UserModel): string {
    const primary = user.managerRules[0];
    const encoded: EncodedUser = [
      this.#word(user.provider),
      user.id === `${user.provider}:${user.externalId}` ? 0 : user.externalId,
      user.ref,
      user.login,
      user.email,
      user.firstName,
      user.lastName,
      isJoinedName(user) ? 0 : user.displayName,
      this.#wordOrNull(user.jobTitle),
      user.phone,
      this.#wordOrNull(user.country),
      this.#wordOrNull(user.languageCode),
      this.#wordOrNull(user.timeZone),
      this.#wordOrNull(user.role),
      this.#word(user.status),
      this.#wordOrNull(user.providerStatus),
      user.createdAt,
      user.lastLoginAt,
      user.positions.map((position) => [
        this.#wordOrNull(position.title),
        this.#wordOrNull(position.departmentId),
        primary !== undefined && sameRule(position.manager, primary)
          ? SAME_AS_PRIMARY_RULE
          : this.#encodeRule(position.manager),
        (position.isPrimary ? IS_PRIMARY : 0) | (position.isActive ? IS_ACTIVE : 0),
        position.startDate,
        position.endDate,
      ]),
      user.managerRules.map((rule) => this.#encodeRule(rule)),
      this.#wordOrNull(user.departmentId),
      user.groupIds.map((id) => this.#word(id)),
      user.manageableDepartmentIds.map((id) => this.#word(id)),
      user.customFields.map((field) => [this.#word(field.name), field.value]),
    ];
    return JSON.stringify(encoded);
  }

  /** The user a record of this codec holds; `id` is the user's global id (the index's key). */
  decode(id: string, record: string): UserModel {
    const [
      provider,
      externalId,
      ref,
      login,
      email,
      firstName,
      lastName,
      displayName,
      jobTitle,
      phone,
      country,
      languageCode,
      timeZone,
      role,
      status,
      providerStatus,
      createdAt,
      lastLoginAt,
      positions,
      managerRules,
      departmentId,
      groupIds,
      manageableDepartmentIds,
      customFields,
    ] = JSON.parse(record) as EncodedUser;
    const providerName = this.#text(provider) as ProviderName;
    const rules = managerRules.map((rule) => this.#decodeRule(rule));
    return {
      id,
      provider: providerName,
      externalId: externalId === 0 ? id.slice(providerName.length + 1) : externalId,
      ref,
      login,
      email,
      firstName,
      lastName,
      displayName: displayName === 0 ? `${firstName} ${lastName}` : displayName,
      jobTitle: this.#textOrNull(jobTitle),
      phone,
      country: this.#textOrNull(country),
      languageCode: this.#textOrNull(languageCode),
      timeZone: this.#textOrNull(timeZone),
      role: this.#textOrNull(role),
      status: this.#text(status) as UserStatusValue,
      providerStatus: this.#textOrNull(providerStatus),
      createdAt,
      lastLoginAt,
      positions: positions.map(
        ([title, positionDepartment, manager, flags, startDate, endDate]): PositionModel => ({
          title: this.#textOrNull(title),
          departmentId: this.#textOrNull(positionDepartment),
          manager: manager === SAME_AS_PRIMARY_RULE ? rules[0]! : this.#decodeRule(manager),
          isPrimary: (flags & IS_PRIMARY) !== 0,
          isActive: (flags & IS_ACTIVE) !== 0,
          startDate,
          endDate,
        }),
      ),
      managerRules: rules,
      departmentId: this.#textOrNull(departmentId),
      groupIds: groupIds.map((word) => this.#text(word)),
      manageableDepartmentIds: manageableDepartmentIds.map((word) => this.#text(word)),
      customFields: customFields.map(([name, value]): CustomFieldModel => ({
        name: this.#text(name),
        value,
      })),
    };
  }

  #encodeRule(rule: ManagerRule): EncodedRule {
    switch (rule.kind) {
      case 'none':
        return 0;
      case 'user':
        return rule.userId;
      case 'department':
        return [this.#word(rule.departmentId), rule.slot === 'supervisor' ? 1 : 2];
    }
  }

  #decodeRule(rule: EncodedRule): ManagerRule {
    if (rule === 0) return NO_MANAGER;
    if (typeof rule === 'string') return { kind: 'user', userId: rule };
    return {
      kind: 'department',
      departmentId: this.#text(rule[0]),
      slot: rule[1] === 1 ? 'supervisor' : 'functional',
    };
  }

  #word(value: string): Word {
    const place = this.#placeOf.get(value);
    if (place !== undefined) return place;
    if (this.#words.length >= MAX_VOCABULARY) return value;
    // A copy that stands alone: the value may be a slice of a response body, which it would keep.
    const own = ownString(value);
    this.#words.push(own);
    this.#placeOf.set(own, this.#words.length - 1);
    return this.#words.length - 1;
  }

  #wordOrNull(value: string | null): Word | null {
    return value === null ? null : this.#word(value);
  }

  #text(word: Word): string {
    return typeof word === 'number' ? this.#words[word]! : word;
  }

  #textOrNull(word: Word | null): string | null {
    return word === null ? null : this.#text(word);
  }
}

/** A display name that is the first and last name joined by a space. */
function isJoinedName(user: UserModel): boolean {
  return (
    user.firstName !== null &&
    user.lastName !== null &&
    user.displayName === `${user.firstName} ${user.lastName}`
  );
}

function sameRule(a: ManagerRule, b: ManagerRule): boolean {
  switch (a.kind) {
    case 'none':
      return b.kind === 'none';
    case 'user':
      return b.kind === 'user' && a.userId === b.userId;
    case 'department':
      return b.kind === 'department' && a.departmentId === b.departmentId && a.slot === b.slot;
  }
}
