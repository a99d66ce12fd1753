import { writeFileSync } from 'node:fs';
import { killAllChildren, progressReporter, stopChildrenOnExit } from '../harness/children.js';
import { UsageError } from '../harness/args.js';
import { createBenchOrganisation } from '../harness/organisation.js';
import { checksOf, failedCount, type SoakResults } from './checks.js';
import { describeLoad, runLoad } from './load.js';
import { createOperations } from './operations.js';
import { parseOptions, USAGE, type Options } from './options.js';
import { planPhases } from './plan.js';
import { startProcesses, stopLikeAnOrchestrator } from './processes.js';
import { recover } from './recovery.js';
import { reportJson, reportText } from './report.js';
import { SUBGRAPH_MAX_BODY_BYTES } from './settings.js';
import { SoakAbort } from './subgraph.js';
import { describeWarmUp, warmUp } from './warm-up.js';

/**
 * `npm run soak`: the subgraph (dist/main.js, NODE_ENV=production) under concurrent clients for a
 * bounded time and number of requests, on loopback, while its upstreams (the sandbox providers, in
 * their own process: the bench's sandbox-process) inject a rotating mix of faults. Every answer is
 * checked (check.ts); the report says what ran, what came back, how fast, the subgraph's RSS before,
 * during and after, the faults injected and the upstream requests, and one PASS/FAIL line per
 * requirement (checks.ts). The exit code is 1 when any is FAIL. Progress goes to stderr, the report
 * to stdout, the same as JSON to `--out`.
 *
 * The steps, in order: plan the fault phases (plan.ts), start the sandbox providers and the subgraph
 * (processes.ts), warm up without faults (warm-up.ts), the load under faults (load.ts), the recovery
 * once they stop (recovery.ts), stop the subgraph with SIGTERM (processes.ts), the checks, the report.
 */

const started = performance.now();
const progress = progressReporter(started);

stopChildrenOnExit('soak');

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!process.platform.startsWith('linux'))
    throw new UsageError('The soak reads RSS from /proc: it runs on Linux only.');
  startWatchdog(options);

  const operations = createOperations(createBenchOrganisation(), SUBGRAPH_MAX_BODY_BYTES);
  const plan = planPhases(options);
  const processes = await startProcesses(started, progress);
  const warm = await warmUp(operations, processes, progress);
  progress(`${describeWarmUp(warm)} ${describeLoad(options, plan)}`);
  const load = await runLoad({
    options,
    plan,
    operations,
    processes,
    references: warm.references,
    progress,
  });
  const recovery = await recover({
    operations,
    references: warm.references,
    processes,
    aliveAtEnd: load.aliveAtEnd,
    loadStart: load.start,
    progress,
  });
  const shutdown = await stopLikeAnOrchestrator(processes, recovery.aliveAfter);

  const results: SoakResults = {
    options,
    plan,
    operations,
    processes,
    warmUp: warm,
    load,
    recovery,
    shutdown,
  };
  const checks = checksOf(results);
  process.stdout.write(reportText(results, checks, (performance.now() - started) / 1000));
  writeFileSync(options.out, `${JSON.stringify(reportJson(results, checks, new Date()), null, 2)}\n`);
  process.exitCode = failedCount(checks) === 0 ? 0 : 1;
}

/** Should a step hang well past the soak's bounds, every child is killed and the soak exits. */
function startWatchdog(options: Options): void {
  const watchdog = setTimeout(
    () => {
      process.stderr.write('\nsoak: still running long after its bounds; stopping every child process.\n');
      killAllChildren('SIGKILL');
      process.exit(1);
    },
    (options.durationSeconds + 180) * 1000,
  );
  watchdog.unref();
}

main()
  .catch((error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    const message =
      error instanceof SoakAbort
        ? `soak aborted: ${error.message}`
        : `soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    process.stderr.write(`\n${message}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAllChildren('SIGKILL');
    // Nothing else should keep the process alive; if something does, do not hang.
    setTimeout(() => process.exit(), 2000).unref();
  });
