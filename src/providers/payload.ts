import { describeKind, PayloadShapeError } from '../errors.js';

/**
 * Small guards that narrow parsed JSON (or XML already turned into the same shape) into wire
 * types, one field at a time. A value that is not the expected shape throws
 * `PayloadShapeError(path, expected, received)`, where `received` names the kind of value only,
 * never the value: bodies may hold personal data, and errors travel to logs.
 */

export type Json = Record<string, unknown>;
export type Reader<T> = (value: unknown, path: string) => T;

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

export function array<T>(item: Reader<T>): Reader<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, 'an array', value);
    return value.map((entry, index) => item(entry, at(path, index)));
  };
}

export function nullable<T>(read: Reader<T>): Reader<T | null> {
  return (value, path) => (value === null ? null : read(value, path));
}

/** For fields the docs type as non-nullable: null reads as absent (see the module comment). */
export function nullAsAbsent<T>(read: Reader<T>): Reader<T | undefined> {
  return (value, path) => (value === null ? undefined : read(value, path));
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
  return (value, path) => {
    const kind = kindOf(value);
    const read = kind === undefined ? undefined : readers[kind];
    if (read === undefined) return fail(path, expected, value);
    try {
      return read(value, path);
    } catch (error) {
      // A failure inside the value (a nested field) keeps its own path and expectation.
      if (error instanceof PayloadShapeError && error.path === (path === '' ? '(body)' : path)) {
        return fail(path, expected, value);
      }
      throw error;
    }
  };
}

/** A required field. */
export function field<T>(source: Json, key: string, path: string, read: Reader<T>): T {
  const value = source[key];
  if (value === undefined)
    throw new PayloadShapeError(at(path, key), expectationOf(read), 'no value (the field is absent)');
  return read(value, at(path, key));
}

/** Reads the optional fields named in `readers` into `target`; absent ones (and nulls read as absent) are left out. */
export function copy<T extends object>(
  target: T,
  source: Json,
  path: string,
  readers: { [K in keyof T]?: Reader<T[K] | undefined> },
): void {
  for (const key of Object.keys(readers) as Array<keyof T & string>) {
    if (!Object.hasOwn(source, key) || source[key] === undefined) continue;
    const read = readers[key]!;
    const value = read(source[key], at(path, key));
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
