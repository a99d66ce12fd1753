import type { Headers } from 'got';
import type { ProviderError } from '../../errors.js';
import type { UpstreamCaller } from '../observer.js';

/** How a provider's credentials are put on a request. */
export interface AuthStrategy {
  /**
   * Sets the credential headers of one outgoing request. `caller` is whom the request is for: a
   * token request it leads to is made (and logged) for it. Returns nothing when the credentials
   * were at hand and are set already (nearly always: a token fetched before), a promise when they
   * have to be waited for.
   */
  authorize(headers: Headers, caller?: UpstreamCaller): void | Promise<void>;
  /**
   * Called once when the provider answers 401. Resolves true when fresh credentials were obtained
   * (a token was dropped and will be fetched again), so the request is worth sending once more.
   */
  renewAfterUnauthorized(rejectedHeaders: Headers, caller?: UpstreamCaller): Promise<boolean>;
}

/**
 * An `AuthStrategy` with what the provider clients need beyond it: getting a token before a
 * request is sent, and the token endpoint's own error when a refresh failed.
 */
export interface ProviderAuth extends AuthStrategy {
  /**
   * Makes sure credentials are ready before a request is sent, throwing the token endpoint's
   * `ProviderError` as it is (rather than from inside got's request hook, where got wraps it).
   * Returns nothing when they are (as `authorize`).
   */
  prepare(caller?: UpstreamCaller): void | Promise<void>;
  /**
   * The token endpoint's failure when a token refresh after a 401 failed and the request therefore
   * ended as a plain 401. Cleared when a token is issued again.
   */
  renewalFailure(): ProviderError | undefined;
}
