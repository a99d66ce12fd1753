import { createHash } from 'node:crypto';

/**
 * Access tokens a sandbox issues: opaque, random-looking strings made from a per-server counter
 * (the same sequence on every run), valid for their lifetime on the real clock or until
 * `expireAll()`.
 */
export class TokenStore {
  private issued = 0;
  private readonly live = new Map<string, { expiresAt: number; scopes: readonly string[] }>();

  /**
   * @param namespace makes each provider's tokens distinct.
   * @param lifetimeSeconds what `expires_in` says, and how long a token is accepted.
   */
  constructor(
    private readonly namespace: string,
    readonly lifetimeSeconds: number,
  ) {
    if (!Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0) {
      throw new RangeError(`A token lifetime must be a positive number of seconds; got ${lifetimeSeconds}.`);
    }
  }

  issue(scopes: readonly string[] = []): string {
    this.issued += 1;
    if (this.live.size >= 1000) this.sweep();
    // 43 URL-safe characters, like the tokens in iSpring's samples.
    const token = createHash('sha256').update(`${this.namespace}:${this.issued}`).digest('base64url');
    this.live.set(token, { expiresAt: Date.now() + this.lifetimeSeconds * 1000, scopes: [...scopes] });
    return token;
  }

  /** The token's scopes while it is valid; `undefined` when it is unknown, expired or revoked. */
  check(token: string): readonly string[] | undefined {
    const entry = this.live.get(token);
    if (!entry) return undefined;
    if (Date.now() >= entry.expiresAt) {
      this.live.delete(token);
      return undefined;
    }
    return entry.scopes;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, entry] of this.live) if (now >= entry.expiresAt) this.live.delete(token);
  }

  /** Every token issued so far is rejected from now on; tokens issued later are not affected. */
  expireAll(): void {
    this.live.clear();
  }
}
