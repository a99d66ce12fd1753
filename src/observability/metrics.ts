import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of one subgraph (`GET /metrics`), in a registry of their own rather than
 * prom-client's global one: each server (and each test's server) counts only what it did.
 *
 * Labels are a small fixed set of values: provider names, endpoint templates (never paths with
 * ids), outcome and error codes, operation types. Nothing a caller sends becomes a label value,
 * so no request can make the number of series grow.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly upstreamRequests: Counter<'provider' | 'endpoint' | 'outcome'>;
  readonly upstreamDuration: Histogram<'provider' | 'endpoint' | 'outcome'>;
  readonly payloadIssues: Counter<'provider' | 'endpoint'>;
  readonly breakerTransitions: Counter<'provider' | 'to'>;
  readonly breakerOpen: Gauge<'provider'>;
  readonly cacheLookups: Counter<'kind' | 'result'>;
  /**
   * Counts one cache lookup: a plain number, added to `cacheLookups` when the metrics are read. A
   * warm operation reads the cache for every user it shows, and a prom-client `inc` per read was a
   * tenth of a warm operation's CPU.
   */
  countCacheLookup(kind: string, result: 'hit' | 'miss'): void;
  readonly cacheErrors: Counter<'operation'>;
  readonly cacheInvalidEntries: Counter<'kind'>;
  readonly loaderBatchSize: Histogram<'provider' | 'entity'>;
  readonly operations: Counter<'operation_type' | 'outcome'>;
  readonly operationDuration: Histogram<'operation_type' | 'outcome'>;
  readonly errors: Counter<'code'>;
  readonly providerReady: Gauge<'provider'>;
  readonly directorySyncDuration: Histogram<'provider' | 'kind'>;
  readonly directorySyncPages: Counter<'provider' | 'kind'>;
  readonly directoryChanges: Counter<'provider' | 'kind'>;
  readonly directorySyncFailures: Counter<'provider' | 'kind'>;
  readonly directoryWebhooks: Counter<'provider' | 'outcome'>;
  readonly directoryUsers: Gauge<'provider'>;
  readonly directoryAge: Gauge<'provider'>;
  readonly directoryReplicaEvents: Counter<'event'>;
  readonly directoryReplicaLeader: Gauge;
  readonly directoryReplicaRedisUp: Gauge;
  readonly directoryReplicaLag: Gauge;
  readonly directoryReplicaPending: Gauge;
  readonly directoryReplicaVersion: Gauge;
  readonly directoryReplicaLeaseHolder: Gauge<'holder'>;
}

export const METRIC_PREFIX = 'learning_directory_';

/**
 * A metric's child for each combination of label values (in the order of its `labelNames`), made
 * once and kept: prom-client otherwise sorts and hashes a labels object on every `inc` and
 * `observe`, on every operation and upstream request. The values come from small fixed sets (see
 * above), so the children kept are few.
 */
export function childrenOf<C>(metric: { labels(...values: string[]): C }): (...values: string[]) => C {
  const children = new Map<string, C>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = children.get(key);
    if (child === undefined) children.set(key, (child = metric.labels(...values)));
    return child;
  };
}

