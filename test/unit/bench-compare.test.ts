import { describe, expect, it } from 'vitest';
import { formatComparison, median } from '../../src/dev/bench/compare.js';

describe('bench:compare', () => {
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
    expect(ours).toMatch(
      /^this build median +630 ops\/s, +1600 µs CPU an operation, 0\.90 × B2's throughput$/,
    );
  });
});
