import type {
  IspringDepartment,
  IspringGroup,
  IspringProfileField,
  IspringStatus,
  IspringSubordination,
  IspringUserProfile,
} from '../providers/ispring/wire.js';
import type { ThriveAudience, ThriveUser, ThriveUserPosition } from '../providers/thrive/wire.js';
import type { IspringRecords } from './ispring-server.js';
import type { DemoOrganisation } from './seed/index.js';
import type { ThriveRecords } from './thrive-server.js';
import type { ThriveWebhookEvent, ThriveWebhookUser, WebhookEvents } from './webhooks.js';

/**
 * Changes to the organisation of running sandboxes, as a tenant's administrators make them: people
 * join, change names, emails, statuses, managers, departments and groups, move and leave;
 * departments and groups are added, renamed, moved and removed. Each change is made through the
 * servers' records (`putUser`, …; so every index and every endpoint follows at once) on new record
 * objects, and returns the record as now served. Unknown ids, a department placed under itself, and
 * the removal of a department that still holds people or departments are refused (an Error naming
 * them) before anything changes; `putUser` and the other records remain for records no
 * administrator could make.
 *
 * What the vendor announces, the sandbox announces (webhooks.ts), when a URL is configured:
 *
 * - Thrive: adding a user sends `user.created`; a change of status to `active` sends
 *   `user.activated`, to `inactive` `user.deactivated`; any other change of a user `user.updated`.
 *   Deleting a user keeps the record, obfuscated (names `Deleted`/`User`, no email or ref, status
 *   `inactive`, `deleted: true`, positions ended, no audiences), as Thrive's delete is described
 *   (obfuscate, keep the history), and sends `user.deactivated`; `{ mode: 'remove' }` takes the record
 *   out instead (a 404 from then on) and also sends `user.deactivated`, with the user as last served
 *   but `inactive`. Audiences have no events; removing an audience takes it out of its members'
 *   `audiences` silently.
 * - iSpring: only adding a user sends anything (`USER_REGISTERED`): iSpring documents no event for
 *   updates, moves, deletions, departments or groups.
 *
 * Every change to a Thrive user sets its `updatedAt` to the time of the change (milliseconds, later
 * than any change before it), so that a read of the users updated since a moment finds it.
 */

export class SandboxChangeError extends Error {
  override readonly name = 'SandboxChangeError';
}

// ---------------------------------------------------------------------------------------------
// Thrive

/** A new Thrive user. Positions, audiences and fields not given are left out or empty. */
export interface ThriveUserInput {
  /** Default: a new ObjectId. */
  readonly id?: string;
  /** Default: `EMP-` and the id's last eight characters. */
  readonly ref?: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  /** Default `learner`. */
  readonly role?: string;
  /** Default `active`. */
  readonly status?: string;
  /** The primary position's unit (an audience id); the user is made a member of that audience too. */
  readonly departmentId?: string | null;
  /** The primary position's manager (a user id). */
  readonly managerId?: string | null;
  /** The primary position's title. */
  readonly jobTitle?: string | null;
  /** Audiences the user is a member of besides the department's (groups are audiences). */
  readonly audienceIds?: readonly string[];
  /** Default `{ department: <the department's name> }` when a department is given, else null. */
  readonly additionalFields?: Record<string, unknown> | null;
}

/**
 * A change to a Thrive user: each field given replaces the user's. `departmentId`, `managerId` and
 * `jobTitle` change the primary position (the first active one, else the first; one is made when
 * there is none); a new department also takes the old one's place in `audiences` (unless
 * `audienceIds` is given) and in `additionalFields.department` (when the user has that key).
 */
export interface ThriveUserChange {
  readonly ref?: string | null;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly email?: string | null;
  readonly role?: string | null;
  readonly status?: string;
  readonly deleted?: boolean;
  readonly departmentId?: string | null;
  readonly managerId?: string | null;
  readonly jobTitle?: string | null;
  /** Replaces every position (then `departmentId`, `managerId` and `jobTitle` apply to the new primary). */
  readonly positions?: ThriveUserPosition[] | null;
  /** Replaces the user's audiences (written in the shape the user's already are: ids or `{id}`). */
  readonly audienceIds?: readonly string[];
  readonly additionalFields?: Record<string, unknown> | null;
}

