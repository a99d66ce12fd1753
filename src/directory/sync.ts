import { setImmediate as nextTurn } from 'node:timers/promises';
import { toGlobalId } from '../ids.js';
import type { ProviderName, UserModel } from '../models.js';
import type { DirectoryProvider } from '../providers/types.js';
import type { DirectoryIndex, PreparedUser } from './index-store.js';
import type { DirectoryObserver } from './observer.js';

/**
 * Keeps one provider's part of the index fresh (README, "The directory"):
 *
 * - a **full sync** at start and every `fullSyncMs`: every user page, every department and group,
 *   read whole before anything is applied. One that fails part-way, or that would remove more than
 *   half of the provider's users, changes nothing: the index keeps answering from the previous
 *   sync and the state is `degraded` until a full sync succeeds (retried sooner than the period);
 * - **polling** every `pollMs` where the user list takes `updatedSince` (Thrive), applying the
 *   users changed since the last sync or poll; if the provider turns out to ignore the filter
 *   (it answers with users not changed since), polling stops for good, said once;
 * - **changes** that webhooks name: those users are read again by id (the live path, after their
 *   cached entries are dropped) and put into the index, or removed when the provider no longer has
 *   them. Changes are applied one at a time per provider, each from a read made after the
 *   delivery came, so a replayed or late delivery cannot bring back an older state.
 *
 * Every record carries the time its read was sent; a write never replaces a newer read of the same
 * user, and a full sync removes only users read before it started.
 */

export interface ProviderSyncSettings {
  readonly fullSyncMs: number;
  readonly pollMs: number;
}

export interface ProviderSyncOptions {
  readonly index: DirectoryIndex;
  readonly observer: DirectoryObserver;
  /** Drops the cross-request cache's entries of these users (global ids) before they are re-read. */
  readonly invalidateUsers?: ((ids: readonly string[]) => Promise<void>) | undefined;
  /** `Date.now()` unless a test says otherwise. */
  readonly now?: () => number;
  /** Something changed in the index (users, departments or groups). */
  readonly onChange?: () => void;
  /** Users a full sync or poll puts into the index per turn of the event loop (`APPLY_BATCH`). */
  readonly applyBatch?: number;
  /**
   * The sync's state changed (a full sync or poll applied, failed or was refused; polling
   * stopped): the shared directory publishes it, so that every process answers alike.
   */
  readonly onState?: (state: SharedSyncState) => void;
}

/** What one process's sync of a provider tells the others (`replica.ts`), and adopts from them. */
export interface SharedSyncState {
  readonly ready: boolean;
  readonly state: SyncState;
  readonly problem: string | null;
  readonly lastFullSyncAt: number | null;
  readonly lastChangeAt: number | null;
  readonly confirmedAt: number | null;
  readonly catalogReadAt: number | null;
  readonly polling: 'on' | 'off' | 'stopped';
}

export type SyncState = 'syncing' | 'ready' | 'degraded';

export interface ProviderSyncStatus {
  readonly provider: ProviderName;
  /** `syncing` until the first full sync is applied; `degraded` while the last one failed or was refused. */
  readonly state: SyncState;
  /** True once a full sync has been applied: the index answers for this provider. */
  readonly ready: boolean;
  readonly users: number;
  readonly lastFullSyncAt: string | null;
  readonly lastChangeAt: string | null;
  /** Polling `updatedSince`: on, off (the provider has no such filter), or stopped (ignored). */
  readonly polling: 'on' | 'off' | 'stopped';
  /** Why the state is `degraded`, when it is. */
  readonly problem: string | null;
  /** The time as of which the whole provider is known current (a full sync's or poll's start). */
  readonly confirmedAt: number | null;
  /** When the departments and groups were last read whole. */
  readonly catalogReadAt: number | null;
}

/** A full sync stops at this many user pages (a provider whose paging never ends). */
export const MAX_USER_PAGES = 10_000;
/** A poll asks for users changed since its previous start less this, for clocks that disagree. */
export const POLL_OVERLAP_MS = 60_000;
/**
 * A full sync or poll puts this many users into the index, then lets the event loop run (queries,
 * health probes, webhooks) before the next batch. Putting a user costs some tens of microseconds
 * (its search entry above all): 100,000 users at once held the event loop for over 3 s, long
 * enough for a liveness probe to give up on the process.
 */
export const APPLY_BATCH = 1000;
/** After a failed full sync, the next try comes after this (doubling up to the full-sync period). */
const FIRST_RETRY_MS = 5_000;

export class ProviderSync {
  readonly #provider: DirectoryProvider;
  readonly #settings: ProviderSyncSettings;
  readonly #options: ProviderSyncOptions;
  readonly #now: () => number;

