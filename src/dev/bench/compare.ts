import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  childBaseEnv,
  cpuMilliseconds,
  progressReporter,
  startSubgraphChild,
  stopChildrenOnExit,
  postGraphql,
} from '../harness/children.js';
import { readArgs, UsageError } from '../harness/args.js';
import { pinProcess, planCpus } from '../harness/cpu-pinning.js';
import type { GcSpan } from '../harness/gc-probe.js';
import { createBenchOrganisation } from '../harness/organisation.js';
import { harnessScript, MAIN_SCRIPT } from '../harness/paths.js';
import type { SandboxInfo } from '../harness/sandbox-process.js';
import { idsPerUrl } from '../../providers/ispring/client.js';
import { createInMemoryDirectory } from './directory.js';
import type { LoadSummary } from './load.js';
import { failuresOf, medianBy } from './measure.js';
import { BUCKETS, splitProfile, type ProfileSplit } from './profile.js';
import { startLoadGenerator, startPeer, startSandbox } from './processes.js';
import { LONGEST_SANDBOX_BASE_URL } from './settings.js';
import { createWorkloads, type Workload } from './workloads.js';

/**
 * `npm run bench:compare`: one cold-cache workload (W1-iSpring by default) at d = 0, saturating, on
 * this build of the subgraph, on B2 and, with `--baseline <checkout>`, on another build, in turn,
 * round after round. A change that saves 2 % of CPU cannot be seen in one run of each side on this
 * machine, whose speed drifts by a fifth and more from one run to the next; medians of many short
 * runs taken in turn can. `--warm-mix` first loads every side with the mix of all the bench's
 * workloads, as the bench's first phase leaves its processes: code that has seen several workloads
 * may run W1 more slowly than code that has seen W1 alone (V8's pretenuring did that to the
 * subgraph: README, "Memory"). `--gc` adds what each side's young-generation collections cost and
 * what survived them (`harness/gc-probe.ts`). `--pin` keeps each side on a CPU of its own
 * (`harness/cpu-pinning.ts`). Each side's rounds are also compared with B2's round by round: the
 * median of those ratios is less moved by the machine's drift than the ratio of the medians.
 */

const USAGE = `Usage: npm run bench:compare -- [options]

  --baseline <dir>    a checkout built with \`npm run build\` (its dist/main.js) to compare with
  --workload <id>     W1-ispring (default), W1-thrive, W2-ispring, W2-thrive or W3
  --rounds <n>        saturating runs of each side, in turn (default 7)
  --seconds <s>       each run's length (default 3)
  --warm-up <s>       unmeasured load on each side before the rounds (default 6)
  --warm-mix          before that, the same length of load of every workload in turn
  --connections <n>   concurrent operations (default 16)
  --gc                also each side's scavenges in the measured runs: what they cost an operation,
                      and what each left in the young generation and promoted to the old one
  --pin               each side alone on the first CPU, the sandbox and the load generator on the
                      others (taskset): rounds that agree within a few per cent, where the
                      scheduler's placement otherwise moves them by a fifth
  --cpu-prof <dir>    each side under V8's sampling profiler (node --cpu-prof), its .cpuprofile
                      written in <dir>/<side>; then where each side's CPU went in the measured
                      rounds, an operation: by bucket, and its busiest functions
`;

interface Side {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Where its GC probe writes (`--gc`). */
  readonly gcFile?: string | undefined;
  /** Where its profile is written (`--cpu-prof`). */
  readonly profileDirectory?: string | undefined;
  readonly stop: () => Promise<unknown>;
}

interface RunResult {
  readonly opsPerSecond: number;
  readonly operations: number;
  readonly cpuMicrosecondsPerOp: number;
  /** Its scavenges over the run (`--gc`), per operation. */
  readonly gc?: {
    readonly scavengeMicrosecondsPerOp: number;
    readonly survivedKiB: number;
    readonly promotedKiBPerOp: number;
  };
}

/** The median of `values` (the lower middle one of an even count); NaN of none. */
export function median(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : medianBy(values, (value) => value);
}

/**
 * One line per side: its medians, its throughput over the first side's (B2), and the median and
 * quartiles of its rounds' throughput over B2's in the same round (the runs of round n, taken one
 * after the other, share the machine's state of the moment).
 */
