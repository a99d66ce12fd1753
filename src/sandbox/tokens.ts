import { createHash } from 'node:crypto';
import type { AccessTokenShape } from './variants.js';

/**
 * Access tokens a sandbox issues: opaque, random-looking strings made from a per-server counter
 * (the same sequence on every run), valid for their lifetime on the real clock or until
 * `expireAll()`. Each token keeps the lifetime it was issued with.
 */
export class TokenStore {
  private issued = 0;
  private readonly live = new Map<string, { expiresAt: number; scopes: readonly string[] }>();
  #lifetimeSeconds: number;

  /**
   * @param namespace makes each provider's tokens distinct.
   * @param lifetimeSeconds what `expires_in` says, and how long a token is accepted, for the
   *   tokens issued without a lifetime of their own.
   */
  constructor(
    private readonly namespace: string,
    lifetimeSeconds: number,
  ) {
    this.#lifetimeSeconds = checkLifetime(lifetimeSeconds);
  }

  get lifetimeSeconds(): number {
    return this.#lifetimeSeconds;
  }

  /** Applies to the tokens issued from now on; those issued before keep their own. */
  set lifetimeSeconds(seconds: number) {
    this.#lifetimeSeconds = checkLifetime(seconds);
  }

  /**
   * A new token. `shape` 'crlf' or 'space' puts "\r\n" or a space in its middle: a token no client
   * should put in a header as it is (for 'space', a client that does, as `Bearer <token>`, is let in).
   */
  issue(
    scopes: readonly string[] = [],
    options: { lifetimeSeconds?: number; shape?: AccessTokenShape } = {},
  ): string {
    const lifetimeSeconds = checkLifetime(options.lifetimeSeconds ?? this.#lifetimeSeconds);
    this.issued += 1;
    if (this.live.size >= 1000) this.sweep();
    // 43 URL-safe characters, like the tokens in iSpring's samples.
    const plain = createHash('sha256').update(`${this.namespace}:${this.issued}`).digest('base64url');
    const separator = options.shape === 'crlf' ? '\r\n' : options.shape === 'space' ? ' ' : '';
    const token = separator === '' ? plain : `${plain.slice(0, 21)}${separator}${plain.slice(21)}`;
    this.live.set(token, { expiresAt: Date.now() + lifetimeSeconds * 1000, scopes: [...scopes] });
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

function checkLifetime(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new RangeError(`A token lifetime must be a positive number of seconds; got ${seconds}.`);
  }
  return seconds;
}
