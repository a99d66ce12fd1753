import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BaselineInfo } from './baseline.js';
import {
  BenchChild,
  childBaseEnv,
  clockTicksPerSecond,
  memory,
  postGraphql,
  progressReporter,
  startSubgraphChild,
  stopChildrenOnExit,
} from '../harness/children.js';
import { createInMemoryDirectory } from './directory.js';
import type { LoadSummary } from './load.js';
import { BENCH_USERS_PER_PROVIDER, createBenchOrganisation } from '../harness/organisation.js';
import { readArgs, UsageError } from '../harness/args.js';
import { pinProcess, planCpus, type CpuPlan } from '../harness/cpu-pinning.js';
import { startLoadGenerator, startPeer, startSandbox } from './processes.js';
import { splitProfile } from './profile.js';
import {
  formatDeclared,
  formatDirectoryTable,
  formatScale,
  formatMemory,
  formatProfiles,
  formatTable,
  formatUpstreamCost,
  upstreamCpu,
  type MemoryResult,
  type ProfileResult,
  type Row,
  type Verdict,
} from './report.js';
import type { SandboxCounts, SandboxInfo } from '../harness/sandbox-process.js';
import { DELAY_MS, LONGEST_SANDBOX_BASE_URL, WARM_TTL_SECONDS } from './settings.js';
import { idsPerUrl } from '../../providers/ispring/client.js';
import { createWorkloads, THRIVE_CONCURRENCY, type Workload } from './workloads.js';
import {
  benchScaleDirectory,
  largeScaleDirectory,
  RESYNC_SECONDS,
  type BenchScaleResult,
  type DirectoryHarness,
  type LargeScaleResult,
} from './directory-phases.js';
import { MAX_SANDBOX_USERS } from '../../sandbox/seed/index.js';
import {
  dataRequests,
  failuresOf,
  firstDifference,
  latencyOf,
  medianBy,
  pass,
  quiesce,
  runLoad,
  saturating,
  unloaded,
  type MeasureOptions,
  type Saturated,
} from './measure.js';

/**
 * `npm run bench` (README, "Benchmark"). Upstream sandboxes, the subgraph under test
 * (dist/main.js), the baseline B1 (baseline.ts), the peer B2 (peer.ts) and the load generator each in
 * their own process; workloads W1–W4, then the directory's D1–D4 (directory-phases.ts) at the bench
 * organisation's size and at a large one's; tables on stdout, the same as JSON. Progress goes to
 * stderr. `main` is the list of steps; each phase is a function of its own below it.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist/dev/bench

const USAGE = `Usage: npm run bench -- [--quick] [--duration <s>] [--connections <n>] [--turns <n>] [--scale-users <n>] [--pin] [--out <file>]

  --quick            short runs, and a smaller scale phase (10000 users per provider); the whole
                     bench takes about two and a half minutes
  --duration <s>     seconds of each saturating run (default 6; 0.75 with --quick); unloaded
                     latency runs take about 40 % of it, with at least 20 samples (5 with --quick)
  --connections <n>  connections of the saturating runs (default 16; 8 with --quick); unloaded
                     latency runs use 1
  --scale-users <n>  users per provider of the scale phase's organisation (default 100000; 10000
                     with --quick; at most 100000); 0 skips the scale phase
  --turns <n>        saturating runs of each side, taken in turn, behind the cold W1 rows' ops ≥ B2
                     verdict (default 3), which compares their medians; more make it steadier
  --scale-heap <MiB> runs the scale phase's subgraphs with --max-old-space-size=<MiB> (README,
                     "Memory"); node's default heap when not given
  --pin              the processes measured (the subgraph, B1, B2) on the first CPU, the sandbox
                     and the load generator on the others (taskset), for W1–W4: runs that agree
                     within a few per cent, where the scheduler's placement otherwise moves them
                     by a fifth (README, "Benchmark")
  --out <file>       where the JSON goes (default bench-results.json in the current directory)
`;

interface Options extends MeasureOptions {
  readonly quick: boolean;
  /** Users per provider of the scale phase; 0: no scale phase. */
  readonly scaleUsers: number;
  readonly scaleHeapMiB: number | undefined;
  /** Saturating runs of each side behind a cold W1 row's ops ≥ B2 verdict. */
  readonly b2Turns: number;
  /** `--pin`: where the processes of W1–W4 run. */
  readonly cpus: CpuPlan | undefined;
  readonly out: string;
}

function parseOptions(argv: readonly string[]): Options {
  const args = readArgs(
    argv,
    {
      quick: { kind: 'flag' },
      duration: { kind: 'number', min: 0.01, max: 600, unit: 'seconds' },
      connections: { kind: 'number', min: 1, max: 1000, whole: true },
      'scale-users': { kind: 'number', min: 0, max: MAX_SANDBOX_USERS, whole: true },
      'scale-heap': { kind: 'number', min: 64, max: 65_536, whole: true, unit: 'MiB' },
      turns: { kind: 'number', min: 1, max: 99, whole: true },
      pin: { kind: 'flag' },
      out: { kind: 'string' },
    },
    USAGE,
  );
  const quick = args.quick;
  const saturatingSeconds = args.duration ?? (quick ? 0.75 : 6);
  return {
    quick,
    saturatingSeconds,
    unloadedSeconds: Math.max(0.25, saturatingSeconds * 0.4),
    minSamples: quick ? 5 : 20,
    minWaves: quick ? 1 : 4,
    connections: args.connections ?? (quick ? 8 : 16),
    scaleUsers: args['scale-users'] ?? (quick ? 10_000 : MAX_SANDBOX_USERS),
    scaleHeapMiB: args['scale-heap'],
    b2Turns: args.turns ?? DEFAULT_B2_TURNS,
    cpus: args.pin ? planCpus() : undefined,
    out: path.resolve(args.out ?? 'bench-results.json'),
  };
}

class BenchAbort extends Error {}

// ---------------------------------------------------------------------------------------------
// Progress, and cleanup on every way out

const started = performance.now();
const progress = progressReporter(started);

