import { clusterKernel } from './kernel.ts';
import { BOUND_SLACK } from './kernel-api.ts';
import type { KmeansStats, Matrix } from './types.ts';
import { checkCentroids, checkMatrix } from './validate.ts';

/**
 * One shard's state carried from one Lloyd iteration to the next so that the map step can skip
 * the rows whose nearest centroid provably did not change (Hamerly's bounds, "Making k-means
 * even faster", 2010), and keep its per-cluster sums up to date by moving only the rows that
 * changed cluster. The inertia then comes from per-cluster sums about a point m (the first
 * centroids' mean): Σ‖x − c‖² = Σ‖x − m‖² − 2(c − m)·Σ(x − m) + N‖c − m‖², in float64.
 * The state belongs to one fixed set of rows (the same x at every call).
 */
export interface KmeansBounds {
  k: number;
  dim: number;
  n: number;
  /** Centroids of the previous call (the bounds refer to them); null before the first call. */
  centroids: Float64Array | null;
  labels: Int32Array;
  /** ≥ the distance (not squared) from each row to its cluster's centroid. */
  upper: Float64Array;
  /** ≤ the distance from each row to every other centroid. */
  lower: Float64Array;
  /** m, the mean of the first call's centroids (dim). */
  origin: Float64Array;
  /** ‖x − m‖² per row. */
  norms: Float64Array;
  /** Records per cluster. */
  counts: Float64Array;
  /** Σx per cluster, k × dim. */
  sums: Float64Array;
  /** Σ ‖x − m‖² per cluster. */
  squares: Float64Array;
  /** Rows of the last call out of bound, measured against their own centroid. */
  tightened: number;
  /** Rows of the last call still out of bound, measured against every centroid. */
  recomputed: number;
  /**
   * The kernel may keep a compact copy of the rows from one call to the next (AssignOutputs.resident):
   * for a fit to convergence in one process. Not encoded: a state carried between tasks reads its
   * rows anew each time.
   */
  resident?: boolean;
}

/** What one call works in: the rows out of bound, their clusters, bounds and results. */
interface BoundsScratch {
  pending: Int32Array;
  from: Int32Array;
  within: Float64Array;
  best: Int32Array;
  dist2: Float64Array;
  second: Float64Array;
}

/** Each state's working arrays, kept from one call to the next (not part of the state: never encoded). */
const scratches = new WeakMap<KmeansBounds, BoundsScratch>();

function scratchOf(bounds: KmeansBounds): BoundsScratch {
  let scratch = scratches.get(bounds);
  if (!scratch || scratch.pending.length !== bounds.n) {
    const { n } = bounds;
    scratch = {
      pending: new Int32Array(n),
      from: new Int32Array(n),
      within: new Float64Array(n),
      best: new Int32Array(n),
      dist2: new Float64Array(n),
      second: new Float64Array(n),
    };
    scratches.set(bounds, scratch);
  }
  return scratch;
}

/** A fresh state for the rows of x and k clusters (filled by the first kmeansStats call). */
export function createKmeansBounds(x: Matrix, k: number, options: { resident?: boolean } = {}): KmeansBounds {
  checkMatrix(x);
  const { n, dim } = x;
  return {
    resident: options.resident === true,
    k,
    dim,
    n,
    centroids: null,
    labels: new Int32Array(n),
    upper: new Float64Array(n),
    lower: new Float64Array(n),
    origin: new Float64Array(dim),
    norms: new Float64Array(n),
    counts: new Float64Array(k),
    sums: new Float64Array(k * dim),
    squares: new Float64Array(k),
    tightened: 0,
    recomputed: 0,
  };
}

/** Half the distance from each centroid to its nearest other centroid (k²·dim/2 work, in the kernel). */
function halfSeparations(centroids: Float64Array, k: number, dim: number): Float64Array {
  const s = new Float64Array(k);
  clusterKernel().separations(centroids, k, dim, s);
  for (let c = 0; c < k; c++) s[c] = 0.5 * Math.sqrt(s[c]);
  return s;
}

/** The last halfSeparations result and a copy of its input: the shards of one iteration share it. */
let cached: { centroids: Float64Array; k: number; half: Float64Array } | null = null;

function halfSeparationsCached(centroids: Float64Array, k: number, dim: number): Float64Array {
  let hit = cached !== null && cached.k === k && cached.centroids.length === centroids.length;
  for (let i = 0; hit && i < centroids.length; i++)
    hit = (cached as { centroids: Float64Array }).centroids[i] === centroids[i];
  if (!hit) cached = { centroids: centroids.slice(), k, half: halfSeparations(centroids, k, dim) };
  return (cached as { half: Float64Array }).half;
}

