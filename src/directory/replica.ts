import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { DepartmentModel, GroupModel, ProviderName, UserModel } from '../models.js';
import type { AppliedChange, DirectoryIndex } from './index-store.js';
import type { DirectoryObserver } from './observer.js';
import type { ProviderSync, SharedSyncState } from './sync.js';

/**
 * The directory shared through Redis (README, "The directory across replicas"): with
 * `DIRECTORY_REDIS_URL`, one process at a time holds a lease and runs the syncs and the polling;
 * every change any process makes to its index (a sync's, a webhook's re-read, a live read's) is
 * written to Redis and published on a stream; every process applies the others' changes to its
 * own index as they come, and a process that starts late or lost Redis for a while catches up from
 * Redis (the stream, or the snapshot when the stream no longer reaches back), not from the providers.
 *
 * What keeps it right:
 * - **Newest read wins, per user.** Every user carries the time of the read it came from, in
 *   Redis as in each index: a write never replaces a newer read, and a removal takes only users
 *   read before it (`index-store.ts`). So changes may be applied twice or late, in any process,
 *   and every process still ends with the same users.
 * - **Fencing.** The lease is `<fence>:<process>`, the fence a counter raised by every new holder.
 *   What only the holder may write (a catalog, a sync's state, a full sync's removals) is written
 *   by a script that first checks the lease is still exactly its own: a holder that was paused
 *   past its lease and wakes up cannot write over its successor.
 * - **Nothing is lost while Redis is away.** Each process keeps answering from its index and says
 *   `degraded`; users it changed meanwhile (a webhook's) wait in an outbox, written when Redis is
 *   back; the holder stops syncing (it cannot renew its lease), and whoever holds the lease next
 *   runs a full sync at once.
 *
 * Keys, under the prefix and `directory:<tenant>:` (`tenant`: which tenants): `lease`, `fence`,
 * `changes` (the stream), and per provider `<provider>:users` (a hash of `<read time>|<user JSON>`
 * by id), `<provider>:catalog` and `<provider>:state` (JSON).
 */

export interface ReplicaSettings {
  /** `DIRECTORY_REDIS_URL` */
  readonly url: string;
  /** Keys start with it (the cache's `CACHE_REDIS_PREFIX` by default). */
  readonly prefix: string;
  /** `DIRECTORY_LEASE_SECONDS`, in milliseconds: how long a silent holder keeps the lease. */
  readonly leaseMs: number;
  /** Redis commands that take longer fail (and the process says `degraded`). */
  readonly timeoutMs: number;
  /**
   * Which tenants this directory is of (`providersFingerprint`, filled in by the composition root
   * from the providers it serves): part of every key.
   */
  readonly tenant?: string | undefined;
}

export interface ReplicaStatus {
  /** This process, as the lease names it. */
  readonly process: string;
  readonly redis: 'up' | 'down';
  /** The process that holds the lease, as last seen (null: none, or Redis out of reach). */
  readonly leaseHolder: string | null;
  /** True when this process holds it (and runs the syncs). */
  readonly leader: boolean;
  /** The id of the last stream entry applied: the index version this process serves. */
  readonly version: string | null;
  /** How long after it was published the last entry applied was applied, in milliseconds. */
  readonly lagMs: number | null;
  /** Changes made here while Redis was away, still to be written. */
  readonly pending: number;
}

/** What the replica reports (logs and metrics). */
export type ReplicaObserver = Pick<DirectoryObserver, 'replicaEvent'>;

export interface ReplicaParts {
  readonly index: DirectoryIndex;
  readonly syncs: ReadonlyMap<ProviderName, ProviderSync>;
  /** `DIRECTORY_FULL_SYNC_SECONDS`, in milliseconds. */
  readonly fullSyncMs: number;
  /** Something changed in the index (from another process). */
  readonly onChange: () => void;
  readonly observer: ReplicaObserver;
  readonly now?: () => number;
}