const temporaryDirectories: string[] = [];
stopChildrenOnExit('bench', () => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Children

/** The environment every child of the bench starts from (see `childBaseEnv`), with quiet logs. */
function baseEnv(): NodeJS.ProcessEnv {
  // The directory's background syncs would add requests to the counted operations.
  return { ...childBaseEnv(), LOG_LEVEL: 'warn', DIRECTORY: 'live' };
}

interface Subgraph {
  readonly child: BenchChild;
  readonly url: string;
  readonly cache: 'cold' | 'warm';
}

async function startSubgraph(
  context: Pick<Context, 'sandboxInfo' | 'options'>,
  cache: 'cold' | 'warm',
  execArgv: readonly string[] = [],
): Promise<Subgraph> {
  const { child, url } = await startSubgraphChild({
    name: `subgraph (${cache} caches)`,
    sandbox: context.sandboxInfo,
    env: baseEnv(),
    cacheTtlSeconds: cache === 'cold' ? 0 : WARM_TTL_SECONDS,
    execArgv,
  });
  if (context.options.cpus) pinProcess(child.process.pid!, context.options.cpus.measured);
  return { child, url, cache };
}

// ---------------------------------------------------------------------------------------------
// Measurements

interface Context {
  readonly options: Options;
  readonly sandbox: BenchChild;
  readonly sandboxInfo: SandboxInfo;
  readonly load: BenchChild;
  readonly b1: BenchChild;
  readonly b1Url: string;
  /** The peer B2: per-field `@apollo/datasource-rest` over the same sandboxes (peer.ts). */
  readonly b2: BenchChild;
  readonly b2Url: string;
  readonly workloads: readonly Workload[];
  /** B1's answer to each workload, the reference every other answer is compared with. */
  readonly expected: Map<string, unknown>;
  /** Every workload's body, the mix of the memory and profile runs, and its name. */
  readonly allBodies: readonly string[];
  readonly mixName: string;
  /** Filled in by the phases. */
  readonly memoryResults: MemoryResult[];
  readonly profiles: ProfileResult[];
}

/** Who answers a counted operation: the subgraph or B2. */
interface Target {
  readonly url: string;
  /** Named in an error when its answer is not B1's. */
  readonly who: string;
}

const subgraphTarget = (subgraph: Subgraph): Target => ({
  url: subgraph.url,
  who: `The ${subgraph.cache}-cache subgraph`,
});
const b2Target = (context: Context): Target => ({ url: context.b2Url, who: 'B2' });

function checkAnswer(context: Context, workload: Workload, json: unknown, status: number, who: string): void {
  const errors = (json as { errors?: unknown }).errors;
  if (status !== 200 || errors !== undefined) {
    throw new BenchAbort(
      `${who} answered ${workload.id} with HTTP ${status}${errors ? ` and errors ${JSON.stringify(errors).slice(0, 500)}` : ''}.`,
    );
  }
  const difference = firstDifference(json, context.expected.get(workload.id));
  if (difference !== undefined) {
    throw new BenchAbort(
      `${who} and B1 answer ${workload.id} differently, so the comparison would be meaningless. First difference: ${difference}`,
    );
  }
}

/** One operation with the sandbox counters reset before it; its answer is checked against B1's. */
async function countOnce(context: Context, target: Target, workload: Workload) {
  await quiesce(context);
  await context.sandbox.call('reset');
  const reply = await postGraphql(target.url, workload.body);
  const counts = await context.sandbox.call<SandboxCounts>('counts');
  checkAnswer(context, workload, reply.json, reply.status, target.who);
  return { ...dataRequests(counts), ms: reply.ms };
}

type Counted = Awaited<ReturnType<typeof countOnce>>;

/** Two consecutive saturating runs of the mix on `subgraph`, and its RSS after each. */
async function memoryPair(context: Context, subgraph: Subgraph, mixSingleMs: number): Promise<void> {
  progress(`${subgraph.cache} subgraph: two saturating runs of the ${context.mixName} for memory`);
  const runs = [];
  for (let run = 0; run < 2; run += 1) {
    const { summary } = await saturating(
      context,
      subgraph.url,
      subgraph.child.pid,
      context.allBodies,
      mixSingleMs,
    );
    runs.push({ ...memory(subgraph.child.pid), opsPerSecond: summary.opsPerSecond });
  }
  const growth = runs[1]!.rssMiB / runs[0]!.rssMiB - 1;
  context.memoryResults.push({
    subgraph: subgraph.cache,
    workloadMix: context.mixName,
    runs,
    growth,
    verdict: pass('RSS growth ≤ 10 %', growth <= 0.1, `${(growth * 100).toFixed(1)} %`),
  });
}

const isW1 = (workload: Workload) => workload.id.startsWith('W1');
const isW1orW2 = (workload: Workload) => isW1(workload) || workload.id.startsWith('W2');

// ---------------------------------------------------------------------------------------------
// Steps

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!process.platform.startsWith('linux')) {
    throw new UsageError('The bench reads CPU time and RSS from /proc: it runs on Linux only.');
  }
  const { workloads, ispringIdsPerUrl } = await declareWorkloads();
  const context = await startChildren(options, workloads, ispringIdsPerUrl);
  const sandboxRoundTrip = await probeSandboxRoundTrip(context);
  const { subgraph, cold } = await phase1Cold(context);
  const { coldSaturated, coldMixMs } = await phase2Saturate(context, subgraph);
  const { warm, warmMixMs } = await phase3Warm(context);
  await phase4Profile(context, { cold: coldMixMs, warm: warmMixMs });
  const rows = rowsAndVerdicts(context.workloads, { cold, coldSaturated, warm, sandboxRoundTrip });
  const directory = await phase5Directory(context);
  await stopChildren(context);
  const scale = options.scaleUsers > 0 ? await phase6Scale(context, options.scaleUsers) : null;
  await context.load.stop();
  writeOutput(context, rows, sandboxRoundTrip, { bench: directory, large: scale });
}

