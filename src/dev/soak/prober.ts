import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A liveness probe that runs beside the soak's load: `GET /health/live` on a connection of its own
 * every `intervalMs`. The health endpoint does no work, so how long it takes is how long the
 * subgraph's event loop kept it waiting; set beside when attack requests were in flight, it says
 * what the attacks cost in event-loop lag.
 */

export interface Probe {
  /** `performance.now()` when the probe was sent. */
  readonly at: number;
  /** Until the whole answer came, ms; Infinity when none came. */
  readonly ms: number;
}

export function startLivenessProbe(url: string, intervalMs: number): { stop(): Promise<Probe[]> } {
  const probes: Probe[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const done = new AbortController();
  const loop = (async () => {
    while (!done.signal.aborted) {
      const at = performance.now();
      const ms = await probeOnce(agent, url).catch(() => Number.POSITIVE_INFINITY);
      probes.push({ at, ms });
      await sleep(intervalMs, undefined, { signal: done.signal }).catch(() => {});
    }
  })();
  return {
    async stop() {
      done.abort();
      await loop;
      agent.destroy();
      return probes;
    },
  };
}

function probeOnce(agent: http.Agent, url: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(performance.now() - started));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('probe timed out')));
    request.on('error', reject);
  });
}

/** The probes sent while one of `windows` (start, end) was open, and the others. */
export function splitByWindows(
  probes: readonly Probe[],
  windows: ReadonlyArray<readonly [number, number]>,
): { during: number[]; otherwise: number[] } {
  const sorted = [...windows].sort((a, b) => a[0] - b[0]);
  const during: number[] = [];
  const otherwise: number[] = [];
  for (const probe of probes) {
    const end = probe.at + (Number.isFinite(probe.ms) ? probe.ms : 0);
    const overlaps = sorted.some(([start, stop]) => start <= end && stop >= probe.at);
    (overlaps ? during : otherwise).push(probe.ms);
  }
  return { during, otherwise };
}
