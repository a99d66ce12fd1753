import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { childBaseEnv } from '../../src/dev/harness/children.ts';
import { DEMO } from '../../src/sandbox/index.ts';

/**
 * `npm start` as a user runs it: `src/main.ts` in a process of its own, in sandbox mode, alone and
 * with `WORKERS=2` (node:cluster), read through its output and over HTTP, and stopped by a signal.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STARTUP_MS = 30_000;

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** The JSON log lines written to stdout so far. */
  logs(): Array<Record<string, unknown>>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function startMain(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // Production mode (no GraphiQL), the sandbox forced, every other setting at its default.
    env: { ...childBaseEnv(), SANDBOX: '1', HOST: '127.0.0.1', PORT: '0', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = await waitFor(() => /Subgraph ready at (\S+)/.exec(stdout)?.[1], STARTUP_MS);
  if (ready === undefined) {
    throw new Error(`src/main.ts did not say it was ready.\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  }
  const logs = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, url: ready.replace('localhost', '127.0.0.1'), exited, stdout: () => stdout, logs };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One request on a connection of its own, so that the cluster hands each one to the next worker. */
function request(
  url: string,
  options: { method?: string; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        headers: options.body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const USER_ID = `thrive:${DEMO.thrive.multiPosition}`;
const USER_QUERY = JSON.stringify({
  query: `query Profile($id: ID!) { user(id: $id) { id displayName } }`,
  variables: { id: USER_ID },
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (src/main.ts) in one process', () => {
  it('serves the sandbox, answers health and metrics, and exits 0 on SIGTERM', async () => {
    const main = await startMain({});
    expect(main.stdout()).toContain('SANDBOX MODE');
    const origin = new URL(main.url).origin;

    const ready = await request(`${origin}/health/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({
      status: 'ok',
      providers: { thrive: { status: 'ok' }, ispring: { status: 'ok' } },
    });
    const answer = await request(main.url, { method: 'POST', body: USER_QUERY });
    expect(JSON.parse(answer.body)).toMatchObject({ data: { user: { id: USER_ID } } });
    const metrics = await request(`${origin}/metrics`);
    expect(metrics.body).toMatch(
      /^learning_directory_graphql_operations_total\{operation_type="query",outcome="success"\} 1$/m,
    );

    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
  });
});

describe('WORKERS=2 (node:cluster)', () => {
  it('spreads connections over two workers, sums their metrics, replaces a killed worker, and stops them all on SIGTERM', async () => {
    const main = await startMain({ WORKERS: '2' });
    expect(main.stdout()).toContain('(2 workers)');
    const origin = new URL(main.url).origin;
    // The primary started one sandbox for both workers: the banner is printed once.
    expect(main.stdout().match(/SANDBOX MODE/g)).toHaveLength(1);

    const started = () => main.logs().filter((line) => line['msg'] === 'worker serving');
    expect(await waitFor(() => started().length >= 2 || undefined, STARTUP_MS)).toBe(true);
    const workerPids = started().map((line) => line['pid'] as number);
    expect(new Set(workerPids).size).toBe(2);

    const sent = 20;
    for (let i = 0; i < sent; i += 1) {
      const answer = await request(main.url, { method: 'POST', body: USER_QUERY });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ data: { user: { id: USER_ID } } });
    }
    const operations = () => main.logs().filter((line) => line['msg'] === 'graphql operation');
    await waitFor(() => operations().length >= sent || undefined, 5_000);
    const servedBy = new Set(operations().map((line) => line['pid'] as number));
    expect(servedBy).toEqual(new Set(workerPids));

    // Whichever worker answers /metrics, it serves the sum over both.
    for (let i = 0; i < 2; i += 1) {
      const metrics = await request(`${origin}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(
        new RegExp(
          `^learning_directory_graphql_operations_total\\{operation_type="query",outcome="success"\\} ${sent}$`,
          'm',
        ),
      );
    }

    // A worker that dies is replaced; the service keeps answering meanwhile.
    const victim = workerPids[0]!;
    process.kill(victim, 'SIGKILL');
    expect(
      await waitFor(
        () => main.logs().some((line) => line['msg'] === 'worker exited unexpectedly') || undefined,
        10_000,
      ),
    ).toBe(true);
    expect(await waitFor(() => started().length >= 3 || undefined, STARTUP_MS)).toBe(true);
    const replacement = started()[2]!['pid'] as number;
    expect(workerPids).not.toContain(replacement);
    const afterCrash = await request(main.url, { method: 'POST', body: USER_QUERY });
    expect(JSON.parse(afterCrash.body)).toMatchObject({ data: { user: { id: USER_ID } } });

    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    for (const pid of [workerPids[1]!, replacement]) expect(isAlive(pid)).toBe(false);
  });
});