/** The workloads and their declared minimums, printed before anything is measured. */
async function declareWorkloads() {
  const organisation = createBenchOrganisation();
  const directory = createInMemoryDirectory(organisation);
  // The sandbox listens on loopback at a port of at most five digits: its base URL is at most this
  // long, and how many ids a 4 KB users/v2 URL holds follows from it (checked once it listens).
  const ispringIdsPerUrl = idsPerUrl(LONGEST_SANDBOX_BASE_URL);
  const workloads = await createWorkloads(organisation, directory, ispringIdsPerUrl);
  process.stdout.write(`${formatDeclared(workloads)}\n\n`);
  return { workloads, ispringIdsPerUrl };
}

/** The sandbox, B1, the load generator and then B2 (which reads the sandbox); B1's answers. */
async function startChildren(
  options: Options,
  workloads: readonly Workload[],
  ispringIdsPerUrl: number,
): Promise<Context> {
  progress(
    `starting the sandbox providers (d = ${DELAY_MS} ms), B1, B2 and the load generator${options.quick ? ' (--quick)' : ''}`,
  );
  const env = baseEnv();
  const sandbox = startSandbox(env, DELAY_MS);
  const b1 = new BenchChild({
    name: 'baseline B1',
    modulePath: path.join(HERE, 'baseline.js'),
    env,
    announcesReady: true,
  });
  const load = startLoadGenerator(env);
  const [sandboxInfo, b1Info] = (await Promise.all([sandbox.ready, b1.ready, load.ready])) as [
    SandboxInfo,
    BaselineInfo,
    unknown,
  ];
  const { child: b2, url: b2Url } = await startPeer(env, sandboxInfo);
  if (options.cpus) {
    for (const child of [sandbox, load]) pinProcess(child.process.pid!, options.cpus.environment);
    for (const child of [b1, b2]) pinProcess(child.process.pid!, options.cpus.measured);
  }

  if (idsPerUrl(sandboxInfo.ispring.baseUrl) !== ispringIdsPerUrl) {
    throw new BenchAbort(
      `The declared minimums assumed ${ispringIdsPerUrl} iSpring ids per users/v2 URL; at ${sandboxInfo.ispring.baseUrl} it is ${idsPerUrl(sandboxInfo.ispring.baseUrl)}.`,
    );
  }

  // B1's answers: the reference for every answer of the subgraph and of B2.
  const expected = new Map<string, unknown>();
  for (const workload of workloads) {
    const reply = await postGraphql(b1Info.url, workload.body);
    const errors = (reply.json as { errors?: unknown }).errors;
    if (reply.status !== 200 || errors !== undefined)
      throw new BenchAbort(
        `B1 answered ${workload.id} with HTTP ${reply.status}: ${JSON.stringify(reply.json).slice(0, 500)}`,
      );
    expected.set(workload.id, reply.json);
  }
  return {
    options,
    sandbox,
    sandboxInfo,
    load,
    b1,
    b1Url: b1Info.url,
    b2,
    b2Url,
    workloads,
    expected,
    allBodies: workloads.map((workload) => workload.body),
    mixName: `mix of ${workloads.map((workload) => workload.id).join(', ')} in turn`,
    memoryResults: [],
    profiles: [],
  };
}

interface RoundTrip {
  readonly p50: number;
  readonly min: number;
  readonly max: number;
}

/**
 * What one upstream round costs at d = 20 without the subgraph: a plain node:http GET (keep-alive,
 * as the subgraph's client) of a path the sandbox answers 404 to after the same delay; one
 * warm-up, then 10 probes.
 */
async function probeSandboxRoundTrip(context: Context): Promise<RoundTrip> {
  const { thrive, ispring } = context.sandboxInfo;
  const probes = await probeRoundTrips([thrive.origin, ispring.origin], 10);
  return { p50: (probes[4]! + probes[5]!) / 2, min: probes[0]!, max: probes[9]! };
}

interface ColdResult {
  readonly counted20: Counted;
  readonly latency: LoadSummary;
  readonly b2Counted20: Counted;
  readonly b2Latency: LoadSummary;
}

/** Phase 1: cold caches, d = 20 ms: counts, answers and unloaded latency of the subgraph and B2. */
async function phase1Cold(context: Context): Promise<{ subgraph: Subgraph; cold: Map<string, ColdResult> }> {
  const { workloads } = context;
  progress('starting the subgraph with cold caches (CACHE_TTL_*_SECONDS=0)');
  const subgraph = await startSubgraph(context, 'cold');
  // Tokens first: the token requests are not data requests.
  for (const workload of workloads.filter(isW1)) {
    await postGraphql(subgraph.url, workload.body);
    await postGraphql(context.b2Url, workload.body);
  }

  const cold = new Map<string, ColdResult>();
  for (const workload of workloads) {
    progress(
      `cold, d = ${DELAY_MS} ms: ${workload.id}: counted operation, then unloaded latency (1 connection), of the subgraph, then of B2`,
    );
    const counted20 = await countOnce(context, subgraphTarget(subgraph), workload);
    const latency = await unloaded(context, subgraph.url, workload, counted20.ms);
    const b2Counted20 = await countOnce(context, b2Target(context), workload);
    const b2Latency = await unloaded(context, context.b2Url, workload, b2Counted20.ms);
    cold.set(workload.id, { counted20, latency, b2Counted20, b2Latency });
  }
  return { subgraph, cold };
}

interface SaturatedResult {
  readonly counted0: Counted;
  /** The subgraph's unloaded latency at d = 0, measured before its saturating runs as B2's is. */
  readonly latency0: LoadSummary;
  /** The subgraph's saturating runs, each followed by one of B2's (`b2Runs`); the rows read their median. */
  readonly runs: readonly Saturated[];
  readonly b2Counted0: Counted;
  /** B2's unloaded latency at d = 0, shown on the cold d = 0 and warm rows. */
  readonly b2Latency0: LoadSummary;
  readonly b2Runs: readonly Saturated[];
}

/**
 * Saturating runs of each W1 workload per side at d = 0 (`--turns`), the subgraph's and B2's in
 * turn. The machine's speed drifts by a fifth and more over seconds (two cores shared with the
 * sandbox and the load generator, on a virtual machine): one run of each, one after the other,
 * compared whichever side had the slower seconds. Runs in turn, each side's median, share the drift.
 */
