import type { GmmParams, Matrix } from './types.ts';

/**
 * Called once per row by a mixture scan with the row's candidate components and, in `values`,
 * their exact log joint densities log(wₖ · N(x | μₖ, σₖ²)). The visitor overwrites `values[t]`
 * with the responsibility of `comps[t]` (t < count); the scan then accumulates r·x and r·x².
 */
export type MixtureVisitor = (row: number, comps: Int32Array, values: Float64Array, count: number) => void;

export interface AssignOutputs {
  /** The nearest centroid. */
  labels: Int32Array;
  /** The exact squared distance to it (float64). */
  dist2: Float64Array;
  /** A lower bound on the squared distance to every other centroid (+∞ when k = 1). */
  second?: Float64Array;
  /**
   * Σx per cluster (k × dim, float64), updated in place: each row is added to its cluster's row,
   * or, with `current`, moved from cluster current[t] when its new cluster differs.
   */
  sums?: Float64Array;
  /** The cluster each listed row is in now (for `sums` and `bound`). */
  current?: Int32Array;
  /**
   * With `current`: a row whose distance (not squared) to its current centroid is below bound[t]
   * (by BOUND_SLACK relative slack; a distance 0 needs a bound above 0, since another centroid may
   * coincide with its own) stays there without being measured against the other centroids; such
   * rows get second[t] = −1. A row that keeps its centroid may get, instead of the exact distance,
   * an upper bound on it in dist2 (the held rows of `resident`).
   */
  bound?: Float64Array;
  /** With `norms`: norms[t] = ‖x − origin‖² (float64). */
  origin?: Float64Array;
  norms?: Float64Array;
  /**
   * x is one fixed matrix, unchanged from call to call (a k-means state's rows): the kernel may
   * keep a compact copy of it from a call over every row (rows = null) for the calls with `bound`
   * that follow.
   */
  resident?: boolean;
}

export interface MixtureSums {
  /** Σ r·x, k × dim (added into). */
  sx: Float64Array;
  /** Σ r·x², k × dim (added into). */
  sxx: Float64Array;
}

/**
 * The hot loops of k-means and the mixture, behind one interface with two implementations: a
 * WebAssembly SIMD kernel and a plain JS one. Both return exact float64 distances and log
 * densities for what they report; they may differ only in near ties (which centroid is nearest)
 * and in which negligible components (responsibility below e^-30 of the best) they drop.
 */
export interface ClusterKernel {
  /** 'wasm-relaxed': SIMD with fused multiply-add products; 'wasm': plain SIMD; 'js': no SIMD. */
  readonly name: 'wasm-relaxed' | 'wasm' | 'js';
  /**
   * Nearest centroid (squared Euclidean) of all rows (rows = null, count = n) or of the listed
   * ones (rows[t], t < count); outputs are indexed by t. See AssignOutputs.
   */
  assign(
    x: Matrix,
    rows: Int32Array | null,
    count: number,
    centroids: Float64Array,
    k: number,
    out: AssignOutputs,
  ): void;
  /** out[c] = the squared distance (float64) from centroid c to its nearest other one (+∞ when k = 1). */
  separations(centroids: Float64Array, k: number, dim: number, out: Float64Array): void;
  /** Squared distances (approximate, ≥ 0) from every row to each of t points: out[p·n + i]. */
  distances(x: Matrix, points: Float64Array, t: number, out: Float64Array): void;
  /** Visits every row with its non-negligible components; see MixtureVisitor. */
  mixture(x: Matrix, params: GmmParams, visit: MixtureVisitor, sums: MixtureSums | null): void;
  /**
   * Frees what the kernel keeps between calls (the rows of `resident` calls): the next call starts
   * with small memory. A WebAssembly memory cannot shrink, so the kernel starts a new one.
   */
  release(): void;
  /** Bytes of memory the kernel holds (its WebAssembly memory; 0 for the JS kernel). */
  memoryBytes(): number;
}

/** Relative slack of the `bound` test, for the rounding of the bounds themselves. */
export const BOUND_SLACK = 1e-12;

/**
 * A component whose log joint density is more than this many nats below the row's best gets
 * responsibility 0 (each dropped one is below e^-30 ≈ 9e-14 of the best).
 */
export const LOG_TAIL = 30;

/** Per-component terms of the exact log density: a = 1/σ² (k × dim) and log wₖ − ½Σ log 2πσ². */
export function mixtureTerms(params: GmmParams): { precisions: Float64Array; logNorm: Float64Array } {
  const { k, dim, weights, variances } = params;
  const precisions = new Float64Array(k * dim);
  const logNorm = new Float64Array(k);
  const log2pi = Math.log(2 * Math.PI);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = c * dim; j < (c + 1) * dim; j++) {
      precisions[j] = 1 / variances[j];
      s += log2pi + Math.log(variances[j]);
    }
    logNorm[c] = Math.log(weights[c]) - 0.5 * s;
  }
  return { precisions, logNorm };
}

/**
 * Keeps, in place and in order, the entries within LOG_TAIL nats of the best; returns the new
 * count. When no entry is finite (−∞ or NaN everywhere) all are kept, so the caller sees it.
 */
export function selectTail(comps: Int32Array, values: Float64Array, count: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < count; t++) if (values[t] > max) max = values[t];
  if (!(max > Number.NEGATIVE_INFINITY)) return count;
  const threshold = max - LOG_TAIL;
  let kept = 0;
  for (let t = 0; t < count; t++) {
    if (values[t] >= threshold) {
      comps[kept] = comps[t];
      values[kept++] = values[t];
    }
  }
  return kept;
}