/** A new Thrive audience: a department (a unit positions name) or a group, both audiences. */
export interface ThriveAudienceInput {
  /** Default: a new ObjectId. */
  readonly id?: string;
  readonly name: string;
  /** Default null. */
  readonly reference?: string | null;
  /** The parent audience; default none. */
  readonly parentId?: string | null;
  /** Default `structure` without a parent, `audience` with one. */
  readonly category?: string;
  /** Default `manual`. */
  readonly type?: 'manual' | 'smart';
  /** Default true. */
  readonly apiControlled?: boolean;
}

export interface ThriveAudienceChange {
  readonly name?: string;
  readonly reference?: string | null;
  /** null: no parent (the `parent` key is then absent, as on Thrive's structures). */
  readonly parentId?: string | null;
  readonly category?: string;
  readonly type?: 'manual' | 'smart';
  readonly apiControlled?: boolean;
}

export interface ThriveChanges {
  /** Sends `user.created`. */
  addUser(input: ThriveUserInput): ThriveUser;
  /** Sends `user.activated`, `user.deactivated` or `user.updated` (see the module's comment). */
  updateUser(id: string, change: ThriveUserChange): ThriveUser;
  /** `updateUser(id, { departmentId })`. */
  moveUser(id: string, departmentId: string | null): ThriveUser;
  /** Obfuscates the user (default) or takes the record out; sends `user.deactivated` either way. */
  deleteUser(id: string, options?: { readonly mode?: 'obfuscate' | 'remove' }): ThriveUser;
  addAudience(input: ThriveAudienceInput): ThriveAudience;
  /** Renaming also renames the `parent` its children carry. */
  updateAudience(id: string, change: ThriveAudienceChange): ThriveAudience;
  renameAudience(id: string, name: string): ThriveAudience;
  reparentAudience(id: string, parentId: string | null): ThriveAudience;
  /**
   * Refused while the audience has child audiences or a position names it as its unit; its members
   * lose it from their `audiences` (their `updatedAt` changes; no event).
   */
  deleteAudience(id: string): void;
}

// ---------------------------------------------------------------------------------------------
// iSpring

/** A new iSpring user (profile fields LOGIN, EMAIL, FIRST_NAME, LAST_NAME, JOB_TITLE, PHONE, COUNTRY). */
export interface IspringUserInput {
  /** Default: a new UUID. */
  readonly userId?: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  /** Default: the email. */
  readonly login?: string;
  /** Default: the root department (the first without a parent). */
  readonly departmentId?: string;
  readonly groupIds?: readonly string[];
  /** Default 1 (active). */
  readonly status?: IspringStatus;
  /** Default `learner`, with the role id other learners have. */
  readonly role?: string;
  readonly jobTitle?: string;
  readonly phone?: string;
  readonly country?: string;
  /** Other profile fields, by name. */
  readonly fields?: Readonly<Record<string, string>>;
  /** A `manual` supervisor; null: `no_supervisor`; default `inherit`. */
  readonly managerId?: string | null;
  /** Default `{ subordinationType: 'inherit' }`, or what `managerId` says. */
  readonly subordination?: IspringSubordination;
  /** Default `{ subordinationType: 'inherit' }`. */
  readonly coSubordination?: IspringSubordination;
}

/** A change to an iSpring user: each field given replaces the user's. */
export interface IspringUserChange {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly email?: string;
  readonly login?: string;
  readonly jobTitle?: string;
  readonly phone?: string;
  readonly country?: string;
  /** Profile fields by name (any case); one the user lacks is added. */
  readonly fields?: Readonly<Record<string, string>>;
  readonly status?: IspringStatus;
  readonly role?: string;
  readonly departmentId?: string;
  readonly groupIds?: readonly string[];
  /** A `manual` supervisor; null: `no_supervisor`. */
  readonly managerId?: string | null;
  /** null: no subordination element (which reads as `inherit`). */
  readonly subordination?: IspringSubordination | null;
  readonly coSubordination?: IspringSubordination | null;
}

