import { expect } from 'vitest';
import type { IspringDepartment, IspringUserProfile } from '../../src/providers/ispring/wire.ts';
import type { ThriveAudience, ThriveUser, ThriveUserPosition } from '../../src/providers/thrive/wire.ts';
import type { DemoOrganisation } from '../../src/sandbox/index.ts';

/**
 * Who is who in the demo organisation, read from its wire records as the contract (section 5)
 * says, so that end-to-end tests can pin the person they expect rather than "someone". Written on
 * the seed's own data, not with the mapper or the loaders under test.
 */

/** The iSpring profile with this id; fails the test when the organisation has none. */
export function ispringProfile(org: DemoOrganisation, userId: string): IspringUserProfile {
  const profile = org.ispring.users.find((user) => user.userId === userId);
  if (!profile) throw new Error(`the demo organisation has no iSpring user ${userId}`);
  return profile;
}

/** The Thrive user with this id; fails the test when the organisation has none. */
export function thriveRecord(org: DemoOrganisation, id: string): ThriveUser {
  const user = org.thrive.users.find((candidate) => candidate.id === id);
  if (!user) throw new Error(`the demo organisation has no Thrive user ${id}`);
  return user;
}

/** The iSpring department with this id; fails the test when the organisation has none. */
export function ispringDepartment(org: DemoOrganisation, departmentId: string): IspringDepartment {
  const department = org.ispring.departments.find((candidate) => candidate.departmentId === departmentId);
  if (!department) throw new Error(`the demo organisation has no iSpring department ${departmentId}`);
  return department;
}

/**
 * The supervisor a walk up from `departmentId` finds: a department's `manual` supervisor unless
 * that is `subjectId` (then on to the parent), none at `no_supervisor` or at a department seen
 * twice, the parent's at `inherit` or without a rule.
 */
export function departmentSupervisor(
  org: DemoOrganisation,
  departmentId: string | null | undefined,
  subjectId: string | null,
): string | null {
  const seen = new Set<string>();
  for (let id = departmentId; id;) {
    if (seen.has(id)) return null;
    seen.add(id);
    const department = ispringDepartment(org, id);
    const rule = department.subordination;
    if (rule?.subordinationType === 'no_supervisor') return null;
    if (rule?.subordinationType === 'manual' && rule.supervisorId !== subjectId)
      return rule.supervisorId ?? null;
    id = department.parentDepartmentId;
  }
  return null;
}

/** The names of a department's parents, nearest first, up to the root. */
export function ispringAncestorNames(org: DemoOrganisation, departmentId: string): string[] {
  const names: string[] = [];
  for (
    let parent = ispringDepartment(org, departmentId).parentDepartmentId;
    parent;
    parent = ispringDepartment(org, parent).parentDepartmentId
  ) {
    names.push(ispringDepartment(org, parent).name);
  }
  return names;
}

/** "First Last" from an iSpring profile's fields; fails the test when either is empty. */
export function ispringFullName(profile: IspringUserProfile): string {
  const field = (name: string) => profile.fields?.find((candidate) => candidate.name === name)?.value ?? '';
  const [first, last] = [field('FIRST_NAME'), field('LAST_NAME')];
  expect(first, `FIRST_NAME of ${profile.userId}`).not.toBe('');
  expect(last, `LAST_NAME of ${profile.userId}`).not.toBe('');
  return `${first} ${last}`;
}

/** "First Last" of a Thrive user; fails the test when either is empty. */
export function thriveFullName(user: ThriveUser): string {
  expect(user.firstName ?? '', `firstName of ${user.id}`).not.toBe('');
  expect(user.lastName ?? '', `lastName of ${user.id}`).not.toBe('');
  return `${user.firstName} ${user.lastName}`;
}

/** A Thrive user's primary position: the first active one (`isActive` absent counts), else the first. */
export function thrivePrimaryPosition(user: ThriveUser): ThriveUserPosition | null {
  const positions = user.positions ?? [];
  return positions.find((position) => position.isActive !== false) ?? positions[0] ?? null;
}

/** The manager id of a Thrive user's primary position. */
export function thrivePrimaryManagerId(user: ThriveUser): string | null {
  return thrivePrimaryPosition(user)?.manager?.id ?? null;
}

/** The Thrive audience with this id; fails the test when the organisation has none. */
export function thriveAudience(org: DemoOrganisation, id: string): ThriveAudience {
  const audience = org.thrive.audiences.find((candidate) => candidate.id === id);
  if (!audience) throw new Error(`the demo organisation has no Thrive audience ${id}`);
  return audience;
}

/** The names of an audience's parents, nearest first, up to a structure. */
export function thriveAncestorNames(org: DemoOrganisation, audienceId: string): Array<string | null> {
  const names: Array<string | null> = [];
  for (
    let parent = thriveAudience(org, audienceId).parent?.id;
    parent;
    parent = thriveAudience(org, parent).parent?.id
  ) {
    names.push(thriveAudience(org, parent).name);
  }
  return names;
}
