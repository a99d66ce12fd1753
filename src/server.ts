import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { LIMIT_DEFAULTS, OPERATIONS_DEFAULTS, type LimitsConfig } from './config.js';
import { createRequestContext, type RequestContext } from './context.js';
import { createErrorFormatter } from './error-formatting.js';
import type { SecretRedactor } from './redaction.js';
import { GRAPHIQL_ASSETS_PATH, graphiqlAssets, graphiqlLandingPage } from './graphiql/index.js';
import { limitListArguments } from './inbound/argument-limits.js';
import { jsonErrorHandler, jsonNotFound, requireUtf8 } from './inbound/http-errors.js';
import { createDocumentStore } from './inbound/document-store.js';
import { errorCapPlugin, locateResolverErrors } from './inbound/error-budget.js';
import { refuseDeepFragmentChains } from './inbound/fragment-chains.js';
import { graphqlPostHandler, type GraphqlPostHandler } from './inbound/graphql-post.js';
import { operationBudgetPlugin } from './inbound/operation-budget.js';
import { queriesOnlyRule } from './inbound/operation-types.js';
import { allowCorsOrigins } from './inbound/cors.js';
import { checkPersistedQueries } from './inbound/persisted-queries.js';
import { createQueryLimitsRule } from './inbound/query-limits.js';
import { requireRouterSecret } from './inbound/router-secret.js';
import type { ProviderRegistry } from './providers/types.js';
import { UpstreamBudget } from './providers/observer.js';
import type { Logger } from './logger.js';
import { livenessHandler, readinessHandler, ReadinessMonitor } from './observability/health.js';
import { createMetrics } from './observability/metrics.js';
import { operationTelemetryPlugin } from './observability/operation-plugin.js';
import { openRequestScope } from './observability/request-scope.js';
import { createTelemetry, type Telemetry } from './observability/telemetry.js';
import { inlineTracingPlugins } from './observability/tracing.js';
import { chainRequestPlugins } from './request-plugins.js';
import { createSubgraphSchema } from './schema.js';
import { graphqlUrl, listen } from './listen.js';
import type { Directory } from './directory/directory.js';
import { webhookRouter } from './inbound/webhooks.js';
import type { ProviderName } from './models.js';
import type { Metrics } from './observability/metrics.js';

export interface SubgraphServerOptions {
  readonly providers: ProviderRegistry;
  readonly logger: Logger;
  readonly redactor: SecretRedactor;
  readonly host: string;
  readonly port: number;
  /**
   * The `maxAge` of the cache hint given to the router (`Cache-Control: max-age=…, public`); 0 or
   * absent gives none. See `cacheHintMaxAgeSeconds` for how it is bounded by the cache's TTLs.
   */
  readonly cacheMaxAgeSeconds?: number;
  /**
   * When set, every request but the health endpoints must carry it in the `router-authorization`
   * header, else 401 (`ROUTER_SECRET`).
   */
  readonly routerSecret?: string;
  /**
   * Origins a browser may call `/graphql` from directly (`CORS_ORIGINS`): their preflights are
   * answered and their responses readable. None by default: no CORS headers at all.
   */
  readonly corsOrigins?: readonly string[];
  /** What one request may ask (`MAX_*`); `LIMIT_DEFAULTS` when absent. */
  readonly limits?: LimitsConfig;
  /** Whether `__schema`/`__type` are answered (`INTROSPECTION`); `_service` always is. Default true. */
  readonly introspection?: boolean;
  /**
   * Metrics, and the observers the providers were made with (`createProviders(…, telemetry.providers)`),
   * so that `/metrics` counts their requests. Absent: metrics of this server's own work only.
   */
  readonly telemetry?: Telemetry;
  /** Whether a browser asking `/graphql` for HTML gets GraphiQL (`GRAPHIQL`). Default true. */
  readonly graphiql?: boolean;
  /** Whether a trace is sent when the router asks (`INLINE_TRACING`). Default true. */
  readonly inlineTracing?: boolean;
  /**
   * What `/metrics` serves; this server's own registry when absent. A cluster worker passes the
   * metrics of every worker, summed by the primary (`askPrimaryForMetrics`).
   */
  readonly metricsText?: () => Promise<string>;
  /** How often `/health/ready` may ask the providers, and how long one check may take. */
  readonly health?: { readonly intervalMs: number; readonly timeoutMs: number };
  /**
   * The directory index (README, "The directory"): its queries, by-id reads from it, its state in
   * `/health/ready` and `/metrics`, and its webhooks (for the providers with a secret in
   * `webhookSecrets`). Absent: the directory's fields answer `DIRECTORY_DISABLED`.
   */
  readonly directory?: Directory;
  readonly webhookSecrets?: { readonly [P in ProviderName]?: string | undefined };
  /**
   * Whether a plain `POST /graphql` of JSON is served without express (`inbound/graphql-post.ts`).
   * Default true; false sends every request through the express app (the tests compare the two).
   */
  readonly graphqlPostWithoutExpress?: boolean;
}

