/**
 * iSpring Learn's endpoints, as one list: the client requests them, the sandbox serves them (also
 * under the account-domain prefixes `/api/v2` and `/index.php/api/v2`), and logs, metrics, errors,
 * the sandbox's counters, the bench, the soak and the tests name them by these templates.
 */
export const ISPRING_ENDPOINTS = Object.freeze({
  /** Client credentials for a bearer token (token mode). */
  token: 'POST /api/v3/token',
  /** Served by the sandbox (the older form); the subgraph reads `userV2`. */
  user: 'GET /user/{userId}',
  /** One user by id: the last of the user lookup forms (`ISPRING_USER_LOOKUP=single`). */
  userV2: 'GET /user/{userId}/v2',
  /** Served by the sandbox; the subgraph does not read it. */
  userList: 'GET /user',
  /** Served by the sandbox; the subgraph does not read it. */
  userListV2: 'GET /user/v2',
  /** Served by the sandbox; the subgraph does not read it. */
  users: 'GET /users',
  /**
   * Users by id (`userIds[]`), the credential check (`pageSize=1`), and every user page by page
   * (`pageSize`, `pageToken`) for the directory listing.
   */
  usersV2: 'GET /users/v2',
  /** Users by id in an XML body, for tenants whose GET ignores `userIds[]`. */
  usersV2ByPost: 'POST /users/v2',
  /** Every department, in one answer. */
  departmentList: 'GET /department',
  department: 'GET /department/{departmentId}',
  /** Served by the sandbox (paged); the subgraph reads `departmentList`. */
  departments: 'GET /departments',
  /** Every group, in one answer. */
  groupList: 'GET /group',
  group: 'GET /group/{groupId}',
  /** Served by the sandbox (paged); the subgraph reads `groupList`. */
  groups: 'GET /groups',
});

export type IspringEndpoint = (typeof ISPRING_ENDPOINTS)[keyof typeof ISPRING_ENDPOINTS];
