import type { Options } from './options.js';
import { createSchedule, type Phase } from './schedule.js';
import { MAX_PHASE_SECONDS, UPSTREAM_MAX_BODY_BYTES, UPSTREAM_TIMEOUT_MS } from './settings.js';

/** The soak's plan: how long each fault phase lasts, the phases in order, and when memory is read. */
export interface Plan {
  /** One cycle of the schedule (schedule.ts). */
  readonly cycleLength: number;
  readonly phaseSeconds: number;
  /** The cycle, repeated to fill `--duration`. */
  readonly phases: readonly Phase[];
  /** Whole cycles the load runs. */
  readonly cycles: number;
  /** The phase at whose start the middle memory reading is taken. */
  readonly middlePhase: number;
}

export function planPhases(options: Options): Plan {
  const fullSchedule = createSchedule({
    upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
    maxUpstreamBodyBytes: UPSTREAM_MAX_BODY_BYTES,
  });
  const phaseSeconds = Math.min(
    MAX_PHASE_SECONDS,
    Math.max(1, options.durationSeconds / fullSchedule.length),
  );
  const phaseCount = Math.max(1, Math.ceil(options.durationSeconds / phaseSeconds));
  // The middle memory reading: at the end of a cycle of the schedule, half-way through the cycles,
  // so that it and the reading at the end follow the same faults; with less than two cycles, half-way.
  const cycles = Math.floor(phaseCount / fullSchedule.length);
  const middlePhase =
    cycles >= 2 ? Math.floor(cycles / 2) * fullSchedule.length : Math.max(1, Math.floor(phaseCount / 2));
  const phases: Phase[] = Array.from(
    { length: phaseCount },
    (_, i) => fullSchedule[i % fullSchedule.length]!,
  );
  return { cycleLength: fullSchedule.length, phaseSeconds, phases, cycles, middlePhase };
}