const DEFAULT_B2_TURNS = 3;

/** Saturating runs (each `--duration` long) that warm each side up before the cold d = 0 and the warm phases (`warmUp`). */
const WARM_UP_RUNS = 3;

/** The run of median throughput (of an odd number, the middle one; of an even one, the lower). */
const medianRun = (runs: readonly Saturated[]) => medianBy(runs, (run) => run.summary.opsPerSecond);

/**
 * `WARM_UP_RUNS` saturating runs of `bodies` on each of `targets` in turn, unmeasured. A process's
 * first seconds of load cost far more CPU an operation than its later ones: in a side harness, 30
 * to 60 % more in the first ten to twenty seconds, for the subgraph, B2 and the sandbox alike (V8
 * compiling is part of it; why it lasts that long was not found). The sides a phase compares get
 * the same load first, so that neither is measured in its warm-up. A warm-up that fails
 * operations stops the bench.
 */
async function warmUp(
  context: Context,
  targets: readonly Target[],
  bodies: readonly string[],
  what: string,
): Promise<void> {
  const { options } = context;
  progress(
    `warming up ${targets.map((target) => target.who.replace(/^The /, 'the ')).join(', then ')}, with ${WARM_UP_RUNS * options.saturatingSeconds} s of saturating ${what} load each`,
  );
  for (const target of targets) {
    for (let run = 0; run < WARM_UP_RUNS; run += 1) {
      const summary = await runLoad(context, {
        url: target.url,
        bodies,
        connections: options.connections,
        durationSeconds: options.saturatingSeconds,
      });
      const failures = failuresOf(summary);
      if (failures > 0) throw new BenchAbort(`${target.who} failed ${failures} operations while warming up.`);
    }
  }
}

/**
 * Phase 2: cold caches, d = 0: counts again, saturating throughput and CPU of the subgraph, then
 * of B2 (unloaded latency first); then the cold memory pair. Stops the cold subgraph.
 */
async function phase2Saturate(
  context: Context,
  subgraph: Subgraph,
): Promise<{ coldSaturated: Map<string, SaturatedResult>; coldMixMs: number }> {
  const { options, b2 } = context;
  await context.sandbox.call('setDelay', { ms: 0 });
  await warmUp(
    context,
    [subgraphTarget(subgraph), b2Target(context)],
    context.workloads.filter(isW1).map((workload) => workload.body),
    'W1',
  );
  const coldSaturated = new Map<string, SaturatedResult>();
  for (const workload of context.workloads) {
    const turns = isW1(workload) ? options.b2Turns : 1;
    progress(
      `cold, d = 0: ${workload.id}: counted operation and unloaded latency (1 connection) of the subgraph, then of B2, then ${turns === 1 ? 'a saturating run' : `${turns} saturating runs`} (${options.connections} connections) of each${turns === 1 ? '' : ' in turn'}`,
    );
    // Each saturating run comes after an unloaded run of the same operation, and is sized by its
    // p50, for the subgraph as for B2: a process that has just run the operation a few thousand
    // times is further along in V8's compilation, and a run that is not would be measured cold.
    const counted0 = await countOnce(context, subgraphTarget(subgraph), workload);
    const latency0 = await unloaded(context, subgraph.url, workload, counted0.ms);
    const b2Counted0 = await countOnce(context, b2Target(context), workload);
    const b2Latency0 = await unloaded(context, context.b2Url, workload, b2Counted0.ms);
    const runs: Saturated[] = [];
    const b2Runs: Saturated[] = [];
    for (let turn = 0; turn < turns; turn += 1) {
      runs.push(
        await saturating(context, subgraph.url, subgraph.child.pid, [workload.body], latency0.latency.p50),
      );
      b2Runs.push(await saturating(context, context.b2Url, b2.pid, [workload.body], b2Latency0.latency.p50));
    }
    coldSaturated.set(workload.id, { counted0, latency0, runs, b2Counted0, b2Latency0, b2Runs });
  }
  const coldMixMs = [...coldSaturated.values()].reduce((sum, { counted0 }) => sum + counted0.ms, 0);
  // With --quick, memory is measured on the warm subgraph only (a cold pair of the mix takes long).
  if (!options.quick) await memoryPair(context, subgraph, coldMixMs);
  await subgraph.child.stop('SIGTERM');
  return { coldSaturated, coldMixMs };
}

interface WarmResult {
  readonly counted: Counted;
  readonly latency: LoadSummary;
  readonly run: Saturated;
  readonly b1Latency: LoadSummary;
  readonly b1Run: Saturated;
}

/** Phase 3: warm caches (W4), d = 0, with B1 measured alongside; then the warm memory pair. */
async function phase3Warm(context: Context): Promise<{ warm: Map<string, WarmResult>; warmMixMs: number }> {
  const { b1, b1Url } = context;
  progress(
    `starting the subgraph with warm caches (CACHE_TTL_*_SECONDS=${WARM_TTL_SECONDS}); one pass of every workload to fill them`,
  );
  const subgraph = await startSubgraph(context, 'warm');
  for (const workload of context.workloads) await postGraphql(subgraph.url, workload.body);
  await warmUp(
    context,
    [{ url: context.b1Url, who: 'B1' }, subgraphTarget(subgraph)],
    context.allBodies,
    'mixed',
  );

  const warm = new Map<string, WarmResult>();
  for (const workload of context.workloads) {
    progress(
      `warm, d = 0: ${workload.id}: counted operation; unloaded latency and saturating run of B1, then of the subgraph`,
    );
    const counted = await countOnce(context, subgraphTarget(subgraph), workload);
    const b1Single = await postGraphql(b1Url, workload.body);
    const b1Latency = await unloaded(context, b1Url, workload, b1Single.ms);
    const latency = await unloaded(context, subgraph.url, workload, counted.ms);
    const b1Run = await saturating(context, b1Url, b1.pid, [workload.body], b1Latency.latency.p50, {
      upstream: false,
    });
    const run = await saturating(
      context,
      subgraph.url,
      subgraph.child.pid,
      [workload.body],
      latency.latency.p50,
    );
    warm.set(workload.id, { counted, latency, run, b1Latency, b1Run });
  }
  const warmMixMs = [...warm.values()].reduce((sum, { latency }) => sum + latency.latency.p50, 0);
  await memoryPair(context, subgraph, warmMixMs);
  await subgraph.child.stop('SIGTERM');
  return { warm, warmMixMs };
}