export interface IspringDepartmentInput {
  /** Default: a new UUID. */
  readonly departmentId?: string;
  readonly name: string;
  /** Default: the root department. */
  readonly parentDepartmentId?: string;
  readonly code?: string;
  /** The department's supervisor (`manual`); default `inherit`. */
  readonly supervisorId?: string;
  /** Default `inherit`. */
  readonly coSubordination?: IspringSubordination;
}

export interface IspringDepartmentChange {
  readonly name?: string;
  readonly code?: string | null;
  /** null: a root department. */
  readonly parentDepartmentId?: string | null;
  /** A `manual` supervisor; null: `no_supervisor`. */
  readonly supervisorId?: string | null;
  readonly subordination?: IspringSubordination | null;
  readonly coSubordination?: IspringSubordination | null;
}

export interface IspringGroupInput {
  /** Default: a new UUID. */
  readonly groupId?: string;
  readonly name: string;
  /** Default false. */
  readonly isSmart?: boolean;
}

export interface IspringChanges {
  /** Sends `USER_REGISTERED` (with the others registered in the same tick). */
  addUser(input: IspringUserInput): IspringUserProfile;
  updateUser(userId: string, change: IspringUserChange): IspringUserProfile;
  moveUser(userId: string, departmentId: string): IspringUserProfile;
  /** Takes the user out (references to them stay, as iSpring leaves them). Returns the profile removed. */
  deleteUser(userId: string): IspringUserProfile;
  addDepartment(input: IspringDepartmentInput): IspringDepartment;
  updateDepartment(departmentId: string, change: IspringDepartmentChange): IspringDepartment;
  renameDepartment(departmentId: string, name: string): IspringDepartment;
  reparentDepartment(departmentId: string, parentDepartmentId: string | null): IspringDepartment;
  /** Refused while the department has sub-departments or users. */
  deleteDepartment(departmentId: string): void;
  addGroup(input: IspringGroupInput): IspringGroup;
  renameGroup(groupId: string, name: string): IspringGroup;
  /** Its members lose it from their `groups`. */
  deleteGroup(groupId: string): void;
}

export interface SandboxChanges {
  readonly thrive: ThriveChanges;
  readonly ispring: IspringChanges;
}

export interface ChangesOptions {
  readonly organisation: DemoOrganisation;
  readonly thrive: ThriveRecords;
  readonly ispring: IspringRecords;
  readonly webhooks: WebhookEvents;
  /** Default `Date.now`. */
  readonly now?: () => number;
}

export function createChanges(options: ChangesOptions): SandboxChanges {
  let last = 0;
  const now = options.now ?? Date.now;
  /** The time of a change: now, and later than the change before it. */
  const tick = (): number => (last = Math.max(now(), last + 1));
  const ids = new RuntimeIds(options.organisation);
  return {
    thrive: thriveChanges(options, tick, ids),
    ispring: ispringChanges(options, tick, ids),
  };
}

/** Ids of records the changes add: recognisable (`ad…`), in each vendor's shape, never one in use. */
class RuntimeIds {
  private count = 0;

  constructor(private readonly organisation: DemoOrganisation) {}

  objectId(): string {
    const { users, audiences } = this.organisation.thrive;
    for (;;) {
      this.count += 1;
      const id = `ad${this.count.toString(16).padStart(22, '0')}`;
      if (!users.some((user) => user.id === id) && !audiences.some((audience) => audience.id === id))
        return id;
    }
  }

  uuid(): string {
    const { users, departments, groups } = this.organisation.ispring;
    for (;;) {
      this.count += 1;
      const id = `ad000000-0000-11ee-8000-${this.count.toString(16).padStart(12, '0')}`;
      const used =
        users.some((user) => user.userId === id) ||
        departments.some((department) => department.departmentId === id) ||
        groups.some((group) => group.groupId === id);
      if (!used) return id;
    }
  }
}

function found<T>(record: T | undefined, what: string, id: string): T {
  if (record === undefined) throw new SandboxChangeError(`No ${what} ${JSON.stringify(id)} in the sandbox.`);
  return record;
}

function fresh(exists: boolean, what: string, id: string): void {
  if (exists) throw new SandboxChangeError(`The sandbox already has a ${what} ${JSON.stringify(id)}.`);
}

// ---------------------------------------------------------------------------------------------

