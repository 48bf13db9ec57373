import { mulberry32 } from '../demo/random.ts';
import { clusterKernel } from './kernel.ts';
import { createKmeansBounds, type KmeansBounds } from './kmeans-bounds.ts';
import { kmeansPlusPlus } from './kmeans-plus-plus.ts';
import { kmeansStats, mergeKmeansStats } from './kmeans-stats.ts';
import { kmeansConverged, kmeansUpdate } from './kmeans-update.ts';
import type { Matrix } from './types.ts';
import { checkCentroids, checkK, checkMatrix, rowChunks } from './validate.ts';

export interface FitKmeansOptions {
  k: number;
  maxIter?: number;
  /** Stop when the relative change of inertia between iterations is at most tol. */
  tol?: number;
  seed?: number;
  /** Rows drawn (seeded, without replacement) for k-means++ seeding. */
  sampleSize?: number;
  /** Rows per map task; the driver merges their statistics like a coordinator would. */
  chunkRows?: number;
  /** Initial centroids (k × dim) instead of k-means++. */
  init?: Float64Array;
  /** Keep per-chunk KmeansBounds between iterations to skip provably unchanged rows. */
  bounds?: boolean;
}

export interface KmeansFit {
  centroids: Float64Array;
  /** Nearest final centroid of each row. */
  labels: Int32Array;
  /** Σ squared distance to the final centroids. */
  inertia: number;
  /** Lloyd iterations run (map + reduce + update). */
  iterations: number;
  converged: boolean;
  /** Inertia measured by each iteration's map step (before its update). */
  history: number[];
}

/** A seeded sample of `size` distinct rows (all rows when size ≥ n), in row order. */
export function sampleRows(x: Matrix, size: number, seed: number): Matrix {
  const { n, dim, data } = x;
  if (size >= n) return x;
  const rng = mulberry32(seed ^ 0x5bd1e995);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const rows = order.subarray(0, size).sort();
  const out = new Float32Array(size * dim);
  for (let i = 0; i < size; i++) out.set(data.subarray(rows[i] * dim, (rows[i] + 1) * dim), i * dim);
  return { data: out, n: size, dim };
}

/**
 * Single-process k-means built from the distributed steps: k-means++ on a seeded sample, then
 * Lloyd iterations of map (kmeansStats per chunk, with its KmeansBounds unless bounds: false)
 * → reduce (mergeKmeansStats) → update.
 */
export function fitKmeans(x: Matrix, options: FitKmeansOptions): KmeansFit {
  const {
    k,
    maxIter = 100,
    tol = 1e-4,
    seed = 0,
    sampleSize = 20_000,
    chunkRows = 5_000,
    init,
    bounds = true,
  } = options;
  checkMatrix(x);
  checkK(k, x.n);
  if (!Number.isInteger(maxIter) || maxIter < 0)
    throw new RangeError('maxIter must be a non-negative integer');
  if (!(tol >= 0)) throw new RangeError('tol must be a non-negative number');
  if (!Number.isInteger(chunkRows) || chunkRows < 1)
    throw new RangeError('chunkRows must be a positive integer');
  if (init) checkCentroids(init, k, x.dim);
  const centroids = init
    ? init.slice()
    : kmeansPlusPlus(sampleRows(x, Math.max(k, sampleSize), seed), k, seed);
  const chunks = rowChunks(x, chunkRows);
  // With one chunk the kernel may keep its rows (a resident state; the kernel holds one matrix):
  // until a fit on other rows replaces them, or clusterKernel().release().
  const resident = chunks.length === 1;
  const states = bounds ? chunks.map((chunk) => createKmeansBounds(chunk, k, { resident })) : [];
  return lloyd(x, chunks, states, centroids, { k, maxIter, tol, bounds });
}

/** Lloyd iterations from `centroids` and the final assignment (see fitKmeans). */
function lloyd(
  x: Matrix,
  chunks: Matrix[],
  states: KmeansBounds[],
  start: Float64Array,
  options: { k: number; maxIter: number; tol: number; bounds: boolean },
): KmeansFit {
  const { k, maxIter, tol, bounds } = options;
  let centroids = start;
  const history: number[] = [];
  let prevInertia = Number.POSITIVE_INFINITY;
  let converged = false;
  let iterations = 0;
  while (iterations < maxIter) {
    const stats = chunks
      .map((chunk, i) => kmeansStats(chunk, centroids, k, states[i]))
      .reduce(mergeKmeansStats);
    centroids = kmeansUpdate(stats, centroids).centroids;
    iterations++;
    history.push(stats.inertia);
    if (kmeansConverged(prevInertia, stats.inertia, tol)) {
      converged = true;
      break;
    }
    prevInertia = stats.inertia;
  }
  const labels = new Int32Array(x.n);
  if (bounds && iterations > 0) {
    // The bounds carry on to the final centroids: one more bounded map ranks only the rows out of
    // bound, and gives the inertia from its per-cluster sums, like every iteration's.
    let at = 0;
    const stats = chunks.map((chunk, i) => {
      const s = kmeansStats(chunk, centroids, k, states[i]);
      labels.set(states[i].labels, at);
      at += chunk.n;
      return s;
    });
    return {
      centroids,
      labels,
      inertia: stats.reduce(mergeKmeansStats).inertia,
      iterations,
      converged,
      history,
    };
  }
  const dist2 = new Float64Array(x.n);
  clusterKernel().assign(x, null, x.n, centroids, k, { labels, dist2 });
  let inertia = 0;
  for (let i = 0; i < x.n; i++) inertia += dist2[i];
  return { centroids, labels, inertia, iterations, converged, history };
}
