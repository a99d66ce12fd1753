import type { UserModel } from '../models.js';
import { IdSets } from './id-sets.js';
import { SortedKeys } from './sorted-keys.js';
import { foldForSearch, ownString } from './text.js';

/**
 * The users' search index: every word of a query must be the start of a word of the user's name,
 * email, login or ref; case and accents are ignored (`foldForSearch`). Results come in three tiers:
 * users whose email, login or ref is the query (folded), then users who have each word of the query
 * as a whole word, then the other users who match; within a tier, in display-name order (README,
 * "The directory").
 *
 * The index is a map from each folded word to the users who have it, and the words in code-unit
 * order, where a prefix's words lie side by side. A query starts from the word whose prefix names
 * the fewest users (counted from the map, before any is collected), and each other word narrows
 * that. Only an exact match needs a record: a small filter of every email, login and ref says when
 * none can match, which is nearly always.
 *
 * It was MiniSearch until the directory had to hold 200,000 users in a few hundred MiB: MiniSearch
 * keeps three Maps for each distinct word, some 600 bytes, and most users have a word of their own
 * (an email's number, a ref), so its index took 155 MiB there; this one takes about a fifth of it.
 * MiniSearch's relevance (BM25 over names and emails) ordered matches by how short a user's words
 * were, which meant little to someone picking a person; the tiers above say why a user comes first.
 */

/** Words are split at white space, separators and punctuation, as Unicode classes characters. */
const WORD_SEPARATORS = /[\s\p{Z}\p{P}]+/u;

/** Puts ids in display-name order (then id): the index's order. */
export type InNameOrder = (ids: ReadonlySet<string>) => string[];

/**
 * How many candidates a query's other word may have before the search reads their records to check
 * that word, rather than collect every user the word's prefix names: a short word can name most
 * of the directory, a few records are read in microseconds.
 */
const READ_RECORDS_BELOW = 2000;

export class UserSearch {
  /** Each folded word's users. */
  readonly #holders = new IdSets();
  /** The words, in order: a prefix's words lie side by side. */
  readonly #words = new SortedKeys();
  /** Which folded emails, logins and refs some user has, to skip the exact check when none can match. */
  readonly #exact = new CountingFilter();
  /** A user by id, to check a candidate's words or exact match against its record. */
  readonly #userOf: (id: string) => UserModel | undefined;
  readonly #inNameOrder: InNameOrder;

  constructor(userOf: (id: string) => UserModel | undefined, inNameOrder: InNameOrder) {
    this.#userOf = userOf;
    this.#inNameOrder = inNameOrder;
  }

