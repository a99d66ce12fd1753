import MiniSearch from 'minisearch';
import type { UserModel } from '../models.js';
import { foldForSearch } from './text.js';

/**
 * The users' search index (MiniSearch): every word of a query must be a prefix of a word of the
 * name, email, login or ref; case and accents are ignored (`foldForSearch`). An exact email, login
 * or ref comes before name matches; otherwise MiniSearch's relevance (BM25) orders the results.
 *
 * MiniSearch is asked for the query's longest word alone, and the other words are checked on the
 * users it finds. Asked for every word, it scores each word's matches before intersecting them,
 * and a word every user has (an email's domain) costs a score for every user: a whole email as
 * the query took about a second at 200,000 users. The longest word is usually the rarest; the
 * answer is the same whichever word goes first, only its cost differs.
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
    const words = wordsOf(query);
    if (words.length === 0) return [];
    const [pivot, ...others] = [...words].sort((a, b) => b.length - a.length);
    const wanted = foldTrimmed(query);
    const exact: string[] = [];
    const rest: string[] = [];
    for (const { id } of this.#index.search(pivot!, { prefix: true })) {
      const user = this.#userOf(id as string);
      if (user === undefined) continue;
      if (others.length > 0) {
        const own = wordsOf(documentText(user));
        if (!others.every((word) => own.some((candidate) => candidate.startsWith(word)))) continue;
      }
      const isExact =
        isExactly(user.email, wanted) || isExactly(user.login, wanted) || isExactly(user.ref, wanted);
      (isExact ? exact : rest).push(id as string);
    }
    return exact.length === 0 ? rest : [...exact, ...rest];
  }
}

/** MiniSearch's own tokenizer, so that the words checked here are the words it indexed. */
const tokenize = MiniSearch.getDefault('tokenize') as (text: string) => string[];

/** The folded words of a text, as the index holds them. */
function wordsOf(text: string): string[] {
  return tokenize(text)
    .map((word) => foldForSearch(word))
    .filter((word) => word !== '');
}

/** The words a user is found by: its name, email, login and ref. */
function documentText(user: UserModel): string {
  return [user.displayName, user.email, user.login, user.ref].filter(Boolean).join(' ');
}

function toDocument(user: UserModel): SearchDocument {
  return { id: user.id, text: documentText(user) };
}

const foldTrimmed = (value: string) => foldForSearch(value.trim());

/** `value`, folded, is `wanted` (folding never lengthens a text, so a shorter one cannot be). */
const isExactly = (value: string | null, wanted: string) =>
  value !== null && value.length >= wanted.length && foldTrimmed(value) === wanted;
