import { writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  BenchChild,
  childBaseEnv,
  freePort,
  killAllChildren,
  memory,
  progressReporter,
  sandboxProviderEnv,
  stopChildrenOnExit,
  waitForGraphql,
} from '../harness/children.js';
import { createBenchOrganisation } from '../harness/organisation.js';
import { readArgs, UsageError } from '../harness/args.js';
import { harnessScript, MAIN_SCRIPT, orphanGuardImport } from '../harness/paths.js';
import type { SandboxDrain, SandboxInfo } from '../harness/sandbox-process.js';
import { SANDBOX_CREDENTIALS } from '../../sandbox/credentials.js';
import { checkResponse, leakPatterns } from './check.js';
import { runClients, send, type ClientResult } from './clients.js';
import { createOperations, createPicker, type Operation } from './operations.js';
import type { MemoryReply, MemoryRequest } from './process-monitor.js';
import { startLivenessProbe, splitByWindows } from './prober.js';
import { createSchedule, kindsOf, type Phase } from './schedule.js';
import { addInto, latencySummary, Tally } from './tally.js';
import { ISPRING_ENDPOINTS } from '../../providers/ispring/endpoints.js';
import { THRIVE_ENDPOINTS } from '../../providers/thrive/endpoints.js';

/**
 * `npm run soak`: the subgraph (dist/main.js, NODE_ENV=production) under concurrent clients for a
 * bounded time and number of requests, on loopback, while its upstreams (the sandbox providers, in
 * their own process: the bench's sandbox-process) inject a rotating mix of faults. Every answer is
 * checked (check.ts); the report says what ran, what came back, how fast, the subgraph's RSS before,
 * during and after, the faults injected and the upstream requests, and one PASS/FAIL line per
 * requirement. The exit code is 1 when any is FAIL. Progress goes to stderr, the report to stdout,
 * the same as JSON to `--out`.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist/dev/soak

const USAGE = `Usage: npm run soak -- [--quick] [--duration <s>] [--connections <n>] [--max-requests <n>] [--out <file>]

  --quick             a 10-second soak (one-second fault phases)
  --duration <s>      seconds of load (default 60; 10 with --quick), 1 to 3600
  --connections <n>   concurrent clients, one request in flight each (default 16), 1 to 256
  --max-requests <n>  a hard bound on the requests sent (default 1000000)
  --out <file>        where the JSON goes (default soak-results.json in the current directory)
`;

// ---------------------------------------------------------------------------------------------
// Settings

/** The subgraph's configuration under soak: small timeouts and bounded retries, so faults resolve quickly. */
const UPSTREAM_TIMEOUT_MS = 1000;
const UPSTREAM_DEADLINE_MS = 3000;
const UPSTREAM_MAX_BODY_BYTES = 1024 * 1024;
const BREAKER_OPEN_MS = 1000;
const RETRY_AFTER_MAX_SECONDS = 1;
const CACHE_TTL_SECONDS = 2;
const SUBGRAPH_MAX_BODY_BYTES = 1024 * 1024;

const SOAK_ENV: Readonly<Record<string, string>> = {
  UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
  UPSTREAM_DEADLINE_MS: String(UPSTREAM_DEADLINE_MS),
  UPSTREAM_MAX_BODY_BYTES: String(UPSTREAM_MAX_BODY_BYTES),
  THRIVE_RETRIES: '2',
  ISPRING_RETRIES: '2',
  THRIVE_RETRY_BASE_DELAY_MS: '50',
  ISPRING_RETRY_BASE_DELAY_MS: '50',
  THRIVE_RETRY_MAX_DELAY_MS: '250',
  ISPRING_RETRY_MAX_DELAY_MS: '250',
  THRIVE_RETRY_AFTER_MAX_SECONDS: String(RETRY_AFTER_MAX_SECONDS),
  ISPRING_RETRY_AFTER_MAX_SECONDS: String(RETRY_AFTER_MAX_SECONDS),
  THRIVE_BREAKER_FAILURES: '5',
  ISPRING_BREAKER_FAILURES: '5',
  THRIVE_BREAKER_OPEN_MS: String(BREAKER_OPEN_MS),
  ISPRING_BREAKER_OPEN_MS: String(BREAKER_OPEN_MS),
  CACHE_TTL_USERS_SECONDS: String(CACHE_TTL_SECONDS),
  CACHE_TTL_DEPARTMENTS_SECONDS: String(CACHE_TTL_SECONDS),
  CACHE_TTL_GROUPS_SECONDS: String(CACHE_TTL_SECONDS),
  MAX_BODY_BYTES: String(SUBGRAPH_MAX_BODY_BYTES),
  LOG_LEVEL: 'warn',
};

/** The sandbox's delay per upstream response, ms: a little real latency. */
const SANDBOX_DELAY_MS = 5;
/** A request with no answer after this is a failure (the deadline is 3 s; Retry-After waits 1 s). */
const CLIENT_TIMEOUT_MS = 15_000;
/** Memory is flat when the RSS at the end of the load is at most this much above the middle reading. */
const RSS_FLAT_TOLERANCE = 0.15;
/** The slowest a fault phase rotates; the fastest is 1 s (`--quick`). */
const MAX_PHASE_SECONDS = 3;
/** bench/orphan-guard.js ends the subgraph this long after a SIGTERM, should main.ts not. */
const ORPHAN_GUARD_BACKSTOP_MS = 1500;
/** The subgraph's stderr says this at the start of a line its process-monitor.ts wrote. */
const MONITOR_MARKER = 'soak-monitor:';
/** How often the liveness probe asks `/health/live` during the load. */
const PROBE_INTERVAL_MS = 50;
/** The longest a liveness probe may wait while an attack request is in flight. */
const MAX_PROBE_MS_UNDER_ATTACK = 1000;

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  readonly quick: boolean;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly maxRequests: number;
  readonly out: string;
}

