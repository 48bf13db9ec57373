import { clusterKernel } from './kernel.ts';
import type { GmmParams, GmmStats, Matrix } from './types.ts';
import { checkCentroids, checkMatrix, checkParams, checkSameShape } from './validate.ts';

/**
 * log Σ_t exp(values[t]) over t < count, stable (the max is factored out). −∞ when every value
 * is −∞ (or count is 0); NaN when any value is NaN.
 */
export function logSumExp(values: ArrayLike<number>, count = values.length): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < count; t++) {
    const v = values[t];
    if (v > max) max = v;
    else if (Number.isNaN(v)) return Number.NaN;
  }
  if (max === Number.NEGATIVE_INFINITY || max === Number.POSITIVE_INFINITY) return max;
  let s = 0;
  for (let t = 0; t < count; t++) s += Math.exp(values[t] - max);
  return max + Math.log(s);
}

/**
 * MAP step of one EM iteration (the E-step) over one shard, in log space: for each row the log
 * joint densities log wₖ + log N(x | μₖ, diag σₖ²), their log-sum-exp log p(x), responsibilities
 * rₖ = exp(log joint − log p(x)); accumulates Nₖ = Σr, Σr·x, Σr·x² (float64) and Σ log p(x).
 * Components more than 30 nats below a row's best get r = 0 for that row (see LOG_TAIL).
 */
export function gmmStats(x: Matrix, params: GmmParams): GmmStats {
  checkMatrix(x);
  checkParams(params, x.dim);
  const { k, dim } = params;
  const nk = new Float64Array(k);
  const sx = new Float64Array(k * dim);
  const sxx = new Float64Array(k * dim);
  let logLik = 0;
  clusterKernel().mixture(
    x,
    params,
    (_row, comps, values, count) => {
      const lse = logSumExp(values, count);
      logLik += lse;
      for (let t = 0; t < count; t++) {
        const r = lse > Number.NEGATIVE_INFINITY ? Math.exp(values[t] - lse) : 0;
        values[t] = r;
        if (r > 0) nk[comps[t]] += r;
      }
    },
    { sx, sxx },
  );
  return { k, dim, n: x.n, nk, sx, sxx, logLik };
}

/**
 * MAP step for initializing a mixture from k-means: hard responsibilities (1 for the nearest
 * centroid), so Nₖ, Σx, Σx² per cluster. `logLik` is 0: these are not likelihood statistics.
 */
export function gmmHardStats(x: Matrix, centroids: Float64Array, k: number): GmmStats {
  checkMatrix(x);
  checkCentroids(centroids, k, x.dim);
  const { data, n, dim } = x;
  const labels = new Int32Array(n);
  const sx = new Float64Array(k * dim);
  clusterKernel().assign(x, null, n, centroids, k, { labels, dist2: new Float64Array(n), sums: sx });
  const nk = new Float64Array(k);
  const sxx = new Float64Array(k * dim);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    nk[c]++;
    for (let j = 0; j < dim; j++) sxx[c * dim + j] += data[i * dim + j] * data[i * dim + j];
  }
  return { k, dim, n, nk, sx, sxx, logLik: 0 };
}

/** Statistics of nothing (the identity of the merge). */
export function emptyGmmStats(k: number, dim: number): GmmStats {
  return {
    k,
    dim,
    n: 0,
    nk: new Float64Array(k),
    sx: new Float64Array(k * dim),
    sxx: new Float64Array(k * dim),
    logLik: 0,
  };
}

/** REDUCE step: statistics of the union of two row sets (a new object; associative, commutative). */
export function mergeGmmStats(a: GmmStats, b: GmmStats): GmmStats {
  checkSameShape(a, b);
  const nk = new Float64Array(a.k);
  const sx = new Float64Array(a.k * a.dim);
  const sxx = new Float64Array(a.k * a.dim);
  for (let c = 0; c < a.k; c++) nk[c] = a.nk[c] + b.nk[c];
  for (let i = 0; i < sx.length; i++) {
    sx[i] = a.sx[i] + b.sx[i];
    sxx[i] = a.sxx[i] + b.sxx[i];
  }
  return { k: a.k, dim: a.dim, n: a.n + b.n, nk, sx, sxx, logLik: a.logLik + b.logLik };
}
