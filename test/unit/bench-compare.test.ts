import { describe, expect, it } from 'vitest';
import type { HeapStatistics } from 'node:v8';
import { formatComparison, formatProfile, median } from '../../src/dev/bench/compare.js';
import { BUCKETS, type ProfileSplit } from '../../src/dev/bench/profile.js';
import { summariseGc } from '../../src/dev/harness/gc-probe.js';
import { allowedCpus, pinProcess, planCpus } from '../../src/dev/harness/cpu-pinning.js';
import { spawn } from 'node:child_process';

describe('bench:compare', () => {
  it('gives a profiled side its CPU in µs an operation, by bucket (idle left out) and by function', () => {
    const bucketsMs = Object.fromEntries(BUCKETS.map((bucket) => [bucket, 0])) as ProfileSplit['bucketsMs'];
    bucketsMs['HTTP client (got, node:http/net/tls/stream internals)'] = 300;
    bucketsMs['XML parsing (xml2js, sax)'] = 100;
    bucketsMs.idle = 5000;
    const split: ProfileSplit = {
      bucketsMs,
      shares: bucketsMs,
      busyMs: 400,
      windowMs: 5400,
      windowed: true,
      top: [],
      topFunctions: [{ bucket: 'XML parsing (xml2js, sax)', fn: 'write sax:1188', ms: 50 }],
    };
    const lines = formatProfile('this build', split, 200).split('\n');
    expect(lines[0]).toBe('this build:  2000.0 µs busy an operation (200 operations)');
    expect(lines).toContain('   1500.0  HTTP client (got, node:http/net/tls/stream internals)');
    expect(lines).toContain('    500.0  XML parsing (xml2js, sax)');
    expect(lines.some((line) => line.includes('idle'))).toBe(false);
    expect(lines.at(-1)).toBe('    250.0  write sax:1188');
    expect(formatProfile('B2', { ...split, windowed: false }, 200)).toContain(
      '(200 operations, the whole profile)',
    );
  });

  it('takes the lower middle of an even count as the median, and the middle of an odd one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it("gives each side's medians and its throughput over the first side's", () => {
    const text = formatComparison(
      new Map([
        [
          'B2',
          [
            { opsPerSecond: 800, cpuMicrosecondsPerOp: 1200 },
            { opsPerSecond: 600, cpuMicrosecondsPerOp: 1500 },
            { opsPerSecond: 700, cpuMicrosecondsPerOp: 1400 },
          ],
        ],
        [
          'this build',
          [
            { opsPerSecond: 630, cpuMicrosecondsPerOp: 1600 },
            { opsPerSecond: 560, cpuMicrosecondsPerOp: 1700 },
            { opsPerSecond: 700, cpuMicrosecondsPerOp: 1500 },
          ],
        ],
      ]),
    );
    const [b2, ours] = text.split('\n');
    expect(b2).toMatch(/^B2 +median +700 ops\/s, +1400 µs CPU an operation, 1\.00 × B2's throughput$/);
    // Round by round: 630/800, 560/600, 700/700.
    expect(ours).toMatch(
      /^this build median +630 ops\/s, +1600 µs CPU an operation, 0\.90 × B2's throughput; round by round 0\.93 × B2 \(quartiles 0\.79–0\.93\)$/,
    );
  });
});

it('adds the medians of the scavenges when the runs measured them (--gc)', () => {
  const gc = (scavengeMicrosecondsPerOp: number, survivedKiB: number, promotedKiBPerOp: number) => ({
    scavengeMicrosecondsPerOp,
    survivedKiB,
    promotedKiBPerOp,
  });
  const text = formatComparison(
    new Map([
      [
        'B2',
        [
          { opsPerSecond: 700, cpuMicrosecondsPerOp: 1400, gc: gc(60, 950, 13) },
          { opsPerSecond: 710, cpuMicrosecondsPerOp: 1380, gc: gc(70, 960, 14) },
        ],
      ],
    ]),
  );
  expect(text).toMatch(
    /; scavenges 60 µs an operation, 950 KiB surviving each, 13\.0 KiB promoted an operation$/,
  );
});

describe('the GC probe', () => {
  const spaces = (newSpace: number, oldSpace: number) => ({
    heapStatistics: {} as HeapStatistics,
    heapSpaceStatistics: [
      {
        spaceName: 'new_space',
        spaceUsedSize: newSpace,
        spaceSize: 0,
        spaceAvailableSize: 0,
        physicalSpaceSize: 0,
      },
      {
        spaceName: 'old_space',
        spaceUsedSize: oldSpace,
        spaceSize: 0,
        spaceAvailableSize: 0,
        physicalSpaceSize: 0,
      },
    ],
  });

  it("sums the scavenges' cost and averages what each left young and promoted; full collections apart", () => {
    const span = summariseGc({
      version: 1,
      startTime: 0,
      endTime: 1,
      statistics: [
        { gcType: 'Scavenge', cost: 2000, beforeGC: spaces(16_000, 50_000), afterGC: spaces(1000, 50_400) },
        { gcType: 'Scavenge', cost: 3000, beforeGC: spaces(16_000, 50_400), afterGC: spaces(3000, 51_000) },
        {
          gcType: 'MarkSweepCompact',
          cost: 7000,
          beforeGC: spaces(3000, 51_000),
          afterGC: spaces(3000, 20_000),
        },
      ],
    });
    expect(span).toEqual({
      scavenges: 2,
      scavengeMs: 5,
      survivedBytes: 2000,
      promotedBytes: 500,
      fullCollections: 1,
      fullCollectionMs: 7,
    });
  });

  it('reads a span without scavenges as none, not as NaN', () => {
    expect(summariseGc({ version: 1, startTime: 0, endTime: 1, statistics: [] })).toEqual({
      scavenges: 0,
      scavengeMs: 0,
      survivedBytes: 0,
      promotedBytes: 0,
      fullCollections: 0,
      fullCollectionMs: 0,
    });
  });

  it('plans the first CPU for the side measured and the others for the sandbox and the load generator', () => {
    expect(planCpus(2)).toEqual({ measured: '0', environment: '1' });
    expect(planCpus(8)).toEqual({ measured: '0', environment: '1-7' });
    expect(() => planCpus(1)).toThrow(/at least 2 CPUs/);
  });

  it('pins every thread of a running process to the CPUs given, and says why when it cannot', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      pinProcess(child.pid!, '0');
      expect(allowedCpus(child.pid!)).toBe('0');
      expect(() => pinProcess(child.pid!, '4096')).toThrow(
        /Could not pin process \d+ to CPUs 4096 with taskset/,
      );
    } finally {
      child.kill();
    }
  });
});