function thriveChanges(options: ChangesOptions, tick: () => number, ids: RuntimeIds): ThriveChanges {
  const organisation = options.organisation.thrive;
  const records = options.thrive;
  const user = (id: string) =>
    found(
      organisation.users.find((item) => item.id === id),
      'Thrive user',
      id,
    );
  const audience = (id: string) =>
    found(
      organisation.audiences.find((item) => item.id === id),
      'Thrive audience',
      id,
    );
  const checkUser = (id: string | null | undefined) => {
    if (id != null) user(id);
  };

  const announce = (event: ThriveWebhookEvent, record: ThriveUser, at: number) =>
    options.webhooks.thriveUser(event, webhookUser(record), at);

  /** The primary position, as the schema reads it: the first active one, else the first. */
  const primaryIndex = (positions: readonly ThriveUserPosition[]) => {
    const active = positions.findIndex((position) => position.isActive !== false);
    return active >= 0 ? active : positions.length > 0 ? 0 : -1;
  };

  const editPrimary = (
    next: ThriveUser,
    change: Pick<ThriveUserChange, 'departmentId' | 'managerId' | 'jobTitle'>,
    stamp: string,
  ): void => {
    if (change.departmentId === undefined && change.managerId === undefined && change.jobTitle === undefined)
      return;
    const positions = [...(next.positions ?? [])];
    let at = primaryIndex(positions);
    if (at < 0) {
      positions.push({
        id: next.id,
        manager: null,
        ouId: null,
        title: null,
        isActive: true,
        startDate: stamp,
        endDate: null,
        createdAt: stamp,
        updatedAt: stamp,
      });
      at = 0;
    }
    const position: ThriveUserPosition = { ...positions[at]!, updatedAt: stamp };
    if (change.departmentId !== undefined) position.ouId = change.departmentId;
    if (change.managerId !== undefined)
      position.manager =
        change.managerId === null
          ? null
          : position.manager?.id === change.managerId
            ? position.manager
            : { id: change.managerId };
    if (change.jobTitle !== undefined) position.title = change.jobTitle;
    positions[at] = position;
    next.positions = positions;
  };

  /** `ids` in the shape of the user's audiences: `{id}` objects when the first one is one, else ids. */
  const audienceList = (
    shapeOf: ThriveUser['audiences'],
    list: readonly string[],
  ): ThriveUser['audiences'] => {
    const distinct = [...new Set(list)];
    const objects = Array.isArray(shapeOf) && typeof shapeOf[0] === 'object' && shapeOf[0] !== null;
    return objects ? distinct.map((id) => ({ id })) : distinct;
  };
  const audienceIdsOf = (record: ThriveUser): string[] =>
    (Array.isArray(record.audiences) ? record.audiences : []).flatMap((entry: unknown) =>
      typeof entry === 'string'
        ? [entry]
        : typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string'
          ? [(entry as { id: string }).id]
          : [],
    );

  const updateUser = (id: string, change: ThriveUserChange): ThriveUser => {
    const current = user(id);
    if (change.departmentId != null) audience(change.departmentId);
    checkUser(change.managerId);
    for (const audienceId of change.audienceIds ?? []) audience(audienceId);
    const at = tick();
    const stamp = new Date(at).toISOString();
    const next: ThriveUser = { ...current };
    for (const key of ['ref', 'firstName', 'lastName', 'email', 'role', 'status', 'deleted'] as const) {
      if (change[key] !== undefined) (next as unknown as Record<string, unknown>)[key] = change[key];
    }
    if (change.additionalFields !== undefined) next.additionalFields = change.additionalFields;
    if (change.positions !== undefined) next.positions = change.positions;
    const before = next.positions ? next.positions[primaryIndex(next.positions)]?.ouId : undefined;
    editPrimary(next, change, stamp);
    if (change.audienceIds !== undefined) {
      next.audiences = audienceList(current.audiences, change.audienceIds);
    } else if (change.departmentId !== undefined && change.departmentId !== before) {
      const list = audienceIdsOf(current).filter((audienceId) => audienceId !== before);
      if (change.departmentId !== null) list.unshift(change.departmentId);
      next.audiences = audienceList(current.audiences, list);
    }
    if (
      change.departmentId != null &&
      change.additionalFields === undefined &&
      next.additionalFields != null &&
      'department' in next.additionalFields
    ) {
      next.additionalFields = { ...next.additionalFields, department: audience(change.departmentId).name };
    }
    next.updatedAt = stamp;
    records.putUser(next);
    const event: ThriveWebhookEvent =
      next.status === current.status
        ? 'user.updated'
        : next.status === 'active'
          ? 'user.activated'
          : next.status === 'inactive'
            ? 'user.deactivated'
            : 'user.updated';
    announce(event, next, at);
    return next;
  };

  const updateAudience = (id: string, change: ThriveAudienceChange): ThriveAudience => {
    const current = audience(id);
    if (change.parentId != null) {
      // Up from the new parent: meeting the audience itself would make a loop.
      const seen = new Set<string>();
      for (let at: string | undefined = change.parentId; at !== undefined && !seen.has(at);) {
        if (at === id)
          throw new SandboxChangeError(
            `Thrive audience ${JSON.stringify(id)} cannot be placed under ${JSON.stringify(change.parentId)}, which is itself or below it.`,
          );
        seen.add(at);
        at = organisation.audiences.find((item) => item.id === at)?.parent?.id ?? undefined;
      }
      audience(change.parentId);
    }
    const stamp = new Date(tick()).toISOString();
    const next: ThriveAudience = { ...current };
    if (change.name !== undefined) next.name = change.name;
    if (change.reference !== undefined) next.reference = change.reference;
    if (change.category !== undefined) next.category = change.category;
    if (change.type !== undefined) next.type = change.type;
    if (change.apiControlled !== undefined) next.apiControlled = change.apiControlled;
    if (change.parentId === null) delete next.parent;
    else if (change.parentId !== undefined) next.parent = parentRef(audience(change.parentId));
    next.updatedAt = stamp;
    records.putAudience(next);
    if (change.name !== undefined || change.reference !== undefined) {
      for (const child of organisation.audiences.filter((item) => item.parent?.id === id)) {
        records.putAudience({ ...child, parent: parentRef(next), updatedAt: stamp });
      }
    }
    return next;
  };

  return {
    addUser(input) {
      const id = input.id ?? ids.objectId();
      fresh(
        organisation.users.some((item) => item.id === id),
        'Thrive user',
        id,
      );
      const department = input.departmentId == null ? undefined : audience(input.departmentId);
      checkUser(input.managerId);
      for (const audienceId of input.audienceIds ?? []) audience(audienceId);
      const at = tick();
      const stamp = new Date(at).toISOString();
      const record: ThriveUser = {
        id,
        ref: input.ref === undefined ? `EMP-${id.slice(-8).toUpperCase()}` : input.ref,
        firstName: input.firstName,
        lastName: input.lastName,
        email: input.email,
        role: input.role ?? 'learner',
        status: input.status ?? 'active',
        positions: [],
        additionalFields:
          input.additionalFields !== undefined
            ? input.additionalFields
            : department
              ? { department: department.name }
              : null,
        languageCode: 'en-gb',
        deleted: false,
        firstLogin: null,
        lastLogin: null,
        createdAt: stamp,
        updatedAt: stamp,
        audiences: [...new Set([...(department ? [department.id] : []), ...(input.audienceIds ?? [])])],
      };
      editPrimary(record, input, stamp);
      records.putUser(record);
      announce('user.created', record, at);
      return record;
    },
    updateUser,
    moveUser: (id, departmentId) => updateUser(id, { departmentId }),
    deleteUser(id, deleteOptions = {}) {
      const current = user(id);
      const at = tick();
      const stamp = new Date(at).toISOString();
      if (deleteOptions.mode === 'remove') {
        records.removeUser(id);
        const gone: ThriveUser = { ...current, status: 'inactive', updatedAt: stamp };
        announce('user.deactivated', gone, at);
        return gone;
      }
      const next: ThriveUser = {
        ...current,
        ref: null,
        firstName: 'Deleted',
        lastName: 'User',
        email: null,
        status: 'inactive',
        deleted: true,
        positions: (current.positions ?? []).map((position) => ({
          ...position,
          isActive: false,
          endDate: position.endDate ?? stamp,
          updatedAt: stamp,
        })),
        audiences: [],
        updatedAt: stamp,
      };
      records.putUser(next);
      announce('user.deactivated', next, at);
      return next;
    },
    addAudience(input) {
      const id = input.id ?? ids.objectId();
      fresh(
        organisation.audiences.some((item) => item.id === id),
        'Thrive audience',
        id,
      );
      const parent = input.parentId == null ? undefined : audience(input.parentId);
      const stamp = new Date(tick()).toISOString();
      const record: ThriveAudience = {
        id,
        name: input.name,
        reference: input.reference ?? null,
        apiControlled: input.apiControlled ?? true,
        category: input.category ?? (parent ? 'audience' : 'structure'),
        type: input.type ?? 'manual',
      };
      if (parent) record.parent = parentRef(parent);
      record.createdAt = stamp;
      record.updatedAt = stamp;
      records.putAudience(record);
      return record;
    },
    updateAudience,
    renameAudience: (id, name) => updateAudience(id, { name }),
    reparentAudience: (id, parentId) => updateAudience(id, { parentId }),
    deleteAudience(id) {
      audience(id);
      const children = organisation.audiences.filter((item) => item.parent?.id === id);
      if (children.length > 0) {
        throw new SandboxChangeError(
          `Thrive audience ${JSON.stringify(id)} has child audiences (${children.map((child) => child.id).join(', ')}): move or delete them first.`,
        );
      }
      const holders = organisation.users.filter((item) =>
        (item.positions ?? []).some((position) => position?.ouId === id),
      );
      if (holders.length > 0) {
        throw new SandboxChangeError(
          `Thrive audience ${JSON.stringify(id)} is the unit of ${holders.length} users' positions (${holders
            .slice(0, 5)
            .map((holder) => holder.id)
            .join(', ')}${holders.length > 5 ? ', …' : ''}): move them first.`,
        );
      }
      const members = organisation.users.filter((item) => audienceIdsOf(item).includes(id));
      if (members.length > 0) {
        const stamp = new Date(tick()).toISOString();
        records.putUsers(
          members.map((member) => ({
            ...member,
            audiences: audienceList(
              member.audiences,
              audienceIdsOf(member).filter((audienceId) => audienceId !== id),
            ),
            updatedAt: stamp,
          })),
        );
      }
      records.removeAudience(id);
    },
  };
}

