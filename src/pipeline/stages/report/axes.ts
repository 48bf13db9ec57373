import { mulberry32 } from '../../../demo/random.ts';

/** The first principal axes of a sample, and the variance along each and in all. */
export interface Axes {
  mean: Float64Array;
  /** k × dim row-major unit axes, largest variance first; each axis's largest-magnitude entry is positive. */
  axes: Float64Array;
  /** Sample variance (divisor n − 1) along each axis. */
  variances: number[];
  /** The sample's total variance (the covariance's trace). */
  total: number;
}

/**
 * The first `k` principal axes of the `n` rows of `data` (n × dim, row-major) by power iteration on
 * the centred rows, each axis orthogonalized against those before it: O(iterations · n · dim), with
 * no dim × dim matrix, so a 1,024-dimensional sample costs what a small one does. Seeded start, a
 * fixed sign: deterministic.
 */
export function principalAxes(
  data: Float32Array | Float64Array,
  n: number,
  dim: number,
  k: number,
  { iterations = 500, tolerance = 1e-12, seed = 1 } = {},
): Axes {
  if (!Number.isInteger(k) || k < 1 || k > dim)
    throw new RangeError(`k must be an integer in [1, ${dim}], got ${k}`);
  if (n < 2) throw new RangeError(`principal axes need at least 2 rows, got ${n}`);
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) mean[j] += data[r * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  const x = new Float64Array(n * dim);
  let total = 0;
  for (let r = 0; r < n; r++)
    for (let j = 0; j < dim; j++) {
      const v = data[r * dim + j] - mean[j];
      x[r * dim + j] = v;
      total += v * v;
    }
  total /= n - 1;
  const axes = new Float64Array(k * dim);
  const variances: number[] = [];
  const rand = mulberry32(seed);
  const xv = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    let v: Float64Array = Float64Array.from({ length: dim }, () => rand() - 0.5);
    orthonormalize(v, axes, c, dim);
    for (let it = 0; it < iterations; it++) {
      const w = covTimes(x, n, dim, v, xv);
      orthonormalize(w, axes, c, dim);
      let change = 0;
      for (let j = 0; j < dim; j++) change += (w[j] - v[j]) ** 2;
      v = w;
      if (change < tolerance) break;
    }
    let big = 0;
    for (let j = 1; j < dim; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
    if (v[big] < 0) for (let j = 0; j < dim; j++) v[j] = -v[j];
    axes.set(v, c * dim);
    covTimes(x, n, dim, v, xv);
    let s = 0;
    for (let r = 0; r < n; r++) s += xv[r] * xv[r];
    variances.push(s / (n - 1));
  }
  return { mean, axes, variances, total };
}

/** Xᵀ(X v): the (unscaled) covariance times v; `xv` receives X v. */
function covTimes(x: Float64Array, n: number, dim: number, v: Float64Array, xv: Float64Array): Float64Array {
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[r * dim + j] * v[j];
    xv[r] = s;
  }
  const w = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    const s = xv[r];
    if (s === 0) continue;
    for (let j = 0; j < dim; j++) w[j] += s * x[r * dim + j];
  }
  return w;
}

/** v made orthogonal to the first `c` axes (twice, for round-off), then of unit length. */
function orthonormalize(v: Float64Array, axes: Float64Array, c: number, dim: number): void {
  for (let pass = 0; pass < 2; pass++)
    for (let p = 0; p < c; p++) {
      let d = 0;
      for (let j = 0; j < dim; j++) d += v[j] * axes[p * dim + j];
      for (let j = 0; j < dim; j++) v[j] -= d * axes[p * dim + j];
    }
  let norm = 0;
  for (let j = 0; j < dim; j++) norm += v[j] * v[j];
  norm = Math.sqrt(norm);
  if (norm > 0) for (let j = 0; j < dim; j++) v[j] /= norm;
}

/** Each row's coordinates on the axes: (x − mean)·axesᵀ, n × k. */
export function projectRows(
  data: Float32Array | Float64Array,
  n: number,
  dim: number,
  a: Axes,
): Float64Array {
  const k = a.variances.length;
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += (data[r * dim + j] - a.mean[j]) * a.axes[c * dim + j];
      out[r * k + c] = s;
    }
  return out;
}