/** Phase 4: CPU profiles of the subgraph (cold, and warm unless --quick) under the mix. */
async function phase4Profile(context: Context, mixMs: { cold: number; warm: number }): Promise<void> {
  const { options, allBodies, mixName } = context;
  for (const cache of options.quick ? (['cold'] as const) : (['cold', 'warm'] as const)) {
    const directoryForProfile = mkdtempSync(path.join(os.tmpdir(), 'bench-cpuprof-'));
    temporaryDirectories.push(directoryForProfile);
    progress(`${cache} subgraph under --cpu-prof: saturating run of the ${mixName}`);
    const profiled = await startSubgraph(context, cache, [
      '--cpu-prof',
      `--cpu-prof-dir=${directoryForProfile}`,
    ]);
    for (const body of allBodies) await postGraphql(profiled.url, body); // tokens (and caches when warm)
    const startUs = Number(process.hrtime.bigint() / 1000n);
    const { summary } = await saturating(context, profiled.url, profiled.child.pid, allBodies, mixMs[cache], {
      fixedDuration: true,
    });
    const endUs = Number(process.hrtime.bigint() / 1000n);
    await quiesce(context); // operations cut off by the clock finish (outside the profile's window)
    // SIGINT: main.ts closes the server and calls process.exit(0), which writes the profile.
    await profiled.child.stop('SIGINT', 15_000);
    const file = readdirSync(directoryForProfile).find((name) => name.endsWith('.cpuprofile'));
    if (!file) {
      progress(`no .cpuprofile was written by the ${cache} subgraph; skipping its split`);
      continue;
    }
    context.profiles.push({
      subgraph: cache,
      workloadMix: mixName,
      opsPerSecond: summary.opsPerSecond,
      split: splitProfile(path.join(directoryForProfile, file), { startUs, endUs }),
    });
  }
}

const perB = (mine: number | null, theirs: number | null) =>
  mine === null || theirs === null ? Number.NaN : mine / theirs;

/** The table's rows, with their verdicts, in reading order: cold d = 20, cold d = 0, warm. */
function rowsAndVerdicts(
  workloads: readonly Workload[],
  results: {
    cold: ReadonlyMap<string, ColdResult>;
    coldSaturated: ReadonlyMap<string, SaturatedResult>;
    warm: ReadonlyMap<string, WarmResult>;
    sandboxRoundTrip: RoundTrip;
  },
): Row[] {
  const rows: Row[] = [];
  for (const workload of workloads) {
    const { counted20, latency, b2Counted20, b2Latency } = results.cold.get(workload.id)!;
    const { counted0, latency0, runs, b2Counted0, b2Latency0, b2Runs } = results.coldSaturated.get(
      workload.id,
    )!;
    const run = medianRun(runs);
    const b2Run = medianRun(b2Runs);
    const warmResult = results.warm.get(workload.id)!;
    const { b1Latency, b1Run } = warmResult;
    const minimum = workload.minimum.total;
    const fMs = workload.minimum.rounds * DELAY_MS;
    const b2Saturated = { b2OpsPerSecond: b2Run.summary.opsPerSecond, b2CpuMsPerOp: b2Run.cpuMsPerOp };

    const verdicts20: Verdict[] = [
      pass('amp=1.00', counted20.total === minimum, `${counted20.total}/${minimum}`),
    ];
    const l = latency.latency;
    if (isW1orW2(workload)) {
      verdicts20.push(
        l.min < fMs
          ? {
              target: 'p50≤F+3',
              state: 'VOID',
              detail: `min ${l.min.toFixed(1)} < F ${fMs}: delay not applied`,
            }
          : pass(
              'p50≤F+3',
              l.p50 <= fMs + 3,
              `p50 = ${(l.p50 / DELAY_MS).toFixed(1)} × d = F ${signed(l.p50 - fMs)} ms = rounds × RTT ${signed(l.p50 - workload.minimum.rounds * results.sandboxRoundTrip.p50)} ms`,
            ),
      );
    } else if (l.min < fMs) {
      verdicts20.push({
        target: 'latency',
        state: 'VOID',
        detail: `min ${l.min.toFixed(1)} < F ${fMs}`,
      });
    }
    rows.push({
      label: workload.id,
      workload: workload.id,
      cache: 'cold',
      delayMs: DELAY_MS,
      minimum,
      counted: counted20.total,
      countedByEndpoint: counted20.byEndpoint,
      tokenRequests: counted20.tokens,
      amplification: counted20.total / minimum,
      fMs,
      latency: latencyOf(latency),
      b1Latency: latencyOf(b1Latency),
      opsPerSecond: null,
      b1OpsPerSecond: null,
      cpuMsPerOp: null,
      b1CpuMsPerOp: null,
      b2Counted: b2Counted20.total,
      b2CountedByEndpoint: b2Counted20.byEndpoint,
      b2Latency: latencyOf(b2Latency),
      b2OpsPerSecond: null,
      b2CpuMsPerOp: null,
      failures: failuresOf(latency, b2Latency),
      verdicts: verdicts20,
    });

    const ratioColdB1 = perB(run.summary.opsPerSecond, b1Run.summary.opsPerSecond);
    const ratioColdB2 = perB(run.summary.opsPerSecond, b2Run.summary.opsPerSecond);
    const verdicts0: Verdict[] = [
      pass('amp=1.00', counted0.total === minimum, `${counted0.total}/${minimum}`),
    ];
    if (isW1orW2(workload))
      verdicts0.push(pass('ops≥0.3×B1', ratioColdB1 >= 0.3, `${ratioColdB1.toFixed(2)}×`));
    if (isW1(workload)) {
      const ratiosByTurn = runs.map((mine, turn) =>
        perB(mine.summary.opsPerSecond, b2Runs[turn]!.summary.opsPerSecond),
      );
      verdicts0.push(
        pass(
          'ops≥B2',
          ratioColdB2 >= 1,
          `${ratioColdB2.toFixed(2)}× (medians of ${runs.length} runs each, in turn; run by run ${ratiosByTurn.map((ratio) => ratio.toFixed(2)).join(', ')})`,
        ),
      );
    }
    rows.push({
      label: workload.id,
      workload: workload.id,
      cache: 'cold',
      delayMs: 0,
      minimum,
      counted: counted0.total,
      countedByEndpoint: counted0.byEndpoint,
      tokenRequests: counted0.tokens,
      amplification: counted0.total / minimum,
      fMs: null,
      latency: latencyOf(latency0),
      b1Latency: null,
      opsPerSecond: run.summary.opsPerSecond,
      b1OpsPerSecond: b1Run.summary.opsPerSecond,
      cpuMsPerOp: run.cpuMsPerOp,
      b1CpuMsPerOp: b1Run.cpuMsPerOp,
      b2Counted: b2Counted0.total,
      b2CountedByEndpoint: b2Counted0.byEndpoint,
      b2Latency: latencyOf(b2Latency0),
      ...b2Saturated,
      failures: failuresOf(
        latency0,
        b2Latency0,
        ...[...runs, ...b2Runs].map((saturated) => saturated.summary),
      ),
      verdicts: verdicts0,
    });

    const ratioWarm = perB(warmResult.run.summary.opsPerSecond, b1Run.summary.opsPerSecond);
    const verdictsWarm: Verdict[] = [
      pass('0 upstream', warmResult.counted.total === 0, `${warmResult.counted.total} requests`),
      pass('ops≥0.8×B1', ratioWarm >= 0.8, `${ratioWarm.toFixed(2)}×`),
    ];
    if (workload.id === 'W3') {
      const timeRatio = warmResult.latency.latency.p50 / b1Latency.latency.p50;
      verdictsWarm.push(pass('p50≤1.5×B1', timeRatio <= 1.5, `${timeRatio.toFixed(2)}×`));
    }
    rows.push({
      label: `W4·${workload.id}`,
      workload: workload.id,
      cache: 'warm',
      delayMs: 0,
      minimum: 0,
      counted: warmResult.counted.total,
      countedByEndpoint: warmResult.counted.byEndpoint,
      tokenRequests: warmResult.counted.tokens,
      amplification: null,
      fMs: 0,
      latency: latencyOf(warmResult.latency),
      b1Latency: latencyOf(b1Latency),
      opsPerSecond: warmResult.run.summary.opsPerSecond,
      b1OpsPerSecond: b1Run.summary.opsPerSecond,
      cpuMsPerOp: warmResult.run.cpuMsPerOp,
      b1CpuMsPerOp: b1Run.cpuMsPerOp,
      // B2 has no cross-request cache: its figures are those of the cold d = 0 phase.
      b2Counted: b2Counted0.total,
      b2CountedByEndpoint: b2Counted0.byEndpoint,
      b2Latency: latencyOf(b2Latency0),
      ...b2Saturated,
      failures: failuresOf(warmResult.latency, warmResult.run.summary, b1Latency, b1Run.summary),
      verdicts: verdictsWarm,
    });
  }
  // Rows in reading order: every cold d = 20 row, every cold d = 0 row, every warm row.
  return rows.sort((a, b) => rank(a) - rank(b));
}

