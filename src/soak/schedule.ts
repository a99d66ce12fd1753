import type { SandboxInjectParams, SandboxProviderName } from '../bench/sandbox-process.js';
import { ISPRING_ENDPOINTS, THRIVE_ENDPOINTS, type SandboxFault } from '../sandbox/index.js';

/**
 * The soak's fault schedule: phases of a few seconds, each injecting up to one fault into each
 * provider (on one endpoint, or every request), with quiet phases between. The first ten phases
 * hold every fault kind at least once, so that `--quick` (ten one-second phases) meets them all;
 * the rest vary the endpoints. A longer soak cycles through the list again.
 *
 * The numbers are set against the subgraph's soak configuration (run.ts): a `delay` longer than
 * its upstream timeout, an `oversized` body larger than its body bound, `Retry-After: 1` within
 * what it waits for.
 */

export interface Phase {
  readonly label: string;
  readonly injections: readonly SandboxInjectParams[];
  /** Tokens the sandbox has issued are refused (401) from the phase's start, so tokens are asked for again. */
  readonly expireTokens?: readonly SandboxProviderName[];
}

export interface ScheduleSettings {
  /** The subgraph's upstream timeout, ms: `delay` faults wait longer. */
  readonly upstreamTimeoutMs: number;
  /** The subgraph's upstream body bound, bytes: `oversized` faults send more. */
  readonly maxUpstreamBodyBytes: number;
}

const T = THRIVE_ENDPOINTS;
const I = ISPRING_ENDPOINTS;

const thrive = (endpoint: string, fault: SandboxFault, times?: number): SandboxInjectParams => ({
  provider: 'thrive',
  endpoint,
  fault,
  ...(times === undefined ? {} : { times }),
});
const ispring = (endpoint: string, fault: SandboxFault, times?: number): SandboxInjectParams => ({
  provider: 'ispring',
  endpoint,
  fault,
  ...(times === undefined ? {} : { times }),
});

export function createSchedule(settings: ScheduleSettings): Phase[] {
  const delay: SandboxFault = { kind: 'delay', ms: settings.upstreamTimeoutMs + 500 };
  const oversized: SandboxFault = { kind: 'oversized', bytes: settings.maxUpstreamBodyBytes * 3 };
  const oversizedChunked: SandboxFault = { ...oversized, chunked: true };
  const phase = (
    label: string,
    injections: SandboxInjectParams[],
    expireTokens?: SandboxProviderName[],
  ): Phase => ({ label, injections, ...(expireTokens ? { expireTokens } : {}) });

  return [
    // Every kind within the first ten phases. A fault that opens a provider's circuit (a 5xx, a
    // timeout, a dropped or cut-off connection) is followed by a phase without a fault for that
    // provider, so that even one-second phases (--quick) reach it with the next kind.
    phase('thrive user 503 | ispring users malformed', [
      thrive(T.user, { kind: 'status', status: 503 }),
      ispring(I.usersV2, { kind: 'malformed' }),
    ]),
    phase('thrive none | ispring users 429 Retry-After 1', [
      ispring(I.usersV2, { kind: 'rateLimit', retryAfter: 1 }),
    ]),
    phase('thrive user truncated | ispring users HTML 502', [
      thrive(T.user, { kind: 'truncate' }),
      ispring(I.usersV2, { kind: 'html', status: 502 }),
    ]),
    phase('quiet', []),
    phase('thrive user DOCTYPE bomb | ispring users DOCTYPE bomb', [
      thrive(T.user, { kind: 'doctype' }),
      ispring(I.usersV2, { kind: 'doctype' }),
    ]),
    phase('thrive user, audiences oversized (chunked) | ispring users oversized', [
      thrive(T.user, oversizedChunked),
      thrive(T.audiences, oversizedChunked),
      ispring(I.usersV2, oversized),
    ]),
    phase('thrive user delay | ispring users reset', [
      thrive(T.user, delay),
      ispring(I.usersV2, { kind: 'reset' }),
    ]),
    phase('quiet', []),
    phase(
      'tokens expired: thrive token 500 | ispring token 429 Retry-After 1',
      [
        thrive(T.token, { kind: 'status', status: 500 }),
        ispring(I.token, { kind: 'rateLimit', retryAfter: 1 }),
      ],
      ['thrive', 'ispring'],
    ),
    phase('thrive audiences 429 Retry-After 1 | ispring every endpoint 503', [
      thrive(T.audiences, { kind: 'rateLimit', retryAfter: 1 }),
      ispring('*', { kind: 'status', status: 503 }),
    ]),
    // The same kinds on other endpoints, and a few variants.
    phase('thrive user malformed | ispring departments truncated, department delay', [
      thrive(T.user, { kind: 'malformed' }),
      ispring(I.departmentList, { kind: 'truncate' }),
      ispring(I.department, delay),
    ]),
    phase('quiet', []),
    phase('thrive every endpoint HTML 503 | ispring groups DOCTYPE bomb, group 500', [
      thrive('*', { kind: 'html', status: 503 }),
      ispring(I.groupList, { kind: 'doctype' }),
      ispring(I.group, { kind: 'status', status: 500 }),
    ]),
    phase(
      'tokens expired: thrive token reset ×3 then truncated | ispring token delay',
      [thrive(T.token, { kind: 'reset' }, 3), thrive(T.token, { kind: 'truncate' }), ispring(I.token, delay)],
      ['thrive', 'ispring'],
    ),
    phase('thrive audience 500 | ispring users truncated', [
      thrive(T.audience, { kind: 'status', status: 500 }),
      ispring(I.usersV2, { kind: 'truncate' }),
    ]),
    phase('quiet', []),
    phase('thrive user reset ×20 then recovers | ispring departments malformed', [
      thrive(T.user, { kind: 'reset' }, 20),
      ispring(I.departmentList, { kind: 'malformed' }),
    ]),
    phase('thrive user 400 | ispring users 401 (after a token refresh)', [
      thrive(T.user, { kind: 'status', status: 400 }),
      ispring(I.usersV2, { kind: 'status', status: 401 }),
    ]),
    phase('thrive user oversized | ispring users HTML 200', [
      thrive(T.user, oversized),
      ispring(I.usersV2, { kind: 'html', status: 200 }),
    ]),
    phase('quiet', []),
  ];
}

/** Every fault kind a list of phases injects. */
export function kindsOf(phases: readonly Phase[]): Set<string> {
  return new Set(phases.flatMap((phase) => phase.injections.map((injection) => injection.fault.kind)));
}
