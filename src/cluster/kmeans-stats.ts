import { clusterKernel } from './kernel.ts';
import { type KmeansBounds, kmeansStatsBounded } from './kmeans-bounds.ts';
import type { KmeansStats, Matrix } from './types.ts';
import { checkCentroids, checkMatrix, checkSameShape } from './validate.ts';

/**
 * MAP step of one Lloyd iteration over one shard: each row goes to its nearest centroid
 * (squared Euclidean); returns per-cluster counts and Σx (float64) and the inertia Σ‖x − c‖²
 * (exact float64 distances, even when the kernel ranks centroids in float32).
 *
 * With `bounds` (this shard's state from the previous iteration, see KmeansBounds) the map only
 * measures the rows whose assignment may have changed; same statistics up to float64 rounding.
 */
export function kmeansStats(
  x: Matrix,
  centroids: Float64Array,
  k: number,
  bounds?: KmeansBounds,
): KmeansStats {
  if (bounds) return kmeansStatsBounded(x, centroids, k, bounds);
  checkMatrix(x);
  checkCentroids(centroids, k, x.dim);
  const { n, dim } = x;
  const labels = new Int32Array(n);
  const dist2 = new Float64Array(n);
  const sums = new Float64Array(k * dim);
  clusterKernel().assign(x, null, n, centroids, k, { labels, dist2, sums });
  const counts = new Float64Array(k);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    counts[labels[i]]++;
    inertia += dist2[i];
  }
  return { k, dim, n, counts, sums, inertia };
}

/** Final hard assignment: nearest centroid and the squared distance to it. */
export function assignKmeans(
  x: Matrix,
  centroids: Float64Array,
  k: number,
): { labels: Int32Array; dist2: Float32Array } {
  checkMatrix(x);
  checkCentroids(centroids, k, x.dim);
  const labels = new Int32Array(x.n);
  const dist2 = new Float64Array(x.n);
  clusterKernel().assign(x, null, x.n, centroids, k, { labels, dist2 });
  return { labels, dist2: Float32Array.from(dist2) };
}

/** Statistics of nothing, for k clusters in dim dimensions (the identity of the merge). */
export function emptyKmeansStats(k: number, dim: number): KmeansStats {
  return { k, dim, n: 0, counts: new Float64Array(k), sums: new Float64Array(k * dim), inertia: 0 };
}

/** REDUCE step: the statistics of the union of two row sets (a new object; associative, commutative). */
export function mergeKmeansStats(a: KmeansStats, b: KmeansStats): KmeansStats {
  checkSameShape(a, b);
  const counts = new Float64Array(a.k);
  const sums = new Float64Array(a.k * a.dim);
  for (let c = 0; c < a.k; c++) counts[c] = a.counts[c] + b.counts[c];
  for (let i = 0; i < sums.length; i++) sums[i] = a.sums[i] + b.sums[i];
  return { k: a.k, dim: a.dim, n: a.n + b.n, counts, sums, inertia: a.inertia + b.inertia };
}
