/**
 * Preloaded (`node --import`) into the subgraph under soak, next to `--unhandled-rejections=strict`
 * (which makes an unhandled rejection an uncaught exception, whatever handlers are registered) and
 * `--expose-gc`; and, with `--expose-gc`, into the bench's scale-phase subgraphs, for their memory
 * after a collection (src/dev/bench/directory-phases.ts). It changes nothing the subgraph does:
 *
 * - An uncaught exception, an unhandled rejection among them, is written to stderr with a marker
 *   the soak looks for, just before Node ends the process; so are process warnings (a
 *   `MaxListenersExceededWarning` under load says something leaks).
 * - Over the IPC channel the soak forked it with, `{ kind: 'soak-memory', id, gc }` is answered with
 *   `process.memoryUsage()`, after a full garbage collection when `gc` is true: memory readings
 *   that do not depend on where the heap's sawtooth happens to be.
 */

/** subgraph.ts looks for this at the start of a stderr line (settings.ts: MONITOR_MARKER). */
const MONITOR_MARKER = 'soak-monitor:';

process.on('uncaughtExceptionMonitor', (error: unknown, origin: string) => {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${MONITOR_MARKER} ${origin}: ${text}\n`);
});

process.on('warning', (warning: Error) => {
  process.stderr.write(`${MONITOR_MARKER} warning: ${warning.name}: ${warning.message}\n`);
});

export interface MemoryRequest {
  readonly kind: 'soak-memory';
  readonly id: number;
  readonly gc: boolean;
}

export interface MemoryReply {
  readonly kind: 'soak-memory';
  readonly id: number;
  /** Whether a full collection ran first (`--expose-gc`). */
  readonly collected: boolean;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

process.on('message', (raw: unknown) => {
  const message = raw as Partial<MemoryRequest> | null;
  if (message?.kind !== 'soak-memory' || typeof message.id !== 'number') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  const collected = message.gc === true && typeof gc === 'function';
  if (collected) gc();
  const usage = process.memoryUsage();
  const reply: MemoryReply = {
    kind: 'soak-memory',
    id: message.id,
    collected,
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
  };
  process.send?.(reply);
});
