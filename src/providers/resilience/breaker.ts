import type { BreakerPolicy } from './config.js';

/**
 * A circuit breaker for one provider (the pattern of Nygard's "Release It!"):
 *
 * - closed: every request goes. A request that fails in a way that says the provider is down (a
 *   timeout, a connection failure, a 5xx, after its retries) counts; one that gets any other
 *   answer (2xx, 404, any other 4xx) resets the count. `failureThreshold` failures in a row open
 *   the circuit.
 * - open, for `openMs`: no request goes; each fails at once (`BreakerRejection`).
 * - half-open, once `openMs` has passed: the next request is let through as the one probe, and
 *   every other still fails at once while it is in flight. The probe's success closes the circuit,
 *   its failure opens it for another `openMs`. A probe that ends without a verdict (never sent,
 *   or cut short by its operation's deadline) lets the next request probe instead.
 *
 * Time is `now()`, so tests move it with fake timers or a clock of their own.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Why a request was not let through. */
export interface BreakerRejection {
  /** `open`: waiting for `probeAt`; `probing`: a probe is in flight. */
  readonly reason: 'open' | 'probing';
  /** When the next probe may go (for `probing`, when the current one went). */
  readonly probeAt: number;
  /** The consecutive failures that opened the circuit. */
  readonly failures: number;
}

/** One admitted request: report its outcome once; later reports are ignored. */
export interface BreakerTicket {
  /** The provider answered (whatever the status, unless a failure that counts). */
  succeeded(): void;
  /** A failure that says the provider is down. */
  failed(): void;
  /** No verdict: the request was not sent, or was cut short by something other than the provider. */
  abandoned(): void;
}

export type Admission =
  | { readonly admitted: true; readonly ticket: BreakerTicket }
  | { readonly admitted: false; readonly rejection: BreakerRejection };

export class CircuitBreaker {
  private failures = 0;
  /** Set while open: when the next probe may go. */
  private openUntil: number | undefined;
  private probing = false;
  private openedAfter = 0;

  /**
   * `onTransition` hears every change of state: to `open` (from `closed`, or from `half-open` when
   * the probe failed), to `half-open` when a probe is let through, and to `closed` when it succeeded.
   */
  constructor(
    private readonly policy: BreakerPolicy,
    private readonly now: () => number = () => Date.now(),
    private readonly onTransition: (from: BreakerState, to: BreakerState) => void = () => {},
  ) {}

  get state(): BreakerState {
    if (this.openUntil === undefined) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  /** Lets one request through (as the probe, when half-open), or says why not. */
  admit(): Admission {
    const rejection = this.rejection();
    if (rejection) return { admitted: false, rejection };
    const probe = this.openUntil !== undefined;
    if (probe) {
      this.probing = true;
      this.onTransition('open', 'half-open');
    }
    return { admitted: true, ticket: new Ticket(this, probe) };
  }

  /** A ticket's one verdict (`Ticket`): a probe's decides the state, another's counts. */
  settle(probe: boolean, verdict: 'succeeded' | 'failed' | 'abandoned'): void {
    if (probe) {
      if (verdict === 'succeeded') this.close();
      else if (verdict === 'failed') this.open(this.openedAfter);
      else this.probing = false;
    } else if (verdict === 'succeeded') {
      if (this.openUntil === undefined) this.failures = 0;
    } else if (verdict === 'failed') {
      this.recordFailure();
    }
  }

  /**
   * Why a request would be refused now, without admitting one: for work that must not take the
   * probe's place (a token request, which the probe itself may need). Half-open refuses nothing.
   */
  check(): BreakerRejection | undefined {
    const openUntil = this.openUntil;
    if (openUntil === undefined || this.now() >= openUntil) return undefined;
    return { reason: 'open', probeAt: openUntil, failures: this.openedAfter };
  }

  /** A failure that counts, of a request that was not admitted by a ticket (a token request). */
  recordFailure(): void {
    // While open or half-open only the probe decides.
    if (this.openUntil !== undefined) return;
    this.failures += 1;
    if (this.failures >= this.policy.failureThreshold) this.open(this.failures);
  }

  private rejection(): BreakerRejection | undefined {
    const open = this.check();
    if (open) return open;
    if (this.probing && this.openUntil !== undefined) {
      return { reason: 'probing', probeAt: this.openUntil, failures: this.openedAfter };
    }
    return undefined;
  }

  private open(failures: number): void {
    this.onTransition(this.probing ? 'half-open' : 'closed', 'open');
    this.openedAfter = failures;
    this.openUntil = this.now() + this.policy.openMs;
    this.probing = false;
    this.failures = 0;
  }

  private close(): void {
    this.onTransition('half-open', 'closed');
    this.openUntil = undefined;
    this.probing = false;
    this.failures = 0;
    this.openedAfter = 0;
  }
}

/**
 * One admitted request's ticket: its first report counts, later ones are ignored. A class rather
 * than closures: every upstream request takes one.
 */
class Ticket implements BreakerTicket {
  private reported = false;

  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly probe: boolean,
  ) {}

  succeeded(): void {
    this.report('succeeded');
  }

  failed(): void {
    this.report('failed');
  }

  abandoned(): void {
    this.report('abandoned');
  }

  private report(verdict: 'succeeded' | 'failed' | 'abandoned'): void {
    if (this.reported) return;
    this.reported = true;
    this.breaker.settle(this.probe, verdict);
  }
}
