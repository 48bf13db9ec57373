import { combineHash, fmix32, hashString, signOf } from '../score/features/index.ts';
import { words } from '../score/words.ts';

export interface HashedFeatureOptions {
  /** Character n-gram orders [min, max] inside `<word>`; `false` for none. */
  charNgrams: false | readonly [number, number];
  seed: number;
}

const FNV_PRIME = 0x01000193;
const LT = 0x3c; // '<'
const GT = 0x3e; // '>'

/**
 * Adds the signed hashed features of `text` into `acc` (its length is the number of buckets):
 * every word (`words`: lowercased letter/mark/digit runs, each CJK character its own word) as
 * `hashString(word, seed)`, every pair of adjacent words as `combineHash(first, second)`, and every
 * character n-gram of `<word>` with order in `charNgrams` (FNV-1a over the code units from a basis of
 * its own, finished with `fmix32`). A feature with hash h adds `signOf(h)` (±1, from a remix of h
 * independent of its bucket) to bucket `h % acc.length`.
 */
export function addFeatures(
  text: string,
  acc: Float64Array,
  { charNgrams, seed }: HashedFeatureOptions,
): void {
  const dim = acc.length;
  const ws = words(text);
  const [lo, hi] = charNgrams === false ? [0, 0] : charNgrams;
  const charBasis = fmix32((seed ^ 0x27d4eb2f) >>> 0);
  let prev = 0;
  for (let w = 0; w < ws.length; w++) {
    const word = ws[w];
    const h = hashString(word, seed);
    acc[h % dim] += signOf(h);
    if (w > 0) {
      const b = combineHash(prev, h);
      acc[b % dim] += signOf(b);
    }
    prev = h;
    const len = word.length + 2;
    for (let i = 0; i + lo <= len && hi > 0; i++) {
      let g = charBasis;
      const end = Math.min(len, i + hi);
      for (let j = i; j < end; j++) {
        const c = j === 0 ? LT : j === len - 1 ? GT : word.charCodeAt(j - 1);
        g = Math.imul(g ^ c, FNV_PRIME);
        if (j - i + 1 >= lo) {
          const f = fmix32(g);
          acc[f % dim] += signOf(f);
        }
      }
    }
  }
}

/**
 * Sublinear term frequency of a bucket's signed count s: sign(s) · (1 + ln |s|), and 0 for s = 0.
 * (Applied per bucket, after signing: colliding features that cancel leave no weight.)
 */
export function sublinear(s: number): number {
  if (s === 0) return 0;
  return s > 0 ? 1 + Math.log(s) : -(1 + Math.log(-s));
}