export function formatComparison(
  results: ReadonlyMap<string, ReadonlyArray<Omit<RunResult, 'operations'>>>,
): string {
  const [reference = []] = [...results.values()];
  const referenceOps = median(reference.map((run) => run.opsPerSecond));
  const lines: string[] = [];
  for (const [name, runs] of results) {
    const ops = median(runs.map((run) => run.opsPerSecond));
    const cpu = median(runs.map((run) => run.cpuMicrosecondsPerOp));
    const gcRuns = runs.flatMap((run) => (run.gc ? [run.gc] : []));
    const gc =
      gcRuns.length === 0
        ? ''
        : `; scavenges ${median(gcRuns.map((g) => g.scavengeMicrosecondsPerOp)).toFixed(0)} µs an operation, ${median(gcRuns.map((g) => g.survivedKiB)).toFixed(0)} KiB surviving each, ${median(gcRuns.map((g) => g.promotedKiBPerOp)).toFixed(1)} KiB promoted an operation`;
    const ratios = runs
      .map((run, round) => run.opsPerSecond / (reference[round]?.opsPerSecond ?? Number.NaN))
      .filter((ratio) => Number.isFinite(ratio))
      .sort((a, b) => a - b);
    const paired =
      runs === reference || ratios.length < 2
        ? ''
        : `; round by round ${median(ratios).toFixed(2)} × B2 (quartiles ${quartile(ratios, 0.25).toFixed(2)}–${quartile(ratios, 0.75).toFixed(2)})`;
    lines.push(
      `${name.padEnd(10)} median ${ops.toFixed(0).padStart(5)} ops/s, ${cpu.toFixed(0).padStart(5)} µs CPU an operation, ${(ops / referenceOps).toFixed(2)} × B2's throughput${paired}${gc}`,
    );
  }
  return lines.join('\n');
}

/** The value at fraction `at` of `sorted` (nearest rank below). */
function quartile(sorted: readonly number[], at: number): number {
  return sorted[Math.floor(at * (sorted.length - 1))]!;
}

