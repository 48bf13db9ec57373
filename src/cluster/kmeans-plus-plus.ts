import { mulberry32 } from '../demo/random.ts';
import { clusterKernel } from './kernel.ts';
import type { Matrix } from './types.ts';
import { checkK, checkMatrix } from './validate.ts';

/**
 * Greedy k-means++ seeding (D² sampling, as scikit-learn's `_kmeans_plusplus`): the first center
 * is a uniformly drawn row; each further one is the best of `trials` candidates drawn with
 * probability ∝ D² (the squared distance to the nearest chosen center), "best" meaning the one
 * that leaves the smallest Σ D². Rows at distance 0 are never drawn while any row is farther.
 * Returns k × dim centers (float64 copies of sample rows).
 */
export function kmeansPlusPlus(
  sample: Matrix,
  k: number,
  seed: number,
  trials = 2 + Math.floor(Math.log(k)),
): Float64Array {
  checkMatrix(sample, 'sample');
  checkK(k, sample.n);
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError('trials must be a positive integer');
  const { data, n, dim } = sample;
  const kernel = clusterKernel();
  const rng = mulberry32(seed);
  const centers = new Float64Array(k * dim);
  const take = (row: number, c: number) => {
    for (let j = 0; j < dim; j++) centers[c * dim + j] = data[row * dim + j];
  };
  take(Math.min(n - 1, Math.floor(rng() * n)), 0);
  const closest = new Float64Array(n);
  kernel.distances(sample, centers.subarray(0, dim), 1, closest);
  let potential = 0;
  for (let i = 0; i < n; i++) potential += closest[i];
  const cumulative = new Float64Array(n);
  const candidates = new Int32Array(trials);
  const points = new Float64Array(trials * dim);
  const dists = new Float64Array(trials * n);
  for (let c = 1; c < k; c++) {
    let run = 0;
    for (let i = 0; i < n; i++) cumulative[i] = run += closest[i];
    for (let t = 0; t < trials; t++) {
      const row = firstAbove(cumulative, rng() * potential);
      candidates[t] = row;
      for (let j = 0; j < dim; j++) points[t * dim + j] = data[row * dim + j];
    }
    kernel.distances(sample, points, trials, dists);
    let best = 0;
    let bestPotential = Number.POSITIVE_INFINITY;
    for (let t = 0; t < trials; t++) {
      let p = 0;
      for (let i = 0; i < n; i++) p += Math.min(closest[i], dists[t * n + i]);
      if (p < bestPotential) {
        bestPotential = p;
        best = t;
      }
    }
    for (let i = 0; i < n; i++) closest[i] = Math.min(closest[i], dists[best * n + i]);
    potential = bestPotential;
    take(candidates[best], c);
  }
  return centers;
}

/** The first index whose cumulative sum exceeds r (the last index when none does). */
function firstAbove(cumulative: Float64Array, r: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
