import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SANDBOX_CREDENTIALS } from '../../sandbox/credentials.js';
import type { CallMessage, ReadyMessage, ReplyMessage } from './ipc.js';
import { MAIN_SCRIPT, orphanGuardImport } from './paths.js';
import type { SandboxInfo } from './sandbox-process.js';

/**
 * The bench's child processes: forked with an IPC channel (so that each one exits when the bench
 * goes away), tracked in one set that is killed on exit, on error and on Ctrl-C, and read through
 * /proc for CPU time and memory.
 */

const live = new Set<BenchChild>();
let exiting = false;

/**
 * The environment every child starts from: the runner's own, minus anything that configures the
 * subgraph (so that a variable in the shell cannot change what is measured), in production mode.
 */
export function childBaseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (
      /^(THRIVE_|ISPRING_|SANDBOX|CACHE_|UPSTREAM_|MAX_|HEALTH_|DIRECTORY|INTROSPECTION$|GRAPHIQL$|INLINE_TRACING$|WORKERS$|ROUTER_SECRET$|PORT$|HOST$|LOG_LEVEL$|LOG_FORMAT$|NODE_OPTIONS$)/.test(
        key,
      )
    )
      delete env[key];
  }
  return { ...env, NODE_ENV: 'production' };
}

/** The subgraph's variables for the sandboxes in `sandbox`: Thrive OAuth and iSpring token mode, as `npm run sandbox` prints them. */
export function sandboxProviderEnv(sandbox: SandboxInfo): Record<string, string> {
  const thrive = SANDBOX_CREDENTIALS.thrive;
  const ispring = SANDBOX_CREDENTIALS.ispring;
  return {
    THRIVE_BASE_URL: sandbox.thrive.baseUrl,
    THRIVE_TENANT_ID: thrive.tenantId,
    THRIVE_CLIENT_ID: thrive.clientId,
    THRIVE_CLIENT_SECRET: thrive.clientSecret,
    ISPRING_BASE_URL: sandbox.ispring.baseUrl,
    ISPRING_CLIENT_ID: ispring.clientId,
    ISPRING_CLIENT_SECRET: ispring.clientSecret,
  };
}

/**
 * Kills every child on every way out of the runner: on exit (then `onExit`), and on SIGINT,
 * SIGTERM and SIGHUP, which end the run with no results written.
 */
