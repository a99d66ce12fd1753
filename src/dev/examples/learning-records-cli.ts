import { startLearningRecordsSubgraph } from './learning-records-subgraph.js';

/**
 * `npm run example:learning-records`: the example second subgraph on http://localhost:4002/graphql,
 * to run beside `npm start` behind a router or gateway (see "Running in a supergraph" in the README).
 * Environment: LEARNING_RECORDS_PORT (default 4002), LEARNING_RECORDS_HOST (default 127.0.0.1; set
 * 0.0.0.0 for a router in a container).
 */

const DEFAULT_PORT = 4002;
const DEFAULT_HOST = '127.0.0.1';

function readPort(): number {
  const raw = process.env['LEARNING_RECORDS_PORT']?.trim();
  if (!raw) return DEFAULT_PORT;
  if (!/^\d+$/.test(raw) || Number(raw) > 65_535) {
    process.stderr.write(
      `LEARNING_RECORDS_PORT must be a port number (0 to 65535); got ${JSON.stringify(raw)}.\n`,
    );
    process.exit(2);
  }
  return Number(raw);
}

async function main(): Promise<void> {
  const subgraph = await startLearningRecordsSubgraph({
    port: readPort(),
    host: process.env['LEARNING_RECORDS_HOST']?.trim() || DEFAULT_HOST,
  });
  process.stdout.write(`Example subgraph "learning-records" ready at ${subgraph.url}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void subgraph.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`Cannot start the example subgraph: ${(error as Error).message}\n`);
  process.exit(1);
});
