/**
 * Thrive's endpoints, as one list: the client requests them, the sandbox serves them, and logs,
 * metrics, errors, the sandbox's counters, the bench, the soak and the tests name them by these
 * templates (paths after the `/rest/v1` base, the token endpoint at the origin).
 */
export const THRIVE_ENDPOINTS = Object.freeze({
  /** OAuth 2.0 client credentials (OAuth mode). */
  token: 'POST /oauth2/token/{tenantId}',
  /** One user by id: Thrive has no bulk read by id. */
  user: 'GET /user/{id}',
  /** Served by the sandbox; the subgraph does not read it. */
  userByRef: 'GET /users/ref/{ref}',
  /** Every user, page by page (`page`, `perPage`, `updatedSince`): the directory listing reads it. */
  users: 'GET /users',
  /** Every audience (departments and groups both are audiences), page by page. */
  audiences: 'GET /audiences',
  /** One audience by id or reference. */
  audience: 'GET /audiences/{id}',
  /** Served by the sandbox; the subgraph does not read it. */
  audienceMembers: 'GET /audiences/{id}/members',
  /** Served by the sandbox; the subgraph does not read it. */
  audienceManagers: 'GET /audiences/{id}/managers',
});

export type ThriveEndpoint = (typeof THRIVE_ENDPOINTS)[keyof typeof THRIVE_ENDPOINTS];
