import type { ProviderName } from './models.js';
import { isProviderName, PROVIDER_FACTS, PROVIDER_NAMES } from './provider-facts.js';

/**
 * Global ids are `<provider>:<provider's own id>` (README, "How ids work"). Every id that reaches a
 * provider has passed `parseGlobalId`, so its characters are from the provider's id alphabet.
 */

export const MAX_ID_LENGTH = 128;

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

/** How a global id is written, for error messages: every provider's form, with an example. */
export const GLOBAL_ID_FORM = PROVIDER_NAMES.map(
  (name) => `${PROVIDER_FACTS[name].idForm} (e.g. ${name}:${PROVIDER_FACTS[name].exampleId})`,
).join(' or ');

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
  if (!isProviderName(prefix)) {
    fail(`the prefix must be ${PROVIDER_NAMES.map((name) => `"${name}"`).join(' or ')}`);
  }
  const provider = prefix as ProviderName;
  if (externalId === '') fail(`the ${provider} id after the prefix is empty`);
  const { idPattern, idDescription, canonicalId } = PROVIDER_FACTS[provider];
  if (!idPattern.test(externalId)) fail(`the id after "${provider}:" must be ${idDescription}`);
  return { provider, externalId: canonicalId(externalId) };
}

/** True when `externalId` is in the provider's id alphabet (for ids read from upstream payloads). */
export function isValidExternalId(provider: ProviderName, externalId: string): boolean {
  return (
    externalId.length > 0 &&
    externalId.length <= MAX_ID_LENGTH - provider.length - 1 &&
    PROVIDER_FACTS[provider].idPattern.test(externalId)
  );
}

/** The provider's own id of a global id already known to be valid (built by `toGlobalId`). */
export function externalIdOf(globalId: string): string {
  return globalId.slice(globalId.indexOf(':') + 1);
}

export function providerOf(globalId: string): ProviderName {
  return globalId.slice(0, globalId.indexOf(':')) as ProviderName;
}
