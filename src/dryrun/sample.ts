import type { Turn } from '../../schemas/record.ts';
import { dedupText, fmix32, nearNormal } from '../select/dedup/index.ts';

/** Characters per shingle, as near dedup's (MINHASH_DEFAULTS.shingle). */
const SHINGLE = 5;
/** Min-hashes a key is made of, as many as near dedup's LSH band has rows (MINHASH_DEFAULTS.rows). */
const ROWS = 4;
const SALTS = [0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c];

/**
 * A record's place in the dry run's sample: uniform in [0, 1) for every record, and the same for two
 * records with probability J⁴, J the Jaccard similarity of their character 5-shingles in the text
 * near dedup reads (NFKC, lower case, punctuation and whitespace runs as one space).
 *
 * Four seeded min-hashes each pick the record's shingle of least hash (the same in two records with
 * probability J); the key is a hash of the four shingles picked, so it is uniform whatever the
 * record's length, and shared when all four agree, as in one band of near dedup's LSH: exact
 * duplicates always, near duplicates often (J = 0.9: 66%, 0.8: 41%), records that only share a
 * template seldom (J = 0.5: 6%). Sampling the smallest keys then keeps many duplicate groups whole,
 * where sampling records independently would split nearly every pair, and clusters of merely similar
 * records rarely, which would make every projected rate noisy.
 */
export function sampleKey(turns: readonly Turn[], seed: number): number {
  const text = nearNormal(dedupText(turns));
  const last = Math.max(0, text.length - SHINGLE);
  const mins = [Infinity, Infinity, Infinity, Infinity];
  const picked = [0, 0, 0, 0];
  for (let i = 0; i <= last; i++) {
    let h = 0x811c9dc5;
    const end = Math.min(text.length, i + SHINGLE);
    for (let j = i; j < end; j++) h = Math.imul(h ^ text.charCodeAt(j), 0x01000193);
    for (let r = 0; r < ROWS; r++) {
      const v = fmix32(h ^ SALTS[r]) >>> 0;
      if (v < mins[r]) {
        mins[r] = v;
        picked[r] = h;
      }
    }
  }
  let hi = fmix32(seed ^ 0x5bd1e995);
  for (let r = 0; r < ROWS; r++) hi = fmix32(Math.imul(hi ^ picked[r], 0x9e3779b1) ^ r);
  const lo = fmix32(hi ^ 0x27d4eb2f);
  return ((hi >>> 0) * 2 ** 21 + ((lo >>> 0) >>> 11)) / 2 ** 53;
}

interface Entry<T> {
  key: number;
  /** Input order, which breaks ties between equal keys (exact duplicates) and orders the sample. */
  order: number;
  item: T;
}

/**
 * The `size` items of smallest key (a hash-uniform sample), offered one at a time in input order;
 * memory stays under 2 × size items. Items with equal keys (a duplicate group) are kept or dropped
 * together, so a group at the boundary can make the sample larger than `size`.
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
