import type { EdgeList } from './edge-list.ts';
import { jaccardOfMatches } from './minhash.ts';

/** Near edges one member gets in one band bucket, at most. */
export const MAX_EDGES = 2;

/** Buckets up to this size find an identical sketch by scanning; larger ones through a hash. */
const SCAN = 8;

/**
 * Verification inside band buckets, over the partition's flat sketch column (entry i at i·len).
 * Sketches are compared in place, four bytes at a time when the length allows, and a pair matches
 * when it agrees in at least `minMatches` bytes: the fewest whose estimateJaccard reaches the
 * threshold, found with the same function, so the decisions are estimateJaccard's.
 */
export class BandVerifier {
  private readonly sketch: Uint8Array;
  private readonly len: number;
  private readonly maxCompare: number;
  private readonly words: Uint32Array | undefined;
  private readonly minMatches: number;
  private reps = new Uint32Array(64);
  private next = new Int32Array(64);
  private readonly heads = new Map<number, number>();

  constructor(sketch: Uint8Array, len: number, threshold: number, maxCompare: number) {
    this.sketch = sketch;
    this.len = len;
    this.maxCompare = maxCompare;
    // Whole words: view them as u32 (byte equality does not depend on endianness).
    this.words =
      len % 4 === 0 && sketch.byteOffset % 4 === 0 && sketch.byteLength % 4 === 0
        ? new Uint32Array(sketch.buffer, sketch.byteOffset, sketch.byteLength / 4)
        : undefined;
    let m = 0;
    while (m <= len && !(jaccardOfMatches(m, len) >= threshold)) m++;
    this.minMatches = m; // len + 1: nothing matches
  }

  /** Bytes in which the sketches of entries x and y agree. */
  matches(x: number, y: number): number {
    const len = this.len;
    const w = this.words;
    if (w) {
      const q = len >>> 2;
      let differ = 0;
      for (let k = 0, a = x * q, b = y * q; k < q; k++) {
        const v = w[a + k] ^ w[b + k];
        // the high bit of each nonzero byte, then their count
        const t = ((((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v) & 0x80808080) >>> 7;
        differ += Math.imul(t, 0x01010101) >>> 24;
      }
      return len - differ;
    }
    const s = this.sketch;
    let m = 0;
    for (let i = 0, a = x * len, b = y * len; i < len; i++) if (s[a + i] === s[b + i]) m++;
    return m;
  }

  /** Whether entries x and y agree in at least minMatches bytes; stops once too many differ. */
  private similar(x: number, y: number): boolean {
    const len = this.len;
    const w = this.words;
    const most = len - this.minMatches; // bytes that may differ
    if (most < 0) return false;
    if (!w) return this.matches(x, y) >= this.minMatches;
    const q = len >>> 2;
    let differ = 0;
    for (let k = 0, a = x * q, b = y * q; k < q; k++) {
      const v = w[a + k] ^ w[b + k];
      const t = ((((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v) & 0x80808080) >>> 7;
      differ += Math.imul(t, 0x01010101) >>> 24;
      if (differ > most) return false;
    }
    return true;
  }

  private same(x: number, y: number): boolean {
    const w = this.words;
    if (!w) return this.matches(x, y) === this.len;
    const q = this.len >>> 2;
    for (let k = 0, a = x * q, b = y * q; k < q; k++) if (w[a + k] !== w[b + k]) return false;
    return true;
  }

  private hash(x: number): number {
    const s = this.sketch;
    let h = 0x811c9dc5;
    for (let i = x * this.len, e = i + this.len; i < e; i++) h = Math.imul(h ^ s[i], 0x01000193);
    return h;
  }

  /**
   * One bucket's `m` distinct members, best first (`list[at, at + m)`). A member whose sketch equals an
   * earlier member's gets one edge to the first such member and is not compared; any other is compared
   * with up to `maxCompare` earlier members of distinct sketches, best first, and gets an edge to each
   * match until it has MAX_EDGES. Returns the comparisons made.
   */
  bucket(list: Uint32Array, at: number, m: number, out: EdgeList): number {
    if (this.reps.length < m) {
      this.reps = new Uint32Array(2 * m);
      this.next = new Int32Array(2 * m);
    }
    const { reps, next, heads, maxCompare } = this;
    const hashed = m > SCAN;
    if (hashed) heads.clear();
    let count = 0;
    let compared = 0;
    for (let t = 0; t < m; t++) {
      const x = list[at + t];
      let same = -1;
      let h = 0;
      if (hashed) {
        h = this.hash(x);
        for (let r = heads.get(h) ?? -1; r >= 0; r = next[r])
          if (this.same(reps[r], x)) {
            same = reps[r];
            break;
          }
      } else {
        for (let r = 0; r < count; r++)
          if (this.same(reps[r], x)) {
            same = reps[r];
            break;
          }
      }
      if (same >= 0) {
        out.add(same, x, 1);
        continue;
      }
      // At most MAX_EDGES edges per member and bucket, to its best-ranked matches: resolve keeps a
      // record when none of its matches was kept, so more edges add little, and templated data (every
      // record similar to thousands) would otherwise grow the edges quadratically.
      let found = 0;
      for (let r = 0; r < count && r < maxCompare && found < MAX_EDGES; r++) {
        compared++;
        if (this.similar(reps[r], x)) {
          out.add(reps[r], x, 1);
          found++;
        }
      }
      reps[count] = x;
      next[count] = -1;
      if (hashed) {
        const head = heads.get(h);
        if (head === undefined) heads.set(h, count);
        else {
          let r = head;
          while (next[r] >= 0) r = next[r];
          next[r] = count;
        }
      }
      count++;
    }
    return compared;
  }
}