/** Phase 5: the directory's workloads D1–D4 at the bench organisation's size, on its sandbox and B1. */
async function phase5Directory(context: Context): Promise<BenchScaleResult> {
  return benchScaleDirectory(directoryHarness(context), context, context.sandboxInfo, {
    url: context.b1Url,
    child: context.b1,
  });
}

/**
 * Phase 6 (scale): the index's first full sync, memory and D1–D4 with `users` users per provider,
 * on a sandbox and a B1 of their own (the bench organisation's children are stopped by then).
 */
async function phase6Scale(context: Context, users: number): Promise<LargeScaleResult> {
  return largeScaleDirectory(directoryHarness(context), users, context.options.scaleHeapMiB);
}

function directoryHarness(context: Context): DirectoryHarness {
  return {
    rig: { options: context.options, load: context.load },
    progress,
    // The directory's own subgraphs set DIRECTORY=index themselves.
    baseEnv,
  };
}

/** Stops the bench organisation's children (the load generator goes on to the scale phase). */
async function stopChildren(context: Context): Promise<void> {
  await Promise.all([context.sandbox.stop(), context.b1.stop(), context.b2.stop()]);
}

/** The table, memory, profiles and notes on stdout; the same as JSON in `--out`. */
function writeOutput(
  context: Context,
  rows: readonly Row[],
  sandboxRoundTrip: RoundTrip,
  directory: { bench: BenchScaleResult; large: LargeScaleResult | null },
): void {
  const { options, workloads, memoryResults, profiles } = context;
  const wallSeconds = (performance.now() - started) / 1000;
  const directoryRows = [...directory.bench.rows, ...(directory.large?.rows ?? [])];
  const allVerdicts = [
    ...rows.flatMap((row) => row.verdicts),
    ...memoryResults.map((result) => result.verdict),
    ...directoryRows.flatMap((row) => row.verdicts),
    ...(directory.large?.scale.verdicts ?? []),
  ];
  const tally = (state: string) => allVerdicts.filter((verdict) => verdict.state === state).length;
  const failures = [...rows, ...directoryRows].reduce((sum, row) => sum + row.failures, 0);
  const upstreamCost = upstreamCpu(rows);
  const notes = [
    `Rows: cold = subgraph started with CACHE_TTL_USERS/DEPARTMENTS/GROUPS_SECONDS=0 (no cross-request cache); warm (W4) = started with ${WARM_TTL_SECONDS} s, after one pass of every workload (filling its caches) and the warm-up runs. d = the sandbox's delay per upstream response (ms).`,
    'min req = declared minimum upstream data requests of one operation (printed above, worked out from the data before measuring; 0 with warm caches); counted = data requests the sandbox counted for one operation, counters reset just before it; amp = counted ÷ min req.',
    'Token requests (POST /oauth2/token/{tenantId}, POST /api/v3/token) are not data requests: tokens are obtained before counting, and token endpoints are excluded from every count (JSON: tokenRequests).',
    `F = rounds × d, the critical path (rounds in the declared minimums; Thrive has no bulk lookup and the subgraph keeps ≤ ${THRIVE_CONCURRENCY} Thrive requests in flight, so n new Thrive users at one depth take ⌈n/${THRIVE_CONCURRENCY}⌉ rounds; 0 with warm caches). p50/p99/min ms = unloaded latency of the subgraph (1 connection, measured by the load generator, 2xx only; cold d = ${DELAY_MS} rows at d = ${DELAY_MS}, cold d = 0 and warm rows at d = 0; each saturating run, the subgraph's and B2's alike, comes right after the unloaded run of the same operation); a run whose min < F is VOID (the delay was not applied). B1 p50 = B1's unloaded p50 on the same operation (B1 makes no upstream request, so d does not apply).`,
    `ops/s = 2xx responses per second of a saturating run at d = 0 (autocannon in its own process, ${options.connections} connections, ${options.saturatingSeconds} s; for slow operations instead a fixed number of operations, ≥ ${options.minWaves} per connection, sized to take about as long, so that no operation is cut off); the cold d = 0 phase starts with ${WARM_UP_RUNS} such runs of W1 load on the subgraph, then on B2, unmeasured, and the warm phase with ${WARM_UP_RUNS} of the mix on B1, then on the warm subgraph; on its W1 rows, ${options.b2Turns} saturating runs of the subgraph and ${options.b2Turns} of B2 in turn, and the median of each (ops/s and the CPU of that run); sub/B1, sub/B2 = ops/s ratios. B1 is measured in the warm phase next to the warm subgraph, and the cold rows use the same B1 figures.`,
    `CPU ms/op = user + system CPU time of that process (/proc/<pid>/stat, all its threads) over the saturating run ÷ its 2xx responses. ${options.cpus ? `--pin: the subgraph, B1 and B2 ran on CPU ${options.cpus.measured}, the sandbox and the load generator on CPU ${options.cpus.environment} (the directory and scale phases unpinned).` : 'The sandbox and the load generator run on the same machine and compete for its CPUs (--pin puts them on CPUs of their own).'}`,
    "B1 = the same schema and resolvers on Apollo Server + express, answering from in-memory models (built once through the providers' mappers): no HTTP client, no parsing, no DataLoader. Every answer the subgraph gave to a counted operation (cold and warm) was checked equal to B1's.",
    "B2 = a peer written the usual @apollo/datasource-rest way (src/dev/bench/peer.ts): the same schema and resolvers on Apollo Server + express, reading the same sandboxes through one RESTDataSource per vendor made per request (node-fetch, node's keep-alive global agent), one REST call per loader call (no DataLoader, no batching or bulk lookups: iSpring users by GET /user/{userId}/v2, Thrive audiences by id), RESTDataSource's GET memoization its only dedup, each vendor's token fetched once and reused; no retries, deadline, breaker or body bound. Its bodies go through the providers' own decoders and mappers. Every answer B2 gave to a counted operation was checked equal to B1's. B2 req = data requests the sandbox counted for one B2 operation. B2 has no cross-request cache: it is measured in the cold phases, next to the cold subgraph (B2 p50 at d = 20 on cold d = 20 rows; its d = 0 p50, ops/s and CPU on the d = 0 and warm rows).",
    'W1 is measured per provider (two workloads, one user each); W2 per provider (100 ids each); W3 mixes both. The bench organisation is the demo organisation plus copies of its users (new ids; same departments, groups and managers) up to 240 users per provider, because W3 needs 200 distinct users of each.',
    `One sandbox round trip at d = ${DELAY_MS} ms, measured with a plain node:http keep-alive GET of a 404 path (10 probes): p50 ${sandboxRoundTrip.p50.toFixed(1)} ms, min ${sandboxRoundTrip.min.toFixed(1)} ms; a FAIL of p50≤F+3 shows p50 as F + x and as rounds × RTT (that p50) + y: y is what the subgraph adds beyond the upstream round trips themselves.`,
    "CPU profile: the subgraph's main thread, sampled by V8 (--cpu-prof) in a separate process started for it; only samples taken during the load run count. HTTP client includes node's socket and stream internals, which the server side of the subgraph uses too.",
    ...directoryNotes(directory),
  ];
  if (options.quick)
    notes.push(
      `--quick: runs are short (and memory is measured on the warm subgraph only), so throughput, CPU and memory figures are rough; a normal run gives the stable ones. The scale phase has ${options.scaleUsers} users per provider unless --scale-users says otherwise.`,
    );
  if (failures > 0)
    notes.push(
      `${failures} requests failed (non-2xx or connection errors) during load runs: see failures in the JSON.`,
    );

  const output = [
    formatTable(rows),
    '',
    formatUpstreamCost(upstreamCost),
    '',
    formatMemory(memoryResults),
    '',
    formatProfiles(profiles),
    '',
    formatDirectoryTable(directoryRows),
    '',
    formatScale(directory.large?.scale ?? null, directory.bench.firstSync),
    '',
    'Directory workloads:',
    ...[directory.bench, ...(directory.large ? [directory.large] : [])].flatMap(
      ({ workloads: chosen }, index) => [
        `  ${index === 0 ? `bench organisation (${BENCH_USERS_PER_PROVIDER} users per provider)` : `large organisation (${directory.large!.scale.usersPerProvider} users per provider)`}:`,
        ...chosen.workloads.map((workload) => `    ${workload.title}`),
      ],
    ),
    '',
    'Notes:',
    ...notes.map((note) => `  - ${note}`),
    '',
    `Verdicts: ${tally('PASS')} PASS, ${tally('FAIL')} FAIL, ${tally('VOID')} VOID. Wall time ${wallSeconds.toFixed(1)} s${options.quick ? ' (--quick)' : ''}. JSON: ${options.out}`,
  ].join('\n');
  process.stdout.write(`${output}\n`);

  const json = {
    generatedAt: new Date().toISOString(),
    wallSeconds,
    settings: {
      quick: options.quick,
      delayMs: [0, DELAY_MS],
      saturatingSeconds: options.saturatingSeconds,
      unloadedSecondsTarget: Math.round(options.unloadedSeconds * 100) / 100,
      minUnloadedSamples: options.minSamples,
      connections: options.connections,
      warmCacheTtlSeconds: WARM_TTL_SECONDS,
      scaleUsersPerProvider: options.scaleUsers,
      cpuPinning: options.cpus ?? null,
    },
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      clockTicksPerSecond: clockTicksPerSecond(),
    },
    workloads: workloads.map((workload) => ({
      id: workload.id,
      title: workload.title,
      minimum: workload.minimum,
    })),
    sandboxRoundTripMs: sandboxRoundTrip,
    rows,
    upstreamCpu: upstreamCost,
    memory: memoryResults,
    profiles,
    directory: {
      rows: directoryRows,
      firstSync: directory.bench.firstSync,
      scale: directory.large?.scale ?? null,
      workloads: [directory.bench, ...(directory.large ? [directory.large] : [])].map(
        ({ workloads: chosen }) => ({
          workloads: chosen.workloads.map(({ id, title, body }) => ({ id, title, body })),
          search: chosen.search,
          mostReports: chosen.mostReports,
          orgChart: chosen.orgChart,
        }),
      ),
    },
    verdicts: { pass: tally('PASS'), fail: tally('FAIL'), void: tally('VOID') },
    notes,
  };
  writeFileSync(options.out, `${JSON.stringify(json, null, 2)}\n`);
}

