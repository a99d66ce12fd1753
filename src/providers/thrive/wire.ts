/**
 * Thrive Learning REST API v1 wire types, as public sources document them
 * (Thrive's docs, and what public clients saw). They mirror the API exactly, both documented variants where
 * sources disagree; the mapper, not these types, cleans them up.
 */

/** `GET /user/{id}` and the items of `GET /users`, as documented, with what Airbyte saw. */
export interface ThriveUser {
  id: string;
  ref?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  role?: string | null;
  /** `active`, `new`, `inactive`, `expired` as far as public sources know. */
  status?: string | null;
  positions?: ThriveUserPosition[] | null;
  /** Tenant-defined fields, e.g. `{ "location": "London" }`. Values are strings in every sample. */
  additionalFields?: Record<string, unknown> | null;
  languageCode?: string | null;
  deleted?: boolean;
  compliance?: number;
  level?: number;
  firstLogin?: string | null;
  lastLogin?: string | null;
  /** The docs page nests `usersFollowing`/`tagsFollowing` here; Airbyte saw `{ skills: string[] }`. */
  tags?: ThriveUserTags | null;
  usersFollowing?: string[];
  tagsFollowing?: unknown[];
  createdAt?: string | null;
  updatedAt?: string | null;
  hasPicture?: boolean;
  timeZone?: string | null;
  summary?: string | null;
  relevancy?: number;
  /** Docs: `{ currentCategory: string, currentRank: number }`; Airbyte: `{ currentCategory: number, currentLevel: number }`. */
  rank?: ThriveUserRank | null;
  /** Docs: boolean; Airbyte: a string (probably a timestamp). */
  agreedTerms?: boolean | string | null;
  onboarded?: boolean | null;
  /** Docs: audience ids as strings; Airbyte: `{ id }` objects. */
  audiences?: Array<string | { id: string }> | null;
  singleSignOn?: boolean;
  /** Present on the v2 lifecycle resource only; tolerated here. */
  jobTitle?: string | null;
}

export interface ThriveUserTags {
  skills?: string | string[];
  usersFollowing?: string[];
  tagsFollowing?: unknown[];
}

export interface ThriveUserRank {
  currentCategory?: string | number;
  currentRank?: number;
  currentLevel?: number;
}

/** `UserPosition` as documented; `title` seen by Airbyte; `manager.name`/`ref` in a public client's types. */
export interface ThriveUserPosition {
  /** "The user ID" per the docs. */
  id?: string;
  manager?: { id: string; name?: string | null; ref?: string | null } | null;
  ouId?: string | null;
  title?: string | null;
  isActive?: boolean;
  startDate?: string | null;
  endDate?: string | null;
  createdAt?: string | null;
  updatedAt?: string | null;
}

/** The list envelope of `GET /users`, `GET /audiences`, … as documented. */
export interface ThrivePage<T> {
  pagination: ThrivePagination;
  results: T[];
}

export interface ThrivePagination {
  totalResults: number;
  totalPages: number;
  page: number;
  perPage: number;
}

/** `GET /audiences/{id}` and the items of `GET /audiences`, as documented. */
export interface ThriveAudience {
  id: string;
  /** A string per the docs; null only when a lenient read could not read it. */
  name: string | null;
  reference?: string | null;
  apiControlled?: boolean;
  /** `structure` (a top-level audience: an organisational unit) or `audience`. */
  category?: string;
  /** `smart` or `manual`. */
  type?: string;
  /**
   * Only on a child audience; otherwise null, or absent. The list's items (`AudienceStub`) may
   * leave it out altogether, in which case only a read by id tells the parent.
   */
  parent?: { id: string; name?: string | null; reference?: string | null } | null;
  createdAt?: string | null;
  updatedAt?: string | null;
}

/** Error body, as the user pages document it: `message` is a string or an object. */
export interface ThriveErrorBody {
  status: number;
  error: string;
  message: string | Record<string, unknown>;
}

/** `POST /oauth2/token/{tenantId}` response (undocumented: read as Cognito-style). */
export interface ThriveTokenResponse {
  access_token: string;
  expires_in: number;
  token_type: string;
}

/**
 * A list body as the decoder accepts it: the documented envelope, with `pagination` tolerated
 * absent or null (the users page excerpt we could read was cut off before it), in which case the
 * reader stops on a short page.
 */
export interface ThrivePageBody<T> {
  pagination?: ThrivePagination | null;
  results: T[];
}

/**
 * The token response as the decoder accepts it. RFC 6749 makes `expires_in` only RECOMMENDED; when
 * it is absent the documented lifetime (3600 s) is assumed.
 */
export interface ThriveTokenResponseBody {
  access_token: string;
  expires_in?: number;
  token_type?: string;
}
