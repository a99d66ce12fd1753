/** The seeded PRNG every draw of the demo organisation comes from, and the ids drawn from it. */

/** mulberry32: tiny, fast, and good enough for demo data. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return at(items, Math.floor(this.next() * items.length));
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += String(Math.floor(this.next() * 10));
    return out;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [at(items, j), at(items, i)];
    }
    return items;
  }
}

export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`seed: no item at index ${index} of ${items.length}`);
  return item;
}

export class Ids {
  private readonly used = new Set<string>();

  constructor(private readonly random: Random) {}

  /** A version-1-looking UUID like iSpring's (`f29d887c-5cff-11e9-9e6a-0a580af40692`). */
  uuid(): string {
    const r = this.random;
    return this.unique(
      () =>
        `${r.hex(8)}-${r.hex(4)}-11e${r.pick(['9', 'a', 'b', 'c'])}-${r.pick(['8', '9', 'a', 'b'])}${r.hex(3)}-${r.hex(12)}`,
    );
  }

  /** A 24-hex Mongo-style id like Thrive's (`646767d82535201223349e09`). */
  objectId(): string {
    const r = this.random;
    return this.unique(() => `6${r.pick(['3', '4', '5'])}${r.hex(6)}${r.hex(16)}`);
  }

  private unique(make: () => string): string {
    for (;;) {
      const id = make();
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}
