import type { SandboxDrain } from '../harness/sandbox-process.js';
import { ISPRING_ENDPOINTS } from '../../providers/ispring/endpoints.js';
import { THRIVE_ENDPOINTS } from '../../providers/thrive/endpoints.js';
import { addInto } from './tally.js';

/** The upstream requests the sandboxes counted (their `drain`), summed over a step or a phase. */

export interface UpstreamTotals {
  counts: Record<string, number>;
  faults: Record<string, number>;
  faultsByEndpoint: Record<string, number>;
  statuses: Record<string, number>;
}

export const emptyTotals = (): UpstreamTotals => ({
  counts: {},
  faults: {},
  faultsByEndpoint: {},
  statuses: {},
});

export function addDrain(totals: UpstreamTotals, drain: SandboxDrain): void {
  for (const provider of ['thrive', 'ispring'] as const) {
    const part = drain[provider];
    addInto(totals.counts, part.counts, `${provider} `);
    addInto(totals.faults, part.faults);
    addInto(totals.faultsByEndpoint, part.faultsByEndpoint, `${provider} `);
    addInto(totals.statuses, part.statuses, `${provider} `);
  }
}

/** The token endpoints, as the sandboxes' counters name them (`<provider> <endpoint>`). */
export const TOKEN_ENDPOINTS: ReadonlySet<string> = new Set([
  `thrive ${THRIVE_ENDPOINTS.token}`,
  `ispring ${ISPRING_ENDPOINTS.token}`,
]);

export const sum = (record: Readonly<Record<string, number>>) =>
  Object.values(record).reduce((a, b) => a + b, 0);
