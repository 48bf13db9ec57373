/** A linear model over standardized features: y ≈ intercept + Σ_j weights[j] · (x_j - mean[j]) / scale[j]. */
export interface Linear {
  mean: Float64Array;
  /** Standard deviation of each feature; 0 for a constant feature (its weight is then 0). */
  scale: Float64Array;
  weights: Float64Array;
  intercept: number;
}

export function predictLinear(m: Linear, x: ArrayLike<number>, at = 0): number {
  let s = m.intercept;
  for (let j = 0; j < m.weights.length; j++) {
    if (m.scale[j] > 0) s += (m.weights[j] * (x[at + j] - m.mean[j])) / m.scale[j];
  }
  return s;
}

/** Solves A·x = b in place for symmetric positive definite A (f × f, row-major) by Cholesky. */
export function solveSpd(a: Float64Array, b: Float64Array, f: number): Float64Array {
  const l = new Float64Array(f * f);
  for (let i = 0; i < f; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * f + j];
      for (let p = 0; p < j; p++) s -= l[i * f + p] * l[j * f + p];
      if (i === j) {
        if (!(s > 0)) throw new RangeError('matrix is not positive definite');
        l[i * f + i] = Math.sqrt(s);
      } else l[i * f + j] = s / l[j * f + j];
    }
  }
  const y = new Float64Array(f);
  for (let i = 0; i < f; i++) {
    let s = b[i];
    for (let p = 0; p < i; p++) s -= l[i * f + p] * y[p];
    y[i] = s / l[i * f + i];
  }
  const x = new Float64Array(f);
  for (let i = f - 1; i >= 0; i--) {
    let s = y[i];
    for (let p = i + 1; p < f; p++) s -= l[p * f + i] * x[p];
    x[i] = s / l[i * f + i];
  }
  return x;
}

/**
 * Ridge regression of y on the n × f row-major features x, each standardized (two-pass mean and
 * population standard deviation), the intercept unpenalized (the mean of y):
 * weights = (ZᵀZ + penalty·I)⁻¹ Zᵀ(y - ȳ). A constant feature gets weight 0.
 */
export function fitRidge(x: Float64Array, f: number, y: Float64Array, penalty: number): Linear {
  const n = y.length;
  if (!(penalty > 0)) throw new RangeError('ridge must be a positive number');
  if (x.length !== n * f) throw new RangeError('features must hold n × f values');
  const mean = new Float64Array(f);
  const scale = new Float64Array(f);
  let ym = 0;
  for (let i = 0; i < n; i++) ym += y[i];
  ym = n > 0 ? ym / n : 0;
  for (let j = 0; j < f; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * f + j];
    mean[j] = n > 0 ? s / n : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i * f + j] - mean[j]) ** 2;
    scale[j] = n > 0 ? Math.sqrt(ss / n) : 0;
  }
  const a = new Float64Array(f * f);
  const b = new Float64Array(f);
  const z = new Float64Array(f);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) z[j] = scale[j] > 0 ? (x[i * f + j] - mean[j]) / scale[j] : 0;
    for (let j = 0; j < f; j++) {
      b[j] += z[j] * (y[i] - ym);
      for (let p = 0; p <= j; p++) a[j * f + p] += z[j] * z[p];
    }
  }
  for (let j = 0; j < f; j++) {
    for (let p = 0; p < j; p++) a[p * f + j] = a[j * f + p];
    a[j * f + j] += penalty;
  }
  return { mean, scale, weights: solveSpd(a, b, f), intercept: ym };
}
