import { mulberry32 } from '../demo/random.ts';
import type { KmeansStats } from './types.ts';

export interface KmeansUpdate {
  centroids: Float64Array;
  /** Clusters that had no records in these statistics (ascending). */
  empty: number[];
}

/** Relative size of the split perturbation, in units of the per-coordinate RMS spread. */
const SPLIT_SCALE = 1e-3;

/**
 * UPDATE step: new centroids = sums / counts.
 *
 * Empty clusters are re-seeded by splitting the largest ones, without access to the data: the
 * i-th empty cluster (ascending index) takes the i-th largest cluster (by count, ties to the lower
 * index, at least 2 records) and the two become c + δ and c − δ, where c is the donor's new
 * centroid and δ has coordinates ±SPLIT_SCALE·s with signs from mulberry32(empty index + 1) and s
 * = √(inertia / (n·dim)), the RMS per-coordinate spread (or, with zero inertia, 1e-3 of the
 * donor's RMS coordinate, at least 1e-12). The next assignment then cuts the donor's records by
 * a hyperplane through c. An empty cluster with no donor left keeps its previous centroid.
 */
export function kmeansUpdate(stats: KmeansStats, prev: Float64Array): KmeansUpdate {
  const { k, dim, counts, sums } = stats;
  if (prev.length !== k * dim) throw new RangeError('prev must hold k × dim values');
  const centroids = new Float64Array(k * dim);
  const empty: number[] = [];
  for (let c = 0; c < k; c++) {
    const o = c * dim;
    if (counts[c] > 0) {
      for (let j = 0; j < dim; j++) centroids[o + j] = sums[o + j] / counts[c];
    } else {
      empty.push(c);
      for (let j = 0; j < dim; j++) centroids[o + j] = prev[o + j];
    }
  }
  if (empty.length === 0) return { centroids, empty };
  const donors = [...counts.keys()]
    .filter((c) => counts[c] >= 2)
    .sort((a, b) => counts[b] - counts[a] || a - b);
  const spread = Math.sqrt(stats.inertia / (stats.n * dim));
  for (let i = 0; i < Math.min(empty.length, donors.length); i++) {
    const e = empty[i] * dim;
    const d = donors[i] * dim;
    let scale = SPLIT_SCALE * spread;
    if (!(scale > 0 && Number.isFinite(scale))) {
      let ss = 0;
      for (let j = 0; j < dim; j++) ss += centroids[d + j] ** 2;
      scale = Math.max(1e-12, SPLIT_SCALE * Math.sqrt(ss / dim));
    }
    const rng = mulberry32(empty[i] + 1);
    for (let j = 0; j < dim; j++) {
      const delta = rng() < 0.5 ? -scale : scale;
      const c = centroids[d + j];
      centroids[e + j] = c + delta;
      centroids[d + j] = c - delta;
    }
  }
  return { centroids, empty };
}

/** True when the relative change of inertia is at most tol (|prev − cur| ≤ tol·|prev|). */
export function kmeansConverged(prevInertia: number, inertia: number, tol: number): boolean {
  if (!Number.isFinite(prevInertia)) return false;
  return Math.abs(prevInertia - inertia) <= tol * Math.abs(prevInertia);
}
