import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { RequestContext } from '../../context.js';
import { createErrorFormatter } from '../../error-formatting.js';
import { SecretRedactor } from '../../redaction.js';
import { createLogger } from '../../logger.js';
import { createSubgraphSchema } from '../../schema.js';
import { createInMemoryDirectory } from './directory.js';
import { failStart, serveParent } from '../harness/ipc.js';
import { createBenchOrganisation } from '../harness/organisation.js';
import { WARM_TTL_SECONDS } from './settings.js';
import { listen } from '../../listen.js';

/**
 * Baseline B1 (forked by run.ts): the same subgraph schema and resolvers (`createSubgraphSchema()`)
 * on Apollo Server and express as src/server.ts builds them (the same plugins, with the warm
 * subgraph's cache hint), but with a context whose `loaders` answer from in-memory maps of models,
 * built once at start from the bench organisation through the providers' own mappers. No HTTP
 * client, no parsing, no DataLoader: the ceiling for everything the subgraph's data layer adds.
 * Announces its URL over IPC.
 */

export interface BaselineInfo {
  readonly url: string;
}

const MAX_BODY = '1mb';

async function main(): Promise<void> {
  const directory = createInMemoryDirectory(createBenchOrganisation());
  // The same context object for every request: the maps are read-only and no loader holds state.
  const context: RequestContext = { loaders: directory.loaders };

  const redactor = new SecretRedactor([]);
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
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginCacheControl({ defaultMaxAge: WARM_TTL_SECONDS }),
    ],
  });
  await apollo.start();
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY }),
    expressMiddleware(apollo, { context: async () => context }),
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
  const info: BaselineInfo = { url: `http://127.0.0.1:${port}/graphql` };
  serveParent({}, info);
}

main().catch(failStart);
