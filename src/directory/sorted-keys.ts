/**
 * A set of strings kept in code-unit order, for lists that page by key: a page starts after the
 * last key of the one before, so that every item is yielded once even while the set changes
 * between pages (an item added behind the cursor is simply not seen by that walk).
 */
export class SortedKeys {
  readonly #keys: string[] = [];

  get size(): number {
    return this.#keys.length;
  }

  /** Builds the set from keys in any order (one sort instead of n insertions). */
  static from(keys: Iterable<string>): SortedKeys {
    const sorted = new SortedKeys();
    sorted.#keys.push(...new Set(keys));
    sorted.#keys.sort(compareKeys);
    return sorted;
  }

  add(key: string): void {
    const at = this.#lowerBound(key);
    if (this.#keys[at] !== key) this.#keys.splice(at, 0, key);
  }

  delete(key: string): void {
    const at = this.#lowerBound(key);
    if (this.#keys[at] === key) this.#keys.splice(at, 1);
  }

  /** The index of the first key after `key` (0 for none). */
  indexAfter(key: string | undefined): number {
    if (key === undefined) return 0;
    const at = this.#lowerBound(key);
    return this.#keys[at] === key ? at + 1 : at;
  }

  at(index: number): string | undefined {
    return this.#keys[index];
  }

  values(): readonly string[] {
    return this.#keys;
  }

  #lowerBound(key: string): number {
    let low = 0;
    let high = this.#keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#keys[middle]! < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
