import { DirectoryUnavailableError, ProviderError, ProviderNotConfiguredError } from '../errors.js';
import { toGlobalId } from '../ids.js';
import type { DepartmentModel, GroupModel, ProviderName, UserModel } from '../models.js';
import { labelOf } from '../provider-facts.js';
import type { DirectoryProvider, ProviderRegistry, ProviderSession } from '../providers/types.js';
import { DirectoryIndex, type UserFilter, type UserSearchResult } from './index-store.js';
import type { PersonIds } from './person-ids.js';
import { DirectoryReplica, type ReplicaSettings, type ReplicaStatus } from './replica.js';
import type { DirectoryQueries } from './queries.js';
import { SILENT_DIRECTORY_OBSERVER, type DirectoryObserver } from './observer.js';
import { ProviderSync, type ProviderSyncStatus } from './sync.js';

/**
 * The directory (README, "The directory"): the index, one sync per provider, and the two ways the
 * rest of the subgraph reads it: the directory's own queries (`requireReady`, then `index`), and
 * the by-id reads of every operation, answered from the index where its entries are fresh enough
 * (`session`).
 */

export type DirectoryMode = 'index' | 'live';

export interface DirectorySettings {
  /** `DIRECTORY`: `index` keeps the index; `live` turns the directory's queries off. */
  readonly mode: DirectoryMode;
  /** `DIRECTORY_FULL_SYNC_SECONDS` */
  readonly fullSyncSeconds: number;
  /** `DIRECTORY_POLL_SECONDS` */
  readonly pollSeconds: number;
  /**
   * The directory shared through Redis (`DIRECTORY_REDIS_URL`, else `CACHE_REDIS_URL`; the cache's
   * prefix; `DIRECTORY_LEASE_SECONDS`); absent: each process keeps and syncs its own.
   */
  readonly shared?: ReplicaSettings | undefined;
}

/** How old an index entry may be and still answer a by-id read: the cache's TTLs, in seconds. */
export interface IndexAnswerAges {
  readonly users: number;
  readonly departments: number;
  readonly groups: number;
}

export const DIRECTORY_DEFAULTS: DirectorySettings = Object.freeze({
  mode: 'index',
  fullSyncSeconds: 900,
  pollSeconds: 60,
});

export interface DirectoryOptions {
  /** Makes person ids from normalised emails (`person-ids.ts`). */
  readonly personIds: PersonIds;
  readonly observer?: DirectoryObserver | undefined;
  /** Drops the cross-request cache's entries of these users (global ids). */
  readonly invalidateUsers?: ((ids: readonly string[]) => Promise<void>) | undefined;
  readonly now?: () => number;
}

export class Directory implements DirectoryQueries {
  readonly index: DirectoryIndex;
  readonly #personIds: PersonIds;
  readonly #settings: DirectorySettings;
  readonly #ages: IndexAnswerAges;
  readonly #syncs = new Map<ProviderName, ProviderSync>();
  readonly #now: () => number;
  /** Bumped on every change of the index, for whoever keeps something derived from it. */
  #version = 0;
  /** With `shared` settings: the directory shared through Redis. */
  readonly #replica: DirectoryReplica | undefined;