export function stopChildrenOnExit(runner: string, onExit: () => void = () => {}): void {
  process.on('exit', () => {
    killAllChildren('SIGKILL');
    onExit();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${runner}: ${signal}: stopping every child process; no results written.\n`);
      killAllChildren('SIGKILL');
      process.exit(130);
    });
  }
}

/** Progress lines on stderr, each with the seconds since `started` (a `performance.now()`). */
export function progressReporter(started: number): (message: string) => void {
  return (message) =>
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
}

/** Kills every child still running (synchronous: usable from an `exit` handler). */
export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
  exiting = true;
  for (const child of live) child.kill(signal);
}

export interface ChildOptions {
  readonly name: string;
  readonly modulePath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly execArgv?: readonly string[];
  /** True when the child announces itself with a `ready` message (the bench's own children). */
  readonly announcesReady: boolean;
  /** How long it may take to announce itself (default 30 s; a large organisation takes longer to build). */
  readonly readyTimeoutMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const TAIL_LINES = 40;

export class BenchChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the `ready` info (or undefined for a child that does not announce). */
  readonly ready: Promise<unknown>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly pending = new Map<number, Pending>();
  private readonly output: string[] = [];
  private nextId = 1;
  private stopping = false;

  constructor(options: ChildOptions) {
    this.name = options.name;
    this.process = fork(options.modulePath, [], {
      env: options.env,
      execArgv: [...(options.execArgv ?? [])],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    live.add(this);
    for (const stream of [this.process.stdout, this.process.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line.trim() !== '') this.output.push(line);
        if (this.output.length > TAIL_LINES * 2) this.output.splice(0, this.output.length - TAIL_LINES);
      });
    }
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        live.delete(this);
        const error = new Error(`${this.name} exited (${signal ?? `code ${code}`})`);
        for (const waiting of this.pending.values()) waiting.reject(error);
        this.pending.clear();
        if (!this.stopping && !exiting) {
          process.stderr.write(
            `\nbench: ${this.name} (pid ${this.process.pid}) exited unexpectedly (${signal ?? `code ${code}`}). Its last output:\n${this.tail()}\n`,
          );
          process.exitCode = 1;
          process.exit(1);
        }
        resolve({ code, signal });
      });
    });
    this.ready = options.announcesReady
      ? new Promise((resolve, reject) => {
          const timeoutMs = options.readyTimeoutMs ?? 30_000;
          const timer = setTimeout(
            () => reject(new Error(`${this.name} did not start within ${timeoutMs / 1000} s`)),
            timeoutMs,
          );
          this.process.on('message', (raw: unknown) => {
            const message = raw as ReadyMessage | ReplyMessage;
            if (message.kind === 'ready') {
              clearTimeout(timer);
              resolve(message.info);
            } else if (message.kind === 'reply') {
              const waiting = this.pending.get(message.id);
              this.pending.delete(message.id);
              if (!waiting) return;
              if (message.ok) waiting.resolve(message.value);
              else waiting.reject(new Error(`${this.name}: ${message.error ?? 'failed'}`));
            }
          });
        })
      : Promise.resolve(undefined);
    // A child that cannot start rejects `ready` rather than leaving it pending.
    this.ready.catch(() => {});
  }

  get pid(): number {
    const pid = this.process.pid;
    if (pid === undefined) throw new Error(`${this.name} has no pid (it failed to start)`);
    return pid;
  }

  /** The last lines the child wrote (stdout and stderr). */
  tail(): string {
    return this.output
      .slice(-TAIL_LINES)
      .map((line) => `  | ${line}`)
      .join('\n');
  }

  call<T>(method: string, params: unknown = null): Promise<T> {
    const id = this.nextId++;
    const message: CallMessage = { kind: 'call', id, method, params };
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.process.send(message, (error) => {
        if (error) {
          this.pending.delete(id);
          reject(error);
        }
      });
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.stopping = true;
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill(signal);
  }

  /** Sends `signal`, waits for the exit, and kills it after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    this.kill(signal);
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// /proc

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, usually 100). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time (user + system) the process has used so far, in milliseconds. */
export function cpuMilliseconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 (state) on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return ((utime + stime) * 1000) / clockTicksPerSecond();
}

/** Resident set size now and at its peak (VmHWM), in MiB. */
export function memory(pid: number): { rssMiB: number; peakRssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** A free TCP port on loopback (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface GraphqlReply {
  readonly status: number;
  readonly json: unknown;
  /** Wall time of the request, ms. */
  readonly ms: number;
}

export async function postGraphql(url: string, body: string): Promise<GraphqlReply> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json, ms };
}

/**
 * The subgraph (`dist/main.js`) as a child on a free loopback port, reading the sandboxes in
 * `sandbox` with every cache TTL set to `cacheTtlSeconds`, once `/graphql` answers.
 */
export async function startSubgraphChild(options: {
  readonly name: string;
  readonly sandbox: SandboxInfo;
  /** The child's environment besides the port, the providers and the TTLs. */
  readonly env: NodeJS.ProcessEnv;
  readonly cacheTtlSeconds: number;
  readonly execArgv?: readonly string[];
  readonly readyTimeoutMs?: number;
  /** Another build's `dist/main.js` (`npm run bench:compare -- --baseline`); this one's when absent. */
  readonly mainScript?: string;
}): Promise<{ child: BenchChild; origin: string; url: string }> {
  const port = await freePort();
  const ttl = String(options.cacheTtlSeconds);
  const child = new BenchChild({
    name: options.name,
    modulePath: options.mainScript ?? MAIN_SCRIPT,
    execArgv: [...orphanGuardImport(), ...(options.execArgv ?? [])],
    announcesReady: false,
    env: {
      ...options.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...sandboxProviderEnv(options.sandbox),
      CACHE_TTL_USERS_SECONDS: ttl,
      CACHE_TTL_DEPARTMENTS_SECONDS: ttl,
      CACHE_TTL_GROUPS_SECONDS: ttl,
    },
  });
  const origin = `http://127.0.0.1:${port}`;
  const url = `${origin}/graphql`;
  await waitForGraphql(url, child, options.readyTimeoutMs);
  return { child, origin, url };
}

/** Polls `/graphql` with `{ __typename }` until it answers 200. */
export async function waitForGraphql(url: string, child: BenchChild, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const body = JSON.stringify({ query: '{ __typename }' });
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const reply = await postGraphql(url, body);
      if (reply.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(
    `${child.name} did not answer ${url} within ${timeoutMs / 1000} s. Its last output:\n${child.tail()}`,
  );
}
