import { parentPort } from 'node:worker_threads';
import { PayloadShapeError } from '../../errors.js';
import { PayloadIssues } from '../../payload.js';
import { PAGE_READERS, type PageReply, type PageRequest } from './readers.js';

/**
 * The page-reading worker's entry (started by `off-thread.ts`): reads each page body it is sent
 * with the reader its kind names, and answers with the value as JSON, or with what went wrong.
 */
const port = parentPort;
if (port === null) throw new Error('providers/pages/worker.ts runs as a worker thread only');

port.on('message', (request: PageRequest) => {
  void answer(request).then((reply) => port.postMessage(reply));
});

async function answer({ id, kind, body, argument }: PageRequest): Promise<PageReply> {
  const issues = new PayloadIssues();
  try {
    const read = PAGE_READERS[kind] as (body: string, issues: PayloadIssues, argument: unknown) => unknown;
    const value = await read(body, issues, argument);
    return { id, json: JSON.stringify(value), issues: issues.list() };
  } catch (error) {
    if (error instanceof PayloadShapeError) {
      return { id, shape: { path: error.path, expected: error.expected, received: error.received } };
    }
    return { id, failure: error instanceof Error ? error.message : String(error) };
  }
}
