import type { CacheLookupObserver } from '../cache/store.js';
import type { DirectoryObserver } from '../directory/observer.js';
import type { LoaderBatchObserver } from '../loaders/index.js';
import type { Logger } from '../logger.js';
import type { UpstreamObserver } from '../providers/observer.js';
import { childrenOf, type Metrics } from './metrics.js';

/**
 * What the layers report, turned into log lines and metrics: the one place that knows both the
 * provider layer's events and where they go.
 */
export interface Telemetry {
  readonly metrics: Metrics;
  /** For `createProviders`: upstream requests, breaker changes and cache reads. */
  readonly providers: ProviderObservers;
  /** For `createRequestContext`: DataLoader batch sizes. */
  readonly loaderBatch: LoaderBatchObserver;
  /** For the directory: syncs, polls, webhook deliveries. */
  readonly directory: DirectoryObserver;
}

/** Who hears the providers' requests, breaker changes and cache reads (logs and metrics). */
export interface ProviderObservers {
  readonly upstream?: UpstreamObserver | undefined;
  readonly cache?: CacheLookupObserver | undefined;
}

/** The most issues one log line lists (the line says how many there were in all). */
const MAX_ISSUES_LOGGED = 20;

export function createTelemetry(options: { metrics: Metrics; logger: Logger }): Telemetry {
  const { metrics, logger } = options;
  const upstreamRequests = childrenOf(metrics.upstreamRequests);
  const upstreamDuration = childrenOf(metrics.upstreamDuration);
  const loaderBatchSize = childrenOf(metrics.loaderBatchSize);

  const upstream: UpstreamObserver = {
    request(event) {
      upstreamRequests(event.provider, event.endpoint, event.outcome).inc();
      upstreamDuration(event.provider, event.endpoint, event.outcome).observe(event.durationMs / 1000);
      const caller = event.caller;
      if (caller) caller.upstreamRequests += 1;
      const ok = event.outcome === 'ok' || event.outcome === 'not_found';
      // Most requests succeed, and their line is at info: not even built when info is off.
      if (ok && !logger.isLevelEnabled('info')) return;
      const line = {
        // A request made for a GraphQL request carries its id; a token request (shared by every
        // operation) or a readiness check has none.
        ...(caller ? { requestId: caller.requestId } : {}),
        provider: event.provider,
        endpoint: event.endpoint,
        outcome: event.outcome,
        status: event.status,
        durationMs: Math.round(event.durationMs * 10) / 10,
        attempt: event.attempt,
      };
      if (ok) logger.info(line, 'upstream request');
      else logger.warn(line, 'upstream request failed');
    },
    payloadIssues(event) {
      metrics.payloadIssues.inc({ provider: event.provider, endpoint: event.endpoint }, event.issues.length);
      logger.warn(
        {
          ...(event.caller ? { requestId: event.caller.requestId } : {}),
          provider: event.provider,
          endpoint: event.endpoint,
          // Paths, expectations and kinds only: a payload's values may be personal data.
          issues: event.issues.slice(0, MAX_ISSUES_LOGGED),
          issueCount: event.issues.length,
        },
        'upstream payload had values that do not fit their documented shape: they were left out, the records kept',
      );
    },
    notice({ provider, level, message, details, caller }) {
      logger[level]({ ...(caller ? { requestId: caller.requestId } : {}), provider, ...details }, message);
    },
    breakerTransition(provider, from, to) {
      metrics.breakerTransitions.inc({ provider, to });
      metrics.breakerOpen.set({ provider }, to === 'closed' ? 0 : 1);
      const line = { provider, from, to };
      if (to === 'open') logger.warn(line, `circuit breaker of ${provider} opened: its requests fail fast`);
      else logger.info(line, `circuit breaker of ${provider} is ${to}`);
    },
  };

  const cache: CacheLookupObserver = (kind, hit) => {
    metrics.countCacheLookup(kind, hit ? 'hit' : 'miss');
  };

  const directory: DirectoryObserver = {
    replicaEvent({ event, detail }) {
      metrics.directoryReplicaEvents.inc({ event });
      const quiet =
        event === 'snapshot' || event === 'leader' || event === 'follower' || event === 'redis_up';
      if (quiet) logger.info({ event }, `shared directory: ${detail}`);
      else logger.warn({ event }, `shared directory: ${detail}`);
    },
    synced({ provider, kind, durationMs, pages, changes, users }) {
      metrics.directorySyncDuration.observe({ provider, kind }, durationMs / 1000);
      metrics.directorySyncPages.inc({ provider, kind }, pages);
      metrics.directoryChanges.inc({ provider, kind }, changes);
      const line = { provider, kind, durationMs: Math.round(durationMs), pages, changes, users };
      // A poll or change that found nothing new is routine: debug, not info.
      if (kind === 'full' || changes > 0)
        logger.info(line, `directory ${kind === 'change' ? 'change applied' : `${kind} sync applied`}`);
      else logger.debug(line, `directory ${kind} sync found no change`);
    },
    syncFailed({ provider, kind, error }) {
      metrics.directorySyncFailures.inc({ provider, kind });
      logger.warn(
        { provider, kind, err: error },
        `directory ${kind} sync of ${provider} failed; the index keeps its previous state`,
      );
    },
    syncRefused({ provider, usersBefore, usersAfter }) {
      metrics.directorySyncFailures.inc({ provider, kind: 'refused' });
      logger.error(
        { provider, usersBefore, usersAfter },
        `directory full sync of ${provider} refused: it would remove more than half of the users; the index keeps its previous state`,
      );
    },
    pollingStopped({ provider, reason }) {
      logger.warn({ provider }, `directory polling of ${provider} stopped: ${reason}`);
    },
    webhook({ provider, outcome, users }) {
      metrics.directoryWebhooks.inc({ provider, outcome });
      const line = { provider, outcome, users };
      if (outcome === 'accepted' || outcome === 'confirmation' || outcome === 'ignored')
        logger.info(line, 'webhook delivery');
      else logger.warn(line, 'webhook delivery refused');
    },
    changeFailed({ provider, error }) {
      metrics.directorySyncFailures.inc({ provider, kind: 'change' });
      logger.warn(
        { provider, err: error },
        `re-reading the users a ${provider} webhook named failed; the next full sync applies the change`,
      );
    },
  };

  return {
    metrics,
    directory,
    providers: { upstream, cache },
    loaderBatch: (provider, entity, size) => loaderBatchSize(provider, entity).observe(size),
  };
}
