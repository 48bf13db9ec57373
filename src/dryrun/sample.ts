import type { Turn } from '../../schemas/record.ts';
import { dedupText, exactNormal, hash64 } from '../select/dedup/index.ts';

/**
 * A record's place in the dry run's sample: a seeded 53-bit hash of its text as exact dedup compares
 * it (NFKC, lower case, whitespace collapsed). Exact duplicates get the same key, so a duplicate group
 * is sampled whole or not at all, and the sample's exact-duplicate rate is the dataset's.
 */
export function sampleKey(turns: readonly Turn[], seed: number): number {
  const [hi, lo] = hash64(`${seed}\u0000${exactNormal(dedupText(turns))}`);
  return hi * 2 ** 21 + (lo >>> 11);
}

interface Entry<T> {
  key: number;
  /** Input order, which breaks ties between equal keys (exact duplicates) and orders the sample. */
  order: number;
  item: T;
}

/**
 * The `size` items of smallest key (a hash-uniform sample), offered one at a time in input order;
 * memory stays under 2 × size items. Items with equal keys (one duplicate group) are kept or dropped
 * together, so the sample may end a group larger than `size`.
 */
export class HashSample<T> {
  private entries: Entry<T>[] = [];
  private order = 0;
  /** Keys above this cannot be in the sample (after a trim). */
  private bound = Number.POSITIVE_INFINITY;

  private readonly size: number;

  constructor(size: number) {
    this.size = size;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be an integer ≥ 1, got ${size}`);
  }

  offer(key: number, item: T): void {
    const order = this.order++;
    if (key > this.bound) return;
    this.entries.push({ key, order, item });
    if (this.entries.length >= 2 * this.size) this.trim();
  }

  /** The sample, in input order. */
  items(): T[] {
    this.trim();
    return this.entries.sort((a, b) => a.order - b.order).map((e) => e.item);
  }

  private trim(): void {
    const e = this.entries.sort((a, b) => a.key - b.key || a.order - b.order);
    if (e.length <= this.size) return;
    let end = this.size;
    // A duplicate group straddling the boundary stays whole.
    while (end < e.length && e[end].key === e[end - 1].key) end++;
    this.bound = e[end - 1].key;
    e.length = end;
  }
}
