import { describeKind, PayloadShapeError } from './errors.js';

/**
 * Small guards that narrow parsed JSON (or XML already turned into the same shape) into wire
 * types, one field at a time. A value that is not the expected shape throws
 * `PayloadShapeError(path, expected, received)`, where `received` names the kind of value only,
 * never the value: bodies may hold personal data, and errors travel to logs.
 */

export type Json = Record<string, unknown>;

/**
 * Reads one value. `issues`, when given, is where a reader of a record puts what it could not read
 * in the record's fields and lists instead of failing the whole record (see `PayloadIssues`);
 * readers of single values ignore it.
 */
export type Reader<T> = (value: unknown, path: string, issues?: PayloadIssues) => T;

/** One value a decoder left out because it did not have its documented shape. */
export interface PayloadIssue {
  readonly path: string;
  readonly expected: string;
  /** The kind of value that came (`describeKind`), never the value. */
  readonly received: string;
}

/**
 * What a lenient decode left out of one payload. One odd value never costs a whole record: a field
 * whose value does not fit its documented shape is read as absent (null in the model), a list item
 * that does not fit is dropped, and each is noted here, so that the client reports them (one
 * warning per payload) instead of failing the user. Only the record's own id and the document's
 * envelope stay strict: without them nothing can be matched or trusted.
 */
export class PayloadIssues {
  readonly #issues: PayloadIssue[] = [];

  add(issue: PayloadIssue): void {
    this.#issues.push(issue);
  }

  addError(error: PayloadShapeError): void {
    this.#issues.push({ path: error.path, expected: error.expected, received: error.received });
  }

  get count(): number {
    return this.#issues.length;
  }

  list(): readonly PayloadIssue[] {
    return this.#issues;
  }
}

export function fail(path: string, expected: string, value: unknown): never {
  throw new PayloadShapeError(path === '' ? '(body)' : path, expected, describeKind(value));
}

export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  return value as Json;
}

export const string: Reader<string> = (value, path) =>
  typeof value === 'string' ? value : fail(path, 'a string', value);

export const nonEmptyString: Reader<string> = (value, path) =>
  typeof value === 'string' && value !== '' ? value : fail(path, 'a non-empty string', value);

export const number: Reader<number> = (value, path) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fail(path, 'a number', value);

export const positiveNumber: Reader<number> = (value, path) =>
  typeof value === 'number' && Number.isFinite(value) && value > 0
    ? value
    : fail(path, 'a positive number', value);

export const boolean: Reader<boolean> = (value, path) =>
  typeof value === 'boolean' ? value : fail(path, 'a boolean', value);

export const anything: Reader<unknown> = (value) => value;

/**
 * A list. With `issues`, an item that does not fit is dropped and noted; without, it fails the list.
 */
export function array<T>(item: Reader<T>): Reader<T[]> {
  return (value, path, issues) => {
    if (!Array.isArray(value)) fail(path, 'an array', value);
    if (issues === undefined) return value.map((entry, index) => item(entry, at(path, index)));
    const items: T[] = [];
    for (const [index, entry] of value.entries()) {
      try {
        items.push(item(entry, at(path, index), issues));
      } catch (error) {
        if (!(error instanceof PayloadShapeError)) throw error;
        issues.addError(error);
      }
    }
    return items;
  };
}

export function nullable<T>(read: Reader<T>): Reader<T | null> {
  return (value, path, issues) => (value === null ? null : read(value, path, issues));
}

/** For fields the docs type as non-nullable: null reads as absent (see the module comment). */
export function nullAsAbsent<T>(read: Reader<T>): Reader<T | undefined> {
  return (value, path, issues) => (value === null ? undefined : read(value, path, issues));
}

/** The JSON kinds a value can be, as `oneOf` dispatches on them. */
export type JsonKind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export function kindOf(value: unknown): JsonKind | undefined {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'object' ? type : undefined;
}

/**
 * A value that may come in several kinds (a string or an object, …): the reader for the value's
 * kind reads it. It dispatches on the kind rather than trying each reader in turn, because a
 * failed try costs an exception, and that was on the hot path of every Thrive user. A value of
 * another kind, or one that its kind's reader refuses as a whole, fails naming every form.
 */
export function oneOf<T>(expected: string, readers: Partial<Record<JsonKind, Reader<T>>>): Reader<T> {
  return (value, path, issues) => {
    const kind = kindOf(value);
    const read = kind === undefined ? undefined : readers[kind];
    if (read === undefined) return fail(path, expected, value);
    try {
      return read(value, path, issues);
    } catch (error) {
      // A failure inside the value (a nested field) keeps its own path and expectation.
      if (error instanceof PayloadShapeError && error.path === (path === '' ? '(body)' : path)) {
        return fail(path, expected, value);
      }
      throw error;
    }
  };
}

/** A required field: always strict (a record is not a record without it). */
export function field<T>(
  source: Json,
  key: string,
  path: string,
  read: Reader<T>,
  issues?: PayloadIssues,
): T {
  const value = source[key];
  if (value === undefined)
    throw new PayloadShapeError(at(path, key), expectationOf(read), 'no value (the field is absent)');
  return read(value, at(path, key), issues);
}

/**
 * A field that is read as absent, and noted in `issues`, when its value does not fit; without
 * `issues` a misfit fails as `field` does.
 */
export function lenientField<T>(
  source: Json,
  key: string,
  path: string,
  read: Reader<T>,
  issues: PayloadIssues | undefined,
): T | undefined {
  const value = source[key];
  if (value === undefined) return undefined;
  if (issues === undefined) return read(value, at(path, key));
  try {
    return read(value, at(path, key), issues);
  } catch (error) {
    if (!(error instanceof PayloadShapeError)) throw error;
    issues.addError(error);
    return undefined;
  }
}

/**
 * Reads the optional fields named in `readers` into `target`; absent ones (and nulls read as absent)
 * are left out. With `issues`, a field whose value does not fit is left out too, and noted.
 */
export function copy<T extends object>(
  target: T,
  source: Json,
  path: string,
  readers: { [K in keyof T]?: Reader<T[K] | undefined> },
  issues?: PayloadIssues,
): void {
  for (const key of Object.keys(readers) as Array<keyof T & string>) {
    if (!Object.hasOwn(source, key) || source[key] === undefined) continue;
    const value = lenientField(source, key, path, readers[key]!, issues);
    if (value !== undefined) target[key] = value as T[keyof T & string];
  }
}

/** What a required field's reader expects, for the "absent" error (found by giving it `undefined`). */
export function expectationOf(read: Reader<unknown>): string {
  try {
    read(undefined, '');
  } catch (error) {
    if (error instanceof PayloadShapeError) return error.expected;
  }
  return 'a value';
}
