import { checkBuckets, signOf } from './hashed-ngrams.ts';

/** A sparse vector: strictly increasing `index` and its `value`s. */
export interface SparseVector {
  index: Uint32Array;
  value: Float64Array;
}

export interface SparseCountOptions {
  buckets: number;
  /** Add `signOf(hash)` instead of 1, so colliding features tend to cancel rather than pile up. */
  signed?: boolean;
}

/**
 * Counts of n-gram hashes per bucket, as a sparse vector sorted by bucket. Signed counts can be zero
 * (a +1 and a -1 in one bucket); such buckets are dropped.
 */
export function sparseCounts(
  hashes: Uint32Array,
  { buckets, signed = false }: SparseCountOptions,
): SparseVector {
  checkBuckets(buckets);
  const n = hashes.length;
  // Key = bucket * 2 + (1 for a negative sign): < 2^32 since buckets ≤ 2^31, so one numeric sort groups them.
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const b = hashes[i] % buckets;
    keys[i] = signed && signOf(hashes[i]) < 0 ? b * 2 + 1 : b * 2;
  }
  keys.sort();
  const index = new Uint32Array(n);
  const value = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; ) {
    const b = keys[i] >>> 1;
    let v = 0;
    for (; i < n && keys[i] >>> 1 === b; i++) v += keys[i] & 1 ? -1 : 1;
    if (v !== 0) {
      index[m] = b;
      value[m++] = v;
    }
  }
  return { index: index.slice(0, m), value: value.slice(0, m) };
}