  #state: SyncState = 'syncing';
  #ready = false;
  #problem: string | null = null;
  #lastFullSyncAt: number | null = null;
  #lastChangeAt: number | null = null;
  #confirmedAt: number | null = null;
  #catalogReadAt: number | null = null;
  #polling: 'on' | 'off' | 'stopped';
  #retryMs = FIRST_RETRY_MS;
  /** True while `#problem` is the shared directory's, not a sync's. */
  #sharedProblem = false;

  #fullSyncTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** Full syncs and polls: one at a time, in order. */
  #syncs: Promise<unknown> = Promise.resolve();
  /**
   * Webhook changes: one at a time, in order, but never behind a full sync (a vendor expects its
   * answer within seconds; a large tenant's full sync takes longer). A change applied while a full
   * sync runs is newer than that sync's reads, which therefore do not replace or remove it.
   */
  #changes: Promise<unknown> = Promise.resolve();
  #fullSyncRunning: Promise<boolean> | undefined;

  constructor(provider: DirectoryProvider, settings: ProviderSyncSettings, options: ProviderSyncOptions) {
    this.#provider = provider;
    this.#settings = settings;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#polling = provider.listing.supportsUpdatedSince ? 'on' : 'off';
  }

  get provider(): ProviderName {
    return this.#provider.name;
  }

