/**
 * A set of strings kept in code-unit order, for lists that page by key: a page starts after the
 * last key of the one before, so that every item is yielded once even while the set changes
 * between pages (an item added behind the cursor is simply not seen by that walk).
 *
 * A change or two between reads (a webhook's) is applied in place; many (a full sync's) mark the
 * order stale, and the next read sorts once: inserting 100,000 keys one by one would move the
 * array's tail 100,000 times.
 */
export class SortedKeys {
  readonly #set = new Set<string>();
  #sorted: string[] = [];
  #stale = false;
  /** Changes since the last read; past `IN_PLACE_LIMIT` the order goes stale. */
  #pending = 0;

  static readonly IN_PLACE_LIMIT = 64;

  get size(): number {
    return this.#set.size;
  }

  add(key: string): void {
    if (this.#set.has(key)) return;
    this.#set.add(key);
    if (this.#inPlace()) this.#sorted.splice(this.#lowerBound(key), 0, key);
  }

  delete(key: string): void {
    if (!this.#set.delete(key)) return;
    if (this.#inPlace()) {
      const at = this.#lowerBound(key);
      if (this.#sorted[at] === key) this.#sorted.splice(at, 1);
    }
  }

  /** The index of the first key after `key` (0 for none). */
  indexAfter(key: string | undefined): number {
    if (key === undefined) return 0;
    const sorted = this.values();
    const at = this.#lowerBound(key);
    return sorted[at] === key ? at + 1 : at;
  }

  /** Every key, in order. */
  values(): readonly string[] {
    if (this.#stale) {
      this.#sorted = [...this.#set].sort();
      this.#stale = false;
    }
    this.#pending = 0;
    return this.#sorted;
  }

  #inPlace(): boolean {
    if (this.#stale) return false;
    this.#pending += 1;
    if (this.#pending <= SortedKeys.IN_PLACE_LIMIT) return true;
    this.#stale = true;
    return false;
  }

  #lowerBound(key: string): number {
    const sorted = this.#sorted;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle]! < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