/** What the directory's rows and the scale phase measure, for the notes. */
function directoryNotes(directory: { bench: BenchScaleResult; large: LargeScaleResult | null }): string[] {
  const notes = [
    `Directory rows (D1–D4): the subgraph started with DIRECTORY=index, CACHE_TTL_*_SECONDS=${WARM_TTL_SECONDS}, DIRECTORY_FULL_SYNC_SECONDS and DIRECTORY_POLL_SECONDS of a day, measured once /health/ready says both providers' index is ready; d = 0. B1 answers the same operations, the directory's fields by scanning plain arrays of the same models (src/dev/bench/plain-directory.ts). D1 search, D2 directReports(first: 50) of the user with the most, D3 five levels of directReports(first: 100) below the user whose subtree is nearest 1,000 people, D4 the W1 query by id (from the index).`,
    "counted = upstream requests (data and tokens) the sandbox counted for one operation, counters reset just before it; req in runs = every request the sandbox counted during the subgraph's unloaded and saturating runs of the row / operations the subgraph answered in them (the target for both is 0). answers=B1: each answer equal to B1's (D1's order included: B1 ranks matches by the same tiers).",
    `p50/p99 = unloaded latency (1 connection); ops/s and CPU ms/op as above, B1 first, then the subgraph. An operation slower than 250 ms unloaded (B1 scanning at scale) gets at least 3 unloaded samples, and a saturating run of a fixed number of operations worth about the run's duration (2 to one per connection; a process answering on one thread is saturated by two in flight) instead of the usual minimums; one slower than 10 s (B1's D3 at 100,000 users per provider) is not run again: the operation whose answer was the reference is its only sample (B1 n = 1), its ops/s 1 ÷ its time, its CPU ms/op the CPU it took. Targets: D1, D2 p50 ≤ B1's + 2 ms; D3 p50 < 50 ms; D4 ops/s ≥ 0.8 × B1; 0 upstream requests on every row.`,
  ];
  if (directory.large) {
    const { scale } = directory.large;
    notes.push(
      `Scale phase: a sandbox and a B1 of ${scale.usersPerProvider} users per provider (createLargeOrganisation, the same seed), d = 0. First a subgraph with DIRECTORY_FULL_SYNC_SECONDS=${RESYNC_SECONDS} (polling off): time from its process start to both providers' lastFullSyncAt (/health/ready; each sync's own duration from learning_directory_directory_sync_duration_seconds), RSS then (target < 600 MiB), and RSS when both providers' lastFullSyncAt have moved on once, twice and three times (growth ≤ 10 %, target none); then another subgraph with long periods, for D1–D4 at that size. The first of them also runs with --expose-gc and harness/process-monitor.ts, which after each reading makes a full garbage collection and reports RSS and heap used again ("after a full GC": what the index keeps, apart from garbage not yet collected). Subgraphs run with node's default heap; its limit is given.`,
    );
  }
  return notes;
}