export interface RunningSubgraph {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4001/graphql. */
  readonly url: string;
  readonly port: number;
  /** What `/health/ready` answers (tests and the start-up check call it directly). */
  readonly readiness: ReadinessMonitor;
  close(): Promise<void>;
}

/** Builds the Apollo Server of the subgraph and serves it over HTTP at `/graphql`. */
export async function startSubgraph(options: SubgraphServerOptions): Promise<RunningSubgraph> {
  const app = express();
  app.disable('x-powered-by');
  const limits = options.limits ?? LIMIT_DEFAULTS;
  /** The plain `POST /graphql`'s own path (`inbound/graphql-post.ts`), once Apollo Server has started. */
  let graphqlPost: GraphqlPostHandler | undefined;
  const httpServer = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often the two timeouts above are checked (Node's default, 30 s, would let a slow client
      // hold a connection up to that much longer).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    (request, response) => {
      if (graphqlPost?.(request, response)) return;
      app(request, response);
    },
  );
  httpServer.keepAliveTimeout = limits.keepAliveTimeoutMs;
  const telemetry =
    options.telemetry ?? createTelemetry({ metrics: createMetrics(), logger: options.logger });
  const { metrics } = telemetry;
  // Every series of a provider exists from the start, so a dashboard shows 0 rather than nothing.
  for (const provider of options.providers.keys()) metrics.breakerOpen.set({ provider }, 0);
  const readiness = new ReadinessMonitor({
    providers: options.providers,
    intervalMs: options.health?.intervalMs ?? OPERATIONS_DEFAULTS.healthCheckIntervalMs,
    timeoutMs: options.health?.timeoutMs ?? OPERATIONS_DEFAULTS.healthCheckTimeoutMs,
    redactor: options.redactor,
    logger: options.logger,
    metrics,
    directory: options.directory,
  });
  const graphiql = options.graphiql ?? true;

  const tracing = inlineTracingPlugins({
    enabled: options.inlineTracing ?? true,
    redactor: options.redactor,
  });
  const apollo = new ApolloServer<RequestContext>({
    schema: locateResolverErrors(limitListArguments(createSubgraphSchema(), limits)),
    // Only __schema and __type are refused when off: `_service { sdl }` is an ordinary field.
    introspection: options.introspection ?? true,
    // Without introspection, "Did you mean …" would still name the schema's fields and types.
    hideSchemaDetailsFromClientErrors: !(options.introspection ?? true),
    // Stated although it is Apollo's default: a POST a browser may send without a preflight
    // (text/plain, form types, no content type) or a GET without `apollo-require-preflight` is refused.
    csrfPrevention: true,
    documentStore: createDocumentStore(),
    validationRules: [queriesOnlyRule, createQueryLimitsRule(limits)],
    // Apollo's own messages go through the same redacting JSON logger as ours.
    logger: options.logger,
    formatError: createErrorFormatter(options.logger, options.redactor),
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGINT/SIGTERM (it also stops the sandbox); Apollo's own handler would re-raise
    // the signal into ours and leave the process running.
    stopOnTerminationSignals: false,
    plugins: [
      // First, as one listener (`request-plugins.ts`): the error cap first of all, so that every
      // later plugin, the formatter and the traces see the errors the client gets; the originals
      // of errors before the trace that reads them.
      chainRequestPlugins<RequestContext>([
        errorCapPlugin(),
        operationBudgetPlugin(limits),
        operationTelemetryPlugin({ metrics, logger: options.logger }),
        ...(tracing.keepOriginals ? [tracing.keepOriginals] : []),
      ]),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      tracing.trace,
      graphiql
        ? graphiqlLandingPage({ endpointPath: '/graphql', assetsPath: GRAPHIQL_ASSETS_PATH })
        : ApolloServerPluginLandingPageDisabled(),
      // Every field gets this maxAge, in PUBLIC scope: an answer may be kept by the router and
      // given to any caller, because directory data does not vary by caller. The subgraph reads
      // the providers with its own credentials, never the caller's, and the context holds nothing
      // of the request but fresh loaders. A response with errors (an upstream failure, a bad id)
      // is never cacheable: Apollo then sends `no-store`.
      ApolloServerPluginCacheControl({ defaultMaxAge: options.cacheMaxAgeSeconds ?? 0 }),
    ],
  });
  await apollo.start();
  /** The context of one operation, whichever path its request took. */
  const contextOf = async (request: IncomingMessage, response: ServerResponse) =>
    createRequestContext(options.providers, {
      onBatch: telemetry.loaderBatch,
      directory: options.directory,
      scope: openRequestScope(
        request.headers,
        response,
        new UpstreamBudget(limits.maxUpstreamRequestsPerOperation),
      ),
    });
  // CORS_ORIGINS' headers are the express app's (`allowCorsOrigins`): with it set, every request goes there.
  if ((options.graphqlPostWithoutExpress ?? true) && !options.corsOrigins?.length) {
    graphqlPost = graphqlPostHandler({
      apollo,
      context: contextOf,
      maxBodyBytes: limits.maxBodyBytes,
      maxQueryDepth: limits.maxQueryDepth,
      routerSecret: options.routerSecret,
      logger: options.logger,
    });
  }

  // Probes and scrapes: answered before the router's secret is asked for (they carry no data).
  app.get('/health/live', livenessHandler());
  app.get('/health/ready', readinessHandler(readiness));
  const metricsText = options.metricsText ?? (() => metrics.registry.metrics());
  app.get('/metrics', (_req, res, next) => {
    if (options.directory) setDirectoryGauges(metrics, options.directory);
    metricsText().then((text) => {
      res.status(200).set('content-type', metrics.registry.contentType).send(text);
    }, next);
  });
  // Before the secret: a browser's preflight never carries it, and a 401 the page can read helps.
  if (options.corsOrigins?.length) {
    app.use(
      '/graphql',
      allowCorsOrigins({ origins: options.corsOrigins, routerSecret: Boolean(options.routerSecret) }),
    );
  }
  // Webhooks come from the vendors, never through the router: their signature is their credential.
  if (options.directory) {
    app.use(
      webhookRouter({
        directory: options.directory,
        secrets: options.webhookSecrets ?? {},
        observer: telemetry.directory,
        onConfirmation: (provider, code) =>
          options.logger.warn(
            { provider, code },
            `${provider} sent a webhook CONFIRMATION: confirm the subscription with this code`,
          ),
      }),
    );
  }
  // Before anything reads the body: a request without the router's secret costs next to nothing.
  if (options.routerSecret) app.use(requireRouterSecret(options.routerSecret));
  if (graphiql) app.use(GRAPHIQL_ASSETS_PATH, graphiqlAssets());
  app.use(
    '/graphql',
    express.json({ limit: limits.maxBodyBytes, verify: requireUtf8 }),
    checkPersistedQueries(),
    refuseDeepFragmentChains(limits),
    expressMiddleware(apollo, { context: ({ req, res }) => contextOf(req, res) }),
  );
  app.use(jsonNotFound());
  app.use(jsonErrorHandler(options.logger, limits.maxBodyBytes));

  const port = await listen(httpServer, options.port, options.host);
  return {
    url: graphqlUrl(options.host, port),
    port,
    readiness,
    close: async () => {
      await apollo.stop();
      httpServer.closeAllConnections();
    },
  };
}