class SoakAbort extends Error {}

function parseOptions(argv: readonly string[]): Options {
  const args = readArgs(
    argv,
    {
      quick: { kind: 'flag' },
      duration: { kind: 'number', min: 1, max: 3600, unit: 'seconds' },
      connections: { kind: 'number', min: 1, max: 256, whole: true },
      'max-requests': { kind: 'number', min: 1, max: 100_000_000, whole: true },
      out: { kind: 'string' },
    },
    USAGE,
  );
  return {
    quick: args.quick,
    durationSeconds: args.duration ?? (args.quick ? 10 : 60),
    connections: args.connections ?? 16,
    maxRequests: args['max-requests'] ?? 1_000_000,
    out: path.resolve(args.out ?? 'soak-results.json'),
  };
}

// ---------------------------------------------------------------------------------------------
// Progress, and cleanup on every way out

const started = performance.now();
const progress = progressReporter(started);

stopChildrenOnExit('soak');

// ---------------------------------------------------------------------------------------------
// The subgraph under soak, and what it says

interface SubgraphWatch {
  readonly child: BenchChild;
  readonly url: string;
  /** Set when it exited before the soak stopped it. */
  crash?: { code: number | null; signal: NodeJS.Signals | null; atSeconds: number };
  readonly stderrLines: string[];
  stderrLineCount: number;
  readonly monitorLines: string[];
  /** pino level → lines. */
  readonly logLevels: Record<string, number>;
  /** `msg` of error and fatal log lines → count. */
  readonly errorLogMessages: Record<string, number>;
}

function onLines(stream: Readable | null, handle: (line: string) => void): void {
  if (!stream) return;
  let rest = '';
  stream.on('data', (chunk: string | Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') handle(line);
  });
  stream.on('end', () => {
    if (rest.trim() !== '') handle(rest);
  });
}

async function startSubgraph(sandbox: SandboxInfo): Promise<SubgraphWatch> {
  const port = await freePort();
  const child = new BenchChild({
    name: 'subgraph',
    modulePath: MAIN_SCRIPT,
    execArgv: [
      // An unhandled rejection becomes an uncaught exception, which ends the process, whatever
      // handler a dependency may have registered; process-monitor.ts writes it to stderr first.
      '--unhandled-rejections=strict',
      // For the memory readings after a full collection (process-monitor.ts).
      '--expose-gc',
      ...orphanGuardImport(),
      '--import',
      pathToFileURL(path.join(HERE, 'process-monitor.js')).href,
    ],
    announcesReady: false,
    env: {
      ...childBaseEnv(),
      ...SOAK_ENV,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...sandboxProviderEnv(sandbox),
    },
  });
  const watch: SubgraphWatch = {
    child,
    url: `http://127.0.0.1:${port}/graphql`,
    stderrLines: [],
    stderrLineCount: 0,
    monitorLines: [],
    logLevels: {},
    errorLogMessages: {},
  };
  // BenchChild ends the soak when a child exits unasked; the subgraph's exit is a finding to report
  // instead. `kill` on a process that has exited sends nothing and marks it as stopped on purpose,
  // and this listener runs before BenchChild's own.
  child.process.prependListener('exit', (code, signal) => {
    if (watch.crash === undefined && !stoppingSubgraph)
      watch.crash = { code, signal, atSeconds: (performance.now() - started) / 1000 };
    child.kill('SIGKILL');
  });
  onLines(child.process.stderr, (line) => {
    watch.stderrLineCount += 1;
    if (watch.stderrLines.length < 200) watch.stderrLines.push(line);
    if (line.startsWith(MONITOR_MARKER) && watch.monitorLines.length < 50) watch.monitorLines.push(line);
  });
  onLines(child.process.stdout, (line) => {
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (level === undefined) return;
    watch.logLevels[level] = (watch.logLevels[level] ?? 0) + 1;
    if (Number(level) >= 50) {
      const message = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? '(no msg)';
      watch.errorLogMessages[message] = (watch.errorLogMessages[message] ?? 0) + 1;
    }
  });
  await waitForGraphql(watch.url, child);
  return watch;
}

let stoppingSubgraph = false;

const alive = (watch: SubgraphWatch) =>
  watch.crash === undefined &&
  watch.child.process.exitCode === null &&
  watch.child.process.signalCode === null;

interface MemoryReading {
  /** Seconds since the load started (negative: before it). */
  readonly atSeconds: number;
  /** After a full collection. */
  readonly collected: boolean;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly heapTotalMiB: number;
  readonly externalMiB: number;
  /** VmHWM, from /proc. */
  readonly peakRssMiB: number;
}

let nextMemoryId = 1;

/**
 * The subgraph's memory, after a full collection (process-monitor.ts answers over IPC); undefined
 * when it cannot say (it is gone, or did not answer within 10 s).
 */
