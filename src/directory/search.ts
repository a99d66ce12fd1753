import MiniSearch from 'minisearch';
import type { UserModel } from '../models.js';
import { foldForSearch } from './text.js';

/**
 * The users' search index (MiniSearch): every word of a query must be a prefix of a word of the
 * name, email, login or ref; case and accents are ignored (`foldForSearch`). An exact email, login
 * or ref comes before name matches; otherwise MiniSearch's relevance (BM25) orders the results.
 */

interface SearchDocument {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly login: string;
  readonly ref: string;
}

const FIELDS = ['name', 'email', 'login', 'ref'] as const;

export class UserSearch {
  readonly #index = new MiniSearch<SearchDocument>({
    fields: [...FIELDS],
    storeFields: [],
    processTerm: (term) => foldForSearch(term),
    // Tombstones of replaced users are swept in the background once they pile up.
    autoVacuum: { minDirtCount: 1000, minDirtFactor: 0.1, batchSize: 1000, batchWait: 10 },
  });
  /** The folded email, login and ref of each user, for the exact-match rule. */
  readonly #exact = new Map<string, readonly string[]>();

  get size(): number {
    return this.#index.documentCount;
  }

  put(user: UserModel): void {
    const document = toDocument(user);
    if (this.#index.has(user.id)) this.#index.replace(document);
    else this.#index.add(document);
    this.#exact.set(
      user.id,
      [user.email, user.login, user.ref].filter((value): value is string => !!value).map(foldTrimmed),
    );
  }

  delete(id: string): void {
    if (!this.#index.has(id)) return;
    this.#index.discard(id);
    this.#exact.delete(id);
  }

  /** The ids that match `query`, best first. */
  search(query: string): string[] {
    const results = this.#index.search(query, {
      prefix: true,
      combineWith: 'AND',
      fields: [...FIELDS],
    });
    const wanted = foldTrimmed(query);
    const exact: string[] = [];
    const rest: string[] = [];
    for (const { id } of results) {
      if (this.#exact.get(id as string)?.includes(wanted)) exact.push(id as string);
      else rest.push(id as string);
    }
    return exact.length === 0 ? rest : [...exact, ...rest];
  }
}

function toDocument(user: UserModel): SearchDocument {
  return {
    id: user.id,
    name: user.displayName,
    email: user.email ?? '',
    login: user.login ?? '',
    ref: user.ref ?? '',
  };
}

const foldTrimmed = (value: string) => foldForSearch(value.trim());
