import type { Turn } from '../../../schemas/record.ts';
import {
  fieldTexts,
  fmix32,
  ngramHashes,
  type SparseVector,
  signOf,
  sparseCounts,
  type TextField,
  wordHashes,
} from '../features/index.ts';

export interface FeatureOptions {
  field: TextField;
  buckets: number;
  orders: number[];
  /** `sublinear`: 1 + ln(count); `binary`: 1 per present feature. */
  tf: 'sublinear' | 'binary';
  signed: boolean;
  /** Inverse document frequency per bucket (TF-IDF); absent: every bucket weighs 1. */
  idf?: Float32Array;
}

/**
 * The hashed word n-grams of a record's `field` text(s) (joined by a blank line) as an L2-normalized
 * sparse vector: per bucket sign(c)·(1 + ln|c|) or sign(c) of its (signed) count c, times the
 * bucket's idf when the options carry one.
 */
export function featurize(turns: readonly Turn[], o: FeatureOptions): SparseVector {
  const v = sparseCounts(hashesOf(turns, o), { buckets: o.buckets, signed: o.signed });
  let norm = 0;
  for (let i = 0; i < v.value.length; i++) {
    const c = v.value[i];
    const x =
      Math.sign(c) * (o.tf === 'binary' ? 1 : 1 + Math.log(Math.abs(c))) * (o.idf ? o.idf[v.index[i]] : 1);
    v.value[i] = x;
    norm += x * x;
  }
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.value.length; i++) v.value[i] *= inv;
  }
  return v;
}

/** Document frequency per bucket over `records`, as smooth idf: ln((1 + n)/(1 + df)) + 1. */
export function bucketIdf(turnsOf: readonly (readonly Turn[])[], o: FeatureOptions): Float32Array {
  const df = new Uint32Array(o.buckets);
  for (const turns of turnsOf) {
    const v = sparseCounts(hashesOf(turns, o), { buckets: o.buckets, signed: o.signed });
    for (const b of v.index) df[b]++;
  }
  const n = turnsOf.length;
  return Float32Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
}

function hashesOf(turns: readonly Turn[], o: FeatureOptions): Uint32Array {
  return ngramHashes(wordHashes(fieldTexts(turns, o.field).join('\n\n')), { orders: o.orders });
}

// Scratch map bucket → count for `featureDot`, reused across calls and cleared after each:
// `slotKey` holds bucket + 1 (0 = empty).
let slotKey = new Uint32Array(1024);
let slotCount = new Int32Array(1024);
let used = new Uint32Array(512);

/**
 * w · featurize(turns) without building the sparse vector (no sort): counts per bucket in a small
 * open-addressing map, then one pass over the touched buckets. Equal to `margin` over `featurize`
 * up to the order of float additions. The scoring fast path.
 */
export function featureDot(turns: readonly Turn[], o: FeatureOptions, weights: ArrayLike<number>): number {
  const hashes = hashesOf(turns, o);
  const n = hashes.length;
  if (slotKey.length < 2 * n) {
    let cap = slotKey.length;
    while (cap < 2 * n) cap *= 2;
    slotKey = new Uint32Array(cap);
    slotCount = new Int32Array(cap);
    used = new Uint32Array(cap / 2);
  }
  const mask = slotKey.length - 1;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const key = (hashes[i] % o.buckets) + 1;
    let s = fmix32(key) & mask;
    while (slotKey[s] !== 0 && slotKey[s] !== key) s = (s + 1) & mask;
    if (slotKey[s] === 0) {
      slotKey[s] = key;
      used[m++] = s;
    }
    slotCount[s] += o.signed && signOf(hashes[i]) < 0 ? -1 : 1;
  }
  let dot = 0;
  let norm = 0;
  for (let k = 0; k < m; k++) {
    const s = used[k];
    const c = slotCount[s];
    const b = slotKey[s] - 1;
    slotKey[s] = 0;
    slotCount[s] = 0;
    if (c === 0) continue;
    const x = Math.sign(c) * (o.tf === 'binary' ? 1 : 1 + Math.log(Math.abs(c))) * (o.idf ? o.idf[b] : 1);
    dot += weights[b] * x;
    norm += x * x;
  }
  return norm > 0 ? dot / Math.sqrt(norm) : 0;
}
