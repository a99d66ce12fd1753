import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { UsageError } from './args.js';

/**
 * Where the processes of a measurement run (`npm run bench:compare -- --pin`): the measured one
 * alone on the first CPU, the sandbox providers and the load generator on the others. On a machine
 * of two CPUs with three busy processes, where the scheduler puts them, and how it moves them,
 * changes a short run's throughput by a fifth and more, and does not treat every side alike; with
 * each side on a CPU of its own the rounds of one side agree within a few per cent. Pinning uses
 * util-linux's `taskset`, on every thread of a process (`--all-tasks`); threads started later
 * inherit it.
 */
export interface CpuPlan {
  /** The CPU list (taskset's `--cpu-list` form) of the process measured. */
  readonly measured: string;
  /** The CPU list of the sandbox providers and the load generator. */
  readonly environment: string;
}

/** The plan for `count` CPUs (those this process may use, by default). */
export function planCpus(count: number = os.availableParallelism()): CpuPlan {
  if (count < 2) {
    throw new UsageError(
      `--pin needs at least 2 CPUs (one for the process measured); this process has ${count}.`,
    );
  }
  return { measured: '0', environment: count === 2 ? '1' : `1-${count - 1}` };
}

/** Pins every thread of `pid` to `cpus`; throws, saying why, when taskset cannot. */
export function pinProcess(pid: number, cpus: string): void {
  try {
    execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(
      `Could not pin process ${pid} to CPUs ${cpus} with taskset (util-linux): ${stderr || (error instanceof Error ? error.message : String(error))}`,
    );
  }
}

/** The CPU list `pid` may run on, as the kernel says it (`Cpus_allowed_list`). */
export function allowedCpus(pid: number): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}
