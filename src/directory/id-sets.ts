/**
 * Ids by key: a manager's reports, a department's or group's members, an email's accounts, a
 * search word's users. Most keys hold one id (an email, a ref's word, most managers' single report):
 * that id is kept as itself; a few are kept in an array, and a Set is made only past `ARRAY_LIMIT`,
 * so that taking one id out of a key with 100,000 (an email domain's word) does not scan them. At
 * 200,000 users this saves some hundreds of thousands of Sets.
 */
const NONE: readonly string[] = Object.freeze([]);

export class IdSets {
  readonly #held = new Map<string, string | string[] | Set<string>>();

  /** Past this many ids, a key's ids are a Set. */
  static readonly ARRAY_LIMIT = 16;

  /** Adds `id` under `key` (nothing for a null key); true when the key held no id before. */
  add(key: string | null, id: string): boolean {
    if (key === null) return false;
    const held = this.#held.get(key);
    if (held === undefined) {
      this.#held.set(key, id);
      return true;
    }
    if (typeof held === 'string') {
      if (held !== id) this.#held.set(key, [held, id]);
    } else if (Array.isArray(held)) {
      if (held.includes(id)) return false;
      if (held.length < IdSets.ARRAY_LIMIT) held.push(id);
      else this.#held.set(key, new Set([...held, id]));
    } else held.add(id);
    return false;
  }

  /** Takes `id` from under `key`; true when the key holds no id after it (and is gone). */
  delete(key: string | null, id: string): boolean {
    if (key === null) return false;
    const held = this.#held.get(key);
    if (held === undefined) return false;
    if (typeof held === 'string') {
      if (held !== id) return false;
      this.#held.delete(key);
      return true;
    }
    if (Array.isArray(held)) {
      const at = held.indexOf(id);
      if (at >= 0) held.splice(at, 1);
    } else held.delete(id);
    const left = Array.isArray(held) ? held.length : held.size;
    if (left === 1) this.#held.set(key, Array.isArray(held) ? held[0]! : held.values().next().value!);
    return false;
  }

  /**
   * The ids under `key`, in the order they were added: the held array or Set itself (not a copy,
   * and no generator: a search walks 200,000 of them), to be read before the next change.
   */
  ids(key: string): Iterable<string> {
    const held = this.#held.get(key);
    if (held === undefined) return NONE;
    return typeof held === 'string' ? [held] : held;
  }

  /** How many ids are under `key`. */
  count(key: string): number {
    const held = this.#held.get(key);
    if (held === undefined) return 0;
    if (typeof held === 'string') return 1;
    return Array.isArray(held) ? held.length : held.size;
  }

  /** Whether `id` is under `key`. */
  holds(key: string, id: string): boolean {
    const held = this.#held.get(key);
    if (held === undefined) return false;
    if (typeof held === 'string') return held === id;
    return Array.isArray(held) ? held.includes(id) : held.has(id);
  }

  /** Whether any id is under `key`. */
  has(key: string): boolean {
    return this.#held.has(key);
  }

  keys(): IterableIterator<string> {
    return this.#held.keys();
  }
}