/** Users per stream entry: a full sync of 100,000 changed users is 200 entries of some 500 kB. */
const USERS_PER_ENTRY = 500;
/** Stream entries kept (about): a process further behind than this loads the snapshot instead. */
const STREAM_LENGTH = 20_000;
/** Users put into the index per turn of the event loop while a snapshot loads. */
const SNAPSHOT_BATCH = 1000;
/** Changes kept while Redis is away; beyond it, the holder's full sync on Redis's return repairs. */
const MAX_OUTBOX_USERS = 200_000;
/**
 * The shared directory's keys live this long after the last holder renewed its lease: the
 * directory of a deployment gone (or of a sandbox run, each on its own ports) leaves Redis by itself.
 */
const RETENTION_SECONDS = 7 * 86_400;
/** How long the stream reader waits for new entries in one command. */
const BLOCK_MS = 1000;

/** A user as the stream and the users hash carry it: `[global id, read time, user JSON]`. */
type WireUser = [string, number, string];
/** A removal: `[global id, removed if read before this (null: whatever its read)]`. */
type WireRemoval = [string, number | null];

/** A stream entry's change. */
type WireChange =
  | { kind: 'users'; provider: ProviderName; put: WireUser[]; remove: WireRemoval[] }
  | {
      kind: 'catalog';
      provider: ProviderName;
      departments: readonly DepartmentModel[];
      groups: readonly GroupModel[];
    }
  | { kind: 'state'; provider: ProviderName; state: SharedSyncState };

// The scripts run atomically in Redis: a check and the writes it guards cannot be interleaved.

/** Takes or renews the lease. ARGV: process, lease ms. Returns the lease value held, or nil. */
const ACQUIRE = `
local held = redis.call('GET', KEYS[1])
if held then
  local owner = string.match(held, '^%d+:(.*)$')
  if owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return held
  end
  return false
end
local fence = redis.call('INCR', KEYS[2])
local value = fence .. ':' .. ARGV[1]
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return value`;

/** Gives the lease up if it is still ours. ARGV: lease value. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Writes one change and publishes it. KEYS: lease, stream, users hash, catalog, state.
 * ARGV: lease value ('' for a write any process may make), stream length, process, change JSON.
 * Users are written only over older reads; removals take only users read before theirs.
 */
const PUBLISH = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply("FENCED the lease is no longer this process's")
end
local change = cjson.decode(ARGV[4])
local function readAt(held) return tonumber(string.match(held, '^(%d+)|')) end
if change.kind == 'users' then
  for _, user in ipairs(change.put) do
    local held = redis.call('HGET', KEYS[3], user[1])
    if not held or readAt(held) <= user[2] then
      redis.call('HSET', KEYS[3], user[1], string.format('%d', user[2]) .. '|' .. user[3])
    end
  end
  for _, removal in ipairs(change.remove) do
    local held = redis.call('HGET', KEYS[3], removal[1])
    if held and (removal[2] == cjson.null or readAt(held) < removal[2]) then
      redis.call('HDEL', KEYS[3], removal[1])
    end
  end
elseif change.kind == 'catalog' then
  redis.call('SET', KEYS[4], ARGV[4])
elseif change.kind == 'state' then
  redis.call('SET', KEYS[5], ARGV[4])
