import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { heapGrowthPercentFor } from '../../src/heap.ts';
import { problemsOf } from '../helpers/config.ts';

const HEAP_MODULE = fileURLToPath(new URL('../../src/heap.ts', import.meta.url));

/**
 * `HEAP_GROWTH_PERCENT` (README, "Memory"): the process sets V8's `--heap-growing-percent` for
 * itself at start (`src/heap.ts`). What the setting does to the RSS is measured by the bench's scale
 * phase; here, that the setting is read and that this Node's V8 knows the flag (V8 names a flag it
 * does not know on stderr and goes on without it, which would leave the heap to grow as before).
 */

describe('HEAP_GROWTH_PERCENT', () => {
  it("is auto unless set: 30 with the directory index, V8's own (0) without; else 0 to 300", () => {
    const growth = (env: Record<string, string>) => {
      const config = loadConfig(env);
      return heapGrowthPercentFor(config.operations.heapGrowthPercent, config.directory.mode);
    };
    expect(loadConfig({}).operations.heapGrowthPercent).toBe('auto');
    expect(growth({})).toBe(30);
    expect(growth({ HEAP_GROWTH_PERCENT: 'AUTO' })).toBe(30);
    expect(growth({ DIRECTORY: 'live' })).toBe(0);
    expect(growth({ DIRECTORY: 'live', HEAP_GROWTH_PERCENT: '30' })).toBe(30);
    expect(growth({ HEAP_GROWTH_PERCENT: '0' })).toBe(0);
    expect(growth({ HEAP_GROWTH_PERCENT: '300' })).toBe(300);
    for (const value of ['-1', '301', 'thirty', '1.5']) {
      const problems = problemsOf({ HEAP_GROWTH_PERCENT: value });
      expect(problems, value).toHaveLength(1);
      expect(problems[0]).toMatch(/HEAP_GROWTH_PERCENT/);
    }
  });

  it('names a flag this Node accepts at run time', () => {
    const set = (flag: string) =>
      spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(flag)})`], {
        encoding: 'utf8',
      });
    const known = set('--heap-growing-percent=30');
    expect(known.status).toBe(0);
    expect(known.stderr).toBe('');
    // The check can fail: a flag V8 does not know is named on stderr.
    expect(set('--heap-growing-percentage=30').stderr).toMatch(/unrecognized flag/);
  });

  it('makes V8 collect after 30 % of growth, where it let the heap grow far more', () => {
    // A heap of long-lived records (as the index is) while garbage is made fast (as a full sync
    // makes it): the most heap used at once, with limitHeapGrowth(30) and without.
    const script = `
      import v8 from 'node:v8';
      import { limitHeapGrowth } from ${JSON.stringify(HEAP_MODULE)};
      limitHeapGrowth(Number(process.argv[1]));
      const kept = [];
      for (let n = 0; n < 600000; n += 1) kept.push({ n, text: 'x'.repeat(100) + n });
      globalThis.gc();
      let peak = 0;
      let junk = [];
      for (let round = 0; round < 50; round += 1) {
        for (let n = 0; n < 20000; n += 1) junk.push({ n, text: 'y'.repeat(100) + n });
        if (junk.length > 200000) junk = [];
        peak = Math.max(peak, v8.getHeapStatistics().used_heap_size);
      }
      console.log(JSON.stringify({ kept: kept.length, peak }));
    `;
    const peakWith = (percent: number) =>
      (
        JSON.parse(
          execFileSync(
            process.execPath,
            ['--import', 'tsx', '--expose-gc', '--input-type=module', '-e', script, String(percent)],
            {
              encoding: 'utf8',
            },
          ),
        ) as { peak: number }
      ).peak;
    // Seen here: some 93 MiB at most with 30 %, 200 to 225 MiB with V8's own factor.
    expect(peakWith(30)).toBeLessThan(peakWith(0) * 0.7);
  }, 60_000);
});

/**
 * `HEAP_PRETENURING` (README, "Memory"): off by default, the process turns V8's allocation-site
 * pretenuring off for itself at start (`allowPretenuring`). What that does to young collections and
 * throughput is measured by `npm run bench:compare -- --warm-mix --gc`; here, that the setting is
 * read and that this Node's V8 takes the flag at run time.
 */
describe('HEAP_PRETENURING', () => {
  it('is off unless set true', () => {
    expect(loadConfig({}).operations.heapPretenuring).toBe(false);
    expect(loadConfig({ HEAP_PRETENURING: 'true' }).operations.heapPretenuring).toBe(true);
    expect(loadConfig({ HEAP_PRETENURING: '0' }).operations.heapPretenuring).toBe(false);
    const problems = problemsOf({ HEAP_PRETENURING: 'sometimes' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/HEAP_PRETENURING must be true or false; got "sometimes"/);
  });

  it('names a flag this Node takes at run time', () => {
    const script = `
      import { allowPretenuring } from ${JSON.stringify(HEAP_MODULE)};
      allowPretenuring(process.argv[1] === 'true');
    `;
    const run = (allowed: boolean) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, String(allowed)], {
        encoding: 'utf8',
      });
    for (const allowed of [true, false]) {
      const result = run(allowed);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
    }
    // The check can fail: a flag V8 does not know is named on stderr.
    const unknown = spawnSync(
      process.execPath,
      ['-e', `require('node:v8').setFlagsFromString('--no-allocation-site-pretenuringg')`],
      { encoding: 'utf8' },
    );
    expect(unknown.stderr).toMatch(/unrecognized flag/);
  });
});
