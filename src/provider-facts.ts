import type { Provider } from './generated/resolvers-types.js';
import type { ProviderName } from './models.js';

/**
 * What the rest of the subgraph knows about each provider, in one table: its name in messages, its
 * GraphQL `Provider` value, and its ids (alphabet, how they are written, an example). Ids, errors
 * and resolvers read it; how a provider is built and configured is its own folder's
 * (`providers/registry.ts`). A provider name added to `ProviderName` without a row here does not
 * compile.
 */
export interface ProviderFacts {
  /** How messages name it: "Thrive", "iSpring". */
  readonly label: string;
  /** Its value of the GraphQL `Provider` enum. */
  readonly enumValue: Provider;
  /** Its own ids (after `<provider>:`). None allows `.`, `/`, `%` or whitespace, so no id can name another upstream path. */
  readonly idPattern: RegExp;
  /** The alphabet in words, for messages: `the id after "thrive:" must be …`. */
  readonly idDescription: string;
  /** How a global id of it is written, for messages. */
  readonly idForm: string;
  readonly exampleId: string;
  /**
   * One spelling of each id, before any request or cache key: an id the provider reads without
   * regard to case is lower-cased; one whose case may matter is kept as written.
   */
  readonly canonicalId: (externalId: string) => string;
}

export const PROVIDER_FACTS: { readonly [P in ProviderName]: ProviderFacts } = {
  // Thrive ids are 24-hex Mongo ids in every sample; audience paths also take a `reference`, which
  // is tenant-defined (and may be case-sensitive), so the alphabet is the URL-safe word characters.
  thrive: {
    label: 'Thrive',
    enumValue: 'THRIVE',
    idPattern: /^[A-Za-z0-9_-]+$/,
    idDescription: 'letters, digits, "_" or "-"',
    idForm: '"thrive:<Thrive id>"',
    exampleId: '646767d82535201223349e09',
    canonicalId: (id) => id,
  },
  // iSpring ids are UUIDs, which the API writes in lower case: an upper-case spelling is the same id.
  ispring: {
    label: 'iSpring',
    enumValue: 'ISPRING',
    idPattern: /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/,
    idDescription: 'a UUID such as f29d887c-5cff-11e9-9e6a-0a580af40692',
    idForm: '"ispring:<iSpring UUID>"',
    exampleId: 'f29d887c-5cff-11e9-9e6a-0a580af40692',
    canonicalId: (id) => id.toLowerCase(),
  },
};

/** Every provider name, in the table's order. */
export const PROVIDER_NAMES = Object.keys(PROVIDER_FACTS) as readonly ProviderName[];

export function isProviderName(value: string): value is ProviderName {
  return Object.hasOwn(PROVIDER_FACTS, value);
}

/** "Thrive", "iSpring". */
export function labelOf(provider: ProviderName): string {
  return PROVIDER_FACTS[provider].label;
}

/** The GraphQL `Provider` enum value of a provider. */
export function toProviderEnum(provider: ProviderName): Provider {
  return PROVIDER_FACTS[provider].enumValue;
}

/** The provider a GraphQL `Provider` enum value names. */
export function fromProviderEnum(value: Provider): ProviderName {
  const name = PROVIDER_NAMES.find((provider) => PROVIDER_FACTS[provider].enumValue === value);
  if (name === undefined) throw new RangeError(`No provider has the enum value ${String(value)}.`);
  return name;
}
