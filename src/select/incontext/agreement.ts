import { fmix32 } from '../../util/fmix32.ts';
import { spearman } from '../strategies/metrics.ts';

/**
 * How well the in-context estimate agrees with full scoring, on records the estimator never saw
 * (the audit sample): Spearman correlation (average ranks for ties) and the overlap of the two
 * top-`fraction` sets, where each side's ties are broken by its own seeded random order. A golden
 * score takes only |anchors| + 1 values, so hundreds of records tie at the cut; breaking them by
 * index on both sides would count the same tied records as agreeing.
 */
export interface Agreement {
  compared: number;
  spearman: number;
  topOverlap: number;
}

/** A key in [0, 2³²) per (seed, side, index): a random order of tied values, the same in every run. */
export function tieKey(seed: number, side: number, i: number): number {
  return fmix32(Math.imul(i + 1, 0x9e3779b9) ^ fmix32((seed >>> 0) + Math.imul(side + 1, 0x632be5ab)));
}

/** Indices by value descending; ties in the seeded random order of `side`. */
function byValueDesc(v: ArrayLike<number>, seed: number, side: number): Uint32Array {
  const n = v.length;
  const key = new Uint32Array(n);
  for (let i = 0; i < n; i++) key[i] = tieKey(seed, side, i);
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx.sort((x, y) => (v[y] > v[x] ? 1 : v[y] < v[x] ? -1 : key[x] - key[y] || x - y));
}

/**
 * |top(a) ∩ top(b)| / k, with top the k = round(fraction · n) largest values, ties broken at random
 * with `seed` (independently on each side). Two unrelated rankings overlap by `fraction` on average,
 * with a standard deviation of about (1 − fraction)/√n. NaN when k is 0.
 */
export function seededTopOverlap(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  fraction: number,
  seed: number,
): number {
  if (a.length !== b.length)
    throw new RangeError(`a and b must have the same length, got ${a.length} and ${b.length}`);
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1], got ${fraction}`);
  for (const [v, name] of [
    [a, 'a'],
    [b, 'b'],
  ] as const) {
    for (let i = 0; i < v.length; i++) if (Number.isNaN(v[i])) throw new RangeError(`${name}[${i}] is NaN`);
  }
  const k = Math.round(fraction * a.length);
  if (k === 0) return Number.NaN;
  const inA = new Uint8Array(a.length);
  for (const i of byValueDesc(a, seed, 0).subarray(0, k)) inA[i] = 1;
  let both = 0;
  for (const i of byValueDesc(b, seed, 1).subarray(0, k)) both += inA[i];
  return both / k;
}

/** The agreement of `estimate` with `full` over the same records (pairs with a non-finite value left out). */
export function agreement(
  estimate: ArrayLike<number>,
  full: ArrayLike<number>,
  fraction: number,
  seed: number,
): Agreement {
  if (estimate.length !== full.length)
    throw new RangeError(
      `estimate and full must have the same length, got ${estimate.length} and ${full.length}`,
    );
  const e: number[] = [];
  const g: number[] = [];
  for (let i = 0; i < estimate.length; i++) {
    if (Number.isFinite(estimate[i]) && Number.isFinite(full[i])) {
      e.push(estimate[i]);
      g.push(full[i]);
    }
  }
  return {
    compared: e.length,
    spearman: e.length >= 2 ? spearman(e, g) : Number.NaN,
    topOverlap: e.length >= 2 ? seededTopOverlap(g, e, fraction, seed) : Number.NaN,
  };
}
