import type { DepartmentModel, GroupModel, ProviderName, UserModel } from '../models.js';
import type { UserFilter, UserSearchResult } from './index-store.js';

/**
 * What the directory's resolvers ask (schema `directory.graphql`): the index's answers, in the
 * orders the schema promises. `Directory` answers from its index; the bench's baseline answers the
 * same questions from plain arrays, to measure the index against.
 */
export interface DirectoryQueries {
  /** Throws `DirectoryUnavailableError` (or `ProviderNotConfiguredError`) unless it can answer for each. */
  requireReady(providers: readonly ProviderName[]): void;
  /** The providers it serves. */
  providers(): ProviderName[];
  user(id: string): UserModel | undefined;
  /** A user's place in display-name order (folded name, then id), for key-paged lists. */
  sortKeyOf(id: string): string | undefined;
  /**
   * With a query, the ids that match and pass `filter`, best first; without one, every user that
   * passes it, in display-name order, as sort keys (`<folded display name>\u0000<id>`): a list of
   * every user, read without copying.
   */
  searchUsers(query: string | undefined, filter: UserFilter): UserSearchResult;
  directReports(id: string): string[];
  departmentMembers(id: string, includeSubdepartments: boolean): string[];
  groupMembers(id: string): string[];
  children(id: string): DepartmentModel[];
  departments(provider?: ProviderName): readonly DepartmentModel[];
  groups(provider?: ProviderName): readonly GroupModel[];
  /** The id of the person with this normalised email (`normaliseEmail`). */
  personIdOf(normalisedEmail: string): string;
  /** The users with this normalised email, in account order (THRIVE first, then ISPRING, then by id). */
  usersWithEmail(normalisedEmail: string): string[];
  /** The normalised email of the person with this id, when some user has it. */
  personEmail(personId: string): Promise<string | undefined>;
}
