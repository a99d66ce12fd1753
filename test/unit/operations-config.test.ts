import { describe, expect, it } from 'vitest';
import { problemsOf } from '../helpers/config.ts';
import { loadConfig, OPERATIONS_DEFAULTS } from '../../src/config.ts';

/** GraphiQL, inline tracing, log format, health checks and workers in the configuration. */

const PRODUCTION = { NODE_ENV: 'production', SANDBOX: '1' };
const operations = (env: Record<string, string>) => loadConfig(env).operations;

describe('operations defaults', () => {
  it('GraphiQL on, tracing on, LOG_FORMAT auto, checks every 15 s with a 5 s timeout, one worker, heap growth auto, no pretenuring', () => {
    expect(operations({})).toEqual({
      graphiql: true,
      inlineTracing: true,
      logFormat: 'auto',
      healthCheckIntervalMs: 15_000,
      healthCheckTimeoutMs: 5_000,
      workers: 1,
      heapGrowthPercent: 'auto',
      heapPretenuring: false,
    });
    expect(OPERATIONS_DEFAULTS).toEqual({
      healthCheckIntervalMs: 15_000,
      healthCheckTimeoutMs: 5_000,
      heapGrowthPercent: 'auto',
      heapPretenuring: false,
    });
  });

  it('is frozen with the rest of the configuration', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config.operations)).toBe(true);
  });
});

describe('GRAPHIQL', () => {
  it('follows INTROSPECTION when unset: on by default, off in production', () => {
    expect(operations({}).graphiql).toBe(true);
    expect(operations(PRODUCTION).graphiql).toBe(false);
    expect(operations({ INTROSPECTION: 'false' }).graphiql).toBe(false);
    expect(operations({ ...PRODUCTION, INTROSPECTION: 'true' }).graphiql).toBe(true);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['TRUE', true],
    ['false', false],
    ['0', false],
    [' False ', false],
  ])('GRAPHIQL=%j is %s, whatever INTROSPECTION and NODE_ENV say', (value, expected) => {
    expect(operations({ GRAPHIQL: value }).graphiql).toBe(expected);
    expect(operations({ ...PRODUCTION, GRAPHIQL: value }).graphiql).toBe(expected);
    expect(operations({ INTROSPECTION: expected ? 'false' : 'true', GRAPHIQL: value }).graphiql).toBe(
      expected,
    );
  });

  it('an empty value counts as unset', () => {
    expect(operations({ GRAPHIQL: '' }).graphiql).toBe(true);
    expect(operations({ ...PRODUCTION, GRAPHIQL: '  ' }).graphiql).toBe(false);
  });

  it('anything else is refused, naming the variable and the value', () => {
    expect(problemsOf({ GRAPHIQL: 'yes' })).toEqual(['GRAPHIQL must be true or false; got "yes".']);
  });

  it('a bad INTROSPECTION is reported once, not once more for GRAPHIQL', () => {
    const problems = problemsOf({ INTROSPECTION: 'maybe' });
    expect(problems).toEqual([expect.stringMatching(/^INTROSPECTION must be true or false; got "maybe"/)]);
  });
});

