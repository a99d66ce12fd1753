/**
 * iSpring Learn REST API wire types, as iSpring documents them, in the API's JSON shape. The
 * XML the API sends by default is decoded into these same types (`decode.ts`), so one mapper
 * serves both. They mirror the API: numbers that come as strings stay `number | string`,
 * optional elements stay optional.
 */

/** `1` active, `3` inactive, `5` employment ended (v2 endpoints); legacy `2` deleted, `4` unconfirmed. XML gives strings. */
export type IspringStatus = number | string;

/** One profile field; `value` is `""` for an empty `<value/>`. */
export interface IspringProfileField {
  name: string;
  value: string | null;
}

export type IspringSubordinationType = 'manual' | 'inherit' | 'no_supervisor';

export interface IspringSubordination {
  /** `manual`, `inherit` or `no_supervisor`; kept as a string so an unknown value can be reported. */
  subordinationType: IspringSubordinationType | string;
  /** Present when `subordinationType` is `manual`. */
  supervisorId?: string | null;
}

export interface IspringUserRole {
  roleId: string;
  roleType?: string | null;
  manageableDepartmentIds?: string[];
}

export interface IspringWorkLeaveStatus {
  workLeaveReason: string;
  startDate: string;
  endDate?: string | null;
}

/** Spec schemas `User` / `UserV2`; XML element `<userProfile>`. */
export interface IspringUserProfile {
  userId: string;
  role?: string | null;
  roleId?: string | null;
  departmentId?: string | null;
  /** Required by the spec; absent in no sample, but a user without one is read as status unknown. */
  status?: IspringStatus | null;
  fields?: IspringProfileField[];
  /** Spec: datetime; samples: `2021-09-14` (date only). Absent or empty when unknown. */
  addedDate?: string | null;
  lastLoginDate?: string | null;
  groups?: string[];
  manageableDepartmentIds?: string[];
  userRoles?: IspringUserRole[];
  subordination?: IspringSubordination | null;
  coSubordination?: IspringSubordination | null;
  workLeaveStatus?: IspringWorkLeaveStatus | null;
  securityPolicyAcceptanceDate?: string | null;
  personalDataConsentAcceptanceDate?: string | null;
  privacyPolicyConsentAcceptanceDate?: string | null;
}

/** `GET /users/v2` (and deprecated `GET /users`): `UsersPageV2`. */
export interface IspringUsersPage {
  userProfiles: IspringUserProfile[];
  /** Absent (or empty) on the last page. */
  nextPageToken?: string | null;
}

/** Spec `Department`; XML element `<department>`. */
export interface IspringDepartment {
  departmentId: string;
  name: string;
  parentDepartmentId?: string | null;
  code?: string | null;
  subordination?: IspringSubordination | null;
  coSubordination?: IspringSubordination | null;
}

/** Spec `Group`; XML element `<group>`. `isSmart` is `true`/`false` in some samples, `0`/`1` in others. */
export interface IspringGroup {
  groupId: string;
  name: string;
  isSmart: boolean | number | string;
}

/** `GET /group/{id}`: spec `DetailedGroup`. */
export interface IspringDetailedGroup extends IspringGroup {
  usersCount?: number | string;
  userIds?: string[];
}

/** `POST /api/v3/token` response (JSON, or XML with root `<response>`). */
export interface IspringTokenResponse {
  access_token: string;
  /** Always present per the spec; 1800 s is assumed when it is not. */
  expires_in?: number | string;
  token_type: string;
}

/** Spec `ErrorResponse` (JSON, or XML with root `<response>`). */
export interface IspringErrorBody {
  code: number | string;
  message: string;
}
