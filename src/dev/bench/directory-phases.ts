import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BaselineInfo } from './baseline.js';
import { BenchChild, cpuMilliseconds, memory, postGraphql, startSubgraphChild } from '../harness/children.js';
import { BENCH_USERS_PER_PROVIDER, organisationFor } from '../harness/organisation.js';
import { harnessScript } from '../harness/paths.js';
import type { SandboxCounts, SandboxInfo } from '../harness/sandbox-process.js';
import { createInMemoryDirectory } from './directory.js';
import {
  createDirectoryWorkloads,
  peopleInOrgChart,
  type DirectoryWorkload,
  type DirectoryWorkloads,
} from './directory-workloads.js';
import {
  dataRequests,
  failuresOf,
  firstDifference,
  latencyOf,
  pass,
  quiesce,
  sandboxTotal,
  saturating,
  unloaded,
  type Rig,
  type Saturated,
} from './measure.js';
import type { LoadSummary } from './load.js';
import type { MemoryReply, MemoryRequest } from '../harness/process-monitor.js';
import type {
  AfterGc,
  DirectoryRow,
  FirstSyncResult,
  GcCounts,
  ResyncResult,
  ScaleResult,
  Verdict,
} from './report.js';
import { WARM_TTL_SECONDS } from './settings.js';

/**
 * The bench's directory phases (README, "Benchmark"): the directory's workloads D1–D4 on a
 * subgraph started with DIRECTORY=index, warm TTLs and long sync and poll periods, once its first
 * full syncs are applied, against B1 answering them by scanning plain arrays; at the bench
 * organisation's size, then (the scale phase) at the sandbox's large organisation's, after the
 * index's first full sync time and memory over three more full syncs are measured.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist/dev/bench

/** The sync and poll periods of a subgraph that must not sync again while it is measured (a day, the most allowed). */
const LONG_PERIOD_SECONDS = 86_400;
/** The full-sync period of the subgraph whose memory is watched over three more full syncs. */
export const RESYNC_SECONDS = 5;
const RESYNCS = 3;
/** Operations slower than these are measured with fewer samples, or none (`measureProcess`). */
const SLOW_MS = 250;
const TOO_SLOW_MS = 10_000;

/** Targets (README, "Benchmark"). */
const TARGETS = {
  p50OverB1Ms: 2,
  orgChartP50Ms: 50,
  byIdOpsOfB1: 0.8,
  firstSyncSeconds: 60,
  rssMiB: 600,
  growth: 0.1,
} as const;

export interface DirectoryHarness {
  readonly rig: Omit<Rig, 'sandbox'>;
  readonly progress: (message: string) => void;
  /** The environment of every child (run.ts `baseEnv`: the runner's own, minus the subgraph's settings). */
  readonly baseEnv: () => NodeJS.ProcessEnv;
}

interface DirectorySubgraph {
  readonly child: BenchChild;
  readonly url: string;
  readonly origin: string;
  /** `Date.now()` just before the process was forked. */
  readonly forkedAt: number;
  /** Whether it answers memory readings after a full collection (harness/process-monitor.ts). */
  readonly monitored: boolean;
}

/**
 * The subgraph with the directory index on (DIRECTORY=index), warm caches (CACHE_TTL_*_SECONDS,
 * so that by-id reads are answered from the index), no polling, and full syncs every
 * `fullSyncSeconds`. It answers /graphql at once; the first full syncs run in the background.
 * `monitored`: with `--expose-gc` and harness/process-monitor.ts, for memory readings after a full
 * collection (which neither changes the heap's limit nor calls anything of the subgraph's).
 */