/** The directory's gauges, as of the scrape: users held, how old each provider's index is, the shared directory's state. */
function setDirectoryGauges(metrics: Metrics, directory: Directory): void {
  const now = Date.now();
  for (const status of directory.status()) {
    metrics.directoryUsers.set({ provider: status.provider }, status.users);
    if (status.confirmedAt !== null) {
      metrics.directoryAge.set({ provider: status.provider }, Math.max(0, (now - status.confirmedAt) / 1000));
    }
  }
  const shared = directory.replicaStatus();
  if (shared) {
    metrics.directoryReplicaLeader.set(shared.leader ? 1 : 0);
    metrics.directoryReplicaRedisUp.set(shared.redis === 'up' ? 1 : 0);
    metrics.directoryReplicaPending.set(shared.pending);
    if (shared.lagMs !== null) metrics.directoryReplicaLag.set(shared.lagMs / 1000);
    if (shared.version !== null) {
      metrics.directoryReplicaVersion.set(
        Number(shared.version.slice(0, shared.version.indexOf('-'))) / 1000,
      );
    }
    // One series, for the holder of now: a holder that was is not a label forever.
    metrics.directoryReplicaLeaseHolder.reset();
    if (shared.leaseHolder !== null)
      metrics.directoryReplicaLeaseHolder.set({ holder: shared.leaseHolder }, 1);
  }
}
