import type { ProviderName } from './models.js';

/**
 * Global ids are `<provider>:<provider's own id>` (contract section 3). Every id that reaches a
 * provider has passed `parseGlobalId`, so its characters are from the provider's id alphabet.
 */

export const MAX_ID_LENGTH = 128;

/**
 * Each provider's id alphabet. Neither allows `.`, `/`, `%` or whitespace, so no id can name
 * another upstream path even before it is percent-encoded.
 */
const ID_PATTERNS: Readonly<
  Record<ProviderName, { pattern: RegExp; describe: string; canonical: (id: string) => string }>
> = {
  // Thrive ids are 24-hex Mongo ids in every sample; audience paths also take a `reference`,
  // which is tenant-defined (and may be case-sensitive), so the alphabet is the URL-safe word
  // characters, kept as written.
  thrive: { pattern: /^[A-Za-z0-9_-]+$/, describe: 'letters, digits, "_" or "-"', canonical: (id) => id },
  // iSpring ids are UUIDs, which the API writes in lower case: an upper-case spelling is the same
  // id, and is lower-cased before any request or cache key so that it is one entry, not two.
  ispring: {
    pattern: /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/,
    describe: 'a UUID such as f29d887c-5cff-11e9-9e6a-0a580af40692',
    canonical: (id) => id.toLowerCase(),
  },
};

export interface GlobalId {
  readonly provider: ProviderName;
  readonly externalId: string;
}

export class InvalidIdError extends Error {
  override readonly name = 'InvalidIdError';
  constructor(
    message: string,
    readonly argumentName: string,
  ) {
    super(message);
  }
}

export function toGlobalId(provider: ProviderName, externalId: string): string {
  return `${provider}:${externalId}`;
}

/** How a global id is written, for error messages. */
export const GLOBAL_ID_FORM =
  '"thrive:<Thrive id>" (e.g. thrive:646767d82535201223349e09) or "ispring:<iSpring UUID>" (e.g. ispring:f29d887c-5cff-11e9-9e6a-0a580af40692)';

/** Describes a bad value without echoing unbounded or control characters back to the client. */
function describeValue(value: string): string {
  if (value === '') return 'an empty string';
  const printable = value.length <= 64 && /^[\x20-\x7e]*$/.test(value);
  return printable ? JSON.stringify(value) : `a ${value.length}-character string`;
}

/**
 * Parses a global id or throws an `InvalidIdError` whose message shows the expected form.
 * `argumentName` names the argument in the message (`id`, `ids[3]`, a representation's `id`).
 */
export function parseGlobalId(value: unknown, argumentName = 'id'): GlobalId {
  if (typeof value !== 'string') {
    throw new InvalidIdError(`${argumentName} must be a string of the form ${GLOBAL_ID_FORM}`, argumentName);
  }
  const fail = (why: string): never => {
    throw new InvalidIdError(
      `${argumentName} ${describeValue(value)} is not a valid id: ${why}. Expected ${GLOBAL_ID_FORM}.`,
      argumentName,
    );
  };
  if (value.length > MAX_ID_LENGTH) fail(`it is longer than ${MAX_ID_LENGTH} characters`);
  const separator = value.indexOf(':');
  if (separator <= 0) fail('it has no provider prefix');
  const prefix = value.slice(0, separator);
  const externalId = value.slice(separator + 1);
  if (prefix !== 'thrive' && prefix !== 'ispring') fail(`the prefix must be "thrive" or "ispring"`);
  const provider = prefix as ProviderName;
  if (externalId === '') fail(`the ${provider} id after the prefix is empty`);
  const { pattern, describe, canonical } = ID_PATTERNS[provider];
  if (!pattern.test(externalId)) fail(`the id after "${provider}:" must be ${describe}`);
  return { provider, externalId: canonical(externalId) };
}

/** True when `externalId` is in the provider's id alphabet (for ids read from upstream payloads). */
export function isValidExternalId(provider: ProviderName, externalId: string): boolean {
  return (
    externalId.length > 0 &&
    externalId.length <= MAX_ID_LENGTH - provider.length - 1 &&
    ID_PATTERNS[provider].pattern.test(externalId)
  );
}

/** The provider's own id of a global id already known to be valid (built by `toGlobalId`). */
export function externalIdOf(globalId: string): string {
  return globalId.slice(globalId.indexOf(':') + 1);
}

export function providerOf(globalId: string): ProviderName {
  return globalId.slice(0, globalId.indexOf(':')) as ProviderName;
}
