import MiniSearch from 'minisearch';
import type { UserModel } from '../models.js';
import { foldForSearch } from './text.js';

/**
 * The users' search index (MiniSearch): every word of a query must be a prefix of a word of the
 * name, email, login or ref; case and accents are ignored (`foldForSearch`). An exact email, login
 * or ref comes before name matches; otherwise MiniSearch's relevance (BM25) orders the results.
 */

/**
 * One field holds every word of the name, email, login and ref: a match in any of them counts
 * alike, and one field costs MiniSearch about a tenth less memory than four.
 */
interface SearchDocument {
  readonly id: string;
  readonly text: string;
}

export class UserSearch {
  readonly #index = new MiniSearch<SearchDocument>({
    fields: ['text'],
    storeFields: [],
    processTerm: (term) => foldForSearch(term),
    // Tombstones of replaced users are swept in the background once they pile up.
    autoVacuum: { minDirtCount: 1000, minDirtFactor: 0.1, batchSize: 1000, batchWait: 10 },
  });
  /** A user by id, for the exact-match rule (the index's own records: nothing is copied). */
  readonly #userOf: (id: string) => UserModel | undefined;

  constructor(userOf: (id: string) => UserModel | undefined) {
    this.#userOf = userOf;
  }

  get size(): number {
    return this.#index.documentCount;
  }

  put(user: UserModel): void {
    const document = toDocument(user);
    if (this.#index.has(user.id)) this.#index.replace(document);
    else this.#index.add(document);
  }

  delete(id: string): void {
    if (!this.#index.has(id)) return;
    this.#index.discard(id);
  }

  /** The ids that match `query`, best first. */
  search(query: string): string[] {
    const results = this.#index.search(query, {
      prefix: true,
      combineWith: 'AND',
    });
    const wanted = foldTrimmed(query);
    const exact: string[] = [];
    const rest: string[] = [];
    for (const { id } of results) {
      const user = this.#userOf(id as string);
      const isExact =
        user !== undefined &&
        [user.email, user.login, user.ref].some((value) => !!value && foldTrimmed(value) === wanted);
      (isExact ? exact : rest).push(id as string);
    }
    return exact.length === 0 ? rest : [...exact, ...rest];
  }
}

function toDocument(user: UserModel): SearchDocument {
  return {
    id: user.id,
    text: [user.displayName, user.email, user.login, user.ref].filter(Boolean).join(' '),
  };
}

const foldTrimmed = (value: string) => foldForSearch(value.trim());