async function main(): Promise<void> {
  const progress = progressReporter(performance.now());
  const args = readArgs(
    process.argv.slice(2),
    {
      baseline: { kind: 'string' },
      workload: { kind: 'string' },
      rounds: { kind: 'number', min: 1, max: 99, whole: true },
      seconds: { kind: 'number', min: 0.5, max: 600, unit: 'seconds' },
      'warm-up': { kind: 'number', min: 0, max: 600, unit: 'seconds' },
      'warm-mix': { kind: 'flag' },
      connections: { kind: 'number', min: 1, max: 1000, whole: true },
      gc: { kind: 'flag' },
      pin: { kind: 'flag' },
      'cpu-prof': { kind: 'string' },
    },
    USAGE,
  );
  const baselineMain = args.baseline && path.resolve(args.baseline, 'dist', 'main.js');
  if (baselineMain && !existsSync(baselineMain)) {
    throw new UsageError(
      `--baseline: ${baselineMain} does not exist; run \`npm run build\` in that checkout first.`,
    );
  }
  const organisation = createBenchOrganisation();
  const workloads = await createWorkloads(
    organisation,
    createInMemoryDirectory(organisation),
    idsPerUrl(LONGEST_SANDBOX_BASE_URL),
  );
  const wanted = args.workload ?? 'W1-ispring';
  const workload = workloads.find((candidate) => candidate.id.toLowerCase() === wanted.toLowerCase());
  if (!workload) {
    throw new UsageError(
      `--workload must be one of ${workloads.map((w) => w.id).join(', ')}; got ${wanted}.`,
    );
  }
  const connections = args.connections ?? 16;
  const cpus = args.pin ? planCpus() : undefined;
  const seconds = args.seconds ?? 3;

  const gcDirectory = args.gc ? mkdtempSync(path.join(os.tmpdir(), 'bench-compare-gc-')) : undefined;
  stopChildrenOnExit('bench:compare', () => {
    if (gcDirectory) rmSync(gcDirectory, { recursive: true, force: true });
  });
  const profileRoot = args['cpu-prof'] && path.resolve(args['cpu-prof']);
  /** The GC probe's (`--gc`) and the profiler's (`--cpu-prof`) arguments and files for one side. */
  const probe = (side: string) => {
    const slug = side.replace(/\W+/g, '-');
    const profileDirectory = profileRoot && path.join(profileRoot, slug);
    const profiling = profileDirectory ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : [];
    if (!gcDirectory) return { execArgv: profiling, env: {}, gcFile: undefined, profileDirectory };
    const gcFile = path.join(gcDirectory, `${slug}.jsonl`);
    return {
      execArgv: [...profiling, '--import', pathToFileURL(harnessScript('gc-probe.js')).href],
      env: { GC_PROBE_FILE: gcFile },
      gcFile,
      profileDirectory,
    };
  };

  progress('starting the sandbox providers (d = 0), the load generator, B2 and the subgraphs (cold caches)');
  const env = { ...childBaseEnv(), LOG_LEVEL: 'warn', DIRECTORY: 'live' };
  const sandbox = startSandbox(env, 0);
  const load = startLoadGenerator(env);
  const [sandboxInfo] = (await Promise.all([sandbox.ready, load.ready])) as [SandboxInfo, unknown];
  if (cpus) for (const child of [sandbox, load]) pinProcess(child.process.pid!, cpus.environment);
  const b2Probe = probe('B2');
  const b2 = await startPeer({ ...env, ...b2Probe.env }, sandboxInfo, b2Probe.execArgv);
  const sides: Side[] = [
    {
      name: 'B2',
      url: b2.url,
      pid: b2.child.process.pid!,
      gcFile: b2Probe.gcFile,
      profileDirectory: b2Probe.profileDirectory,
      stop: () => b2.child.stop('SIGINT', 15_000),
    },
  ];
  for (const [name, mainScript] of [
    ['this build', MAIN_SCRIPT],
    ...(baselineMain ? [['baseline', baselineMain]] : []),
  ] as const) {
    const sideProbe = probe(name);
    const { child, url } = await startSubgraphChild({
      name: `subgraph (${name})`,
      sandbox: sandboxInfo,
      env: { ...env, ...sideProbe.env },
      execArgv: sideProbe.execArgv,
      cacheTtlSeconds: 0,
      mainScript,
    });
    sides.push({
      name,
      url,
      pid: child.process.pid!,
      gcFile: sideProbe.gcFile,
      profileDirectory: sideProbe.profileDirectory,
      stop: () => child.stop('SIGINT', 15_000),
    });
  }
  if (cpus) for (const side of sides) pinProcess(side.pid, cpus.measured);
  for (const side of sides) await checkAnswers(side, workloads);

  const run = async (side: Side, bodies: readonly string[], durationSeconds: number): Promise<RunResult> => {
    // Ends the span between runs (or starts the first): the run's own span starts here.
    if (side.gcFile) await gcSpans(side);
    const cpuBefore = cpuMilliseconds(side.pid);
    const summary = await load.call<LoadSummary>('run', {
      url: side.url,
      bodies,
      connections,
      durationSeconds,
    });
    const cpuMs = cpuMilliseconds(side.pid) - cpuBefore;
    const failures = failuresOf(summary);
    if (failures > 0) throw new Error(`${side.name} failed ${failures} operations of ${workload.id}.`);
    const result = {
      opsPerSecond: summary.opsPerSecond,
      cpuMicrosecondsPerOp: (cpuMs * 1000) / summary.ok,
      operations: summary.ok,
    };
    if (!side.gcFile) return result;
    const span = (await gcSpans(side)).at(-1)!;
    return {
      ...result,
      gc: {
        scavengeMicrosecondsPerOp: (span.scavengeMs * 1000) / summary.ok,
        survivedKiB: span.survivedBytes / 1024,
        promotedKiBPerOp: (span.promotedBytes * span.scavenges) / 1024 / summary.ok,
      },
    };
  };
  const warmUp = args['warm-up'] ?? 6;
  if (warmUp > 0) {
    for (const side of sides) {
      if (args['warm-mix']) {
        progress(`${side.name}: ${warmUp} s of the mix of ${workloads.map((w) => w.id).join(', ')}`);
        await run(
          side,
          workloads.map((w) => w.body),
          warmUp,
        );
      }
      progress(`${side.name}: ${warmUp} s of ${workload.id}, unmeasured`);
      await run(side, [workload.body], warmUp);
    }
  }
  const results = new Map<string, RunResult[]>(sides.map((side) => [side.name, []]));
  const rounds = args.rounds ?? 7;
  // Both this process's `hrtime` and V8's profiler count on the machine's monotonic clock.
  const roundsStartUs = Number(process.hrtime.bigint() / 1000n);
  for (let round = 1; round <= rounds; round += 1) {
    const line: string[] = [];
    for (const side of sides) {
      const result = await run(side, [workload.body], seconds);
      results.get(side.name)!.push(result);
      line.push(
        `${side.name} ${result.opsPerSecond.toFixed(0)}/s ${result.cpuMicrosecondsPerOp.toFixed(0)} µs`,
      );
    }
    progress(`round ${round} of ${rounds}: ${line.join(' | ')}`);
  }
  const roundsEndUs = Number(process.hrtime.bigint() / 1000n);
  process.stdout.write(
    `\n${workload.id}, cold caches, d = 0, ${connections} connections, ${rounds} runs of ${seconds} s a side in turn${args['warm-mix'] ? ', after the mix' : ''}${cpus ? `, each side on CPU ${cpus.measured}, the sandbox and the load generator on ${cpus.environment}` : ''}:\n${formatComparison(results)}\n`,
  );
  if (profileRoot) {
    for (const side of sides) {
      // main.ts and the peers exit on SIGINT through process.exit, which writes the profile.
      await side.stop();
      const file = readdirSync(side.profileDirectory!).find((name) => name.endsWith('.cpuprofile'));
      if (!file) throw new Error(`${side.name} wrote no .cpuprofile in ${side.profileDirectory}.`);
      const operations = results.get(side.name)!.reduce((sum, run) => sum + run.operations, 0);
      const split = splitProfile(path.join(side.profileDirectory!, file), {
        startUs: roundsStartUs,
        endUs: roundsEndUs,
      });
      process.stdout.write(`\n${formatProfile(side.name, split, operations)}\n`);
    }
  }
}

