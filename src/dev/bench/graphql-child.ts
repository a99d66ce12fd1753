import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { RequestContext } from '../../context.js';
import { createErrorFormatter } from '../../error-formatting.js';
import { listen } from '../../listen.js';
import { createLogger } from '../../logger.js';
import type { SecretRedactor } from '../../redaction.js';
import { createSubgraphSchema } from '../../schema.js';
import { serveParent } from '../harness/ipc.js';

/**
 * The server of the bench's comparison processes, B1 (baseline.ts) and B2 (peer.ts): the same
 * subgraph schema and resolvers on Apollo Server and express, with the subgraph's error formatter,
 * on a loopback port; each request's context from `context`. Announces `{ url }` over IPC, and
 * stops on SIGTERM or SIGINT. What the two differ in is their context (and B1's cache hint).
 */
export async function serveComparisonSubgraph(options: {
  readonly redactor: SecretRedactor;
  readonly context: () => Promise<RequestContext>;
  readonly plugins?: readonly ApolloServerPlugin<RequestContext>[];
}): Promise<void> {
  const { redactor } = options;
  const logger = createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn', redactor });
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<RequestContext>({
    schema: createSubgraphSchema(),
    logger,
    formatError: createErrorFormatter(logger, redactor),
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ...(options.plugins ?? [])],
  });
  await apollo.start();
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, { context: options.context }),
  );
  const port = await listen(httpServer, 0, '127.0.0.1');

  const stop = () => {
    void apollo.stop().finally(() => {
      httpServer.closeAllConnections();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  serveParent({}, { url: `http://127.0.0.1:${port}/graphql` });
}
