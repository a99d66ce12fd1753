/**
 * An OAuth-style access token, fetched on first use and kept until shortly before it expires.
 * Concurrent callers share one token request; a 401 drops the token it was sent with (and only
 * that one, so a burst of 401s for one stale token costs one refresh, not one per request).
 */

export interface IssuedToken {
  readonly accessToken: string;
  /** Lifetime as the token endpoint stated it. */
  readonly expiresInSeconds: number;
}

export interface TokenCacheOptions {
  fetchToken: () => Promise<IssuedToken>;
  /** How long before the stated expiry the token is no longer used. */
  refreshMarginSeconds?: number;
  now?: () => number;
}

export class TokenCache {
  private current: { token: string; usableUntil: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly fetchToken: () => Promise<IssuedToken>;
  private readonly marginMs: number;
  private readonly now: () => number;

  constructor(options: TokenCacheOptions) {
    this.fetchToken = options.fetchToken;
    this.marginMs = (options.refreshMarginSeconds ?? 60) * 1000;
    this.now = options.now ?? Date.now;
  }

  async get(): Promise<string> {
    if (this.current && this.now() < this.current.usableUntil) return this.current.token;
    this.pending ??= this.fetchToken()
      .then((issued) => {
        // A short-lived token keeps at least half its life, whatever the margin.
        const lifetimeMs = issued.expiresInSeconds * 1000;
        const margin = Math.min(this.marginMs, lifetimeMs / 2);
        this.current = { token: issued.accessToken, usableUntil: this.now() + lifetimeMs - margin };
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
    }
    return this.current === undefined;
  }

  /** The token in use, for redaction. */
  peek(): string | undefined {
    return this.current?.token;
  }
}
