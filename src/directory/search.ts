import type { UserModel } from '../models.js';
import { SortedKeys } from './sorted-keys.js';
import { foldForSearch } from './text.js';

/**
 * The users' search index: every word of a query must be the start of a word of the user's name,
 * email, login or ref; case and accents are ignored (`foldForSearch`). Results come in three tiers:
 * users whose email, login or ref is the query (folded), then users who have each word of the query
 * as a whole word, then the other users who match; within a tier, in display-name order (README,
 * "The directory").
 *
 * The index is a map from each folded word to the users who have it, and the words in code-unit
 * order, where a prefix's words lie side by side. It was MiniSearch until the directory had to hold
 * 200,000 users in a few hundred MiB: MiniSearch keeps three Maps for each distinct word, some 600
 * bytes, and most users have a word of their own (an email's number, a ref), so its index took 155
 * MiB there; this one takes about a fifth of it. MiniSearch's relevance (BM25 over names and
 * emails) ordered matches by how short a user's words were, which meant little to someone picking a
 * person; the tiers above say why a user comes first.
 */

/** A word's users: one user id, or several (an array while few, a Set past `ARRAY_LIMIT`). */
type Holders = string | string[] | Set<string>;

/** Past this many users, a word's users are a Set: taking one out of 100,000 must not scan them. */
const ARRAY_LIMIT = 16;

/** Words are split at white space and punctuation (as MiniSearch's tokenizer splits them). */
const WORD_SEPARATORS = /[\s\p{Z}\p{P}]+/u;

/** A user's order within a tier: its sort key (folded display name, then id). */
export type SortKeyOf = (id: string) => string | undefined;

export class UserSearch {
  readonly #holders = new Map<string, Holders>();
  readonly #words = new SortedKeys();
  /** A user by id, for the checks of a query's other words and of exact matches. */
  readonly #userOf: (id: string) => UserModel | undefined;
  readonly #sortKeyOf: SortKeyOf;
  #size = 0;

  constructor(userOf: (id: string) => UserModel | undefined, sortKeyOf: SortKeyOf) {
    this.#userOf = userOf;
    this.#sortKeyOf = sortKeyOf;
  }

  /** How many users the index holds. */
  get size(): number {
    return this.#size;
  }

  /** Adds a user the index does not hold (`delete` it first when it changed). */
  put(user: UserModel): void {
    this.#size += 1;
    for (const word of new Set(wordsOf(documentText(user)))) this.#add(word, user.id);
  }

  /** Takes out a user, as it was put. */
  delete(user: UserModel): void {
    this.#size -= 1;
    for (const word of new Set(wordsOf(documentText(user)))) this.#remove(word, user.id);
  }

  /** Puts the words in order now (`DirectoryIndex.settle`). */
  settle(): void {
    this.#words.values();
  }

  /** The ids that match `query`, best first. */
  search(query: string): string[] {
    const words = [...new Set(wordsOf(query))];
    if (words.length === 0) return [];
    // The longest word is usually the rarest: its prefix range gives the fewest candidates.
    const [pivot, ...others] = [...words].sort((a, b) => b.length - a.length);
    const wanted = foldTrimmed(query);
    const tiers: [exact: string[], whole: string[], rest: string[]] = [[], [], []];
    for (const id of this.#withPrefix(pivot!)) {
      const user = this.#userOf(id);
      if (user === undefined) continue;
      const own = wordsOf(documentText(user));
      if (!others.every((word) => own.some((candidate) => candidate.startsWith(word)))) continue;
      const exact =
        isExactly(user.email, wanted) || isExactly(user.login, wanted) || isExactly(user.ref, wanted);
      const whole = words.every((word) => own.includes(word));
      tiers[exact ? 0 : whole ? 1 : 2].push(id);
    }
    return tiers.flatMap((tier) => this.#inOrder(tier));
  }

  /** The users with a word that starts with `prefix`. */
  #withPrefix(prefix: string): Set<string> {
    const found = new Set<string>();
    const words = this.#words.values();
    for (let at = this.#words.indexFrom(prefix); at < words.length; at += 1) {
      const word = words[at]!;
      if (!word.startsWith(prefix)) break;
      const holders = this.#holders.get(word);
      if (typeof holders === 'string') found.add(holders);
      else if (holders !== undefined) for (const id of holders) found.add(id);
    }
    return found;
  }

  #inOrder(ids: string[]): string[] {
    const keyed = ids.map((id) => ({ id, key: this.#sortKeyOf(id) ?? id }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return keyed.map(({ id }) => id);
  }

  #add(word: string, id: string): void {
    const holders = this.#holders.get(word);
    if (holders === undefined) {
      const own = standalone(word);
      this.#holders.set(own, id);
      this.#words.add(own);
    } else if (typeof holders === 'string') {
      if (holders !== id) this.#holders.set(word, [holders, id]);
    } else if (Array.isArray(holders)) {
      if (holders.includes(id)) return;
      if (holders.length < ARRAY_LIMIT) holders.push(id);
      else this.#holders.set(word, new Set([...holders, id]));
    } else holders.add(id);
  }

  #remove(word: string, id: string): void {
    const holders = this.#holders.get(word);
    if (holders === undefined) return;
    if (typeof holders === 'string') {
      if (holders !== id) return;
      this.#holders.delete(word);
      this.#words.delete(word);
      return;
    }
    if (Array.isArray(holders)) {
      const at = holders.indexOf(id);
      if (at >= 0) holders.splice(at, 1);
    } else holders.delete(id);
    const left = Array.isArray(holders) ? holders.length : holders.size;
    if (left === 1)
      this.#holders.set(word, Array.isArray(holders) ? holders[0]! : holders.values().next().value!);
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

/** `value`, folded, is `wanted` (folding never lengthens a text, so a shorter one cannot be). */
const isExactly = (value: string | null, wanted: string) =>
  value !== null && value.length >= wanted.length && foldTrimmed(value) === wanted;

/**
 * A word as a string of its own: a long word split out of a text may be a slice of it, which would
 * keep the whole text alive for as long as the index holds the word.
 */
function standalone(word: string): string {
  return word.length < 13 ? word : (JSON.parse(JSON.stringify(word)) as string);
}
