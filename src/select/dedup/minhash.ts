import { fmix32 } from './normalize.ts';

export interface MinHashParams {
  /** LSH bands; a pair becomes a candidate when all `rows` min-values of some band agree. */
  bands: number;
  /** Min-values per band. */
  rows: number;
  /** Bytes of the verification sketch (one 8-bit min-hash each). */
  sketch: number;
  /** Characters per shingle. */
  shingle: number;
}

/**
 * Candidate probability 1-(1-J^4)^16: 0.34 at J = 0.4, 0.64 at 0.5, 0.89 at 0.6, 0.99 at 0.7.
 * Character 5-grams: one dropped or swapped word in an Alpaca record leaves J ≥ 0.7 (median ≈ 0.95).
 * 32 sketch bytes keep an entry at 53 bytes and verify with σ ≈ 0.08 at J = 0.7 (64 bytes halved the
 * clean flags on Alpaca, 0.07% → 0.03%, for 60% more shuffle bytes). Measured on alpaca-random-9k: see
 * dedup-alpaca.test.ts.
 */
export const MINHASH_DEFAULTS: MinHashParams = Object.freeze({ bands: 16, rows: 4, sketch: 32, shingle: 5 });

export interface Signature {
  /** bands*2 u32: per band a 64-bit key (hi, lo) hashed from the band's `rows` min-values AND the band index. */
  bands: Uint32Array;
  /** `sketch` bytes: b-bit (8-bit) min-hashes from hash functions independent of the bands', for verification. */
  sketch: Uint8Array;
}

const BASE = 0x01000193; // odd multiplier of the rolling polynomial shingle hash
const TO_UNIT = 1 / 4294967296;
const scratch = new Map<number, { min: Float64Array; filled: Uint8Array }>();

/** Reused bin minima for one of the two hashes (`slot`), reset to +∞. */
function bins(slot: number, k: number) {
  let s = scratch.get(slot * 8192 + k);
  if (!s) scratch.set(slot * 8192 + k, (s = { min: new Float64Array(k), filled: new Uint8Array(k) }));
  s.min.fill(Number.POSITIVE_INFINITY);
  return s;
}

const checked = new WeakSet<MinHashParams>();
let text = new Uint16Array(4096); // minhashSignature's code units

/**
 * Throws a RangeError unless every parameter is an integer in [1, 4096], bands in [0, 4096] (0: exact
 * dedup only, no band entries), remembered per params object.
 */
export function checkParams(p: MinHashParams): void {
  if (checked.has(p)) return;
  for (const key of ['bands', 'rows', 'sketch', 'shingle'] as const) {
    const v = p[key];
    const min = key === 'bands' ? 0 : 1;
    if (!Number.isInteger(v) || v < min || v > 4096)
      throw new RangeError(`${key} must be an integer in [${min}, 4096]`);
  }
  if (p.bands * p.rows > 65536) throw new RangeError('bands × rows must be at most 65536');
  checked.add(p);
}

/**
 * Character shingles of nearText (a text shorter than `shingle` is one shingle; the empty text has a fixed
 * signature). One-permutation hashing: each shingle gets one 32-bit rolling hash, mixed twice into two
 * independent 32-bit hashes; the first picks one of bands·rows bins (by its high bits) and keeps the bin
 * minimum, the second does the same over `sketch` bins. Empty bins are filled by optimal densification
 * (Shrivastava 2017: probe a fixed pseudo-random sequence of bins, copy the first originally non-empty
 * one), so the cost is O(shingles + bins). Throughput on alpaca-random-9k (374 chars per record), Node 22,
 * one core of a loaded 2-vCPU VM: dedupText + nearNormal + this ≈ 60–90k records/s; with exactNormal +
 * hash64 too ≈ 45–70k records/s. This loop is ~2/3 of it, the normalization the rest.
 */
export function minhashSignature(nearText: string, p: MinHashParams = MINHASH_DEFAULTS): Signature {
  const n = nearText.length;
  if (text.length < n) text = new Uint16Array(2 * n);
  for (let i = 0; i < n; i++) text[i] = nearText.charCodeAt(i);
  return minhashCodes(text, n, p);
}

/** minhashSignature of the text in codes[0, n) (normalCodes' `near`). */
export function minhashCodes(codes: Uint16Array, n: number, p: MinHashParams = MINHASH_DEFAULTS): Signature {
  checkParams(p);
  const sig = { bands: new Uint32Array(p.bands * 2), sketch: new Uint8Array(p.sketch) };
  minhashInto(codes, n, p, sig.bands, 0, sig.sketch, 0);
  return sig;
}

/**
 * minhashCodes written into columns instead of new arrays (prepare: no allocation per record): the
 * band keys at bands[bandsAt, bandsAt + 2·p.bands), the sketch at sketch[sketchAt, sketchAt + p.sketch).
 */
