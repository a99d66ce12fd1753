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
  /** The keys in order, as of the last read (plus in-place changes since). */
  #sorted: string[] = [];
  /** Changes not yet in `#sorted`, once too many came for in-place: true added, false removed. */
  readonly #pending = new Map<string, boolean>();
  /** Changes since the last read; past `IN_PLACE_LIMIT` they wait in `#pending`. */
  #changes = 0;
  #size = 0;

  static readonly IN_PLACE_LIMIT = 64;

  get size(): number {
    return this.#size;
  }

  /** Adds a key the set does not hold. */
  add(key: string): void {
    this.#size += 1;
    if (this.#inPlace()) this.#sorted.splice(lowerBound(this.#sorted, key), 0, key);
    else this.#pending.set(key, true);
  }

  /** Removes a key the set holds. */
  delete(key: string): void {
    this.#size -= 1;
    if (this.#inPlace()) {
      const at = lowerBound(this.#sorted, key);
      if (this.#sorted[at] === key) this.#sorted.splice(at, 1);
    } else this.#pending.set(key, false);
  }

  /** The index of the first key after `key` (0 for none). */
  indexAfter(key: string | undefined): number {
    if (key === undefined) return 0;
    const sorted = this.values();
    const at = lowerBound(sorted, key);
    return sorted[at] === key ? at + 1 : at;
  }

  /** The index of the first key at or after `key`: where the keys that start with it begin. */
  indexFrom(key: string): number {
    return lowerBound(this.values(), key);
  }

  /** Every key, in order. */
  values(): readonly string[] {
    if (this.#pending.size > 0) {
      const old = this.#sorted;
      const kept = old.filter((key) => this.#pending.get(key) !== false);
      for (const [key, added] of this.#pending) {
        // A key removed and added again while pending may still be in the old order.
        if (added && old[lowerBound(old, key)] !== key) kept.push(key);
      }
      this.#sorted = kept.sort();
      this.#pending.clear();
    }
    this.#changes = 0;
    return this.#sorted;
  }

  #inPlace(): boolean {
    if (this.#pending.size > 0) return false;
    this.#changes += 1;
    return this.#changes <= SortedKeys.IN_PLACE_LIMIT;
  }
}

function lowerBound(sorted: readonly string[], key: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < key) low = middle + 1;
    else high = middle;
  }
  return low;
}