const signed = (value: number) => `${value < 0 ? '−' : '+'} ${Math.abs(value).toFixed(1)}`;

/** Sequential GETs of a path the sandbox answers 404 to, alternating origins; ms, sorted. */
async function probeRoundTrips(origins: readonly string[], count: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (origin: string) =>
    new Promise<number>((resolve, reject) => {
      const probeStarted = performance.now();
      http
        .get(`${origin}/bench-round-trip-probe`, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve(performance.now() - probeStarted));
        })
        .on('error', reject);
    });
  const times: number[] = [];
  try {
    for (const origin of origins) await get(origin); // connections and JIT
    for (let i = 0; i < count; i += 1) times.push(await get(origins[i % origins.length]!));
  } finally {
    agent.destroy();
  }
  return times.sort((a, b) => a - b);
}

function rank(row: Row): number {
  const phase = row.cache === 'warm' ? 2 : row.delayMs === DELAY_MS ? 0 : 1;
  return phase * 100 + ['W1-ispring', 'W1-thrive', 'W2-ispring', 'W2-thrive', 'W3'].indexOf(row.workload);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  const message =
    error instanceof BenchAbort
      ? `bench aborted: ${error.message}`
      : `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  process.stderr.write(`\n${message}\n`);
  process.exit(1);
});
