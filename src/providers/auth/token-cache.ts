import type { TokenKeyValueCache } from '../types.js';
import type { UpstreamCaller } from '../observer.js';

/**
 * An OAuth-style access token, fetched on first use and kept until shortly before it expires.
 * Concurrent callers share one token request; a 401 drops the token it was sent with (and only
 * that one, so a burst of 401s for one stale token costs one refresh, not one per request).
 *
 * With a `store`, the token lives there (the process's cross-request cache, or a store shared by
 * several processes) under `key`, with a TTL of its usable lifetime, and a 401 deletes it there
 * too. The key names the client (provider and client id), never the secret.
 */

export interface IssuedToken {
  readonly accessToken: string;
  /** Lifetime as the token endpoint stated it. */
  readonly expiresInSeconds: number;
}

export interface TokenStore {
  readonly store: TokenKeyValueCache;
  readonly key: string;
}

export interface TokenCacheOptions {
  /** One token request, made for `caller` (the request that found no usable token), if any. */
  fetchToken: (caller?: UpstreamCaller) => Promise<IssuedToken>;
  /** How long before the stated expiry the token is no longer used. */
  refreshMarginSeconds?: number;
  now?: () => number;
  /** Where the token is kept; without it, in this object. */
  shared?: TokenStore | undefined;
  /**
   * Called with a token read from the store, which another process may have fetched: it must
   * reach the redactor before anything could log it.
   */
  onStoredToken?: (token: string) => void;
  /**
   * Whether a token read from the store can be sent; one that cannot (written by another version,
   * or tampered with) is dropped from the store and a new one fetched. Default: any.
   */
  isUsable?: (token: string) => boolean;
}

/**
 * How long a token a store that answers only with a promise (Redis) was found to hold is sent
 * again without reading the store: every upstream request asks for its token, some twice, and a
 * round trip to the store for each would add its latency to every request. In that time a token
 * another process dropped after a 401 may still be sent (and its 401 renewed once, as any other),
 * and one the store has just let expire: its usable life ends at least 15 s before the provider's
 * expiry (the refresh margin, or half the shortest lifetime a token is taken with,
 * `MIN_TOKEN_LIFETIME_SECONDS`).
 */
export const STORE_CONFIRMATION_MS = 1000;

export class TokenCache {
  /** The token last handed out, and until when it may be used (kept here when there is no store). */
  private current: { token: string; usableUntil: number } | undefined;
  private pending: Promise<string> | undefined;
  /** A 401's deletion from the store, which the next read waits for. */
  private dropping: Promise<unknown> | undefined;
  /** When the store was last found to hold `current` (`STORE_CONFIRMATION_MS`). */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  /** The store's read without a promise, when it has one (the in-memory store does; Redis does not). */
  private readonly readStoreNow: (() => string | undefined) | undefined;
  private readonly fetchToken: (caller?: UpstreamCaller) => Promise<IssuedToken>;
  private readonly marginMs: number;
  private readonly now: () => number;
  private readonly shared: TokenStore | undefined;
  private readonly onStoredToken: (token: string) => void;
  private readonly isUsable: (token: string) => boolean;

  constructor(options: TokenCacheOptions) {
    this.fetchToken = options.fetchToken;
    this.marginMs = (options.refreshMarginSeconds ?? 60) * 1000;
    this.now = options.now ?? Date.now;
    this.shared = options.shared;
    this.onStoredToken = options.onStoredToken ?? (() => {});
    this.isUsable = options.isUsable ?? (() => true);
    const shared = this.shared;
    const getNow = shared?.store.getNow;
    this.readStoreNow = shared && getNow ? () => getNow.call(shared.store, shared.key) : undefined;
  }

  /**
   * The token `get` would give, when it is at hand without waiting: the one this object holds,
   * still usable and, with a store, still the store's: read without a promise where the store can
   * (the in-memory cache), or found there within `STORE_CONFIRMATION_MS`. Undefined when only `get`
   * can tell (no token yet, or a token the store no longer holds or was not read for). Every
   * upstream request asks for its token, some twice: this spares them `get`'s chain of promises,
   * and Redis a read, when nothing has changed, which is nearly always.
   */
  usableNow(): string | undefined {
    const current = this.current;
    if (current === undefined) return undefined;
    if (!this.shared) return this.now() < current.usableUntil ? current.token : undefined;
    if (this.readStoreNow) return this.readStoreNow() === current.token ? current.token : undefined;
    return this.now() - this.confirmedAt < STORE_CONFIRMATION_MS ? current.token : undefined;
  }

