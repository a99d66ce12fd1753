import path from 'node:path';
import { readArgs } from '../harness/args.js';

/** The soak's command line. */

export const USAGE = `Usage: npm run soak -- [--quick] [--duration <s>] [--connections <n>] [--max-requests <n>] [--out <file>]

  --quick             a 10-second soak (one-second fault phases)
  --duration <s>      seconds of load (default 60; 10 with --quick), 1 to 3600
  --connections <n>   concurrent clients, one request in flight each (default 16), 1 to 256
  --max-requests <n>  a hard bound on the requests sent (default 1000000)
  --out <file>        where the JSON goes (default soak-results.json in the current directory)
`;

export interface Options {
  readonly quick: boolean;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly maxRequests: number;
  readonly out: string;
}

export function parseOptions(argv: readonly string[]): Options {
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
