import { fmix32 } from '../../util/fmix32.ts';

/**
 * Which candidates get the expensive (model) score: a uniform sample by a per-record key u ∈ [0, 1)
 * (`hashUniform` of the content hash, so a record is sampled the same way in every job), topped up so
 * that every cluster has at least `min` sampled records.
 *
 * A record of cluster c is sampled iff `u <= t_c`, with t_c = max(rate, the min-th smallest key of c)
 * — or 1 (everything) when c has fewer than `min` records. The keys each cluster needs travel as
 * small per-shard lists: `lowestKeys` per shard, `mergeLowest` (associative and commutative) to
 * combine them, `sampleThresholds` once at the end.
 */

function checkMin(min: number): void {
  if (!Number.isInteger(min) || min < 0) throw new RangeError('min must be a non-negative integer');
}

function checkKey(u: number): void {
  if (!(u >= 0 && u < 1)) throw new RangeError('keys must be in [0, 1)');
}

/** `list` (ascending, at most `min` long) with `u` inserted, still at most `min` long. */
function insertLowest(list: number[], u: number, min: number): void {
  if (min === 0 || (list.length === min && !(u < list[min - 1]))) return;
  let at = list.length;
  while (at > 0 && list[at - 1] > u) at--;
  list.splice(at, 0, u);
  if (list.length > min) list.pop();
}

/** One shard's part: for each cluster 0..k-1, its `min` smallest keys, ascending. */
export function lowestKeys(
  cluster: ArrayLike<number>,
  key: ArrayLike<number>,
  k: number,
  min: number,
): number[][] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError('k must be a positive integer');
  checkMin(min);
  if (cluster.length !== key.length) throw new RangeError('cluster and key must have the same length');
  const out: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < key.length; i++) {
    const c = cluster[i];
    if (!Number.isInteger(c) || c < 0 || c >= k)
      throw new RangeError('cluster ids must be integers in [0, k)');
    checkKey(key[i]);
    insertLowest(out[c], key[i], min);
  }
  return out;
}

/** Two parts combined: per cluster, the `min` smallest keys of both, ascending. */
export function mergeLowest(a: number[][], b: number[][], min: number): number[][] {
  checkMin(min);
  if (a.length !== b.length) throw new RangeError('cannot merge key lists of different cluster counts');
  return a.map((x, c) => {
    const y = b[c];
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (out.length < min && (i < x.length || j < y.length)) {
      out.push(j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i++] : y[j++]);
    }
    return out;
  });
}

/** Per cluster t_c: sample a record of c iff its key is `<= t_c` (see `isSampled`). */
export function sampleThresholds(lowest: number[][], rate: number, min: number): number[] {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError('rate must be in [0, 1]');
  checkMin(min);
  return lowest.map((keys) => {
    if (min === 0) return rate;
    if (keys.length < min) return 1;
    return Math.max(rate, keys[min - 1]);
  });
}

/** The sampling rule, in one place: inclusive, so a cluster's min-th smallest key is sampled. */
export function isSampled(key: number, threshold: number): boolean {
  return key <= threshold;
}

/**
 * The audit key of a record, uniform in [0, 1): from hex digits 12–23 of its content hash (the
 * sampling key `hashUniform` reads digits 0–11, so the two are independent) mixed with the recipe's
 * seed. The audit takes the unsampled candidates of smallest audit key.
 */
export function auditKey(hash: string, seed: number): number {
  if (hash.length < 24) throw new RangeError('the content hash must have at least 24 hex digits');
  const s = fmix32((seed >>> 0) ^ 0x5bd1e995);
  const hi = fmix32(Number.parseInt(hash.slice(12, 18), 16) ^ s);
  const lo = fmix32(Number.parseInt(hash.slice(18, 24), 16) ^ Math.imul(hi, 0x9e3779b9) ^ s);
  return (hi * 2 ** 21 + (lo >>> 11)) / 2 ** 53;
}

/** The `n` smallest of `keys`, ascending (one shard's part of the audit plan). */
export function smallest(keys: Iterable<number>, n: number): number[] {
  checkMin(n);
  const out: number[] = [];
  for (const u of keys) {
    checkKey(u);
    insertLowest(out, u, n);
  }
  return out;
}

/**
 * The audit threshold from every shard's `smallest` list: an unsampled candidate is audited iff its
 * audit key is `<=` it. -1 (nobody) for an audit of 0, 1 (every unsampled candidate) when fewer exist.
 */
export function auditThreshold(parts: readonly number[][], n: number): number {
  checkMin(n);
  if (n === 0) return -1;
  const merged = parts.map((p) => [p]).reduce((a, b) => mergeLowest(a, b, n), [[]])[0];
  return merged.length < n ? 1 : merged[n - 1];
}
