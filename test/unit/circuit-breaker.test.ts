import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker, type BreakerTicket } from '../../src/providers/resilience/index.ts';

/** The breaker reads `Date.now()`, which the fake timers move. */
const OPEN_MS = 10_000;
const breaker = () => new CircuitBreaker({ failureThreshold: 3, openMs: OPEN_MS });

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse('2026-03-01T09:00:00Z'));
});
afterEach(() => vi.useRealTimers());

function ticket(subject: CircuitBreaker): BreakerTicket {
  const admission = subject.admit();
  if (!admission.admitted)
    throw new Error(`expected to be admitted, was refused (${admission.rejection.reason})`);
  return admission.ticket;
}

function fail(subject: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i += 1) ticket(subject).failed();
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold of consecutive failures', () => {
    const subject = breaker();
    fail(subject, 2);
    expect(subject.state).toBe('closed');
    expect(subject.admit().admitted).toBe(true);
  });

  it('opens after the threshold of consecutive failures, and refuses until it is time to probe', () => {
    const subject = breaker();
    fail(subject, 3);
    expect(subject.state).toBe('open');
    const refused = subject.admit();
    expect(refused).toEqual({
      admitted: false,
      rejection: { reason: 'open', probeAt: Date.now() + OPEN_MS, failures: 3 },
    });
    vi.advanceTimersByTime(OPEN_MS - 1);
    expect(subject.admit().admitted).toBe(false);
  });

  it('counts only consecutive failures: an answer in between starts the count again', () => {
    const subject = breaker();
    fail(subject, 2);
    ticket(subject).succeeded();
    fail(subject, 2);
    expect(subject.state).toBe('closed');
    fail(subject, 1);
    expect(subject.state).toBe('open');
  });

  it('lets exactly one probe through once open long enough, refusing the others while it runs', () => {
    const subject = breaker();
    fail(subject, 3);
    vi.advanceTimersByTime(OPEN_MS);
    expect(subject.state).toBe('half-open');
    const probe = ticket(subject);
    const other = subject.admit();
    expect(other.admitted).toBe(false);
    expect(!other.admitted && other.rejection.reason).toBe('probing');
    probe.succeeded();
    expect(subject.state).toBe('closed');
    expect(subject.admit().admitted).toBe(true);
  });

  it('closes on the probe’s success with a fresh count', () => {
    const subject = breaker();
    fail(subject, 3);
    vi.advanceTimersByTime(OPEN_MS);
    ticket(subject).succeeded();
    fail(subject, 2);
    expect(subject.state).toBe('closed');
  });

  it('opens again for another openMs when the probe fails', () => {
    const subject = breaker();
    fail(subject, 3);
    vi.advanceTimersByTime(OPEN_MS + 500);
    ticket(subject).failed();
    expect(subject.state).toBe('open');
    const refused = subject.admit();
    expect(!refused.admitted && refused.rejection.probeAt).toBe(Date.now() + OPEN_MS);
    vi.advanceTimersByTime(OPEN_MS);
    expect(subject.state).toBe('half-open');
    expect(subject.admit().admitted).toBe(true);
  });

  it('lets the next request probe when the probe ends without a verdict', () => {
    const subject = breaker();
    fail(subject, 3);
    vi.advanceTimersByTime(OPEN_MS);
    ticket(subject).abandoned();
    expect(subject.state).toBe('half-open');
    const probe = ticket(subject);
    expect(subject.admit().admitted).toBe(false);
    probe.succeeded();
    expect(subject.state).toBe('closed');
  });

  it('ignores what requests admitted before it opened report afterwards', () => {
    const subject = breaker();
    const early = [ticket(subject), ticket(subject)];
    fail(subject, 3);
    early[0]!.succeeded();
    early[1]!.failed();
    expect(subject.state).toBe('open');
    vi.advanceTimersByTime(OPEN_MS);
    expect(subject.admit().admitted).toBe(true);
  });

  it('takes one report per ticket', () => {
    const subject = breaker();
    const once = ticket(subject);
    once.failed();
    once.failed();
    once.failed();
    expect(subject.state).toBe('closed');
  });

  it('lets check() and recordFailure() count a token request without taking the probe’s place', () => {
    const subject = breaker();
    subject.recordFailure();
    subject.recordFailure();
    expect(subject.check()).toBeUndefined();
    subject.recordFailure();
    expect(subject.check()).toMatchObject({ reason: 'open', failures: 3 });
    vi.advanceTimersByTime(OPEN_MS);
    // Half-open: check() refuses nothing, and failures outside the probe do not re-open.
    expect(subject.check()).toBeUndefined();
    subject.recordFailure();
    expect(subject.state).toBe('half-open');
    expect(subject.admit().admitted).toBe(true);
  });
});
