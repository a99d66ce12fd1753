import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  BenchChild,
  childBaseEnv,
  freePort,
  memory,
  sandboxProviderEnv,
  waitForGraphql,
} from '../harness/children.js';
import { harnessScript, MAIN_SCRIPT, orphanGuardImport } from '../harness/paths.js';
import type { SandboxInfo } from '../harness/sandbox-process.js';
import type { MemoryReply, MemoryRequest } from '../harness/process-monitor.js';
import { MONITOR_MARKER, SOAK_ENV } from './settings.js';

/** The subgraph under soak, what it says (stderr, log levels), and its memory readings. */

/** The soak cannot go on: the subgraph did not give the run what it needs (a warm-up answer, a memory reading). */
export class SoakAbort extends Error {}

export interface SubgraphWatch {
  readonly child: BenchChild;
  readonly url: string;
  /** Set when it exited before the soak stopped it. */
  crash?: { code: number | null; signal: NodeJS.Signals | null; atSeconds: number };
  /** Set once the soak stops it on purpose: its exit is then not a crash. */
  stopping: boolean;
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

/** Starts dist/main.js against `sandbox` and resolves once it answers GraphQL; `started` dates a crash. */
export async function startSubgraph(sandbox: SandboxInfo, started: number): Promise<SubgraphWatch> {
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
      pathToFileURL(harnessScript('process-monitor.js')).href,
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
    stopping: false,
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
    if (watch.crash === undefined && !watch.stopping)
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

export const alive = (watch: SubgraphWatch) =>
  watch.crash === undefined &&
  watch.child.process.exitCode === null &&
  watch.child.process.signalCode === null;

export interface MemoryReading {
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
export function readMemory(watch: SubgraphWatch, atSeconds: number): Promise<MemoryReading | undefined> {
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