  /** `caller`: whom a token request this leads to is made for (the first of those waiting for it). */
  async get(caller?: UpstreamCaller): Promise<string> {
    if (this.shared) {
      await this.dropping;
      const { stored, failed } = await readShared(this.shared);
      // A store that cannot be read (down, slow) is no reason to ask for a token per request: the
      // token this process holds serves until it expires, or until a 401 drops it.
      if (failed && this.current && this.now() < this.current.usableUntil) return this.current.token;
      // The token this process already holds (checked when it was first read or issued).
      if (stored !== undefined && stored === this.current?.token) {
        // The store's TTL says how long it is usable (as below).
        if (this.current.usableUntil !== Number.POSITIVE_INFINITY)
          this.current = { token: stored, usableUntil: Number.POSITIVE_INFINITY };
        this.confirmedAt = this.now();
        return stored;
      }
      if (stored !== undefined && !this.isUsable(stored)) {
        this.onStoredToken(stored);
        this.dropping = dropFromStore(this.shared, stored);
        await this.dropping;
      } else if (stored !== undefined) {
        if (stored !== this.current?.token) this.onStoredToken(stored);
        // The store's TTL says how long it is usable; this copy is for `invalidate`, `peek` and
        // `usableNow`.
        this.current = { token: stored, usableUntil: Number.POSITIVE_INFINITY };
        this.confirmedAt = this.now();
        return stored;
      }
    } else {
      // Without a store, the token held is what `usableNow` says of it.
      const held = this.usableNow();
      if (held !== undefined) return held;
    }
    this.pending ??= this.fetchToken(caller)
      .then(async (issued) => {
        // A short-lived token keeps at least half its life, whatever the margin.
        const lifetimeMs = issued.expiresInSeconds * 1000;
        const margin = Math.min(this.marginMs, lifetimeMs / 2);
        const usableMs = lifetimeMs - margin;
        this.current = { token: issued.accessToken, usableUntil: this.now() + usableMs };
        this.confirmedAt = Number.NEGATIVE_INFINITY;
        // Whole seconds, rounded down: a store's TTL is in seconds, and a token is never kept
        // past its usable life. One usable for less than a second is not kept at all.
        const ttl = Math.floor(usableMs / 1000);
        if (this.shared && ttl >= 1 && (await writeQuietly(this.shared, issued.accessToken, ttl))) {
          if (this.current?.token === issued.accessToken) this.confirmedAt = this.now();
        }
        return issued.accessToken;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Drops `rejectedToken` if it is still the current one. Returns true when a new token will be fetched. */
  invalidate(rejectedToken: string | undefined): boolean {
    if (this.current && (rejectedToken === undefined || this.current.token === rejectedToken)) {
      this.current = undefined;
      if (this.shared) this.dropping = dropFromStore(this.shared, rejectedToken);
    }
    return this.current === undefined;
  }

  /** The token in use, for redaction. */
  peek(): string | undefined {
    return this.current?.token;
  }
}

/**
 * Deletes the stored token if it is still `rejected` (another process sharing the store may have
 * put a fresh one there already, which is kept).
 */
async function dropFromStore(shared: TokenStore, rejected: string | undefined): Promise<void> {
  try {
    const stored = await shared.store.get(shared.key);
    if (stored !== undefined && (rejected === undefined || stored === rejected)) {
      await shared.store.delete(shared.key);
    }
  } catch {
    // A store that fails holds nothing this process can use: the next read misses.
  }
}

async function readShared(shared: TokenStore): Promise<{ stored: string | undefined; failed: boolean }> {
  try {
    return { stored: await shared.store.get(shared.key), failed: false };
  } catch {
    return { stored: undefined, failed: true };
  }
}

/** Whether the store took it. */
async function writeQuietly(shared: TokenStore, token: string, ttl: number): Promise<boolean> {
  try {
    await shared.store.set(shared.key, token, { ttl });
    return true;
  } catch {
    // Not kept: the next read fetches a token again.
    return false;
  }
}
