import type { IspringDepartment, IspringGroup, IspringUserProfile } from '../../providers/ispring/wire.js';
import type { ThriveAudience, ThriveUser } from '../../providers/thrive/wire.js';

/** The shape of the demo organisation: what each sandbox provider serves. */

/** `permissions` of an audience manager (`GET /audiences/{id}/managers`, as Thrive documents it). */
export interface ThriveAudienceManagerPermissions {
  audienceManager: { manageContent: boolean; assignments: boolean };
  peopleManager: { canViewLearnPage: boolean; insights: boolean; manage: boolean };
  /** Structures only. */
  administrator?: { canAddAudienceManagers: boolean };
}

/** Who manages an audience; the server fills in the user's `reference` and `email`. */
export interface ThriveAudienceManagerSeed {
  audienceId: string;
  userId: string;
  permissions: ThriveAudienceManagerPermissions;
}

export interface DemoOrganisation {
  thrive: {
    users: ThriveUser[];
    audiences: ThriveAudience[];
    /** Audience managers; an organisation without them serves `[]` for every audience. */
    audienceManagers?: ThriveAudienceManagerSeed[];
  };
  ispring: {
    /** Statuses as the v2 endpoints report them (1/3/5, legacy 2 and 4, one unknown value). */
    users: IspringUserProfile[];
    departments: IspringDepartment[];
    groups: IspringGroup[];
  };
}
