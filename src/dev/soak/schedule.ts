import type { SandboxInjectParams, SandboxProviderName } from '../harness/sandbox-process.js';
import { ISPRING_ENDPOINTS, THRIVE_ENDPOINTS, type SandboxFault } from '../../sandbox/index.js';

/**
 * The soak's fault schedule: a cycle of ten phases of a few seconds, each injecting faults into one
 * or more endpoints of each provider, two of them quiet. One cycle holds every fault kind, on
 * users, audiences, departments, groups and token endpoints of both providers, so that `--quick`
 * (one cycle of one-second phases) meets them all; a longer soak runs the cycle again and again,
 * which also lets it compare its memory at the ends of two cycles, after the same faults.
 *
 * A fault that opens a provider's circuit (a 5xx, a timeout, a dropped or cut-off connection) on
 * its busiest endpoint is followed by a phase that leaves that endpoint alone, so that even
 * one-second phases reach the provider with the next kind. Where one endpoint gets two faults, the
 * first has `times` and the second takes over once it is used up. No phase faults every endpoint
 * (`'*'`): that would take the token endpoints too, and the circuit they open would hide the rest.
 *
 * The numbers are set against the subgraph's soak configuration (settings.ts): a `delay` longer than
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
    phase('thrive user 503 | ispring users malformed, department list truncated', [
      thrive(T.user, { kind: 'status', status: 503 }),
      ispring(I.usersV2, { kind: 'malformed' }),
      ispring(I.departmentList, { kind: 'truncate' }),
    ]),
    phase('thrive audiences 429 Retry-After 1 | ispring users 429 Retry-After 1, group 500', [
      thrive(T.audiences, { kind: 'rateLimit', retryAfter: 1 }),
      ispring(I.usersV2, { kind: 'rateLimit', retryAfter: 1 }),
      ispring(I.group, { kind: 'status', status: 500 }),
    ]),
    phase('thrive user truncated, audience 500 | ispring users HTML 502, department delay', [
      thrive(T.user, { kind: 'truncate' }),
      thrive(T.audience, { kind: 'status', status: 500 }),
      ispring(I.usersV2, { kind: 'html', status: 502 }),
      ispring(I.department, delay),
    ]),
    phase('quiet', []),
    phase('thrive user DOCTYPE bomb, audiences HTML 200 | ispring users, group list DOCTYPE bomb', [
      thrive(T.user, { kind: 'doctype' }),
      thrive(T.audiences, { kind: 'html', status: 200 }),
      ispring(I.usersV2, { kind: 'doctype' }),
      ispring(I.groupList, { kind: 'doctype' }),
    ]),
    phase('thrive user, audiences oversized (chunked) | ispring users oversized, department list malformed', [
      thrive(T.user, oversizedChunked),
      thrive(T.audiences, oversizedChunked),
      ispring(I.usersV2, oversized),
      ispring(I.departmentList, { kind: 'malformed' }),
    ]),
    phase('thrive user delay | ispring users reset', [
      thrive(T.user, delay),
      ispring(I.usersV2, { kind: 'reset' }),
    ]),
    phase('quiet', []),
    phase(
      'tokens expired: thrive token reset ×3 then 500 | ispring token 429 Retry-After 1 ×3 then delay',
      [
        thrive(T.token, { kind: 'reset' }, 3),
        thrive(T.token, { kind: 'status', status: 500 }),
        ispring(I.token, { kind: 'rateLimit', retryAfter: 1 }, 3),
        ispring(I.token, delay),
      ],
      ['thrive', 'ispring'],
    ),
    phase(
      'thrive user malformed ×40 then 400, audiences HTML 503 | ispring users 401 ×40 then HTML 200, department 503',
      [
        thrive(T.user, { kind: 'malformed' }, 40),
        thrive(T.user, { kind: 'status', status: 400 }),
        thrive(T.audiences, { kind: 'html', status: 503 }),
        thrive(T.audience, { kind: 'html', status: 503 }),
        ispring(I.usersV2, { kind: 'status', status: 401 }, 40),
        ispring(I.usersV2, { kind: 'html', status: 200 }),
        ispring(I.department, { kind: 'status', status: 503 }),
        ispring(I.departmentList, { kind: 'status', status: 503 }),
      ],
    ),
  ];
}

/** Every fault kind a list of phases injects. */
export function kindsOf(phases: readonly Phase[]): Set<string> {
  return new Set(phases.flatMap((phase) => phase.injections.map((injection) => injection.fault.kind)));
}