async function startDirectorySubgraph(
  harness: DirectoryHarness,
  sandbox: SandboxInfo,
  name: string,
  {
    fullSyncSeconds,
    monitored,
    execArgv = [],
  }: { fullSyncSeconds: number; monitored: boolean; execArgv?: readonly string[] },
): Promise<DirectorySubgraph> {
  const forkedAt = Date.now();
  const { child, origin, url } = await startSubgraphChild({
    name,
    sandbox,
    env: {
      ...harness.baseEnv(),
      DIRECTORY: 'index',
      DIRECTORY_FULL_SYNC_SECONDS: String(fullSyncSeconds),
      DIRECTORY_POLL_SECONDS: String(LONG_PERIOD_SECONDS),
    },
    cacheTtlSeconds: WARM_TTL_SECONDS,
    execArgv: [
      ...execArgv,
      ...(monitored
        ? ['--expose-gc', '--import', pathToFileURL(harnessScript('process-monitor.js')).href]
        : []),
    ],
    readyTimeoutMs: 120_000,
  });
  return { child, url, origin, forkedAt, monitored };
}

let nextMemoryId = 1;

/**
 * RSS and heap used after a full collection, which harness/process-monitor.ts makes and reports
 * over IPC; null for a subgraph without it, or one that does not answer within a minute (a
 * collection of a heap of gigabytes takes seconds).
 */
function memoryAfterGc(subgraph: DirectorySubgraph): Promise<AfterGc | null> {
  if (!subgraph.monitored) return Promise.resolve(null);
  const id = nextMemoryId++;
  const child = subgraph.child.process;
  return new Promise((resolve) => {
    const done = (reading: AfterGc | null) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(reading);
    };
    const timer = setTimeout(() => done(null), 60_000);
    const onMessage = (raw: unknown) => {
      const reply = raw as Partial<MemoryReply> | null;
      if (reply?.kind !== 'soak-memory' || reply.id !== id) return;
      done(
        reply.collected === true
          ? {
              rssMiB: (reply.rss ?? Number.NaN) / 2 ** 20,
              heapUsedMiB: (reply.heapUsed ?? Number.NaN) / 2 ** 20,
            }
          : null,
      );
    };
    child.on('message', onMessage);
    const request: MemoryRequest = { kind: 'soak-memory', id, gc: true };
    child.send(request, (error) => {
      if (error) done(null);
    });
  });
}

interface DirectoryState {
  readonly state: string;
  readonly users: number;
  readonly lastFullSyncAt: string | null;
  readonly problem?: string;
}

const PROVIDERS = ['thrive', 'ispring'] as const;

