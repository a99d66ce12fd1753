import type { DepartmentModel, GroupModel, ProviderName, UserModel } from '../models.js';
import type { UserFilter } from './index-store.js';

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
  /** Ids that match (best first, `ranked`), or with no query every user that passes, in display-name order. */
  searchUsers(query: string | undefined, filter: UserFilter): { ids: string[]; ranked: boolean };
  directReports(id: string): string[];
  departmentMembers(id: string, includeSubdepartments: boolean): string[];
  groupMembers(id: string): string[];
  children(id: string): DepartmentModel[];
  departments(provider?: ProviderName): DepartmentModel[];
  groups(provider?: ProviderName): GroupModel[];
}