function readMemory(watch: SubgraphWatch, atSeconds: number): Promise<MemoryReading | undefined> {
  const id = nextMemoryId++;
  const mib = (bytes: number) => bytes / (1024 * 1024);
  const child = watch.child.process;
  return new Promise((resolve) => {
    const done = (reading: MemoryReading | undefined) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(reading);
    };
    const timer = setTimeout(() => done(undefined), 10_000);
    const onExit = () => done(undefined);
    const onMessage = (raw: unknown) => {
      const reply = raw as Partial<MemoryReply> | null;
      if (reply?.kind !== 'soak-memory' || reply.id !== id) return;
      let peakRssMiB = Number.NaN;
      try {
        peakRssMiB = memory(watch.child.pid).peakRssMiB;
      } catch {
        // gone since it answered
      }
      done({
        atSeconds,
        collected: reply.collected === true,
        rssMiB: mib(reply.rss ?? Number.NaN),
        heapUsedMiB: mib(reply.heapUsed ?? Number.NaN),
        heapTotalMiB: mib(reply.heapTotal ?? Number.NaN),
        externalMiB: mib(reply.external ?? Number.NaN),
        peakRssMiB,
      });
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (!alive(watch)) return done(undefined);
    const request: MemoryRequest = { kind: 'soak-memory', id, gc: true };
    child.send(request, (error) => {
      if (error) done(undefined);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Upstream counts

interface UpstreamTotals {
  counts: Record<string, number>;
  faults: Record<string, number>;
  faultsByEndpoint: Record<string, number>;
  statuses: Record<string, number>;
}

const emptyTotals = (): UpstreamTotals => ({ counts: {}, faults: {}, faultsByEndpoint: {}, statuses: {} });

function addDrain(totals: UpstreamTotals, drain: SandboxDrain): void {
  for (const provider of ['thrive', 'ispring'] as const) {
    const part = drain[provider];
    addInto(totals.counts, part.counts, `${provider} `);
    addInto(totals.faults, part.faults);
    addInto(totals.faultsByEndpoint, part.faultsByEndpoint, `${provider} `);
    addInto(totals.statuses, part.statuses, `${provider} `);
  }
}

/** The token endpoints, as the sandboxes' counters name them (`<provider> <endpoint>`). */
const TOKEN_ENDPOINTS: ReadonlySet<string> = new Set([
  `thrive ${THRIVE_ENDPOINTS.token}`,
  `ispring ${ISPRING_ENDPOINTS.token}`,
]);

const sum = (record: Readonly<Record<string, number>>) => Object.values(record).reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------------------------
// Main

interface Check {
  readonly requirement: string;
  readonly pass: boolean;
  readonly detail: string;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!process.platform.startsWith('linux'))
    throw new UsageError('The soak reads RSS from /proc: it runs on Linux only.');
  const watchdog = setTimeout(
    () => {
      process.stderr.write('\nsoak: still running long after its bounds; stopping every child process.\n');
      killAllChildren('SIGKILL');
      process.exit(1);
    },
    (options.durationSeconds + 180) * 1000,
  );
  watchdog.unref();

  const organisation = createBenchOrganisation();
  const operations = createOperations(organisation, SUBGRAPH_MAX_BODY_BYTES);
  const fullSchedule = createSchedule({
    upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
    maxUpstreamBodyBytes: UPSTREAM_MAX_BODY_BYTES,
  });
  const phaseSeconds = Math.min(
    MAX_PHASE_SECONDS,
    Math.max(1, options.durationSeconds / fullSchedule.length),
  );
  const phaseCount = Math.max(1, Math.ceil(options.durationSeconds / phaseSeconds));
  // The middle memory reading: at the end of a cycle of the schedule, half-way through the cycles,
  // so that it and the reading at the end follow the same faults; with less than two cycles, half-way.
  const cycles = Math.floor(phaseCount / fullSchedule.length);
  const middlePhase =
    cycles >= 2 ? Math.floor(cycles / 2) * fullSchedule.length : Math.max(1, Math.floor(phaseCount / 2));
  const phases: Phase[] = Array.from(
    { length: phaseCount },
    (_, i) => fullSchedule[i % fullSchedule.length]!,
  );

  progress(`starting the sandbox providers (d = ${SANDBOX_DELAY_MS} ms)`);
  const sandbox = new BenchChild({
    name: 'sandbox providers',
    modulePath: harnessScript('sandbox-process.js'),
    env: { ...childBaseEnv(), BENCH_SANDBOX_DELAY_MS: String(SANDBOX_DELAY_MS) },
    announcesReady: true,
  });
  const sandboxInfo = (await sandbox.ready) as SandboxInfo;
  progress('starting the subgraph (dist/main.js, NODE_ENV=production, --unhandled-rejections=strict)');
  const subgraph = await startSubgraph(sandboxInfo);
  const pid = subgraph.child.pid;

  const secrets = [
    SANDBOX_CREDENTIALS.thrive.apiSecret,
    SANDBOX_CREDENTIALS.thrive.clientSecret,
    SANDBOX_CREDENTIALS.thrive.clientId,
    SANDBOX_CREDENTIALS.ispring.clientSecret,
    SANDBOX_CREDENTIALS.ispring.clientId,
    SANDBOX_CREDENTIALS.ispring.password,
  ];
  const leaks = leakPatterns(secrets, [sandboxInfo.thrive.origin, sandboxInfo.ispring.origin]);

  // ---- Warm-up: the fault-free answer to every request, twice (the second must be the same) --
  progress(
    `warm-up: every request of every operation (${operations.reduce((n, op) => n + op.requests.length, 0)}), twice, no faults`,
  );
  const references = new Map<Operation, unknown[]>();
  const warmupProblems: string[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const url = new URL(subgraph.url);
  try {
    const jobs = operations.flatMap((operation) =>
      operation.requests.map((_, index) => ({ operation, index })),
    );
    for (const pass of [0, 1]) {
      await inParallel(jobs, 8, async ({ operation, index }) => {
        const reply = await send(agent, url, operation.requests[index]!, CLIENT_TIMEOUT_MS);
        const where = `${operation.name} #${index}`;
        if (reply.transportError !== undefined)
          throw new SoakAbort(`warm-up: ${where}: ${reply.transportError}\n${subgraph.child.tail()}`);
        const parsed = safeParse(reply.body);
        if (pass === 0) {
          const check = checkResponse({ operation, ...reply, reference: undefined }, leaks);
          if (operation.cleanWithoutFaults && (reply.status !== 200 || check.errors.length > 0))
            throw new SoakAbort(
              `warm-up: ${where} answered HTTP ${reply.status} with errors and no fault injected: ${reply.body.slice(0, 800)}`,
            );
          for (const problem of check.problems) warmupProblems.push(`${where}: ${problem}`);
          let list = references.get(operation);
          if (!list) references.set(operation, (list = []));
          list[index] = parsed;
        } else if (!isDeepStrictEqual(parsed, references.get(operation)?.[index])) {
          warmupProblems.push(`${where}: two fault-free answers differ`);
        }
      });
    }
  } finally {
    agent.destroy();
  }
  await sleep(300);
  const warmupUpstream = emptyTotals();
  addDrain(warmupUpstream, await sandbox.call<SandboxDrain>('drain'));
  const rssBefore = await readMemory(subgraph, 0);
  if (!rssBefore)
    throw new SoakAbort(`the subgraph did not report its memory. Its last output:\n${subgraph.child.tail()}`);
  progress(
    `warm-up done (${sum(warmupUpstream.counts)} upstream requests); RSS ${rssBefore.rssMiB.toFixed(1)} MiB, heap used ${rssBefore.heapUsedMiB.toFixed(1)} MiB. ` +
      `Load: ${options.durationSeconds} s, ${options.connections} connections, at most ${options.maxRequests} requests; ` +
      `${phases.length} fault phases of ${phaseSeconds} s`,
  );

  // ---- The soak --------------------------------------------------------------------------
  const tally = new Tally();
  const upstream = emptyTotals();
  /** Each phase started, with the upstream requests the sandboxes counted while it lasted. */
  const phaseLog: Array<{
    index: number;
    label: string;
    startedAtSeconds: number;
    upstream: UpstreamTotals;
  }> = [];
  const drainInto = async () => {
    const drain = await sandbox.call<SandboxDrain>('drain');
    addDrain(upstream, drain);
    const current = phaseLog[phaseLog.length - 1];
    if (current) addDrain(current.upstream, drain);
  };
  const rssSeries: Array<{ atSeconds: number; rssMiB: number }> = [];
  let rssMiddle: MemoryReading | undefined;
  const picker = createPicker(operations, 0x50a4_2024);
  const loadStart = performance.now();
  const endAt = loadStart + options.durationSeconds * 1000;
  const phaseMs = phaseSeconds * 1000;
  const phaseAt = (time: number) =>
    Math.min(phases.length - 1, Math.max(0, Math.floor((time - loadStart) / phaseMs)));
  const loadDone = new AbortController();
  const sinceLoad = () => (performance.now() - loadStart) / 1000;

  /** When each attack request was in flight (start, end), for the event-loop lag it cost. */
  const attackWindows: Array<[number, number]> = [];
  const prober = startLivenessProbe(new URL('/health/live', subgraph.url).toString(), PROBE_INTERVAL_MS);
  const onResult = (result: ClientResult) => {
    if (result.operation.family === 'attack') {
      const end = performance.now();
      attackWindows.push([end - result.ms, end]);
    }
    const index = phaseAt(performance.now() - result.ms);
    const phase = { index, label: `${index + 1}: ${phases[index]!.label}` };
    if (result.transportError !== undefined) {
      tally.record(result, undefined, phase);
      return;
    }
    const reference = references.get(result.operation)?.[result.index];
    tally.record(result, checkResponse({ ...result, reference }, leaks), phase);
  };

  const schedule = (async () => {
    for (let i = 0; i < phases.length && !loadDone.signal.aborted; i += 1) {
      const phase = phases[i]!;
      await drainInto();
      await sandbox.call('clearFaults');
      for (const provider of phase.expireTokens ?? []) await sandbox.call('expireTokens', { provider });
      for (const injection of phase.injections) await sandbox.call('inject', injection);
      phaseLog.push({ index: i, label: phase.label, startedAtSeconds: sinceLoad(), upstream: emptyTotals() });
      progress(
        `phase ${i + 1}/${phases.length}: ${phase.label} (answers so far ${tally.answered}, malformed ${tally.malformed})`,
      );
      if (i === middlePhase && rssMiddle === undefined && alive(subgraph))
        rssMiddle = await readMemory(subgraph, sinceLoad());
      const wait = loadStart + (i + 1) * phaseMs - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal: loadDone.signal }).catch(() => {});
    }
    await sandbox.call('clearFaults');
  })();

  const monitor = (async () => {
    while (!loadDone.signal.aborted) {
      await sleep(1000, undefined, { signal: loadDone.signal }).catch(() => {});
      if (!alive(subgraph)) return;
      const at = sinceLoad();
      try {
        rssSeries.push({ atSeconds: Math.round(at * 10) / 10, rssMiB: round1(memory(pid).rssMiB) });
      } catch {
        return; // it has just exited
      }
      // Stopped by --max-requests well before the time is up: half-way through the requests.
      if (rssMiddle === undefined && tally.answered >= options.maxRequests / 2)
        rssMiddle = await readMemory(subgraph, at);
    }
  })();

  const run = await runClients({
    url: subgraph.url,
    connections: options.connections,
    endAt,
    maxRequests: options.maxRequests,
    timeoutMs: CLIENT_TIMEOUT_MS,
    next: picker,
    onResult,
    aborted: () => !alive(subgraph),
  });
  const loadSeconds = sinceLoad();
  const probes = await prober.stop();
  const lag = splitByWindows(probes, attackWindows);
  const aliveAtEnd = alive(subgraph);
  const rssEnd = aliveAtEnd ? await readMemory(subgraph, loadSeconds) : undefined;
  loadDone.abort();
  await Promise.all([schedule, monitor]);
  if (rssMiddle === undefined && rssEnd) rssMiddle = rssEnd;
  await drainInto();
  progress(
    `load done: ${run.sent} requests in ${loadSeconds.toFixed(1)} s (stopped by ${run.stoppedBy}); malformed ${tally.malformed}`,
  );

  // ---- Recovery: faults cleared, the breaker's open time passed: every good request, clean --
  const recovery = {
    passes: 0,
    clean: false,
    problems: [] as string[],
    /** Per pass: answers that were not the fault-free one, by error message shape. */
    failuresByPass: [] as Array<Record<string, number>>,
  };
  const recoveryUpstream = emptyTotals();
  if (aliveAtEnd) {
    const agentAfter = new http.Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const good = operations
        .filter((operation) => operation.cleanWithoutFaults)
        .flatMap((operation) => operation.requests.map((_, index) => ({ operation, index })));
      for (let pass = 1; pass <= 3 && !recovery.clean && alive(subgraph); pass += 1) {
        await sleep(pass === 1 ? BREAKER_OPEN_MS + 500 : 2000);
        recovery.passes = pass;
        recovery.problems = [];
        const failures: Record<string, number> = {};
        recovery.failuresByPass.push(failures);
        await inParallel(good, 8, async ({ operation, index }) => {
          const reply = await send(agentAfter, url, operation.requests[index]!, CLIENT_TIMEOUT_MS);
          const reference = references.get(operation)?.[index];
          const parsed = safeParse(reply.body);
          if (reply.transportError === undefined && isDeepStrictEqual(parsed, reference)) return;
          recovery.problems.push(
            `${operation.name} #${index}: ${reply.transportError ?? `HTTP ${reply.status} ${reply.body.slice(0, 300)}`}`,
          );
          const check = checkResponse({ operation, ...reply, reference }, leaks);
          const shapes = check.errors.map((error) => `${error.code}: ${error.message}`);
          for (const shape of shapes.length > 0 ? shapes : [reply.transportError ?? 'differs, no error'])
            failures[shape] = (failures[shape] ?? 0) + 1;
        });
        recovery.clean = recovery.problems.length === 0;
        progress(
          `recovery pass ${pass}: ${good.length - recovery.problems.length}/${good.length} answers clean`,
        );
      }
    } finally {
      agentAfter.destroy();
    }
    addDrain(recoveryUpstream, await sandbox.call<SandboxDrain>('drain'));
  }
  await sleep(1000);
  const aliveAfter = alive(subgraph);
  const rssAfter = aliveAfter ? await readMemory(subgraph, sinceLoad()) : undefined;

  // ---- Stop the subgraph the way an orchestrator does -------------------------------------
  let shutdown: { code: number | null; signal: NodeJS.Signals | null; ms: number } | undefined;
  if (aliveAfter) {
    stoppingSubgraph = true;
    const exited = subgraph.child.exited;
    const stopStarted = performance.now();
    await subgraph.child.stop('SIGTERM', 10_000);
    shutdown = { ...(await exited), ms: performance.now() - stopStarted };
  }
  await sandbox.stop('SIGTERM');
  await sleep(100); // the last lines of the children's output

  // ---- Checks ------------------------------------------------------------------------------
  const answeredTotal = tally.answered + tally.transportFailures;
  const ran = kindsOf(phaseLog.map((entry) => phases[entry.index]!));
  const injectedKinds = new Set(Object.keys(upstream.faults));
  const missingKinds = [...ran].filter((kind) => !injectedKinds.has(kind));
  const crashLines = [...subgraph.stderrLines].filter((line) =>
    /unhandledRejection|uncaughtException|UnhandledPromiseRejection/i.test(line),
  );
  const warningLines = subgraph.monitorLines.filter((line) => line.startsWith(`${MONITOR_MARKER} warning:`));
  const growth = rssEnd && rssMiddle ? rssEnd.rssMiB / rssMiddle.rssMiB - 1 : Number.NaN;
  const middleNote =
    cycles >= 2 && run.stoppedBy === 'duration'
      ? `the middle at the end of fault cycle ${middlePhase / fullSchedule.length} of ${cycles}, the end after cycle ${cycles}`
      : 'the middle half-way through the load';
  const heapGrowth = rssEnd && rssMiddle ? rssEnd.heapUsedMiB / rssMiddle.heapUsedMiB - 1 : Number.NaN;
  const checks: Check[] = [
    {
      requirement: 'no crash',
      pass: aliveAtEnd && aliveAfter,
      detail: subgraph.crash
        ? `the subgraph exited at ${subgraph.crash.atSeconds.toFixed(1)} s (${subgraph.crash.signal ?? `code ${subgraph.crash.code}`})`
        : `subgraph pid ${pid} alive at the end of the load and after the recovery pass`,
    },
    {
      requirement: 'no unhandled rejection or uncaught exception',
      pass: crashLines.length === 0 && subgraph.monitorLines.every((line) => line.includes(' warning:')),
      detail:
        crashLines.length === 0
          ? `run with --unhandled-rejections=strict and an uncaughtExceptionMonitor; none on stderr (${subgraph.stderrLineCount} stderr lines in all)`
          : crashLines.slice(0, 3).join(' | '),
    },
    {
      requirement: 'no process warning',
      pass: warningLines.length === 0,
      detail: warningLines.length === 0 ? 'none emitted' : warningLines.slice(0, 3).join(' | '),
    },
    {
      requirement: 'every response well-formed',
      pass: tally.malformed === 0 && warmupProblems.length === 0,
      detail: `${tally.malformed} malformed of ${answeredTotal} during the load (${tally.transportFailures} without an answer), ${warmupProblems.length} in the warm-up`,
    },
    {
      requirement: 'nothing secret or upstream in a body',
      pass: tally.leaks === 0,
      detail:
        tally.leaks === 0
          ? `${leaks.length} patterns (sandbox credentials, upstream origins, upstream bodies, stack traces) in none of ${tally.answered} bodies`
          : Object.entries(tally.leakNames)
              .map(([name, n]) => `${name} × ${n}`)
              .join(', '),
    },
    {
      requirement: 'data agrees with fault-free answers',
      pass: tally.inconsistencies === 0,
      detail: `${tally.inconsistencies} answers differ from the fault-free one other than by fields an error nulled`,
    },
    {
      requirement: 'answers with errors not cacheable',
      pass: tally.cacheableErrors === 0,
      detail: `${tally.cacheableErrors} answers with errors carried a public max-age`,
    },
    {
      requirement: 'every request answered',
      pass: tally.transportFailures === 0,
      detail: `${tally.transportFailures} connection errors or client timeouts (${CLIENT_TIMEOUT_MS / 1000} s)`,
    },
    {
      requirement: 'memory flat',
      pass: Number.isFinite(growth) && growth <= RSS_FLAT_TOLERANCE,
      detail: Number.isFinite(growth)
        ? `RSS at the end ${rssEnd!.rssMiB.toFixed(1)} MiB vs middle ${rssMiddle!.rssMiB.toFixed(1)} MiB: ${signedPercent(growth)} (rule: end ≤ middle + ${RSS_FLAT_TOLERANCE * 100} %, both read after a full GC, ${middleNote}; a fall passes)`
        : 'no reading (the subgraph is gone)',
    },
    {
      requirement: 'heap flat',
      pass: Number.isFinite(heapGrowth) && heapGrowth <= RSS_FLAT_TOLERANCE,
      detail: Number.isFinite(heapGrowth)
        ? `V8 heap used at the end ${rssEnd!.heapUsedMiB.toFixed(1)} MiB vs middle ${rssMiddle!.heapUsedMiB.toFixed(1)} MiB: ${signedPercent(heapGrowth)} (same rule, after a full GC; idle after recovery ${rssAfter ? `${rssAfter.heapUsedMiB.toFixed(1)} MiB` : 'n/a'})`
        : 'no reading (the subgraph is gone)',
    },
    {
      requirement: 'recovers once faults stop',
      pass: recovery.clean,
      detail: recovery.clean
        ? `every good request (${operations.filter((op) => op.cleanWithoutFaults).reduce((n, op) => n + op.requests.length, 0)}) answered as fault-free ${recovery.passes === 1 ? 'on the first pass' : `by pass ${recovery.passes} (passes 2 s apart)`}, the first ${((BREAKER_OPEN_MS + 500) / 1000).toFixed(1)} s after the faults were cleared`
        : recovery.passes === 0
          ? 'not run: the subgraph is gone'
          : `${recovery.problems.length} still failing after ${recovery.passes} passes: ${recovery.problems.slice(0, 2).join(' | ')}`,
    },
    {
      // main.ts stops on SIGTERM by itself; bench/orphan-guard.js, preloaded, would make it exit 0
      // 1.5 s later anyway, so an exit that took that long was the guard's, not a clean one.
      requirement: 'clean shutdown',
      pass: shutdown !== undefined && shutdown.code === 0 && shutdown.ms < ORPHAN_GUARD_BACKSTOP_MS,
      detail: shutdown
        ? `SIGTERM: exited with ${shutdown.signal ?? `code ${shutdown.code}`} after ${shutdown.ms.toFixed(0)} ms${
            shutdown.ms >= ORPHAN_GUARD_BACKSTOP_MS
              ? " (the orphan guard's backstop, not main.ts's own stop)"
              : ''
          }`
        : 'not stopped by the soak (it was gone)',
    },
    {
      // The finding this guards: one request of a few kilobytes held the event loop for 12 s.
      requirement: 'event loop responsive under attacks',
      pass: lag.during.length > 0 && Math.max(...lag.during) < MAX_PROBE_MS_UNDER_ATTACK,
      detail:
        lag.during.length === 0
          ? 'no liveness probe overlapped an attack request'
          : `/health/live while an attack was in flight: max ${fmt(Math.max(...lag.during))} ms (rule: < ${MAX_PROBE_MS_UNDER_ATTACK} ms) over ${lag.during.length} probes`,
    },
    {
      requirement: 'faults exercised',
      pass: missingKinds.length === 0,
      detail:
        missingKinds.length === 0
          ? `every scheduled kind was injected: ${[...ran].join(', ')}`
          : `never injected: ${missingKinds.join(', ')}`,
    },
    {
      requirement: 'bounded',
      pass:
        run.sent <= options.maxRequests && loadSeconds <= options.durationSeconds + CLIENT_TIMEOUT_MS / 1000,
      detail: `${run.sent} requests sent (bound ${options.maxRequests}); load ${loadSeconds.toFixed(1)} s (bound ${options.durationSeconds} s + ${CLIENT_TIMEOUT_MS / 1000} s for the last answers); loopback only`,
    },
  ];
  const failed = checks.filter((check) => !check.pass).length;

  // ---- Report --------------------------------------------------------------------------------
  const all = latencySummary(tally.latencies);
  const good = latencySummary(tally.goodLatencies);
  const mib = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(1)} MiB`);
  const list = (record: Readonly<Record<string, number>>, separator = ', ') =>
    Object.entries(record)
      .sort(([, a], [, b]) => b - a)
      .map(([key, n]) => `${key} × ${n}`)
      .join(separator) || 'none';
  const lines: string[] = [];
  lines.push(
    `Soak: ${options.durationSeconds} s${options.quick ? ' (--quick)' : ''}, ${options.connections} connections, at most ${options.maxRequests} requests, on loopback; Node ${process.version}, ${os.cpus().length} CPUs`,
  );
  lines.push(
    `Subgraph: dist/main.js pid ${pid}, NODE_ENV=production, ${Object.entries(SOAK_ENV)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')}; sandbox delay ${SANDBOX_DELAY_MS} ms`,
  );
  lines.push('');
  lines.push(
    `Operations run: ${answeredTotal} (${tally.answered} answered, ${tally.transportFailures} without an answer) in ${loadSeconds.toFixed(1)} s = ${(answeredTotal / loadSeconds).toFixed(1)} ops/s; stopped by ${run.stoppedBy}`,
  );
  lines.push('  operation                    sent    ok  partial  refused  malformed  p50 ms  p99 ms');
  for (const op of tally.operations()) {
    lines.push(
      `  ${op.name.padEnd(26)} ${String(op.answered + op.unanswered).padStart(6)} ${String(op.ok).padStart(5)} ${String(op.partial).padStart(8)} ${String(op.refused).padStart(8)} ${String(op.malformed).padStart(10)} ${fmt(op.p50).padStart(7)} ${fmt(op.p99).padStart(7)}`,
    );
  }
  lines.push(`Responses by HTTP status: ${list(tally.byStatus)}`);
  lines.push(`Error codes seen (errors in answers): ${list(tally.codes)}`);
  lines.push(
    `  by provider: ${list(tally.codesByProvider)}; UPSTREAM_UNAVAILABLE from an open circuit (not sent): ${tally.breakerFastFails}`,
  );
  lines.push('  error messages (ids, numbers and times replaced), most frequent first:');
  for (const [shape, n] of Object.entries(tally.messages)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 25))
    lines.push(`    ${String(n).padStart(6)}  ${shape}`);
  lines.push(
    `Latency (ms), every answer: p50 ${fmt(all.p50)}, p90 ${fmt(all.p90)}, p99 ${fmt(all.p99)}, max ${fmt(all.max)}; good operations only: p50 ${fmt(good.p50)}, p99 ${fmt(good.p99)}, max ${fmt(good.max)}`,
  );
  const lagDuring = latencySummary(lag.during.filter(Number.isFinite));
  const lagOtherwise = latencySummary(lag.otherwise.filter(Number.isFinite));
  lines.push(
    `Event-loop lag, as a liveness probe sees it (GET /health/live on its own connection every ${PROBE_INTERVAL_MS} ms, ms): while an attack request was in flight p50 ${fmt(lagDuring.p50)}, p99 ${fmt(lagDuring.p99)}, max ${fmt(lagDuring.max)} (${lag.during.length} probes, ${attackWindows.length} attack requests); otherwise p50 ${fmt(lagOtherwise.p50)}, p99 ${fmt(lagOtherwise.p99)}, max ${fmt(lagOtherwise.max)} (${lag.otherwise.length} probes)`,
  );
  lines.push(
    `Subgraph memory, each read after a full GC (RSS / V8 heap used): before ${mib(rssBefore.rssMiB)} / ${mib(rssBefore.heapUsedMiB)} (after warm-up), middle ${mib(rssMiddle?.rssMiB)} / ${mib(rssMiddle?.heapUsedMiB)} (at ${rssMiddle ? rssMiddle.atSeconds.toFixed(0) : '-'} s), end ${mib(rssEnd?.rssMiB)} / ${mib(rssEnd?.heapUsedMiB)} (at ${loadSeconds.toFixed(0)} s, as the load ended), after ${mib(rssAfter?.rssMiB)} / ${mib(rssAfter?.heapUsedMiB)} (idle, after recovery); peak RSS ${mib(rssAfter?.peakRssMiB ?? rssEnd?.peakRssMiB)}`,
  );
  lines.push(
    `  RSS every second, as it comes (MiB): ${rssSeries.map((sample) => sample.rssMiB.toFixed(0)).join(' ')}`,
  );
  lines.push(`Faults injected (upstream requests answered with a fault), by kind: ${list(upstream.faults)}`);
  lines.push(`  by endpoint: ${list(upstream.faultsByEndpoint)}`);
  lines.push(
    `Upstream requests during the load (sandbox counts), ${sum(upstream.counts)} in all: ${list(upstream.counts)}`,
  );
  lines.push(`  by status sent (0 = connection reset): ${list(upstream.statuses)}`);
  lines.push(
    `  warm-up: ${sum(warmupUpstream.counts)}; recovery: ${sum(recoveryUpstream.counts)} (${list(recoveryUpstream.counts)})`,
  );
  lines.push(
    `Subgraph log lines by pino level (30 info, 40 warn, 50 error, 60 fatal): ${list(subgraph.logLevels)}${
      Object.keys(subgraph.errorLogMessages).length > 0
        ? `; error messages: ${list(subgraph.errorLogMessages)}`
        : ''
    }`,
  );
  lines.push('');
  lines.push(
    `Fault phases (${phaseSeconds} s each): the upstream requests the sandboxes counted in each, and the answers to the requests sent in it (ok / partial / refused / malformed) with their error codes`,
  );
  for (const entry of phaseLog) {
    const counts = tally.byPhase.get(entry.index);
    const requests = sum(entry.upstream.counts);
    const tokens = Object.entries(entry.upstream.counts)
      .filter(([endpoint]) => TOKEN_ENDPOINTS.has(endpoint))
      .reduce((n, [, count]) => n + count, 0);
    lines.push(`  ${String(entry.index + 1).padStart(2)} ${entry.label}`);
    lines.push(
      `       upstream ${requests} requests (${tokens} for tokens), ${sum(entry.upstream.faults)} faulted; answers ${
        counts
          ? `${counts.ok}/${counts.partial}/${counts.refused}/${counts.malformed}: ${list(counts.codes, ' ')}`
          : 'none: no request was sent in this phase, every connection was still waiting on an earlier one'
      }`,
    );
  }
  const problemLines = [
    ...warmupProblems.slice(0, 5).map((problem) => `warm-up: ${problem}`),
    ...tally.samples.transport
      .slice(0, 5)
      .map((s) => `${s.operation} in phase ${s.phase}: ${s.problems.join('; ')}`),
    ...tally.samples.malformed
      .slice(0, 8)
      .map(
        (s) =>
          `${s.operation}, HTTP ${s.status}, in phase ${s.phase}: ${s.problems.join('; ')}\n      body: ${s.body.slice(0, 400)}`,
      ),
  ];
  if (problemLines.length > 0) {
    lines.push('');
    lines.push('First problems:');
    for (const line of problemLines) lines.push(`  - ${line}`);
  }
  if (subgraph.monitorLines.length > 0 || crashLines.length > 0) {
    lines.push('');
    lines.push('Subgraph stderr (monitor):');
    for (const line of [...subgraph.monitorLines, ...crashLines].slice(0, 20)) lines.push(`  | ${line}`);
  }
  if (recovery.failuresByPass.some((failures) => Object.keys(failures).length > 0)) {
    lines.push('');
    lines.push('Recovery passes after the faults were cleared (answers not the fault-free one, by error):');
    recovery.failuresByPass.forEach((failures, i) => lines.push(`  pass ${i + 1}: ${list(failures, '; ')}`));
  }
  lines.push('');
  lines.push('Checks:');
  for (const check of checks)
    lines.push(`  ${check.pass ? 'PASS' : 'FAIL'}  ${check.requirement.padEnd(44)} ${check.detail}`);
  lines.push('');
  lines.push(
    `Verdict: ${failed === 0 ? 'PASS' : 'FAIL'} (${checks.length - failed} PASS, ${failed} FAIL). Wall time ${((performance.now() - started) / 1000).toFixed(1)} s. JSON: ${options.out}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);

  const json = {
    generatedAt: new Date().toISOString(),
    verdict: failed === 0 ? 'PASS' : 'FAIL',
    settings: {
      quick: options.quick,
      durationSeconds: options.durationSeconds,
      connections: options.connections,
      maxRequests: options.maxRequests,
      clientTimeoutMs: CLIENT_TIMEOUT_MS,
      sandboxDelayMs: SANDBOX_DELAY_MS,
      phaseSeconds,
      subgraphEnv: SOAK_ENV,
      rssFlatTolerance: RSS_FLAT_TOLERANCE,
    },
    machine: { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length },
    operations: {
      sent: run.sent,
      answered: tally.answered,
      withoutAnswer: tally.transportFailures,
      seconds: loadSeconds,
      opsPerSecond: answeredTotal / loadSeconds,
      stoppedBy: run.stoppedBy,
      byOperation: tally.operations(),
      byStatus: tally.byStatus,
      errorCodes: tally.codes,
      errorCodesByProvider: tally.codesByProvider,
      breakerFastFails: tally.breakerFastFails,
      errorMessages: tally.messages,
      latencyMs: { all, good },
    },
    eventLoopLagMs: {
      probeIntervalMs: PROBE_INTERVAL_MS,
      attackRequests: attackWindows.length,
      duringAttacks: lagDuring,
      otherwise: lagOtherwise,
    },
    rss: {
      readingsAfterFullGc: {
        before: rssBefore,
        middle: rssMiddle ?? null,
        end: rssEnd ?? null,
        after: rssAfter ?? null,
      },
      peakMiB: rssAfter?.peakRssMiB ?? rssEnd?.peakRssMiB ?? null,
      series: rssSeries,
    },
    faults: { byKind: upstream.faults, byEndpoint: upstream.faultsByEndpoint },
    phases: phaseLog.map((entry) => ({ ...entry, answers: tally.byPhase.get(entry.index) ?? null })),
    upstream: {
      load: upstream,
      warmup: warmupUpstream,
      recovery: recoveryUpstream,
    },
    subgraph: {
      pid,
      crash: subgraph.crash ?? null,
      shutdown: shutdown ?? null,
      logLevels: subgraph.logLevels,
      errorLogMessages: subgraph.errorLogMessages,
      stderr: subgraph.stderrLines,
    },
    recovery,
    problems: { warmup: warmupProblems, ...tally.samples },
    checks,
  };
  writeFileSync(options.out, `${JSON.stringify(json, null, 2)}\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------

async function inParallel<T>(
  items: readonly T[],
  width: number,
  each: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await each(items[next++]!);
    }),
  );
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const fmt = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');
const signedPercent = (value: number) => `${value < 0 ? '−' : '+'}${Math.abs(value * 100).toFixed(1)} %`;

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