  constructor(
    providers: ProviderRegistry,
    settings: DirectorySettings,
    ages: IndexAnswerAges,
    options: DirectoryOptions,
  ) {
    this.#personIds = options.personIds;
    this.index = new DirectoryIndex({ personIdOf: (email) => options.personIds.idOf(email) });
    this.#settings = settings;
    this.#ages = ages;
    this.#now = options.now ?? Date.now;
    if (settings.mode === 'live') return;
    for (const [name, provider] of providers) {
      this.#syncs.set(
        name,
        new ProviderSync(
          provider,
          { fullSyncMs: settings.fullSyncSeconds * 1000, pollMs: settings.pollSeconds * 1000 },
          {
            index: this.index,
            observer: options.observer ?? SILENT_DIRECTORY_OBSERVER,
            invalidateUsers: options.invalidateUsers,
            now: this.#now,
            onChange: () => (this.#version += 1),
            onState: (state) => this.#replica?.publishState(name, state),
          },
        ),
      );
    }
    this.#replica =
      settings.shared &&
      new DirectoryReplica(settings.shared, {
        index: this.index,
        syncs: this.#syncs,
        fullSyncMs: settings.fullSyncSeconds * 1000,
        onChange: () => (this.#version += 1),
        observer: options.observer ?? SILENT_DIRECTORY_OBSERVER,
        now: this.#now,
      });
  }

  get mode(): DirectoryMode {
    return this.#settings.mode;
  }

  get version(): number {
    return this.#version;
  }

  /**
   * Starts every provider's first full sync, in the background, and the timers; with the shared
   * directory, loads what Redis holds and syncs only while this process holds the lease.
   */
  start(): void {
    if (this.#replica) this.#replica.start();
    else for (const sync of this.#syncs.values()) sync.start();
  }

  async stop(): Promise<void> {
    for (const sync of this.#syncs.values()) sync.stop();
    await this.#replica?.stop();
  }

  /** The shared directory's state (`/health/ready`, `/metrics`); undefined without one. */
  replicaStatus(): ReplicaStatus | undefined {
    return this.#replica?.status();
  }

  /** Each provider's index, for `/health/ready` and `/metrics`. */
  status(): ProviderSyncStatus[] {
    return [...this.#syncs.values()].map((sync) => sync.status());
  }

  /** A provider's sync (tests and webhooks drive it). */
  sync(provider: ProviderName): ProviderSync | undefined {
    return this.#syncs.get(provider);
  }

  /**
   * Throws unless the directory can answer for every one of `providers`: `DIRECTORY_DISABLED` in
   * live mode, `DIRECTORY_NOT_READY` (naming the first) while a first full sync is missing.
   */
  requireReady(providers: readonly ProviderName[]): void {
    if (this.#settings.mode === 'live') {
      throw new DirectoryUnavailableError(
        'DIRECTORY_DISABLED',
        'The directory is off on this subgraph (DIRECTORY=live): search, lists and reverse lookups are not available; by-id reads work as before.',
      );
    }
    for (const provider of providers) {
      const sync = this.#syncs.get(provider);
      if (!sync) throw new ProviderNotConfiguredError(provider);
      if (sync.freshness().ready) continue;
      const status = sync.status();
      throw new DirectoryUnavailableError(
        'DIRECTORY_NOT_READY',
        `The directory has not finished its first full sync of ${labelOf(provider)} yet${status.problem ? ` (${status.problem})` : ''}; try again shortly. By-id reads work meanwhile.`,
        provider,
      );
    }
  }

  /** The providers the directory serves. */
  providers(): ProviderName[] {
    return [...this.#syncs.keys()];
  }

  // The questions of the directory's resolvers, answered by the index.
  user(id: string): UserModel | undefined {
    return this.index.user(id)?.user;
  }
  sortKeyOf(id: string): string | undefined {
    return this.index.sortKeyOf(id);
  }
  searchUsers(query: string | undefined, filter: UserFilter): UserSearchResult {
    return this.index.searchUsers(query, filter);
  }
  directReports(id: string): string[] {
    return this.index.directReports(id);
  }
  departmentMembers(id: string, includeSubdepartments: boolean): string[] {
    return this.index.departmentMembers(id, includeSubdepartments);
  }
  groupMembers(id: string): string[] {
    return this.index.groupMembers(id);
  }
  children(id: string): DepartmentModel[] {
    return this.index.children(id);
  }
  departments(provider?: ProviderName): readonly DepartmentModel[] {
    return this.index.departments(provider);
  }
  groups(provider?: ProviderName): readonly GroupModel[] {
    return this.index.groups(provider);
  }
  personIdOf(normalisedEmail: string): string {
    return this.#personIds.idOf(normalisedEmail);
  }
  usersWithEmail(normalisedEmail: string): string[] {
    return this.index.usersWithEmail(normalisedEmail);
  }
  personEmail(personId: string): Promise<string | undefined> {
    return this.index.personEmail(personId);
  }

  /** A webhook named these users (the provider's own ids): read them again and apply; false if they could not be read. */
  usersChanged(provider: ProviderName, externalIds: readonly string[]): Promise<boolean> {
    return this.#syncs.get(provider)?.usersChanged(externalIds) ?? Promise.resolve(false);
  }

  /**
   * The session of one operation for `provider`: users, departments and groups come from the index
   * while their entries are younger than the cache's TTLs (`ages`), and so does their absence while
   * the whole provider is known current within that time (its last full sync or poll); the rest is
   * read through `inner`, and users read that way refresh the index.
   */
  session(provider: DirectoryProvider, inner: ProviderSession): ProviderSession {
    const sync = this.#syncs.get(provider.name);
    if (!sync) return inner;
    const name = provider.name;
    const index = this.index;
    const now = this.#now;
    /** Read at `readAt`, younger than `maxAgeSeconds` at `at`. */
    const fresh = (readAt: number | null | undefined, maxAgeSeconds: number, at = now()) =>
      maxAgeSeconds > 0 && readAt !== null && readAt !== undefined && at - readAt < maxAgeSeconds * 1000;
    const catalogFresh = (maxAgeSeconds: number) => {
      const status = sync.freshness();
      return status.ready && fresh(status.catalogReadAt, maxAgeSeconds);
    };
    const ages = this.#ages;
    /**
     * What the index answers for a user now: the user while its entry is fresh enough, null (not
     * found) for an id it lacks while the whole provider is known current within the users' TTL
     * (as the cache keeps a "not found"), undefined when only a live read can tell.
     */
    const fromIndex = (
      id: string,
      status: ReturnType<ProviderSync['freshness']>,
      at: number,
    ): UserModel | null | undefined => {
      if (!status.ready) return undefined;
      const held = index.user(toGlobalId(name, id));
      if (held)
        return fresh(Math.max(held.fetchedAt, status.confirmedAt ?? 0), ages.users, at)
          ? held.user
          : undefined;
      return fresh(status.confirmedAt, ages.users, at) ? null : undefined;
    };

    return {
      async fetchUsers(ids) {
        const status = sync.freshness();
        const at = now();
        const answered = new Map<string, UserModel | ProviderError>();
        const live: string[] = [];
        for (const id of ids) {
          const known = fromIndex(id, status, at);
          if (known === undefined) live.push(id);
          else if (known !== null) answered.set(id, known);
        }
        if (live.length === 0) return answered;
        const startedAt = now();
        const read = await inner.fetchUsers(live);
        const found: UserModel[] = [];
        const missing: string[] = [];
        for (const id of live) {
          const value = read.get(id);
          if (value === undefined) missing.push(toGlobalId(name, id));
          else {
            answered.set(id, value);
            if (!(value instanceof ProviderError)) found.push(value);
          }
        }
        sync.recordLiveRead(found, missing, startedAt);
        return answered;
      },
      async fetchDepartment(id) {
        // The index holds the whole list: an id it lacks is one the provider lacks.
        if (catalogFresh(ages.departments)) return index.department(toGlobalId(name, id)) ?? null;
        return inner.fetchDepartment(id);
      },
      async listDepartments(): Promise<readonly DepartmentModel[]> {
        return catalogFresh(ages.departments) ? index.departments(name) : inner.listDepartments();
      },
      async fetchGroup(id) {
        // The index holds the whole list: an id it lacks is one the provider lacks.
        if (catalogFresh(ages.groups)) return index.group(toGlobalId(name, id)) ?? null;
        return inner.fetchGroup(id);
      },
      async listGroups(): Promise<readonly GroupModel[]> {
        return catalogFresh(ages.groups) ? index.groups(name) : inner.listGroups();
      },
      peekUser(id) {
        const known = fromIndex(id, sync.freshness(), now());
        return known !== undefined ? known : inner.peekUser?.(id);
      },
      peekDepartment: (id) =>
        catalogFresh(ages.departments)
          ? (index.department(toGlobalId(name, id)) ?? null)
          : inner.peekDepartment?.(id),
      peekGroup: (id) =>
        catalogFresh(ages.groups) ? (index.group(toGlobalId(name, id)) ?? null) : inner.peekGroup?.(id),
      peekDepartmentList: () =>
        catalogFresh(ages.departments) ? index.departments(name) : inner.peekDepartmentList?.(),
      peekGroupList: () => (catalogFresh(ages.groups) ? index.groups(name) : inner.peekGroupList?.()),
    };
  }
}