end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'process', ARGV[3], 'change', ARGV[4])`;

interface Pending {
  readonly change: WireChange;
  /** Only the lease holder may write it (fenced). */
  readonly fenced: boolean;
}

export class DirectoryReplica {
  readonly #settings: ReplicaSettings;
  readonly #parts: ReplicaParts;
  readonly #now: () => number;
  readonly #process = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #keys: {
    lease: string;
    fence: string;
    stream: string;
    users: (provider: ProviderName) => string;
    catalog: (provider: ProviderName) => string;
    state: (provider: ProviderName) => string;
  };
  /** Commands; and the stream reader, which blocks, on a connection of its own. */
  readonly #redis: Redis;
  readonly #reader: Redis;

  #running = false;
  #redisUp = false;
  /** Whether "out of reach" was said, so that "back" is said only after it. */
  #reported = false;
  /** The lease value while this process holds it. */
  #lease: string | null = null;
  #leaseHolder: string | null = null;
  /** The last stream entry applied ('0-0': none yet). */
  #lastId = '0-0';
  #loaded = false;
  #lagMs: number | null = null;
  /** True while changes from Redis are being applied: they are not published again. */
  #applyingRemote = false;
  readonly #outbox: Pending[] = [];
  #outboxUsers = 0;
  /** Writes to Redis, one at a time and in order. */
  #writes: Promise<unknown> = Promise.resolve();
  /** Redis was out of reach since this process last held the lease: a full sync is due. */
  #resyncDue = false;
  #leaseTimer: NodeJS.Timeout | undefined;
  #tail: Promise<void> | undefined;

  constructor(settings: ReplicaSettings, parts: ReplicaParts) {
    this.#settings = settings;
    this.#parts = parts;
    this.#now = parts.now ?? Date.now;
    const base = `${settings.prefix}directory:${settings.tenant ?? 'default'}:`;
    this.#keys = {
      lease: `${base}lease`,
      fence: `${base}fence`,
      stream: `${base}changes`,
      users: (provider) => `${base}${provider}:users`,
      catalog: (provider) => `${base}${provider}:catalog`,
      state: (provider) => `${base}${provider}:state`,
    };
    const options = {
      enableOfflineQueue: false,
      commandTimeout: settings.timeoutMs,
      connectTimeout: Math.max(1_000, settings.timeoutMs),
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      // Reconnect forever, backing off to 1 s: Redis coming back is the shared directory coming back.
      retryStrategy: (attempt: number) => Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)),
    };
    this.#redis = new Redis(settings.url, { ...options });
    // The reader blocks up to BLOCK_MS per command: its timeout has to allow for that.
    this.#reader = new Redis(settings.url, { ...options, commandTimeout: BLOCK_MS + settings.timeoutMs });
    for (const client of [this.#redis, this.#reader]) {
      client.on('error', (error: unknown) => this.#down('connection', error));
    }
    this.#redis.defineCommand('directoryAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    this.#redis.defineCommand('directoryRelease', { numberOfKeys: 1, lua: RELEASE });
    this.#redis.defineCommand('directoryPublish', { numberOfKeys: 5, lua: PUBLISH });
    parts.index.onApplied((change) => this.#localChange(change));
  }

  status(): ReplicaStatus {
    return {
      process: this.#process,
      redis: this.#redisUp ? 'up' : 'down',
      leaseHolder: this.#redisUp ? this.#leaseHolder : null,
      leader: this.#lease !== null,
      version: this.#lastId === '0-0' ? null : this.#lastId,
      lagMs: this.#lagMs,
      pending: this.#outbox.length,
    };
  }

  /** Connects, loads what Redis holds, and keeps up: the lease loop and the stream reader. */
  start(): void {
    this.#running = true;
    for (const provider of this.#parts.syncs.keys()) {
      this.#parts.syncs.get(provider)!.setSharedProblem('the shared directory (Redis) is not reached yet');
    }
    const connected = Promise.all([this.#redis.connect(), this.#reader.connect()]).catch((error: unknown) =>
      this.#down('connect', error),
    );
    this.#tail = connected.then(() => this.#readLoop());
    const tick = () => {
      if (!this.#running) return;
      void this.#leaseTick().finally(() => {
        if (!this.#running) return;
        this.#leaseTimer = setTimeout(tick, Math.max(100, Math.floor(this.#settings.leaseMs / 3)));
        this.#leaseTimer.unref();
      });
    };
    void connected.then(tick);
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#leaseTimer);
    const lease = this.#lease;
    this.#stepDown();
    await this.#writes.catch(() => undefined);
    if (lease !== null && this.#redisUp) {
      await (this.#redis as RedisWithScripts).directoryRelease(this.#keys.lease, lease).catch(() => 0);
    }
    this.#reader.disconnect();
    await this.#tail?.catch(() => undefined);
    this.#redis.disconnect();
  }

  /** A sync's state changed: published (by the holder only: the others adopt it). */
  publishState(provider: ProviderName, state: SharedSyncState): void {
    if (this.#lease === null) return;
    this.#enqueue({ change: { kind: 'state', provider, state }, fenced: true });
  }

  // --- the lease --------------------------------------------------------------------------------

  async #leaseTick(): Promise<void> {
    let held: string | null;
    try {
      held = (await (this.#redis as RedisWithScripts).directoryAcquire(
        this.#keys.lease,
        this.#keys.fence,
        this.#process,
        String(this.#settings.leaseMs),
      )) as string | null;
      if (held === null) this.#leaseHolder = ownerOf(await this.#redis.get(this.#keys.lease));
    } catch (error) {
      this.#down('lease', error);
      return;
    }
    this.#up();
    if (held !== null) {
      this.#leaseHolder = this.#process;
      void this.#keepKeys();
      if (this.#lease !== held && this.#loaded) this.#takeOver(held);
    } else if (this.#lease !== null) {
      this.#parts.observer.replicaEvent({
        event: 'follower',
        detail: `the lease is held by ${this.#leaseHolder ?? 'no one'}`,
      });
      this.#stepDown();
    }
  }

  /** Pushes the keys' expiry out (`RETENTION_SECONDS`): the holder does it with each renewal. */
  async #keepKeys(): Promise<void> {
    const keys = [this.#keys.fence, this.#keys.stream];
    for (const provider of this.#parts.syncs.keys()) {
      keys.push(this.#keys.users(provider), this.#keys.catalog(provider), this.#keys.state(provider));
    }
    const pipeline = this.#redis.pipeline();
    for (const key of keys) pipeline.expire(key, RETENTION_SECONDS);
    await pipeline.exec().catch(() => undefined);
  }

  #takeOver(lease: string): void {
    this.#lease = lease;
    const now = this.#now();
    const resync = this.#resyncDue;
    this.#resyncDue = false;
    for (const sync of this.#parts.syncs.values()) {
      // Where the last holder left off: the next full sync when it was due, or at once after an
      // outage of Redis (changes made meanwhile may not all have reached Redis).
      const last = sync.sharedState().lastFullSyncAt;
      const dueIn = resync || last === null ? 0 : last + this.#parts.fullSyncMs - now;
      sync.start(Math.max(0, dueIn));
    }
    this.#writes = this.#writes
      .then(() => this.#repairRedis())
      .catch((error: unknown) => this.#down('repair', error));
    this.#parts.observer.replicaEvent({
      event: 'leader',
      detail: `this process (${this.#process}) holds the lease (${lease.split(':')[0]}) and runs the syncs${resync ? ', starting with a full sync' : ''}`,
    });
  }

  /**
   * Gives Redis what this process holds when Redis holds less (it restarted without persistence,
   * or was flushed): the changes a process publishes are only what changed, so a lost snapshot
   * would otherwise stay lost for the users no sync changes again.
   */
  async #repairRedis(): Promise<void> {
    const { index, syncs } = this.#parts;
    for (const [provider, sync] of syncs) {
      if (this.#lease === null) return;
      const state = sync.sharedState();
      if (!state.ready) continue;
      const [users, catalog] = await Promise.all([
        this.#redis.hlen(this.#keys.users(provider)),
        this.#redis.exists(this.#keys.catalog(provider)),
      ]);
      if (users === index.userCount(provider) && catalog === 1) continue;
      const write = async (pending: Pending) => {
        if (!(await this.#write(pending))) throw new Error('Redis did not take the repair');
      };
      await write({
        change: {
          kind: 'catalog',
          provider,
          departments: index.departments(provider),
          groups: index.groups(provider),
        },
        fenced: true,
      });
      const ids = index.userIdsOf(provider);
      for (let at = 0; at < ids.length; at += USERS_PER_ENTRY) {
        const put: WireUser[] = [];
        for (const id of ids.slice(at, at + USERS_PER_ENTRY)) {
          const held = index.user(id);
          if (held) put.push([id, held.fetchedAt, JSON.stringify(held.user)]);
        }
        await write({ change: { kind: 'users', provider, put, remove: [] }, fenced: false });
      }
      await write({ change: { kind: 'state', provider, state }, fenced: true });
      this.#parts.observer.replicaEvent({
        event: 'snapshot',
        detail: `Redis held ${users} ${provider} users where this process holds ${index.userCount(provider)}: wrote them all again`,
      });
    }
  }

  #stepDown(): void {
    if (this.#lease === null) return;
    this.#lease = null;
    for (const sync of this.#parts.syncs.values()) sync.stop();
  }

  // --- Redis up and down ------------------------------------------------------------------------

  #down(where: string, error?: unknown): void {
    if (!this.#running) return;
    if (this.#lease !== null) {
      // It cannot renew the lease: another process may hold it soon. Stop syncing now.
      this.#stepDown();
    }
    this.#resyncDue = true;
    if (this.#redisUp || !this.#reported) {
      this.#reported = true;
      this.#parts.observer.replicaEvent({
        event: 'redis_down',
        detail: `the shared directory (Redis) is out of reach (${where}${error instanceof Error ? `: ${error.message}` : ''}): this process answers from what it holds`,
      });
    }
    this.#redisUp = false;
    for (const sync of this.#parts.syncs.values()) {
      sync.setSharedProblem(
        'the shared directory (Redis) is out of reach: answering from what this process holds',
      );
    }
  }

  #up(): void {
    if (this.#redisUp) return;
    this.#redisUp = true;
    if (this.#loaded) {
      for (const sync of this.#parts.syncs.values()) sync.setSharedProblem(null);
    }
    if (this.#reported) {
      this.#parts.observer.replicaEvent({
        event: 'redis_up',
        detail: 'the shared directory (Redis) is back',
      });
    }
    this.#flushOutbox();
  }

  // --- publishing -------------------------------------------------------------------------------

  #localChange(change: AppliedChange): void {
    if (this.#applyingRemote) return;
    if (change.kind === 'catalog') {
      // A catalog is the holder's to publish (a full sync's); a process that read one otherwise
      // (it does not sync) keeps it to itself.
      if (this.#lease === null) return;
      const { provider, departments, groups } = change;
      this.#enqueue({ change: { kind: 'catalog', provider, departments, groups }, fenced: true });
      return;
    }
    const byProvider = new Map<ProviderName, { put: WireUser[]; remove: WireRemoval[] }>();
    const of = (provider: ProviderName) => {
      let entry = byProvider.get(provider);
      if (!entry) byProvider.set(provider, (entry = { put: [], remove: [] }));
      return entry;
    };
    for (const { user, fetchedAt } of change.put) {
      of(user.provider).put.push([user.id, fetchedAt, JSON.stringify(user)]);
    }
    for (const id of change.removed) {
      of(id.slice(0, id.indexOf(':')) as ProviderName).remove.push([id, change.readBefore]);
    }
    for (const [provider, { put, remove }] of byProvider) {
      for (let at = 0; at < Math.max(put.length, remove.length); at += USERS_PER_ENTRY) {
        this.#enqueue({
          change: {
            kind: 'users',
            provider,
            put: put.slice(at, at + USERS_PER_ENTRY),
            remove: remove.slice(at, at + USERS_PER_ENTRY),
          },
          fenced: false,
        });
      }
    }
  }

  #enqueue(pending: Pending): void {
    if (!this.#redisUp || this.#outbox.length > 0) {
      this.#keep(pending);
      return;
    }
    this.#writes = this.#writes.then(async () => {
      if (!(await this.#write(pending))) this.#keep(pending);
    });
  }

  /** Keeps a change for when Redis is back: users only (the holder's catalog and state are resynced). */
  #keep(pending: Pending): void {
    if (pending.change.kind !== 'users') return;
    const size = pending.change.put.length + pending.change.remove.length;
    if (this.#outboxUsers + size > MAX_OUTBOX_USERS) {
      // The holder's full sync when Redis is back reads the providers' state, these changes included.
      this.#resyncDue = true;
      return;
    }
    this.#outbox.push(pending);
    this.#outboxUsers += size;
  }

  #flushOutbox(): void {
    if (this.#outbox.length === 0) return;
    const pending = this.#outbox.splice(0);
    this.#outboxUsers = 0;
    this.#writes = this.#writes.then(async () => {
      for (const [at, change] of pending.entries()) {
        if (await this.#write({ change: change.change, fenced: false })) continue;
        for (const left of pending.slice(at)) this.#keep(left);
        return;
      }
    });
  }

  /** Writes one change; false when Redis could not take it (kept for later, when it matters). */
  async #write({ change, fenced }: Pending): Promise<boolean> {
    if (fenced && this.#lease === null) return true;
    const provider = change.provider;
    try {
      await (this.#redis as RedisWithScripts).directoryPublish(
        this.#keys.lease,
        this.#keys.stream,
        this.#keys.users(provider),
        this.#keys.catalog(provider),
        this.#keys.state(provider),
        fenced ? this.#lease! : '',
        String(STREAM_LENGTH),
        this.#process,
        JSON.stringify(change),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('FENCED')) {
        this.#parts.observer.replicaEvent({
          event: 'fenced',
          detail: `a write of this process was refused: another process took the lease (${error.message})`,
        });
        this.#stepDown();
        return true;
      }
      this.#down('write', error);
      return false;
    }
  }

  // --- reading ----------------------------------------------------------------------------------

  /** Loads the snapshot when needed, then applies the stream's entries as they come. */
  async #readLoop(): Promise<void> {
    while (this.#running) {
      try {
        if (!(await this.#caughtUp())) await this.#loadSnapshot();
        const read = (await this.#reader.xread(
          'COUNT',
          50,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.#keys.stream,
          this.#lastId,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        this.#up();
        if (read === null) {
          this.#lagMs = 0;
          continue;
        }
        for (const [id, fields] of read[0]![1]) this.#applyEntry(id, fields);
      } catch (error) {
        if (!this.#running) return;
        this.#down('read', error);
        await sleep(200);
      }
    }
  }

  /** True when the stream still holds every entry after the last one applied. */
  async #caughtUp(): Promise<boolean> {
    if (!this.#loaded) return false;
    const info = (await this.#redis.call('XINFO', 'STREAM', this.#keys.stream).catch((error: Error) => {
      if (/no such key/i.test(error.message)) return null;
      throw error;
    })) as unknown[] | null;
    if (info === null) return true;
    const deleted = fieldOf(info, 'max-deleted-entry-id');
    return typeof deleted !== 'string' || compareIds(deleted, this.#lastId) <= 0;
  }

  /**
   * Replaces what this process holds with what Redis holds (after a start, or a gap in the
   * stream): the catalog, every user, the syncs' states; then reads the stream from where the
   * snapshot began (entries applied twice change nothing: newest read wins).
   */
  async #loadSnapshot(): Promise<void> {
    const { index } = this.#parts;
    const tip = await this.#streamTip();
    const startedAt = this.#now();
    let users = 0;
    const states = new Map<ProviderName, SharedSyncState>();
    for (const provider of this.#parts.syncs.keys()) {
      const [catalog, state] = await Promise.all([
        this.#redis.get(this.#keys.catalog(provider)),
        this.#redis.get(this.#keys.state(provider)),
      ]);
      const held = new Set(index.userIdsOf(provider));
      if (catalog !== null) {
        const change = JSON.parse(catalog) as Extract<WireChange, { kind: 'catalog' }>;
        this.#asRemote(() => index.replaceCatalog(provider, change.departments, change.groups));
      }
      let cursor = '0';
      do {
        const [next, pairs] = await this.#redis.hscan(
          this.#keys.users(provider),
          cursor,
          'COUNT',
          SNAPSHOT_BATCH,
        );
        cursor = next;
        this.#asRemote(() => {
          for (let at = 0; at < pairs.length; at += 2) {
            const value = pairs[at + 1]!;
            const bar = value.indexOf('|');
            const user = JSON.parse(value.slice(bar + 1)) as UserModel;
            index.putUsers([user], Number(value.slice(0, bar)));
            held.delete(user.id);
            users += 1;
          }
        });
        await nextTurn();
      } while (cursor !== '0');
      // Users this process held that Redis no longer has went while it was not reading.
      this.#asRemote(() => index.removeUsers(held, startedAt));
      if (state !== null) states.set(provider, (JSON.parse(state) as { state: SharedSyncState }).state);
    }
    this.#lastId = tip;
    this.#loaded = true;
    for (const [provider, state] of states) this.#parts.syncs.get(provider)!.adoptState(state);
    for (const sync of this.#parts.syncs.values()) sync.setSharedProblem(null);
    this.#parts.onChange();
    // The lease, if this process holds it already, need not wait for the next tick.
    if (this.#lease === null && this.#leaseHolder === this.#process) void this.#leaseTick();
    this.#parts.observer.replicaEvent({
      event: 'snapshot',
      detail: `loaded the shared directory from Redis: ${users} users, up to stream entry ${tip}`,
    });
  }

  async #streamTip(): Promise<string> {
    const last = (await this.#redis.xrevrange(this.#keys.stream, '+', '-', 'COUNT', 1)) as Array<
      [string, string[]]
    >;
    return last[0]?.[0] ?? '0-0';
  }

  #applyEntry(id: string, fields: string[]): void {
    this.#lastId = id;
    const origin = fieldValue(fields, 'process');
    this.#lagMs = Math.max(0, this.#now() - Number(id.slice(0, id.indexOf('-'))));
    if (origin === this.#process) return;
    const change = JSON.parse(fieldValue(fields, 'change') ?? '{}') as WireChange;
    const { index, syncs } = this.#parts;
    const sync = syncs.get(change.provider);
    if (!sync) return;
    this.#asRemote(() => {
      switch (change.kind) {
        case 'users': {
          let changed = 0;
          for (const [, fetchedAt, json] of change.put) {
            changed += index.putUsers([JSON.parse(json) as UserModel], fetchedAt);
          }
          for (const [userId, readBefore] of change.remove) {
            changed += index.removeUsers([userId], readBefore ?? Number.POSITIVE_INFINITY);
          }
          if (changed > 0) this.#parts.onChange();
          break;
        }
        case 'catalog':
          index.replaceCatalog(change.provider, change.departments, change.groups);
          this.#parts.onChange();
          break;
        case 'state':
          // The holder's own state is its own; another process's is adopted.
          if (this.#lease === null) sync.adoptState(change.state);
          break;
      }
    });
  }

  /** Applies changes that came from Redis: the index hears them, this process does not publish them again. */
  #asRemote<T>(apply: () => T): T {
    this.#applyingRemote = true;
    try {
      return apply();
    } finally {
      this.#applyingRemote = false;
    }
  }
}

type RedisWithScripts = Redis & {
  directoryAcquire(lease: string, fence: string, process: string, ttlMs: string): Promise<string | null>;
  directoryRelease(lease: string, value: string): Promise<number>;
  directoryPublish(...args: string[]): Promise<string>;
};

function ownerOf(lease: string | null): string | null {
  if (lease === null) return null;
  return lease.slice(lease.indexOf(':') + 1);
}

function fieldValue(fields: readonly string[], name: string): string | undefined {
  for (let at = 0; at < fields.length; at += 2) if (fields[at] === name) return fields[at + 1];
  return undefined;
}

function fieldOf(info: readonly unknown[], name: string): unknown {
  for (let at = 0; at < info.length; at += 2) if (info[at] === name) return info[at + 1];
  return undefined;
}

/** Orders two stream ids (`<ms>-<seq>`). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}