/** Where one side's CPU went in the measured rounds, in µs an operation. */
export function formatProfile(name: string, split: ProfileSplit, operations: number): string {
  const perOp = (ms: number) => ((ms * 1000) / operations).toFixed(1).padStart(7);
  const lines = [
    `${name}: ${perOp(split.busyMs)} µs busy an operation (${operations} operations${split.windowed ? '' : ', the whole profile'})`,
  ];
  for (const [bucket, ms] of Object.entries(split.bucketsMs)) {
    if (bucket !== BUCKETS.at(-1)) lines.push(`  ${perOp(ms)}  ${bucket}`);
  }
  lines.push('  busiest functions (self time):');
  for (const entry of split.topFunctions) lines.push(`  ${perOp(entry.ms)}  ${entry.fn}`);
  return lines.join('\n');
}

/** SIGUSR2s sent to each side's probe: the first starts its first span, each later one writes one. */
const gcSignals = new Map<string, number>();

/**
 * Ends the side's current GC span (its probe writes it and starts the next) and gives every span
 * it has written, once the one just ended is there. The first call only starts the first span.
 */
async function gcSpans(side: Side): Promise<GcSpan[]> {
  const signals = (gcSignals.get(side.name) ?? 0) + 1;
  gcSignals.set(side.name, signals);
  const atLeast = signals - 1;
  process.kill(side.pid, 'SIGUSR2');
  const read = () =>
    existsSync(side.gcFile!)
      ? readFileSync(side.gcFile!, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as GcSpan)
      : [];
  for (let waited = 0; waited < 5000; waited += 50) {
    const spans = read();
    if (spans.length >= atLeast) return spans;
    await sleep(50);
  }
  throw new Error(`${side.name}'s GC probe wrote nothing in 5 s.`);
}

/** Every side answers every workload without errors before anything is measured (tokens fetched too). */
async function checkAnswers(side: Side, workloads: readonly Workload[]): Promise<void> {
  for (const workload of workloads) {
    const reply = await postGraphql(side.url, workload.body);
    if (reply.status !== 200 || (reply.json as { errors?: unknown }).errors !== undefined) {
      throw new Error(
        `${side.name} answered ${workload.id} with HTTP ${reply.status}: ${JSON.stringify(reply.json).slice(0, 300)}`,
      );
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof UsageError ? '' : 'bench:compare failed: '}${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