export function createMetrics(): Metrics {
  /** Lookups not yet added to the counter, by kind: [hits, misses]. */
  const cacheLookupCounts = new Map<string, [number, number]>();
  const registry = new Registry();
  // Process and runtime metrics, event-loop lag among them (`nodejs_eventloop_lag_*`, from
  // perf_hooks' delay histogram: p50, p90, p99, max).
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;

  const cacheLookups: Counter<'kind' | 'result'> = new Counter({
    name: name('cache_lookups_total'),
    help: 'Reads of the cross-request cache, by kind (user, department, departments list, token, …) and result (hit, miss).',
    labelNames: ['kind', 'result'],
    registers,
    collect() {
      for (const [kind, [hits, misses]] of cacheLookupCounts) {
        if (hits > 0) this.inc({ kind, result: 'hit' }, hits);
        if (misses > 0) this.inc({ kind, result: 'miss' }, misses);
      }
      cacheLookupCounts.clear();
    },
  });

  // Counts not yet added are dropped with the counter's own (tests reset the registry).
  const resetCacheLookups = cacheLookups.reset.bind(cacheLookups);
  cacheLookups.reset = () => {
    cacheLookupCounts.clear();
    resetCacheLookups();
  };

  return {
    registry,
    upstreamRequests: new Counter({
      name: name('upstream_requests_total'),
      help: 'Requests sent to a provider (each attempt, token requests included), by endpoint template and outcome.',
      labelNames: ['provider', 'endpoint', 'outcome'],
      registers,
    }),
    upstreamDuration: new Histogram({
      name: name('upstream_request_duration_seconds'),
      help: 'Time from sending a request to a provider to its whole response (or failure).',
      labelNames: ['provider', 'endpoint', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    payloadIssues: new Counter({
      name: name('upstream_payload_issues_total'),
      help: 'Values of provider payloads left out because they did not have their documented shape (the records were kept), by endpoint template.',
      labelNames: ['provider', 'endpoint'],
      registers,
    }),
    breakerTransitions: new Counter({
      name: name('circuit_breaker_transitions_total'),
      help: "Changes of a provider's circuit breaker, by the state it went to.",
      labelNames: ['provider', 'to'],
      registers,
    }),
    breakerOpen: new Gauge({
      name: name('circuit_breaker_open'),
      help: "1 while a provider's circuit breaker is open or half-open (requests fail fast), else 0.",
      labelNames: ['provider'],
      // Summed over cluster workers, 1 would count workers; any worker's open breaker is the answer.
      aggregator: 'max',
      registers,
    }),
    cacheLookups,
    countCacheLookup(kind, result) {
      let counts = cacheLookupCounts.get(kind);
      if (counts === undefined) cacheLookupCounts.set(kind, (counts = [0, 0]));
      counts[result === 'hit' ? 0 : 1] += 1;
    },
    cacheErrors: new Counter({
      name: name('cache_errors_total'),
      help: 'Commands of a shared cache store (Redis) that failed or timed out, by operation; each read that failed was a miss.',
      labelNames: ['operation'],
      registers,
    }),
    cacheInvalidEntries: new Counter({
      name: name('cache_invalid_entries_total'),
      help: 'Entries read back from the shared cache store that failed their checks (wrong shape, or another entity than the key names): deleted and read as misses.',
      labelNames: ['kind'],
      registers,
    }),
    loaderBatchSize: new Histogram({
      name: name('dataloader_batch_size'),
      help: 'Keys per DataLoader batch handed to a provider, by entity.',
      labelNames: ['provider', 'entity'],
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    }),
    operations: new Counter({
      name: name('graphql_operations_total'),
      help: 'GraphQL operations answered, by type and outcome (success, partial: data with errors, failure: no data).',
      labelNames: ['operation_type', 'outcome'],
      registers,
    }),
    operationDuration: new Histogram({
      name: name('graphql_operation_duration_seconds'),
      help: 'Time from receiving a GraphQL request to sending its response.',
      labelNames: ['operation_type', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    errors: new Counter({
      name: name('graphql_errors_total'),
      help: 'Errors in GraphQL responses, by extensions.code.',
      labelNames: ['code'],
      registers,
    }),
    providerReady: new Gauge({
      name: name('provider_ready'),
      help: 'Result of the last readiness check of a provider (1 reachable with valid credentials, 0 not).',
      labelNames: ['provider'],
      // Over cluster workers: ready only if every worker's last check passed.
      aggregator: 'min',
      registers,
    }),
    directorySyncDuration: new Histogram({
      name: name('directory_sync_duration_seconds'),
      help: 'Time a directory sync took, from its first request to its last change applied, by kind (full, poll, change: a webhook re-read).',
      labelNames: ['provider', 'kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    directorySyncPages: new Counter({
      name: name('directory_sync_pages_total'),
      help: 'List pages the directory read from a provider, by sync kind.',
      labelNames: ['provider', 'kind'],
      registers,
    }),
    directoryChanges: new Counter({
      name: name('directory_changes_applied_total'),
      help: 'Users, departments and groups added, changed or removed in the directory index, by sync kind.',
      labelNames: ['provider', 'kind'],
      registers,
    }),
    directorySyncFailures: new Counter({
      name: name('directory_sync_failures_total'),
      help: 'Directory syncs that changed nothing because they failed (or, kind refused, would have removed more than half of the users).',
      labelNames: ['provider', 'kind'],
      registers,
    }),
    directoryWebhooks: new Counter({
      name: name('directory_webhook_deliveries_total'),
      help: 'Change webhook deliveries received, by outcome (accepted, bad_signature, malformed, ignored, confirmation).',
      labelNames: ['provider', 'outcome'],
      registers,
    }),
    directoryUsers: new Gauge({
      name: name('directory_users'),
      help: 'Users in the directory index, by provider.',
      labelNames: ['provider'],
      aggregator: 'max',
      registers,
    }),
    directoryAge: new Gauge({
      name: name('directory_index_age_seconds'),
      help: "Seconds since the time as of which a provider's whole index is known current (its last full sync's or poll's start); absent before the first full sync.",
      labelNames: ['provider'],
      aggregator: 'max',
      registers,
    }),
    directoryReplicaEvents: new Counter({
      name: name('directory_replica_events_total'),
      help: 'Events of the directory shared through Redis: leader (this process took the lease), follower (it lost it), redis_down, redis_up, snapshot (it loaded what Redis holds), fenced (a write of a former holder was refused).',
      labelNames: ['event'],
      registers,
    }),
    directoryReplicaLeader: new Gauge({
      name: name('directory_replica_leader'),
      help: 'With the directory shared through Redis: 1 while this process holds the lease and runs the syncs, else 0.',
      aggregator: 'sum',
      registers,
    }),
    directoryReplicaRedisUp: new Gauge({
      name: name('directory_replica_redis_up'),
      help: 'With the directory shared through Redis: 1 while Redis is reached, else 0 (the process answers from what it holds).',
      aggregator: 'min',
      registers,
    }),
    directoryReplicaLag: new Gauge({
      name: name('directory_replica_lag_seconds'),
      help: 'With the directory shared through Redis: how long after it was published the last change from Redis was applied here (0 when caught up).',
      aggregator: 'max',
      registers,
    }),
    directoryReplicaVersion: new Gauge({
      name: name('directory_replica_version_seconds'),
      help: 'With the directory shared through Redis: the index version this process serves, as the time (Unix seconds) the last change it applied was published.',
      aggregator: 'min',
      registers,
    }),
    directoryReplicaLeaseHolder: new Gauge({
      name: name('directory_replica_lease_holder'),
      help: 'With the directory shared through Redis: 1, labelled with the process that holds the lease as this process last saw it (host:pid:random); absent while none does or Redis is out of reach.',
      labelNames: ['holder'],
      aggregator: 'max',
      registers,
    }),
    directoryReplicaPending: new Gauge({
      name: name('directory_replica_pending_changes'),
      help: 'With the directory shared through Redis: changes made here while Redis was out of reach, still to be written.',
      aggregator: 'sum',
      registers,
    }),
  };
}