/**
 * kmeansStats with bounds: the same statistics (up to float64 rounding of the sums), computing
 * distances only for the rows whose bounds no longer prove their assignment. Updates `bounds`.
 */
export function kmeansStatsBounded(
  x: Matrix,
  centroids: Float64Array,
  k: number,
  bounds: KmeansBounds,
): KmeansStats {
  checkMatrix(x);
  checkCentroids(centroids, k, x.dim);
  const { n, dim } = x;
  if (bounds.n !== n || bounds.k !== k || bounds.dim !== dim)
    throw new RangeError('bounds must match x and k');
  const { labels, upper, lower, counts, squares, norms } = bounds;
  const kernel = clusterKernel();
  const prev = bounds.centroids;
  if (!prev) {
    // First call: every row, measured and added; m = the centroids' mean.
    const { origin } = bounds;
    for (let c = 0; c < k; c++) for (let j = 0; j < dim; j++) origin[j] += centroids[c * dim + j] / k;
    const { dist2, second } = scratchOf(bounds);
    kernel.assign(x, null, n, centroids, k, {
      labels,
      dist2,
      second,
      sums: bounds.sums,
      origin,
      norms,
      resident: bounds.resident === true,
    });
    for (let i = 0; i < n; i++) {
      upper[i] = Math.sqrt(dist2[i]);
      lower[i] = Math.sqrt(second[i]);
      counts[labels[i]]++;
      squares[labels[i]] += norms[i];
    }
    bounds.tightened = 0;
    bounds.recomputed = n;
  } else {
    // How far each centroid moved, and the two largest moves.
    const delta = new Float64Array(k);
    let far = 0;
    let farthest = 0;
    let runnerUp = 0;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let j = 0; j < dim; j++) d += (centroids[c * dim + j] - prev[c * dim + j]) ** 2;
      delta[c] = Math.sqrt(d);
      if (delta[c] > farthest) {
        runnerUp = farthest;
        farthest = delta[c];
        far = c;
      } else if (delta[c] > runnerUp) runnerUp = delta[c];
    }
    const half = halfSeparationsCached(centroids, k, dim);
    const {
      pending,
      from: allFrom,
      within: allWithin,
      best: allBest,
      dist2: allDist2,
      second: allSecond,
    } = scratchOf(bounds);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      const u = upper[i] + delta[a];
      const l = lower[i] - (a === far ? runnerUp : farthest);
      upper[i] = u;
      lower[i] = l;
      const bound = Math.max(half[a], l);
      if (u * (1 + BOUND_SLACK) < bound) continue;
      pending[count] = i;
      allFrom[count] = a;
      allWithin[count++] = bound;
    }
    // Rows out of bound: measured against their centroid, and against all if still out of bound.
    const rows = pending.subarray(0, count);
    const from = allFrom.subarray(0, count);
    const within = allWithin.subarray(0, count);
    const best = allBest.subarray(0, count);
    const dist2 = allDist2.subarray(0, count);
    const second = allSecond.subarray(0, count);
    kernel.assign(x, rows, count, centroids, k, {
      labels: best,
      dist2,
      second,
      sums: bounds.sums,
      current: from,
      bound: within,
      resident: bounds.resident === true,
    });
    let kept = 0;
    for (let t = 0; t < count; t++) {
      const i = rows[t];
      upper[i] = Math.sqrt(dist2[t]);
      if (second[t] < 0) {
        kept++;
        continue;
      }
      lower[i] = Math.sqrt(second[t]);
      const b = best[t];
      if (b === from[t]) continue;
      counts[from[t]]--;
      squares[from[t]] -= norms[i];
      counts[b]++;
      squares[b] += norms[i];
      labels[i] = b;
    }
    bounds.tightened = count;
    bounds.recomputed = count - kept;
  }
  bounds.centroids = centroids.slice();
  // Statistics: Σ‖x − c‖² per cluster from the sums about m.
  const { origin } = bounds;
  let inertia = 0;
  for (let c = 0; c < k; c++) {
    if (!(counts[c] > 0)) continue;
    let cross = 0;
    let offset = 0;
    for (let j = 0; j < dim; j++) {
      const cm = centroids[c * dim + j] - origin[j];
      cross += cm * (bounds.sums[c * dim + j] - counts[c] * origin[j]);
      offset += cm * cm;
    }
    inertia += Math.max(0, squares[c] - 2 * cross + counts[c] * offset);
  }
  return { k, dim, n, counts: counts.slice(), sums: bounds.sums.slice(), inertia };
}
