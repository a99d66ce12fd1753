import { parseArgs } from 'node:util';

/**
 * The command lines of the bench and the soak (`npm run bench -- --quick`), read with node's own
 * `parseArgs`: flags, numbers within bounds and strings, `--help` printing the usage. A wrong
 * argument is a `UsageError` whose message says what was expected.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type ArgSpec =
  | { readonly kind: 'flag' }
  | { readonly kind: 'string' }
  | {
      readonly kind: 'number';
      readonly min: number;
      readonly max: number;
      readonly whole?: boolean;
      readonly unit?: string;
    };

type ArgValue<S extends ArgSpec> = S extends { kind: 'flag' }
  ? boolean
  : S extends { kind: 'number' }
    ? number | undefined
    : string | undefined;

export type ArgValues<Specs extends Record<string, ArgSpec>> = {
  -readonly [K in keyof Specs]: ArgValue<Specs[K]>;
};

/** The options in `argv` (`process.argv.slice(2)`); prints `usage` and exits on `--help`. */
export function readArgs<Specs extends Record<string, ArgSpec>>(
  argv: readonly string[],
  specs: Specs,
  usage: string,
): ArgValues<Specs> {
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      { type: spec.kind === 'flag' ? 'boolean' : 'string' },
    ]),
  ) as Record<string, { type: 'boolean' | 'string' }>;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values['help']) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = parsed.values[name];
    if (spec.kind === 'flag') values[name] = raw === true;
    else if (spec.kind === 'string') values[name] = raw;
    else values[name] = raw === undefined ? undefined : numberOf(name, String(raw), spec);
  }
  return values as ArgValues<Specs>;
}

function numberOf(name: string, raw: string, spec: Extract<ArgSpec, { kind: 'number' }>): number {
  const value = Number(raw);
  const whole = spec.whole ?? false;
  if (
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    (whole && !Number.isInteger(value)) ||
    value < spec.min ||
    value > spec.max
  ) {
    const what = whole ? 'a whole number' : `a number${spec.unit ? ` of ${spec.unit}` : ''}`;
    throw new UsageError(
      `--${name} must be ${what} from ${spec.min} to ${spec.max}; got ${JSON.stringify(raw.slice(0, 40))}.`,
    );
  }
  return value;
}