  status(): ProviderSyncStatus {
    const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString());
    return {
      provider: this.#provider.name,
      state: this.#state,
      ready: this.#ready,
      users: this.#options.index.userCount(this.#provider.name),
      lastFullSyncAt: iso(this.#lastFullSyncAt),
      lastChangeAt: iso(this.#lastChangeAt),
      polling: this.#polling,
      problem: this.#problem,
      confirmedAt: this.#confirmedAt,
      catalogReadAt: this.#catalogReadAt,
    };
  }

  /**
   * What by-id reads need of the status, on every operation's path: whether the index answers, and
   * since when the provider and its catalog are known current.
   */
  freshness(): {
    readonly ready: boolean;
    readonly confirmedAt: number | null;
    readonly catalogReadAt: number | null;
  } {
    return { ready: this.#ready, confirmedAt: this.#confirmedAt, catalogReadAt: this.#catalogReadAt };
  }

  /**
   * Starts the first full sync after `firstFullSyncInMs` (now by default), and the timers after
   * it. A process that takes the shared directory over starts where the last holder left off.
   */
  start(firstFullSyncInMs = 0): void {
    this.#stopped = false;
    clearTimeout(this.#fullSyncTimer);
    clearTimeout(this.#pollTimer);
    if (firstFullSyncInMs <= 0) void this.#runFullSyncAndSchedule();
    else {
      this.#fullSyncTimer = setTimeout(() => void this.#runFullSyncAndSchedule(), firstFullSyncInMs);
      this.#fullSyncTimer.unref();
    }
    this.#schedulePoll();
  }

  /** What the other processes need of this sync's state (`replica.ts`). */
  sharedState(): SharedSyncState {
    return {
      ready: this.#ready,
      state: this.#state,
      problem: this.#problem,
      lastFullSyncAt: this.#lastFullSyncAt,
      lastChangeAt: this.#lastChangeAt,
      confirmedAt: this.#confirmedAt,
      catalogReadAt: this.#catalogReadAt,
      polling: this.#polling,
    };
  }

  /**
   * Takes the state the process that syncs published (a process that does not sync itself). The
   * index already holds what that state describes: the shared directory adopts a state only after
   * the changes before it.
   */
  adoptState(shared: SharedSyncState): void {
    this.#ready = shared.ready;
    this.#state = shared.state;
    this.#problem = shared.problem;
    this.#lastFullSyncAt = shared.lastFullSyncAt;
    this.#lastChangeAt = Math.max(this.#lastChangeAt ?? 0, shared.lastChangeAt ?? 0) || null;
    this.#confirmedAt = shared.confirmedAt;
    this.#catalogReadAt = shared.catalogReadAt;
    if (this.#polling !== 'off') this.#polling = shared.polling;
  }

  /** Says `degraded` for a reason of the shared directory's (Redis out of reach), or clears it. */
  setSharedProblem(problem: string | null): void {
    if (problem !== null) {
      this.#problem = problem;
      this.#state = 'degraded';
    } else if (this.#problem !== null && this.#sharedProblem) {
      this.#problem = null;
      this.#state = this.#ready ? 'ready' : 'syncing';
    }
    this.#sharedProblem = problem !== null;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#fullSyncTimer);
    clearTimeout(this.#pollTimer);
  }

  /** Runs a full sync now (or joins the one running). True when it was applied. */
  fullSync(): Promise<boolean> {
    this.#fullSyncRunning ??= this.#enqueue('syncs', () => this.#fullSync()).finally(
      () => (this.#fullSyncRunning = undefined),
    );
    return this.#fullSyncRunning;
  }

  /** Runs a poll now. True when it was applied. */
  poll(): Promise<boolean> {
    return this.#enqueue('syncs', () => this.#poll());
  }

  /** Reads these users (the provider's own ids) again and applies what came; false if they could not be read. */
  usersChanged(externalIds: readonly string[]): Promise<boolean> {
    return this.#enqueue('changes', () => this.#applyChange(externalIds));
  }

  /** Users read live (the by-id path), put into the index if it holds a provider view already. */
  recordLiveRead(found: readonly UserModel[], missing: readonly string[], fetchedAt: number): void {
    if (!this.#ready) return;
    const index = this.#options.index;
    const changed = index.putUsers(found, fetchedAt) + index.removeUsers(missing, fetchedAt);
    if (changed > 0) this.#changed();
  }

  // ---------------------------------------------------------------------------------------------

  #enqueue<T>(queue: 'syncs' | 'changes', work: () => Promise<T>): Promise<T> {
    const before = queue === 'syncs' ? this.#syncs : this.#changes;
    const run = before.then(work, work);
    if (queue === 'syncs') this.#syncs = run.catch(() => undefined);
    else this.#changes = run.catch(() => undefined);
    return run;
  }

  async #runFullSyncAndSchedule(): Promise<void> {
    const applied = await this.fullSync();
    if (this.#stopped) return;
    const delay = applied ? this.#settings.fullSyncMs : Math.min(this.#retryMs, this.#settings.fullSyncMs);
    this.#retryMs = applied ? FIRST_RETRY_MS : Math.min(this.#retryMs * 2, this.#settings.fullSyncMs);
    this.#fullSyncTimer = setTimeout(() => void this.#runFullSyncAndSchedule(), delay);
    this.#fullSyncTimer.unref();
  }

  #schedulePoll(): void {
    if (this.#polling !== 'on' || this.#stopped) return;
    this.#pollTimer = setTimeout(async () => {
      // A poll before the first full sync has nothing to add to.
      if (this.#ready) await this.poll();
      this.#schedulePoll();
    }, this.#settings.pollMs);
    this.#pollTimer.unref();
  }

  async #fullSync(): Promise<boolean> {
    const { index, observer } = this.#options;
    const provider = this.#provider.name;
    const startedAt = this.#now();
    let pages = 0;
    let users: PreparedUser[];
    let catalog: Awaited<ReturnType<ProviderSync['readCatalog']>>;
    try {
      const read = await this.#readUsers(undefined);
      users = read.users;
      pages += read.pages;
      catalog = await this.readCatalog();
      pages += 2;
    } catch (error) {
      this.#fail(`the last full sync failed: ${messageOf(error)}`);
      observer.syncFailed({ provider, kind: 'full', error: asError(error) });
      this.#stateChanged();
      return false;
    }

    const incoming = new Set(users.map((user) => user.id));
    const held = index.userIdsOf(provider);
    const leaving = held.filter((id) => !incoming.has(id));
    if (this.#ready && leaving.length > held.length / 2) {
      this.#fail(
        `the last full sync was refused: it would have removed ${leaving.length} of ${held.length} users (more than half)`,
      );
      observer.syncRefused({ provider, usersBefore: held.length, usersAfter: incoming.size });
      this.#stateChanged();
      return false;
    }

    const catalogChanges = index.replaceCatalog(provider, catalog.departments, catalog.groups);
    const changes =
      catalogChanges.departments +
      catalogChanges.groups +
      (await this.#putInBatches(users, startedAt)) +
      index.removeUsers(leaving, startedAt);
    await index.settle(nextTurn);
    this.#ready = true;
    this.#state = 'ready';
    this.#problem = null;
    this.#sharedProblem = false;
    this.#lastFullSyncAt = this.#now();
    this.#confirmedAt = startedAt;
    this.#catalogReadAt = startedAt;
    if (changes > 0) this.#changed();
    this.#stateChanged();
    observer.synced({
      provider,
      kind: 'full',
      durationMs: this.#now() - startedAt,
      pages,
      changes,
      users: index.userCount(provider),
    });
    return true;
  }

  /**
   * Puts users into the index `APPLY_BATCH` at a time, letting the event loop run between batches.
   * Between two batches the index answers with some users of this read and some of the previous
   * one, each whole; a read newer than this one (a webhook's, a live read's) is never replaced.
   */
  async #putInBatches(users: readonly PreparedUser[], fetchedAt: number): Promise<number> {
    const batch = this.#options.applyBatch ?? APPLY_BATCH;
    let changes = 0;
    for (let at = 0; at < users.length; at += batch) {
      if (at > 0) await nextTurn();
      changes += this.#options.index.putUsers(users.slice(at, at + batch), fetchedAt);
    }
    return changes;
  }

  /** The departments and groups, whole. */
  async readCatalog() {
    const [departments, groups] = await Promise.all([
      this.#provider.listing.readAllDepartments(),
      this.#provider.listing.readAllGroups(),
    ]);
    return { departments, groups };
  }

  async #poll(): Promise<boolean> {
    if (this.#polling !== 'on' || !this.#ready || this.#confirmedAt === null) return false;
    const { index, observer } = this.#options;
    const provider = this.#provider.name;
    const startedAt = this.#now();
    const since = new Date(this.#confirmedAt - POLL_OVERLAP_MS).toISOString();
    let read: Awaited<ReturnType<ProviderSync['readUsersSince']>>;
    try {
      read = await this.readUsersSince(since);
    } catch (error) {
      observer.syncFailed({ provider, kind: 'poll', error: asError(error) });
      return false;
    }
    if (read.ignored) {
      this.#polling = 'stopped';
      observer.pollingStopped({
        provider,
        reason: `its user list answered updatedSince=${since} with users not changed since then; full syncs alone keep the directory fresh`,
      });
      this.#stateChanged();
      return false;
    }
    const changes = await this.#putInBatches(read.users, startedAt);
    this.#confirmedAt = startedAt;
    if (changes > 0) this.#changed();
    this.#stateChanged();
    observer.synced({
      provider,
      kind: 'poll',
      durationMs: this.#now() - startedAt,
      pages: read.pages,
      changes,
      users: index.userCount(provider),
    });
    return true;
  }

  /** Users changed since `since`, and whether the provider ignored the filter. */
  async readUsersSince(since: string) {
    const read = await this.#readUsers(since);
    return { users: read.users, pages: read.pages, ignored: read.ignoredUpdatedSince };
  }

  async #readUsers(updatedSince: string | undefined) {
    const users: PreparedUser[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let ignoredUpdatedSince = false;
    do {
      if (pages >= MAX_USER_PAGES) {
        throw new Error(`the user list had more than ${MAX_USER_PAGES} pages; stopped reading it`);
      }
      const page = await this.#provider.listing.readUsersPage(
        cursor,
        updatedSince === undefined ? {} : { updatedSince },
      );
      pages += 1;
      for (const user of this.#options.index.prepare(page.users)) users.push(user);
      if (page.ignoredUpdatedSince) ignoredUpdatedSince = true;
      cursor = page.next;
    } while (cursor !== null && !ignoredUpdatedSince);
    return { users, pages, ignoredUpdatedSince };
  }

  async #applyChange(externalIds: readonly string[]): Promise<boolean> {
    const { index, observer } = this.#options;
    const provider = this.#provider.name;
    const ids = [...new Set(externalIds)];
    if (ids.length === 0) return true;
    const globalIds = ids.map((id) => toGlobalId(provider, id));
    const startedAt = this.#now();
    try {
      await this.#options.invalidateUsers?.(globalIds);
      const session = this.#provider.openSession();
      const found: UserModel[] = [];
      const missing: string[] = [];
      for (let start = 0; start < ids.length; start += this.#provider.userBatchSize) {
        const batch = ids.slice(start, start + this.#provider.userBatchSize);
        const read = await session.fetchUsers(batch);
        for (const id of batch) {
          const value = read.get(id);
          if (value === undefined) missing.push(toGlobalId(provider, id));
          else if (value instanceof Error) throw value;
          else found.push(value);
        }
      }
      const changes = index.putUsers(found, startedAt) + index.removeUsers(missing, startedAt);
      if (changes > 0) this.#changed();
      observer.synced({
        provider,
        kind: 'change',
        durationMs: this.#now() - startedAt,
        pages: 0,
        changes,
        users: index.userCount(provider),
      });
      return true;
    } catch (error) {
      observer.changeFailed({ provider, error: asError(error) });
      return false;
    }
  }

  #stateChanged(): void {
    this.#options.onState?.(this.sharedState());
  }

  #changed(): void {
    this.#lastChangeAt = this.#now();
    this.#options.onChange?.();
  }

  #fail(problem: string): void {
    this.#problem = problem;
    // Also before the first sync applied: `ready` false says the index does not answer yet.
    this.#state = 'degraded';
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
