import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PayloadShapeError } from '../../errors.js';
import type { PayloadIssue } from '../../payload.js';
import type { PageArgument, PageKind, PageReply, PageRequest, PageValue } from './readers.js';

/**
 * Pages of the directory listing read in a worker thread. A full sync reads every user of a
 * tenant, and reading a page (parsing, decoding, mapping) makes some 50 KB of short-lived objects a
 * user that live as long as their page, long enough to be promoted to the old generation, beside
 * the index: at 200,000 users a resync made a full collection every second or two and left the
 * heap a tenth larger than after the first sync. In a worker that garbage stays in the worker's own
 * heap, and only the page's models cross, as one JSON string (README "Memory").
 *
 * One worker for the process, started at the first page and kept while it reads (an idle worker
 * does not keep the process alive). If it stops, the pages it was reading fail (the sync that asked
 * fails and changes nothing) and the next page starts another.
 */
export interface PageRead<K extends PageKind> {
  readonly value: PageValue<K>;
  readonly issues: readonly PayloadIssue[];
}

/**
 * Reads `body` with the reader of `kind` in the worker. Rejects with a `PayloadShapeError` when the
 * body does not have the shape expected, as the reader would on this thread.
 */
export function readPageOffThread<K extends PageKind>(
  kind: K,
  body: string,
  argument: PageArgument<K>,
): Promise<PageRead<K>> {
  return pageWorker().read(kind, body, argument) as Promise<PageRead<K>>;
}

/**
 * Stops the worker, if one runs: the reads in flight fail, and the next read starts another. For
 * a process that shuts down with reads still waiting, and for the tests.
 */
export async function stopPageWorker(): Promise<void> {
  await current?.stop();
}

/** How many workers this process has started (tests: one serves every page). */
export function pageWorkersStarted(): number {
  return started;
}

interface Waiting {
  resolve(read: PageRead<PageKind>): void;
  reject(error: Error): void;
}

class PageWorker {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 1;
  #stopped = false;

  constructor(onStop: () => void) {
    this.#worker = startWorker();
    this.#worker.unref();
    this.#worker.on('message', (reply: PageReply) => this.#settle(reply));
    const stop = (reason: string) => {
      if (this.#stopped) return;
      this.#stopped = true;
      onStop();
      for (const waiting of this.#waiting.values()) {
        waiting.reject(new Error(`the page-reading worker stopped (${reason})`));
      }
      this.#waiting.clear();
    };
    this.#worker.on('error', (error) => stop(error.message));
    this.#worker.on('exit', (code) => stop(`exit code ${code}`));
  }

  async stop(): Promise<void> {
    await this.#worker.terminate();
  }

  read(kind: PageKind, body: string, argument: unknown): Promise<PageRead<PageKind>> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#waiting.set(id, { resolve, reject });
      // Referenced while it reads: a read waits for it even when nothing else keeps the process alive.
      if (this.#waiting.size === 1) this.#worker.ref();
      const request: PageRequest = { id, kind, body, argument };
      this.#worker.postMessage(request);
    });
  }

  #settle(reply: PageReply): void {
    const waiting = this.#waiting.get(reply.id);
    if (!waiting) return;
    this.#waiting.delete(reply.id);
    if (this.#waiting.size === 0) this.#worker.unref();
    if ('json' in reply) {
      waiting.resolve({ value: JSON.parse(reply.json) as PageValue<PageKind>, issues: reply.issues });
    } else if ('shape' in reply) {
      waiting.reject(new PayloadShapeError(reply.shape.path, reply.shape.expected, reply.shape.received));
    } else {
      waiting.reject(new Error(reply.failure));
    }
  }
}

let current: PageWorker | undefined;
let started = 0;

function pageWorker(): PageWorker {
  if (current === undefined) {
    started += 1;
    const worker: PageWorker = new PageWorker(() => {
      if (current === worker) current = undefined;
    });
    current = worker;
  }
  return current;
}

/**
 * The worker runs `worker.js` beside this module, with none of this process's `execArgv` (a
 * preloaded script is not the worker's). Run from source (the tests, `npm run dev`), the module is
 * TypeScript, and the worker loads it through tsx (a dev dependency).
 */
function startWorker(): Worker {
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  if (!fromSource) return new Worker(new URL('./worker.js', import.meta.url), { execArgv: [] });
  const entry = new URL('./worker.ts', import.meta.url).href;
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true, execArgv: [] },
  );
}
