/**
 * The soak's settings, in one place: the subgraph's configuration under soak (`SOAK_ENV`, which
 * the report prints and the JSON carries) and the bounds the run and its checks hold to. The fault
 * schedule (schedule.ts) is set against these numbers.
 */

/** The subgraph's configuration under soak: small timeouts and bounded retries, so faults resolve quickly. */
export const UPSTREAM_TIMEOUT_MS = 1000;
export const UPSTREAM_DEADLINE_MS = 3000;
export const UPSTREAM_MAX_BODY_BYTES = 1024 * 1024;
export const BREAKER_OPEN_MS = 1000;
export const RETRY_AFTER_MAX_SECONDS = 1;
export const CACHE_TTL_SECONDS = 2;
export const SUBGRAPH_MAX_BODY_BYTES = 1024 * 1024;

export const SOAK_ENV: Readonly<Record<string, string>> = {
  UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
  UPSTREAM_DEADLINE_MS: String(UPSTREAM_DEADLINE_MS),
  UPSTREAM_MAX_BODY_BYTES: String(UPSTREAM_MAX_BODY_BYTES),
  THRIVE_RETRIES: '2',
  ISPRING_RETRIES: '2',
  THRIVE_RETRY_BASE_DELAY_MS: '50',
  ISPRING_RETRY_BASE_DELAY_MS: '50',
  THRIVE_RETRY_MAX_DELAY_MS: '250',
  ISPRING_RETRY_MAX_DELAY_MS: '250',
  THRIVE_RETRY_AFTER_MAX_SECONDS: String(RETRY_AFTER_MAX_SECONDS),
  ISPRING_RETRY_AFTER_MAX_SECONDS: String(RETRY_AFTER_MAX_SECONDS),
  THRIVE_BREAKER_FAILURES: '5',
  ISPRING_BREAKER_FAILURES: '5',
  THRIVE_BREAKER_OPEN_MS: String(BREAKER_OPEN_MS),
  ISPRING_BREAKER_OPEN_MS: String(BREAKER_OPEN_MS),
  CACHE_TTL_USERS_SECONDS: String(CACHE_TTL_SECONDS),
  CACHE_TTL_DEPARTMENTS_SECONDS: String(CACHE_TTL_SECONDS),
  CACHE_TTL_GROUPS_SECONDS: String(CACHE_TTL_SECONDS),
  MAX_BODY_BYTES: String(SUBGRAPH_MAX_BODY_BYTES),
  LOG_LEVEL: 'warn',
};

/** The sandbox's delay per upstream response, ms: a little real latency. */
export const SANDBOX_DELAY_MS = 5;
/** A request with no answer after this is a failure (the deadline is 3 s; Retry-After waits 1 s). */
export const CLIENT_TIMEOUT_MS = 15_000;
/** Memory is flat when the RSS at the end of the load is at most this much above the middle reading. */
export const RSS_FLAT_TOLERANCE = 0.15;
/** The slowest a fault phase rotates; the fastest is 1 s (`--quick`). */
export const MAX_PHASE_SECONDS = 3;
/** harness/orphan-guard.ts ends the subgraph this long after a SIGTERM, should main.ts not. */
export const ORPHAN_GUARD_BACKSTOP_MS = 1500;
/** The subgraph's stderr says this at the start of a line its process-monitor.ts wrote. */
export const MONITOR_MARKER = 'soak-monitor:';
/** How often the liveness probe asks `/health/live` during the load. */
export const PROBE_INTERVAL_MS = 50;
/** The longest a liveness probe may wait while an attack request is in flight. */
export const MAX_PROBE_MS_UNDER_ATTACK = 1000;
/** Requests in flight at once in the warm-up and the recovery passes (one keep-alive agent). */
export const REPLAY_WIDTH = 8;
