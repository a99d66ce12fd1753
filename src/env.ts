/**
 * Reading the environment, once, for `loadConfig`: each reader returns the value (or its default)
 * and records every problem instead of throwing, so that one bad configuration is reported whole,
 * in one message (`ConfigError`). Messages name variables and what they expect, never the value of
 * a setting that may be a secret.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /** The trimmed value; undefined when unset or blank. */
  read(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** A whole number from `min` to `max`, else `fallback` (and a problem when it was set). */
  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      this.problem(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}.`);
      return fallback;
    }
    return Number(raw);
  }

  /** `true`/`1` or `false`/`0` (any case), else `fallback`. */
  boolean(name: string, fallback: boolean): boolean {
    const raw = this.read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.problem(`${name} must be true or false; got ${JSON.stringify(raw.slice(0, 40))}.`);
    return fallback;
  }

  /** One of `values` (lower-cased), else `fallback`. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.problem(`${name} must be ${listOf(values)}; got ${JSON.stringify(raw.slice(0, 40))}.`);
    return fallback;
  }

  /**
   * An absolute https URL (plain http only for this machine: the sandboxes), without credentials,
   * query or fragment, trailing slashes removed; `fallback` when unset.
   */
  url(name: string, fallback: string | undefined): string | undefined {
    const raw = this.read(name) ?? fallback;
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      this.problem(`${name} must be an absolute http(s) URL; got a value that does not parse as a URL.`);
      return undefined;
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      this.problem(`${name} must use https (or http on loopback); got "${parsed.protocol}".`);
      return undefined;
    }
    if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
      // Both vendors refuse plain HTTP, and credentials would cross the network in clear.
      this.problem(
        `${name} must use https unless it points at this machine (loopback); got http://${parsed.host}.`,
      );
      return undefined;
    }
    if (parsed.username || parsed.password) {
      this.problem(`${name} must not carry credentials in the URL; use the credential variables instead.`);
      return undefined;
    }
    if (parsed.search || parsed.hash) {
      this.problem(`${name} must not have a query string or fragment.`);
      return undefined;
    }
    return parsed.toString().replace(/\/+$/, '');
  }
}

/** `a, b or c`. */
function listOf(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)!}`;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