  /** Adds a user the index does not hold (`delete` it first when it changed). */
  put(user: UserModel): void {
    for (const word of new Set(wordsOf(documentText(user)))) {
      // A new word is kept as a string of its own, and takes its place in the order.
      const own = this.#holders.has(word) ? word : ownString(word);
      if (this.#holders.add(own, user.id)) this.#words.add(own);
    }
    for (const key of exactKeysOf(user)) this.#exact.add(key);
  }

  /** Takes out a user, as it was put. */
  delete(user: UserModel): void {
    for (const word of new Set(wordsOf(documentText(user)))) {
      if (this.#holders.delete(word, user.id)) this.#words.delete(word);
    }
    for (const key of exactKeysOf(user)) this.#exact.remove(key);
  }

  /** Puts the words in order now (`DirectoryIndex.settle`). */
  settle(): void {
    this.#words.values();
  }

  /** The ids that match `query`, best first. */
  search(query: string): string[] {
    const words = [...new Set(wordsOf(query))];
    if (words.length === 0) return [];
    // The word whose prefix names the fewest users first; each other word narrows what it found.
    const ranges = words
      .map((word) => ({ word, ...this.#prefixRange(word) }))
      .sort((a, b) => a.users - b.users);
    let candidates = this.#usersOf(ranges[0]!);
    for (const range of ranges.slice(1)) {
      if (candidates.size === 0) break;
      if (candidates.size < READ_RECORDS_BELOW && range.users > candidates.size) {
        candidates = this.#withWordStartingWith(candidates, range.word);
      } else {
        const named = this.#usersOf(range);
        candidates = new Set([...candidates].filter((id) => named.has(id)));
      }
    }

    const wanted = foldTrimmed(query);
    const mayBeExact = this.#exact.mightHold(wanted);
    const exact = new Set<string>();
    const whole = new Set<string>();
    const rest = new Set<string>();
    for (const id of candidates) {
      if (!words.every((word) => this.#holders.holds(word, id))) rest.add(id);
      // An exact email, login or ref is made of the query's words, each whole.
      else if (mayBeExact && this.#isExactly(id, wanted)) exact.add(id);
      else whole.add(id);
    }
    return [...this.#inNameOrder(exact), ...this.#inNameOrder(whole), ...this.#inNameOrder(rest)];
  }

  /** The words that start with `prefix` (from `start`, before `end`), and how many users they name. */
  #prefixRange(prefix: string): { start: number; end: number; users: number } {
    const words = this.#words.values();
    const start = this.#words.indexFrom(prefix);
    let end = start;
    let users = 0;
    while (end < words.length && words[end]!.startsWith(prefix)) {
      users += this.#holders.count(words[end]!);
      end += 1;
    }
    return { start, end, users };
  }

  /** The users the words of a range name. */
  #usersOf(range: { start: number; end: number }): Set<string> {
    const found = new Set<string>();
    const words = this.#words.values();
    for (let at = range.start; at < range.end; at += 1) {
      for (const id of this.#holders.ids(words[at]!)) found.add(id);
    }
    return found;
  }

  /** The candidates with a word that starts with `prefix`, read from their records. */
  #withWordStartingWith(candidates: ReadonlySet<string>, prefix: string): Set<string> {
    const kept = new Set<string>();
    for (const id of candidates) {
      const user = this.#userOf(id);
      if (user && wordsOf(documentText(user)).some((word) => word.startsWith(prefix))) kept.add(id);
    }
    return kept;
  }

  #isExactly(id: string, wanted: string): boolean {
    const user = this.#userOf(id);
    return user !== undefined && exactKeysOf(user).includes(wanted);
  }
}

/** The folded words of a text, as the index holds them. */
function wordsOf(text: string): string[] {
  return text
    .split(WORD_SEPARATORS)
    .map((word) => foldForSearch(word))
    .filter((word) => word !== '');
}

/** The words a user is found by: its name, email, login and ref. */
function documentText(user: UserModel): string {
  return [user.displayName, user.email, user.login, user.ref].filter(Boolean).join(' ');
}

const foldTrimmed = (value: string) => foldForSearch(value.trim());

/** The values a query must equal, folded, to be an exact match of the user: its email, login and ref. */
function exactKeysOf(user: UserModel): string[] {
  return [user.email, user.login, user.ref]
    .filter((value): value is string => value !== null)
    .map((value) => foldTrimmed(value));
}

/**
 * Whether some user may have a value, in 4 MiB whatever the number of users: each value counts in
 * two of four million slots (by two hashes of it), and a value none of whose slots is empty may
 * be held (the search then reads the candidates' records to know). A slot that reaches 255 stays
 * there, so that a count never goes below what is held. With 400,000 values, one query in some
 * forty finds both its slots taken by others.
 */
class CountingFilter {
  static readonly SLOTS = 1 << 22;
  readonly #counts = new Uint8Array(CountingFilter.SLOTS);

  add(value: string): void {
    for (const slot of slotsOf(value)) {
      const count = this.#counts[slot]!;
      if (count < 255) this.#counts[slot] = count + 1;
    }
  }

  remove(value: string): void {
    for (const slot of slotsOf(value)) {
      const count = this.#counts[slot]!;
      if (count > 0 && count < 255) this.#counts[slot] = count - 1;
    }
  }

  mightHold(value: string): boolean {
    return slotsOf(value).every((slot) => this.#counts[slot]! > 0);
  }
}

/** Two slots of `CountingFilter` for a value: two multiplicative hashes (FNV-1a's and MurmurHash2's constants) of its UTF-16 code units. */
function slotsOf(value: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let at = 0; at < value.length; at += 1) {
    const unit = value.charCodeAt(at);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
  }
  return [(a >>> 0) & (CountingFilter.SLOTS - 1), (b >>> 0) & (CountingFilter.SLOTS - 1)];
}