/** GET `path` of the subgraph; a failure names the subgraph and shows its last output. */
async function get(subgraph: DirectorySubgraph, pathname: string): Promise<Response> {
  try {
    return await fetch(`${subgraph.origin}${pathname}`, { signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    const cause =
      error instanceof Error
        ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ''}`
        : String(error);
    throw new Error(
      `${subgraph.child.name}: GET ${pathname} failed: ${cause}. Its last output:\n${subgraph.child.tail()}`,
    );
  }
}

/** The directory part of /health/ready (which answers while the index is built, between its steps). */
async function directoryStates(subgraph: DirectorySubgraph): Promise<Record<string, DirectoryState>> {
  const json = (await (await get(subgraph, '/health/ready')).json()) as {
    directory?: Record<string, DirectoryState>;
  };
  if (!json.directory) throw new Error(`${subgraph.child.name}: /health/ready has no directory state`);
  return json.directory;
}

/**
 * From /metrics: `learning_directory_directory_sync_duration_seconds` of full syncs (sum and
 * count); the V8 heap, used and committed (`nodejs_heap_size_used_bytes`, `…_total_bytes`); and the
 * garbage collections so far (prom-client's `nodejs_gc_duration_seconds`: full ones, and the
 * seconds of all kinds), which say how much of a sync's garbage outlived the young generation.
 */
async function syncMetrics(subgraph: DirectorySubgraph) {
  const text = await (await get(subgraph, '/metrics')).text();
  const sums: Record<string, { sum: number; count: number }> = {};
  let heapUsedMiB: number | null = null;
  let heapTotalMiB: number | null = null;
  const gc = { full: 0, seconds: 0 };
  for (const line of text.split('\n')) {
    const sync = /^learning_directory_directory_sync_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/.exec(
      line,
    );
    if (sync && /kind="full"/.test(sync[2]!)) {
      const provider = /provider="([^"]+)"/.exec(sync[2]!)?.[1] ?? '?';
      const entry = (sums[provider] ??= { sum: 0, count: 0 });
      entry[sync[1] as 'sum' | 'count'] = Number(sync[3]);
    }
    const heap = /^nodejs_heap_size_(used|total)_bytes (\S+)$/.exec(line);
    if (heap?.[1] === 'used') heapUsedMiB = Number(heap[2]) / 2 ** 20;
    if (heap?.[1] === 'total') heapTotalMiB = Number(heap[2]) / 2 ** 20;
    const collections = /^nodejs_gc_duration_seconds_(sum|count)\{kind="([^"]+)"\} (\S+)$/.exec(line);
    if (collections?.[1] === 'sum') gc.seconds += Number(collections[3]);
    if (collections?.[1] === 'count' && collections[2] === 'major') gc.full += Number(collections[3]);
  }
  return { sums, heapUsedMiB, heapTotalMiB, gc };
}

const gcSince = (now: GcCounts, before: GcCounts): GcCounts => ({
  full: now.full - before.full,
  seconds: now.seconds - before.seconds,
});

/** Polls /health/ready until both providers' index is `ready`: the first full syncs are applied. */
async function waitForFirstSync(subgraph: DirectorySubgraph, timeoutMs: number): Promise<FirstSyncResult> {
  const deadline = Date.now() + timeoutMs;
  let states: Record<string, DirectoryState> = {};
  // A probe of the event loop beside each reading: /health/live answers only between the sync's
  // own work (it asks no provider, as /health/ready may), so its slowest answer says how long
  // queries and probes waited while the sync ran.
  let slowestProbeMs = 0;
  while (PROVIDERS.some((provider) => states[provider]?.state !== 'ready')) {
    if (Date.now() > deadline) {
      throw new Error(
        `${subgraph.child.name}: the first full syncs were not applied within ${timeoutMs / 1000} s: ${JSON.stringify(states)}`,
      );
    }
    await sleep(250);
    const sentAt = performance.now();
    await (await get(subgraph, '/health/live')).arrayBuffer();
    slowestProbeMs = Math.max(slowestProbeMs, performance.now() - sentAt);
    states = await directoryStates(subgraph);
  }
  const { rssMiB, peakRssMiB } = memory(subgraph.child.pid);
  const { sums, heapUsedMiB, heapTotalMiB, gc } = await syncMetrics(subgraph);
  const afterGc = await memoryAfterGc(subgraph);
  const providers: FirstSyncResult['providers'] = {};
  for (const provider of PROVIDERS) {
    const state = states[provider]!;
    providers[provider] = {
      users: state.users,
      appliedAfterSeconds: (Date.parse(state.lastFullSyncAt!) - subgraph.forkedAt) / 1000,
      syncSeconds: sums[provider]?.count === 1 ? sums[provider].sum : null,
    };
  }
  return {
    seconds: Math.max(...Object.values(providers).map((facts) => facts.appliedAfterSeconds)),
    providers,
    rssMiB,
    peakRssMiB,
    heapUsedMiB,
    heapTotalMiB,
    gc,
    afterGc,
    slowestProbeMs,
  };
}

/**
 * Watches `rounds` more full syncs of both providers (each provider's `lastFullSyncAt` moving on),
 * and the RSS when both have completed each round.
 */
async function watchResyncs(subgraph: DirectorySubgraph, rounds: number, timeoutMs: number) {
  const results: ResyncResult[] = [];
  let seen = await directoryStates(subgraph);
  let { sums, gc } = await syncMetrics(subgraph);
  for (let round = 0; round < rounds; round += 1) {
    const deadline = Date.now() + timeoutMs;
    const before = seen;
    const moved = (states: Record<string, DirectoryState>) =>
      PROVIDERS.every((provider) => states[provider]?.lastFullSyncAt !== before[provider]?.lastFullSyncAt);
    let states = before;
    while (!moved(states)) {
      if (Date.now() > deadline)
        throw new Error(
          `${subgraph.child.name}: full sync ${round + 2} did not complete within ${timeoutMs / 1000} s`,
        );
      await sleep(250);
      states = await directoryStates(subgraph);
    }
    const { rssMiB, peakRssMiB } = memory(subgraph.child.pid);
    const now = await syncMetrics(subgraph);
    const syncSeconds: Record<string, number | null> = {};
    for (const provider of PROVIDERS) {
      const was = sums[provider];
      const is = now.sums[provider];
      // The last sync's duration, when exactly one more was recorded since the previous round.
      syncSeconds[provider] = was && is && is.count === was.count + 1 ? is.sum - was.sum : null;
    }
    const afterGc = await memoryAfterGc(subgraph);
    results.push({
      rssMiB,
      peakRssMiB,
      heapUsedMiB: now.heapUsedMiB,
      heapTotalMiB: now.heapTotalMiB,
      gc: gcSince(now.gc, gc),
      afterGc,
      syncSeconds,
    });
    seen = states;
    sums = now.sums;
    gc = now.gc;
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// The workloads

interface Reference {
  readonly url: string;
  readonly child: BenchChild;
}

async function b1Answer(b1: Reference, body: string) {
  const reply = await timedOnce(b1.url, b1.child.pid, body);
  const errors = (reply.json as { errors?: unknown }).errors;
  if (reply.status !== 200 || errors !== undefined) {
    throw new Error(
      `B1 answered a directory workload with HTTP ${reply.status}: ${JSON.stringify(reply.json).slice(0, 500)}`,
    );
  }
  return reply;
}

/**
 * Unloaded latency and a saturating run of one process on `workload`, sized from `single`, one
 * operation of it already made (its wall time, and the CPU time the process spent on it).
 *
 * Ordinarily as every other row. An operation slower than `SLOW_MS` (B1 scanning a large
 * organisation: D3 scans every user once per person in the chart) gets at least 3 unloaded
 * samples, and a saturating run of about `saturatingSeconds` worth of operations (2 to one per
 * connection); the usual minimums (20 samples, 4 waves of 16) would take hours for one row. One
 * slower than `TOO_SLOW_MS` (B1's D3 at 100,000 users per provider takes minutes) is not run again
 * at all: the operation already made is its only sample, its ops/s the inverse of its time (one
 * thread, one operation at a time) and its CPU the CPU it took.
 */
async function measureProcess(
  rig: Rig,
  url: string,
  pid: number,
  workload: { readonly body: string },
  single: { readonly ms: number; readonly cpuMs: number },
): Promise<{ latency: LoadSummary; run: Saturated }> {
  if (single.ms > TOO_SLOW_MS) {
    const summary: LoadSummary = {
      ok: 1,
      non2xx: 0,
      errors: 0,
      timeouts: 0,
      seconds: single.ms / 1000,
      opsPerSecond: 1000 / single.ms,
      latency: { min: single.ms, p50: single.ms, p99: single.ms, max: single.ms },
    };
    return {
      latency: summary,
      run: {
        summary,
        cpuMsPerOp: single.cpuMs,
        sizing: 'its reference operation alone (too slow for load runs)',
      },
    };
  }
  const slow = single.ms > SLOW_MS;
  const latency = await unloaded(
    rig,
    url,
    workload,
    single.ms,
    slow ? { minSamples: 3, timeoutSeconds: Math.max(30, (4 * single.ms) / 1000) } : {},
  );
  const p50 = latency.latency.p50;
  const { saturatingSeconds, connections } = rig.options;
  const run = await saturating(rig, url, pid, [workload.body], p50, {
    upstream: false,
    ...(p50 > SLOW_MS
      ? { operations: Math.min(connections, Math.max(2, Math.round((saturatingSeconds * 1000) / p50))) }
      : {}),
  });
  return { latency, run };
}

/** One operation, its answer, wall time and the CPU time `pid` spent meanwhile. */
async function timedOnce(url: string, pid: number, body: string) {
  const cpuBefore = cpuMilliseconds(pid);
  const reply = await postGraphql(url, body);
  return { ...reply, cpuMs: cpuMilliseconds(pid) - cpuBefore };
}

/**
 * D1–D4 on `subgraph` and on B1, each: B1's answers; one counted operation of the subgraph (the
 * sandbox's counters reset just before it), its answer compared with B1's; unloaded latency and a
 * saturating run of B1, then of the subgraph, with every request the sandbox counts meanwhile.
 */
async function measureRows(
  harness: DirectoryHarness,
  rig: Rig,
  subgraph: DirectorySubgraph,
  b1: Reference,
  chosen: DirectoryWorkloads,
  scale: DirectoryRow['scale'],
  usersPerProvider: number,
): Promise<DirectoryRow[]> {
  const rows: DirectoryRow[] = [];
  for (const workload of chosen.workloads) {
    harness.progress(
      `directory, ${usersPerProvider} users per provider: ${workload.id}: B1's answers, a counted operation, then unloaded latency and a saturating run of B1, then of the subgraph`,
    );
    const b1Single = await b1Answer(b1, workload.body);

    await quiesce(rig);
    await rig.sandbox.call('reset');
    const reply = await timedOnce(subgraph.url, subgraph.child.pid, workload.body);
    const counted = dataRequests(await rig.sandbox.call<SandboxCounts>('counts'));
    const errors = (reply.json as { errors?: unknown }).errors;
    const difference =
      reply.status !== 200 || errors !== undefined
        ? `HTTP ${reply.status}${errors ? `, errors ${JSON.stringify(errors).slice(0, 300)}` : ''}`
        : firstDifference(reply.json, b1Single.json);
    let answerCheck = 'equal to B1’s answer';
    if (workload.id === 'D3') answerCheck += `; ${peopleInOrgChart(b1Single.json)} people in the chart`;

    const { latency: b1Latency, run: b1Run } = await measureProcess(
      rig,
      b1.url,
      b1.child.pid,
      workload,
      b1Single,
    );
    await rig.sandbox.call('reset');
    const { latency, run } = await measureProcess(rig, subgraph.url, subgraph.child.pid, workload, reply);
    const requestsDuringRuns = await sandboxTotal(rig);

    const verdicts: Verdict[] = [
      pass('answers=B1', difference === undefined, difference ?? ''),
      pass(
        '0 upstream',
        counted.total + counted.tokens === 0 && requestsDuringRuns === 0,
        `${counted.total + counted.tokens} in the counted operation, ${requestsDuringRuns} during the load runs`,
      ),
    ];
    const p50 = latency.latency.p50;
    const b1P50 = b1Latency.latency.p50;
    const opsRatio = run.summary.opsPerSecond / b1Run.summary.opsPerSecond;
    if (workload.id === 'D1' || workload.id === 'D2') {
      verdicts.push(
        pass(
          `p50≤B1+${TARGETS.p50OverB1Ms}`,
          p50 <= b1P50 + TARGETS.p50OverB1Ms,
          `${p50.toFixed(2)} ms, B1 ${b1P50.toFixed(2)} ms`,
        ),
      );
    }
    if (workload.id === 'D3')
      verdicts.push(
        pass(`p50<${TARGETS.orgChartP50Ms}`, p50 < TARGETS.orgChartP50Ms, `${p50.toFixed(1)} ms`),
      );
    if (workload.id.startsWith('D4'))
      verdicts.push(
        pass(`ops≥${TARGETS.byIdOpsOfB1}×B1`, opsRatio >= TARGETS.byIdOpsOfB1, `${opsRatio.toFixed(2)}×`),
      );
    rows.push({
      workload: workload.id,
      title: workload.title,
      scale,
      usersPerProvider,
      counted: counted.total,
      countedByEndpoint: counted.byEndpoint,
      tokenRequests: counted.tokens,
      requestsDuringRuns,
      operationsDuringRuns: latency.ok + run.summary.ok,
      answerCheck,
      answerDifference: difference ?? null,
      latency: latencyOf(latency),
      b1Latency: latencyOf(b1Latency),
      opsPerSecond: run.summary.opsPerSecond,
      b1OpsPerSecond: b1Run.summary.opsPerSecond,
      cpuMsPerOp: run.cpuMsPerOp,
      b1CpuMsPerOp: b1Run.cpuMsPerOp,
      sizing: { subgraph: run.sizing, b1: b1Run.sizing },
      failures: failuresOf(latency, run.summary, b1Latency, b1Run.summary),
      verdicts,
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The phases

/**
 * D1–D4 in the organisation B1 and the sandbox serve for `users` (a function of its own, so that
 * the organisation and its models, large at scale, are garbage once it returns).
 */
function chooseWorkloads(users: number | undefined): DirectoryWorkloads {
  const organisation = organisationFor(users);
  return createDirectoryWorkloads(organisation, createInMemoryDirectory(organisation));
}

export interface BenchScaleResult {
  readonly workloads: DirectoryWorkloads;
  readonly firstSync: FirstSyncResult;
  readonly rows: DirectoryRow[];
}

/**
 * The directory's workloads at the bench organisation's size: on the bench's own sandbox (set to
 * d = 0) and its B1.
 */
export async function benchScaleDirectory(
  harness: DirectoryHarness,
  rig: Rig,
  sandbox: SandboxInfo,
  b1: Reference,
): Promise<BenchScaleResult> {
  const workloads = chooseWorkloads(undefined);
  await rig.sandbox.call('setDelay', { ms: 0 });
  harness.progress(
    'starting the subgraph with the directory index (DIRECTORY=index, warm TTLs, long periods)',
  );
  const subgraph = await startDirectorySubgraph(harness, sandbox, 'subgraph (directory index)', {
    fullSyncSeconds: LONG_PERIOD_SECONDS,
    monitored: false,
  });
  try {
    const firstSync = await waitForFirstSync(subgraph, 120_000);
    const rows = await measureRows(harness, rig, subgraph, b1, workloads, 'bench', BENCH_USERS_PER_PROVIDER);
    return { workloads, firstSync, rows };
  } finally {
    await subgraph.child.stop('SIGTERM');
  }
}

export interface LargeScaleResult {
  readonly workloads: DirectoryWorkloads;
  readonly scale: ScaleResult;
  readonly rows: DirectoryRow[];
}

/** The heap limit a node process started like the subgraph gets by default on this machine, MiB. */
function defaultHeapLimitMiB(env: NodeJS.ProcessEnv): number {
  const bytes = execFileSync(
    process.execPath,
    ['-p', 'require("node:v8").getHeapStatistics().heap_size_limit'],
    { env, encoding: 'utf8' },
  );
  return Number(bytes.trim()) / 2 ** 20;
}

/**
 * The scale phase: a sandbox and a B1 of `users` users per provider (the same large organisation);
 * a subgraph started with a short full-sync period for the first full sync's time, RSS after it and
 * after three more; then another with long periods for D1–D4 at that size.
 */
export async function largeScaleDirectory(
  harness: DirectoryHarness,
  users: number,
  /** `--max-old-space-size` of the scale phase's subgraphs; node's default heap when undefined. */
  heapMiB?: number,
): Promise<LargeScaleResult> {
  const env = harness.baseEnv();
  harness.progress(`scale: starting a sandbox and a B1 of ${users} users per provider (d = 0)`);
  const sandboxChild = new BenchChild({
    name: `sandbox providers (${users} users per provider)`,
    modulePath: harnessScript('sandbox-process.js'),
    env: { ...env, BENCH_SANDBOX_DELAY_MS: '0', BENCH_SANDBOX_USERS: String(users) },
    announcesReady: true,
    readyTimeoutMs: 600_000,
  });
  const b1Child = new BenchChild({
    name: `baseline B1 (${users} users per provider)`,
    modulePath: path.join(HERE, 'baseline.js'),
    env: { ...env, BENCH_B1_USERS: String(users) },
    announcesReady: true,
    readyTimeoutMs: 600_000,
  });
  try {
    // Meanwhile, the workloads, from the same organisation (built here a third time).
    harness.progress(`scale: choosing D1–D4 in the organisation of ${users} users per provider`);
    const workloads = chooseWorkloads(users);
    const [sandboxInfo, b1Info] = (await Promise.all([sandboxChild.ready, b1Child.ready])) as [
      SandboxInfo,
      BaselineInfo,
    ];
    const rig: Rig = { ...harness.rig, sandbox: sandboxChild };
    const heapFlag = heapMiB === undefined ? null : `--max-old-space-size=${heapMiB}`;
    const heap = { flag: heapFlag, limitMiB: heapMiB ?? defaultHeapLimitMiB(env) };
    const execArgv = heapFlag === null ? [] : [heapFlag];

    harness.progress(
      `scale: subgraph with DIRECTORY_FULL_SYNC_SECONDS=${RESYNC_SECONDS}: its first full syncs, then ${RESYNCS} more`,
    );
    const watched = await startDirectorySubgraph(
      harness,
      sandboxInfo,
      `subgraph (directory index, ${users} users per provider, full syncs every ${RESYNC_SECONDS} s)`,
      { fullSyncSeconds: RESYNC_SECONDS, monitored: true, execArgv },
    );
    let firstSync: FirstSyncResult;
    let resyncs: ResyncResult[];
    try {
      firstSync = await waitForFirstSync(watched, 900_000);
      harness.progress(
        `scale: first full syncs applied ${firstSync.seconds.toFixed(1)} s after the start; RSS ${firstSync.rssMiB.toFixed(0)} MiB`,
      );
      resyncs = await watchResyncs(watched, RESYNCS, 900_000);
    } finally {
      await watched.child.stop('SIGTERM');
    }

    harness.progress('scale: subgraph with long sync and poll periods for D1–D4; its first full syncs');
    const measured = await startDirectorySubgraph(
      harness,
      sandboxInfo,
      // Not monitored: nothing but the workloads touches its heap before they are measured.
      `subgraph (directory index, ${users} users per provider)`,
      { fullSyncSeconds: LONG_PERIOD_SECONDS, monitored: false, execArgv },
    );
    let rows: DirectoryRow[];
    let workloadSubgraph: ScaleResult['workloadSubgraph'];
    try {
      const measuredFirstSync = await waitForFirstSync(measured, 900_000);
      rows = await measureRows(
        harness,
        rig,
        measured,
        { url: b1Info.url, child: b1Child },
        workloads,
        'large',
        users,
      );
      workloadSubgraph = { firstSync: measuredFirstSync, rssAfterRowsMiB: memory(measured.child.pid).rssMiB };
    } finally {
      await measured.child.stop('SIGTERM');
    }

    const growth = resyncs[resyncs.length - 1]!.rssMiB / firstSync.rssMiB - 1;
    const scale: ScaleResult = {
      usersPerProvider: users,
      heap,
      fullSyncSeconds: RESYNC_SECONDS,
      firstSync,
      resyncs,
      growth,
      growthBetweenResyncs: resyncs[resyncs.length - 1]!.rssMiB / resyncs[0]!.rssMiB - 1,
      workloadSubgraph,
      verdicts: [
        pass(
          `first sync<${TARGETS.firstSyncSeconds} s`,
          firstSync.seconds < TARGETS.firstSyncSeconds,
          `${firstSync.seconds.toFixed(1)} s`,
        ),
        pass(
          `RSS<${TARGETS.rssMiB} MiB`,
          firstSync.rssMiB < TARGETS.rssMiB,
          `${firstSync.rssMiB.toFixed(0)} MiB`,
        ),
        pass(
          `RSS growth≤${TARGETS.growth * 100} %`,
          growth <= TARGETS.growth,
          `${(growth * 100).toFixed(1)} % (${resyncs.map((resync) => resync.rssMiB.toFixed(0)).join(', ')} MiB after ${firstSync.rssMiB.toFixed(0)})`,
        ),
      ],
    };
    return { workloads, scale, rows };
  } finally {
    await Promise.all([sandboxChild.stop(), b1Child.stop()]);
  }
}
