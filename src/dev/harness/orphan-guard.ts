/**
 * Preloaded (`node --import`) into the subgraph under test, which run.ts forks with an IPC channel.
 * It touches nothing but the process's way out:
 *
 * - When the bench goes away, even killed hard, the channel closes and the subgraph is stopped the
 *   way Ctrl-C stops it (SIGINT).
 * - After SIGINT or SIGTERM, the process exits with `process.exit(0)` at the latest 1.5 s later,
 *   should main.ts's own stop path not end by then. It did not before commit d10f289 (Apollo Server's
 *   own signal handler and main.ts's both called `apollo.stop()`, and the second, concurrent call
 *   waited forever on a barrier Apollo Server 5 never resolves); the CPU profile (`--cpu-prof`) is
 *   written only on an exit, so the bench keeps this backstop.
 */
const EXIT_BACKSTOP_MS = 1500;

let exiting = false;
const backstop = () => {
  if (exiting) return;
  exiting = true;
  setTimeout(() => process.exit(0), EXIT_BACKSTOP_MS).unref();
};
process.on('SIGINT', backstop);
process.on('SIGTERM', backstop);

process.on('disconnect', () => {
  setTimeout(() => process.exit(1), 5000).unref();
  process.kill(process.pid, 'SIGINT');
});

export {};
