import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import type { RequestContext } from '../../context.js';
import { SecretRedactor } from '../../redaction.js';
import { createInMemoryDirectory } from './directory.js';
import { createPlainDirectory } from './plain-directory.js';
import { failStart } from '../harness/ipc.js';
import { serveComparisonSubgraph } from './graphql-child.js';
import { organisationFor } from '../harness/organisation.js';
import { WARM_TTL_SECONDS } from './settings.js';
import { PersonIds, personIdKey } from '../../directory/person-ids.js';

/**
 * Baseline B1 (forked by run.ts): the same subgraph schema and resolvers (`createSubgraphSchema()`)
 * on Apollo Server and express as src/server.ts builds them (the same plugins, with the warm
 * subgraph's cache hint), but with a context whose `loaders` answer from in-memory maps of models,
 * built once at start from the bench organisation through the providers' own mappers. No HTTP
 * client, no parsing, no DataLoader: the ceiling for everything the subgraph's data layer adds.
 * The directory's fields (search, lists, the ways down) are answered by scanning plain arrays of
 * the same models (`createPlainDirectory`): the baseline the directory index is measured against.
 * Announces its URL over IPC.
 *
 * Environment: BENCH_B1_USERS (unset: the bench organisation; 1 to 100000: the sandbox's large
 * organisation of that many users per provider, as the sandbox process builds it for
 * BENCH_SANDBOX_USERS).
 */

export interface BaselineInfo {
  readonly url: string;
}

async function main(): Promise<void> {
  const users = process.env['BENCH_B1_USERS'];
  const models = createInMemoryDirectory(organisationFor(users === undefined ? undefined : Number(users)));
  // The same context object for every request: the maps and arrays are read-only and nothing in
  // them holds per-request state.
  const context: RequestContext = {
    loaders: models.loaders,
    directory: createPlainDirectory(
      [...models.users.values()],
      [...models.departments.values()],
      [...models.groups.values()],
      new PersonIds(personIdKey('bench baseline person ids', [])),
    ),
  };

  await serveComparisonSubgraph({
    redactor: new SecretRedactor([]),
    context: async () => context,
    plugins: [ApolloServerPluginCacheControl({ defaultMaxAge: WARM_TTL_SECONDS })],
  });
}

main().catch(failStart);