function webhookUser(user: ThriveUser): ThriveWebhookUser {
  return {
    id: user.id,
    reference: user.ref ?? null,
    firstName: user.firstName ?? null,
    lastName: user.lastName ?? null,
    email: user.email ?? null,
    status: user.status ?? null,
    role: user.role ?? null,
  };
}

function parentRef(parent: ThriveAudience): NonNullable<ThriveAudience['parent']> {
  return { id: parent.id, name: parent.name, reference: parent.reference ?? null };
}

// ---------------------------------------------------------------------------------------------

/** The profile fields the changes name, by the option that sets them. */
const FIELD_NAMES = {
  login: 'LOGIN',
  email: 'EMAIL',
  firstName: 'FIRST_NAME',
  lastName: 'LAST_NAME',
  jobTitle: 'JOB_TITLE',
  phone: 'PHONE',
  country: 'COUNTRY',
} as const;

function ispringChanges(options: ChangesOptions, tick: () => number, ids: RuntimeIds): IspringChanges {
  const organisation = options.organisation.ispring;
  const records = options.ispring;
  const user = (id: string) =>
    found(
      organisation.users.find((item) => item.userId === id),
      'iSpring user',
      id,
    );
  const department = (id: string) =>
    found(
      organisation.departments.find((item) => item.departmentId === id),
      'iSpring department',
      id,
    );
  const group = (id: string) =>
    found(
      organisation.groups.find((item) => item.groupId === id),
      'iSpring group',
      id,
    );
  const root = (): IspringDepartment => {
    const first = organisation.departments.find((item) => !item.parentDepartmentId);
    if (!first) throw new SandboxChangeError('The iSpring sandbox has no root department.');
    return first;
  };
  /** The role id users with that role have, or a new one for a role no user has. */
  const roleIds = new Map<string, string>();
  const roleIdOf = (role: string): string => {
    let id = roleIds.get(role) ?? organisation.users.find((item) => item.role === role)?.roleId ?? undefined;
    if (id == null) id = ids.uuid();
    roleIds.set(role, id);
    return id;
  };

  /** `fields` with the values given set, by name in any case; those the user lacks appended. */
  const withFields = (
    fields: readonly IspringProfileField[] | undefined,
    values: Readonly<Record<string, string>>,
  ): IspringProfileField[] => {
    const out = (fields ?? []).map((field) => ({ ...field }));
    for (const [name, value] of Object.entries(values)) {
      const existing = out.find((field) => field.name.toUpperCase() === name.toUpperCase());
      if (existing) existing.value = value;
      else out.push({ name, value });
    }
    return out;
  };
  const namedFields = (change: Partial<Record<keyof typeof FIELD_NAMES, string>>): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [key, name] of Object.entries(FIELD_NAMES)) {
      const value = change[key as keyof typeof FIELD_NAMES];
      if (value !== undefined) out[name] = value;
    }
    return out;
  };
  const manager = (managerId: string | null): IspringSubordination => {
    if (managerId === null) return { subordinationType: 'no_supervisor' };
    user(managerId);
    return { subordinationType: 'manual', supervisorId: managerId };
  };

  const updateUser = (userId: string, change: IspringUserChange): IspringUserProfile => {
    const current = user(userId);
    if (change.departmentId !== undefined) department(change.departmentId);
    for (const groupId of change.groupIds ?? []) group(groupId);
    const subordination = change.managerId !== undefined ? manager(change.managerId) : change.subordination;
    tick();
    const next: IspringUserProfile = { ...current };
    const values = { ...namedFields(change), ...change.fields };
    if (Object.keys(values).length > 0) next.fields = withFields(current.fields, values);
    if (change.status !== undefined) next.status = change.status;
    if (change.role !== undefined) {
      next.role = change.role;
      next.roleId = roleIdOf(change.role);
      next.userRoles = [{ roleId: next.roleId, roleType: change.role }];
    }
    if (change.departmentId !== undefined) next.departmentId = change.departmentId;
    if (change.groupIds !== undefined) next.groups = [...new Set(change.groupIds)];
    if (subordination === null) delete next.subordination;
    else if (subordination !== undefined) next.subordination = subordination;
    if (change.coSubordination === null) delete next.coSubordination;
    else if (change.coSubordination !== undefined) next.coSubordination = change.coSubordination;
    records.putUser(next);
    return next;
  };

  const updateDepartment = (departmentId: string, change: IspringDepartmentChange): IspringDepartment => {
    const current = department(departmentId);
    if (change.parentDepartmentId != null) {
      const seen = new Set<string>();
      for (let at: string | null | undefined = change.parentDepartmentId; at && !seen.has(at);) {
        if (at === departmentId)
          throw new SandboxChangeError(
            `iSpring department ${JSON.stringify(departmentId)} cannot be placed under ${JSON.stringify(change.parentDepartmentId)}, which is itself or below it.`,
          );
        seen.add(at);
        at = organisation.departments.find((item) => item.departmentId === at)?.parentDepartmentId;
      }
      department(change.parentDepartmentId);
    }
    const subordination =
      change.supervisorId !== undefined ? manager(change.supervisorId) : change.subordination;
    tick();
    const next: IspringDepartment = { ...current };
    if (change.name !== undefined) next.name = change.name;
    if (change.code === null) delete next.code;
    else if (change.code !== undefined) next.code = change.code;
    if (change.parentDepartmentId === null) delete next.parentDepartmentId;
    else if (change.parentDepartmentId !== undefined) next.parentDepartmentId = change.parentDepartmentId;
    if (subordination === null) delete next.subordination;
    else if (subordination !== undefined) next.subordination = subordination;
    if (change.coSubordination === null) delete next.coSubordination;
    else if (change.coSubordination !== undefined) next.coSubordination = change.coSubordination;
    records.putDepartment(next);
    return next;
  };

  return {
    addUser(input) {
      const userId = input.userId ?? ids.uuid();
      fresh(
        organisation.users.some((item) => item.userId === userId),
        'iSpring user',
        userId,
      );
      const departmentId = input.departmentId ?? root().departmentId;
      department(departmentId);
      for (const groupId of input.groupIds ?? []) group(groupId);
      const subordination =
        input.managerId !== undefined
          ? manager(input.managerId)
          : (input.subordination ?? { subordinationType: 'inherit' });
      const at = tick();
      const role = input.role ?? 'learner';
      const roleId = roleIdOf(role);
      const login = input.login ?? input.email;
      const profile: IspringUserProfile = {
        userId,
        role,
        roleId,
        departmentId,
        status: input.status ?? 1,
        fields: withFields(
          [],
          namedFields({
            login,
            email: input.email,
            firstName: input.firstName,
            lastName: input.lastName,
            jobTitle: input.jobTitle ?? '',
            phone: input.phone ?? '',
            country: input.country ?? '',
          }),
        ),
        addedDate: new Date(at).toISOString().slice(0, 10),
        groups: [...new Set(input.groupIds ?? [])],
        userRoles: [{ roleId, roleType: role }],
        subordination,
        coSubordination: input.coSubordination ?? { subordinationType: 'inherit' },
      };
      if (input.fields) profile.fields = withFields(profile.fields, input.fields);
      records.putUser(profile);
      options.webhooks.ispringRegistered({ userId, departmentId, login, email: input.email });
      return profile;
    },
    updateUser,
    moveUser: (userId, departmentId) => updateUser(userId, { departmentId }),
    deleteUser(userId) {
      const current = user(userId);
      tick();
      records.removeUser(userId);
      return current;
    },
    addDepartment(input) {
      const departmentId = input.departmentId ?? ids.uuid();
      fresh(
        organisation.departments.some((item) => item.departmentId === departmentId),
        'iSpring department',
        departmentId,
      );
      const parent = input.parentDepartmentId === undefined ? root() : department(input.parentDepartmentId);
      if (input.supervisorId !== undefined) user(input.supervisorId);
      tick();
      const record: IspringDepartment = {
        departmentId,
        name: input.name,
        parentDepartmentId: parent.departmentId,
      };
      if (input.code !== undefined) record.code = input.code;
      record.subordination =
        input.supervisorId !== undefined
          ? { subordinationType: 'manual', supervisorId: input.supervisorId }
          : { subordinationType: 'inherit' };
      record.coSubordination = input.coSubordination ?? { subordinationType: 'inherit' };
      records.putDepartment(record);
      return record;
    },
    updateDepartment,
    renameDepartment: (departmentId, name) => updateDepartment(departmentId, { name }),
    reparentDepartment: (departmentId, parentDepartmentId) =>
      updateDepartment(departmentId, { parentDepartmentId }),
    deleteDepartment(departmentId) {
      department(departmentId);
      const children = organisation.departments.filter((item) => item.parentDepartmentId === departmentId);
      const members = organisation.users.filter((item) => item.departmentId === departmentId);
      if (children.length > 0 || members.length > 0) {
        throw new SandboxChangeError(
          `iSpring department ${JSON.stringify(departmentId)} still has ${children.length} sub-departments and ${members.length} users: move them first.`,
        );
      }
      tick();
      records.removeDepartment(departmentId);
    },
    addGroup(input) {
      const groupId = input.groupId ?? ids.uuid();
      fresh(
        organisation.groups.some((item) => item.groupId === groupId),
        'iSpring group',
        groupId,
      );
      tick();
      const record: IspringGroup = { groupId, name: input.name, isSmart: input.isSmart ?? false };
      records.putGroup(record);
      return record;
    },
    renameGroup(groupId, name) {
      const next: IspringGroup = { ...group(groupId), name };
      tick();
      records.putGroup(next);
      return next;
    },
    deleteGroup(groupId) {
      group(groupId);
      tick();
      const members = organisation.users.filter(
        (item) => Array.isArray(item.groups) && item.groups.includes(groupId),
      );
      if (members.length > 0) {
        records.putUsers(
          members.map((member) => ({ ...member, groups: member.groups!.filter((id) => id !== groupId) })),
        );
      }
      records.removeGroup(groupId);
    },
  };
}