describe('INLINE_TRACING', () => {
  it('on by default, in production too', () => {
    expect(operations({}).inlineTracing).toBe(true);
    expect(operations(PRODUCTION).inlineTracing).toBe(true);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('INLINE_TRACING=%j is %s', (value, expected) => {
    expect(operations({ INLINE_TRACING: value }).inlineTracing).toBe(expected);
  });

  it('anything else is refused', () => {
    expect(problemsOf({ INLINE_TRACING: 'ftv1' })).toEqual([
      'INLINE_TRACING must be true or false; got "ftv1".',
    ]);
  });
});

describe('LOG_FORMAT', () => {
  it.each([
    ['json', 'json'],
    ['pretty', 'pretty'],
    ['auto', 'auto'],
    ['JSON', 'json'],
    [' Pretty ', 'pretty'],
  ])('LOG_FORMAT=%j is %s', (value, expected) => {
    expect(operations({ LOG_FORMAT: value }).logFormat).toBe(expected);
  });

  it('auto when unset or empty, in production too (resolved at start-up)', () => {
    expect(operations({ LOG_FORMAT: '' }).logFormat).toBe('auto');
    expect(operations(PRODUCTION).logFormat).toBe('auto');
  });

  it('a bad value is a ConfigError naming the variable and the value', () => {
    const problems = problemsOf({ LOG_FORMAT: 'xml' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('LOG_FORMAT');
    expect(problems[0]).toContain('"xml"');
    expect(problems[0]).toMatch(/json, pretty or auto/);
  });

  it('a very long bad value is cut short in the message', () => {
    const problems = problemsOf({ LOG_FORMAT: 'x'.repeat(500) });
    expect(problems[0]).toContain('LOG_FORMAT');
    expect(problems[0]!.length).toBeLessThan(200);
  });
});

describe('HEALTH_CHECK_INTERVAL_MS and HEALTH_CHECK_TIMEOUT_MS', () => {
  it('reads both, at their bounds', () => {
    expect(operations({ HEALTH_CHECK_INTERVAL_MS: '0', HEALTH_CHECK_TIMEOUT_MS: '100' })).toMatchObject({
      healthCheckIntervalMs: 0,
      healthCheckTimeoutMs: 100,
    });
    expect(
      operations({ HEALTH_CHECK_INTERVAL_MS: '3600000', HEALTH_CHECK_TIMEOUT_MS: '120000' }),
    ).toMatchObject({ healthCheckIntervalMs: 3_600_000, healthCheckTimeoutMs: 120_000 });
    expect(operations({ HEALTH_CHECK_INTERVAL_MS: '30000', HEALTH_CHECK_TIMEOUT_MS: '2000' })).toMatchObject({
      healthCheckIntervalMs: 30_000,
      healthCheckTimeoutMs: 2_000,
    });
  });

  it.each(['3600001', '-1', '1.5', '15s', 'soon'])('HEALTH_CHECK_INTERVAL_MS=%j is refused', (value) => {
    expect(problemsOf({ HEALTH_CHECK_INTERVAL_MS: value })).toEqual([
      `HEALTH_CHECK_INTERVAL_MS must be a whole number from 0 to 3600000; got ${JSON.stringify(value)}.`,
    ]);
  });

  it.each(['99', '0', '120001', '5e3'])('HEALTH_CHECK_TIMEOUT_MS=%j is refused', (value) => {
    expect(problemsOf({ HEALTH_CHECK_TIMEOUT_MS: value })).toEqual([
      `HEALTH_CHECK_TIMEOUT_MS must be a whole number from 100 to 120000; got ${JSON.stringify(value)}.`,
    ]);
  });
});

describe('WORKERS', () => {
  it('1 by default', () => {
    expect(operations({}).workers).toBe(1);
    expect(operations({ WORKERS: '' }).workers).toBe(1);
  });

  it.each([
    ['auto', 'auto'],
    ['AUTO', 'auto'],
    ['1', 1],
    ['4', 4],
    ['256', 256],
  ] as const)('WORKERS=%j is %j', (value, expected) => {
    expect(operations({ WORKERS: value }).workers).toBe(expected);
  });

  it.each(['0', '1000', '257', 'x', '-2', '2.5'])(
    'WORKERS=%j is refused, naming the variable and the value',
    (value) => {
      const problems = problemsOf({ WORKERS: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^WORKERS must be a whole number from 1 to 256/);
      expect(problems[0]).toContain(JSON.stringify(value));
    },
  );
});

describe('every bad operations variable in one error', () => {
  it('lists them all', () => {
    const problems = problemsOf({
      GRAPHIQL: 'maybe',
      INLINE_TRACING: 'sometimes',
      LOG_FORMAT: 'yaml',
      HEALTH_CHECK_INTERVAL_MS: 'often',
      HEALTH_CHECK_TIMEOUT_MS: '1',
      WORKERS: '0',
    });
    const named = [
      'GRAPHIQL',
      'INLINE_TRACING',
      'LOG_FORMAT',
      'HEALTH_CHECK_INTERVAL_MS',
      'HEALTH_CHECK_TIMEOUT_MS',
      'WORKERS',
    ];
    expect(problems).toHaveLength(named.length);
    for (const name of named) expect(problems.some((problem) => problem.startsWith(`${name} `))).toBe(true);
  });
});
