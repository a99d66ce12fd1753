import type { DepartmentModel, GroupModel, ProviderName, UserModel } from '../models.js';
import type { ProviderError } from '../errors.js';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { SecretRedactor } from '../redaction.js';
import type { UpstreamCaller, UpstreamObserver } from './observer.js';
import type { ResilienceClock } from './resilience/index.js';

/**
 * The one interface every provider implements. Loaders use it without knowing which provider
 * they talk to; a third provider is one more folder that implements it.
 *
 * All ids here are the provider's own ids (already validated against its alphabet); the models
 * returned carry global ids. Every method throws `ProviderError` for a failure that covers the
 * whole call; "not found" is never an error.
 */
export interface DirectoryProvider {
  readonly name: ProviderName;

  /**
   * The most users one `fetchUsers` call should be given (the user loader splits a round into
   * calls of at most this many, answered together). For a
   * provider with a bulk endpoint this is the ids per request; for one without, it bounds how
   * many single-user requests one batch starts.
   */
  readonly userBatchSize: number;

  /**
   * Starts the view of this provider that one GraphQL operation uses. Its upstream requests,
   * retries included, end by the operation's deadline.
   */
  openSession(options?: SessionOptions): ProviderSession;

  /** Checks that the provider answers and accepts our credentials (health checks, start-up). */
  checkCredentials(): Promise<void>;

  /**
   * True when departments and groups come from one list (Thrive's audiences): an operation that
   * needs more than one of either, in all, reads that list once rather than each by id.
   */
  readonly sharesOneCatalog: boolean;

  /**
   * What a department id that the provider does not know stands for: null (iSpring), or a
   * department known only by its id (Thrive, whose organisational units have no endpoint of their
   * own: a unit is named only when an audience has its id).
   */
  unknownDepartment(id: string): DepartmentModel | null;

  /** Every record of the provider, for the directory index (`src/directory/`). */
  readonly listing: ProviderListing;
}

/**
 * A provider's whole content, read through its list endpoints with the same client, resilience and
 * decoding as every other read. Each call is one upstream request (with its retries, within its own
 * `UPSTREAM_DEADLINE_MS`), except where a list does not tell everything and by-id reads complete
 * it. A page or list that cannot be read is a `ProviderError`, never an empty answer.
 */
export interface ProviderListing {
  /**
   * One page of users: `cursor` null for the first; the page's `next` is the cursor of the page
   * after it, null after the last. Cursors are the provider's own (a page token, a page number).
   * `updatedSince` (ISO 8601) asks only for users changed on or after it, where
   * `supportsUpdatedSince`.
   */
  readUsersPage(cursor: string | null, options?: { readonly updatedSince?: string }): Promise<UserListPage>;
  /** True when the user list takes `updatedSince` (Thrive's `GET /users`). */
  readonly supportsUpdatedSince: boolean;
  /** Every department, each whole (its parent known). */
  readAllDepartments(): Promise<readonly DepartmentModel[]>;
  /** Every group, each whole (its parent known). */
  readAllGroups(): Promise<readonly GroupModel[]>;
}

export interface UserListPage {
  readonly users: readonly UserModel[];
  /** The next page's cursor; null after the last page. */
  readonly next: string | null;
  /**
   * Asked with `updatedSince`: true when the answer holds users not changed since then, so the
   * provider ignored the filter (and polling it is pointless).
   */
  readonly ignoredUpdatedSince?: boolean;
  /** How many users the whole list holds, when the provider says (Thrive's `totalResults`). */
  readonly totalUsers?: number;
}

/** What an operation tells the session it opens. */
export interface SessionOptions {
  /**
   * When the operation's time for upstream requests is up (`Date.now()` time); by default the
   * provider's configured deadline (`UPSTREAM_DEADLINE_MS`) from the opening of the session.
   */
  readonly deadline?: number | undefined;
  /** The GraphQL request the session works for (its requests' log lines carry its id). */
  readonly caller?: UpstreamCaller | undefined;
}

/**
 * A provider as one GraphQL operation sees it. A session may memoise list reads, so that one
 * operation reads each list at most once (README, batching); it holds nothing across operations.
 */
export interface ProviderSession {
  /**
   * Users by id. An id missing from the map does not exist. A value that is a `ProviderError` is a
   * failure of that id alone (providers without a bulk endpoint fetch ids one by one).
   */
  fetchUsers(ids: readonly string[]): Promise<ReadonlyMap<string, UserModel | ProviderError>>;

  /**
   * One department by id, whole (its parent known), or null when the provider has none with that
   * id. A list that tells everything may answer it; otherwise it is a read by id.
   */
  fetchDepartment(id: string): Promise<DepartmentModel | null>;
  /**
   * Every department, in one list read (memoised by the session). A list that does not tell
   * parents gives models with `parentUnknown`.
   */
  listDepartments(): Promise<readonly DepartmentModel[]>;

  fetchGroup(id: string): Promise<GroupModel | null>;
  listGroups(): Promise<readonly GroupModel[]>;

  // What the reads above would answer for one id without a request (from the cross-request cache,
  // or the directory index), now: the value, null for "there is none", or undefined when they
  // would have to ask. Optional: a session without a cache or index has nothing at hand. They let
  // a warm operation complete its fields without waiting (loaders/index.ts).
  peekUser?(id: string): UserModel | null | undefined;
  peekDepartment?(id: string): DepartmentModel | null | undefined;
  peekGroup?(id: string): GroupModel | null | undefined;
  /** The lists as `listDepartments` and `listGroups` would answer them without a request, now. */
  peekDepartmentList?(): readonly DepartmentModel[] | undefined;
  peekGroupList?(): readonly GroupModel[] | undefined;
}

/** The providers that are served, by name; a provider without credentials is absent. */
export type ProviderRegistry = ReadonlyMap<ProviderName, DirectoryProvider>;

/**
 * Where tokens are kept across requests: Apollo's cache interface, with `getNow` when the store can
 * answer without a promise (the in-memory cache can, Redis cannot), which every upstream request's
 * look at its token then uses (`TokenCache.usableNow`).
 */
export type TokenKeyValueCache = KeyValueCache<string> & { getNow?(key: string): string | undefined };

/** What every provider factory takes besides its own configuration. */
export interface ProviderOptions {
  /** Shared with the logger and the error formatter; issued tokens are added to it. */
  readonly redactor?: SecretRedactor | undefined;
  /** Keeps tokens across requests (the cross-request cache); without it, in the client. */
  readonly tokenStore?: TokenKeyValueCache | undefined;
  /** Time for retries, deadlines and the circuit breaker; tests pass their own. */
  readonly clock?: ResilienceClock | undefined;
  /** Hears every upstream request and breaker change (logs and metrics); silent without it. */
  readonly observer?: UpstreamObserver | undefined;
}
