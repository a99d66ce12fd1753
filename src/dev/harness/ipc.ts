/**
 * The bench's little IPC protocol between the orchestrator (run.ts) and its forked children: a
 * child announces `ready` once, then answers calls by id. Children exit when the orchestrator goes
 * away (its IPC channel closes), so that no child outlives the bench even when it is killed hard.
 */

export interface ReadyMessage {
  readonly kind: 'ready';
  readonly info: unknown;
}

export interface CallMessage {
  readonly kind: 'call';
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

export interface ReplyMessage {
  readonly kind: 'reply';
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

export type Handlers = Readonly<Record<string, (params: unknown) => unknown>>;

function send(message: ReadyMessage | ReplyMessage): void {
  if (!process.send)
    throw new Error('This module runs only as a forked child of the bench (no IPC channel).');
  process.send(message);
}

/** In a child: exits when the parent's channel closes, answers calls, and announces `ready`. */
export function serveParent(handlers: Handlers, readyInfo: unknown): void {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (raw: unknown) => {
    const message = raw as Partial<CallMessage>;
    if (message?.kind !== 'call' || typeof message.id !== 'number' || typeof message.method !== 'string')
      return;
    const { id, method } = message;
    const handler = handlers[method];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown method ${method}`);
        return handler(message.params);
      })
      .then(
        (value) => send({ kind: 'reply', id, ok: true, value }),
        (error: unknown) =>
          send({
            kind: 'reply',
            id,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
          }),
      );
  });
  send({ kind: 'ready', info: readyInfo });
}

/** In a child, for a start-up failure: tell the parent (best effort) and exit. */
export function failStart(error: unknown): never {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