export function minhashInto(
  codes: Uint16Array,
  n: number,
  p: MinHashParams,
  bandsOut: Uint32Array,
  bandsAt: number,
  sketchOut: Uint8Array,
  sketchAt: number,
): void {
  checkParams(p);
  const k1 = p.bands * p.rows;
  const k2 = p.sketch;
  const a = bins(0, k1);
  const b = bins(1, k2);
  const minA = a.min;
  const minB = b.min;
  // The bin is the hash's top bits: a shift when the bin count is a power of two (0: multiply instead).
  const shiftA = k1 > 1 && (k1 & (k1 - 1)) === 0 ? 32 - Math.log2(k1) : 0;
  const shiftB = k2 > 1 && (k2 & (k2 - 1)) === 0 ? 32 - Math.log2(k2) : 0;
  const w = Math.min(p.shingle, n);
  let top = 1; // BASE^(w-1) mod 2^32, to roll the first character out
  for (let i = 1; i < w; i++) top = Math.imul(top, BASE);
  // A text shorter than a shingle is one shingle; its length is mixed in so it differs from a full one.
  let poly = n < p.shingle ? Math.imul(n + 1, 0x9e3779b1) : 0;
  for (let i = 0; i < w; i++) poly = (Math.imul(poly, BASE) + codes[i]) | 0;
  for (let i = w; ; i++) {
    let x = poly ^ 0x5bd1e995; // fmix32, inlined: this loop is the hot path
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    x = (x ^ (x >>> 16)) >>> 0;
    let y = Math.imul(poly, 0x2545f491) ^ 0x68e31da4;
    y = Math.imul(y ^ (y >>> 16), 0x85ebca6b);
    y = Math.imul(y ^ (y >>> 13), 0xc2b2ae35);
    y = (y ^ (y >>> 16)) >>> 0;
    const bx = shiftA ? x >>> shiftA : (x * k1 * TO_UNIT) | 0;
    if (x < minA[bx]) minA[bx] = x;
    const by = shiftB ? y >>> shiftB : (y * k2 * TO_UNIT) | 0;
    if (y < minB[by]) minB[by] = y;
    if (i >= n) break;
    poly = (Math.imul(poly - Math.imul(codes[i - w], top), BASE) + codes[i]) | 0;
  }
  densify(minA, a.filled, 0x1d8e4e27);
  densify(minB, b.filled, 0x3c6ef372);

  for (let band = 0; band < p.bands; band++) {
    let h1 = Math.imul(band + 1, 0x9e3779b1);
    let h2 = Math.imul(band + 1, 0x85ebca77) ^ 0x27d4eb2f;
    for (let r = 0; r < p.rows; r++) {
      const v = minA[band * p.rows + r];
      h1 = Math.imul(h1 ^ v, 0xcc9e2d51);
      h1 = (h1 << 15) | (h1 >>> 17);
      h2 = Math.imul(h2 ^ v, 0x1b873593);
      h2 = (h2 << 13) | (h2 >>> 19);
    }
    h1 = fmix32(h1 ^ Math.imul(h2, 0x2c1b3c6d));
    bandsOut[bandsAt + band * 2] = h1;
    bandsOut[bandsAt + band * 2 + 1] = fmix32(h2 ^ h1);
  }
  for (let i = 0; i < k2; i++) sketchOut[sketchAt + i] = minB[i] & 0xff;
}

/** Fills each empty bin with the value of the first originally non-empty bin on its probe sequence. */
function densify(min: Float64Array, filled: Uint8Array, seed: number): void {
  const k = min.length;
  let empty = 0;
  for (let i = 0; i < k; i++) {
    filled[i] = min[i] === Number.POSITIVE_INFINITY ? 0 : 1;
    empty += 1 - filled[i];
  }
  if (empty === 0) return;
  for (let i = 0; i < k; i++) {
    if (filled[i]) continue;
    let found = -1;
    for (let attempt = 1; attempt <= 8 * k && found < 0; attempt++) {
      const j =
        ((fmix32(Math.imul(i, 0x9e3779b1) ^ Math.imul(attempt, 0x85ebca77) ^ seed) >>> 0) * k * TO_UNIT) | 0;
      if (filled[j]) found = j;
    }
    for (let step = 1; found < 0; step++) if (filled[(i + step) % k]) found = (i + step) % k;
    min[i] = min[found];
  }
}

/** Jaccard estimate from two sketches, corrected for 8-bit collisions ((m/n - 1/256)/(1 - 1/256), clamped to [0,1]). */
export function estimateJaccard(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`sketch lengths differ (${a.length} vs ${b.length})`);
  if (a.length === 0) return 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) m++;
  return jaccardOfMatches(m, a.length);
}

/** The Jaccard estimate of two `length`-byte sketches that agree in `matches` bytes (see estimateJaccard). */
export function jaccardOfMatches(matches: number, length: number): number {
  const j = (matches / length - 1 / 256) / (1 - 1 / 256);
  return Math.min(Math.max(j, 0), 1);
}
