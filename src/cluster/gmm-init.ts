import { gmmHardStats } from './gmm-stats.ts';
import { gmmUpdate } from './gmm-update.ts';
import type { GmmParams, GmmStats, Matrix } from './types.ts';
import { checkCentroids } from './validate.ts';

export interface GmmFromKmeansOptions {
  varFloor?: number;
}

/**
 * Initial mixture from k-means centroids (scikit-learn's init_params='kmeans'): hard
 * responsibilities to the nearest centroid, then one M-step: weights = cluster fractions, means
 * = cluster means, variances = per-cluster variances + varFloor. Takes the rows themselves, or
 * the merged `gmmHardStats` of all shards (the distributed form).
 *
 * A cluster with no records keeps its centroid as mean, gets the pooled within-cluster variance
 * (+ varFloor) and weight 0, i.e. it starts switched off.
 */
export function gmmFromKmeans(
  input: Matrix | GmmStats,
  centroids: Float64Array,
  k: number,
  options: GmmFromKmeansOptions = {},
): GmmParams {
  const { varFloor = 1e-6 } = options;
  const stats = 'data' in input ? gmmHardStats(input, centroids, k) : input;
  const { dim, nk, sx, sxx } = stats;
  checkCentroids(centroids, k, dim);
  if (stats.k !== k) throw new RangeError('stats.k must equal k');
  // Pooled within-cluster variance per coordinate: Σ over clusters of (Σx² − (Σx)²/N) / ΣN.
  const pooled = new Float64Array(k * dim);
  let total = 0;
  for (let c = 0; c < k; c++) total += nk[c];
  for (let j = 0; j < dim; j++) {
    let within = 0;
    for (let c = 0; c < k; c++)
      if (nk[c] > 0) within += sxx[c * dim + j] - (sx[c * dim + j] * sx[c * dim + j]) / nk[c];
    const v = total > 0 ? Math.max(within / total, 0) + varFloor : varFloor || 1;
    for (let c = 0; c < k; c++) pooled[c * dim + j] = v;
  }
  const prev: GmmParams = {
    k,
    dim,
    weights: new Float64Array(k).fill(1 / k),
    means: centroids,
    variances: pooled,
  };
  return gmmUpdate(stats, { varFloor, prev });
}
