import type { GmmParams, GmmStats } from './types.ts';

export interface GmmUpdateOptions {
  /** Added to every variance (scikit-learn's reg_covar). */
  varFloor?: number;
  /** Parameters of the E-step: an empty component keeps its mean and variances from here. */
  prev?: GmmParams;
}

/**
 * UPDATE step (the M-step): wₖ = Nₖ / ΣN, μₖ = Σr·x / Nₖ, σₖ² = max(Σr·x² / Nₖ − μₖ², 0) +
 * varFloor, as scikit-learn's diagonal `_estimate_gaussian_parameters`. The moments are float64
 * sums of float32 inputs, so E[x²] − E[x]² loses only log10(μ²/σ²) of ~16 digits.
 *
 * An empty component (Nₖ = 0) gets weight 0, which switches it off (scikit-learn leaves it at
 * weight ~1e-16 at the origin), and keeps its mean and variances from `prev` (without `prev`:
 * mean 0, variance varFloor). With no records at all the weights of `prev` are kept.
 */
export function gmmUpdate(stats: GmmStats, options: GmmUpdateOptions = {}): GmmParams {
  const { varFloor = 1e-6, prev } = options;
  if (!(varFloor >= 0)) throw new RangeError('varFloor must be a non-negative number');
  const { k, dim, nk, sx, sxx } = stats;
  if (prev && (prev.k !== k || prev.dim !== dim)) throw new RangeError('prev must have the same k and dim');
  let total = 0;
  for (let c = 0; c < k; c++) total += nk[c];
  const weights = new Float64Array(k);
  const means = new Float64Array(k * dim);
  const variances = new Float64Array(k * dim).fill(varFloor);
  for (let c = 0; c < k; c++) {
    const o = c * dim;
    if (nk[c] > 0) {
      weights[c] = nk[c] / total;
      for (let j = o; j < o + dim; j++) {
        const mean = sx[j] / nk[c];
        means[j] = mean;
        variances[j] = Math.max(sxx[j] / nk[c] - mean * mean, 0) + varFloor;
      }
    } else if (prev) {
      means.set(prev.means.subarray(o, o + dim), o);
      variances.set(prev.variances.subarray(o, o + dim), o);
    }
  }
  if (!(total > 0)) {
    if (prev) weights.set(prev.weights);
    else weights.fill(1 / k);
  }
  return { k, dim, weights, means, variances };
}

/** Free parameters of a diagonal mixture: k·dim means, k·dim variances, k − 1 weights. */
export function gmmParameterCount(k: number, dim: number): number {
  return 2 * k * dim + k - 1;
}

/** Bayesian information criterion of a diagonal mixture: −2·LL + p·ln n (scikit-learn's `bic`). */
export function bic(totalLogLik: number, n: number, k: number, dim: number): number {
  return -2 * totalLogLik + gmmParameterCount(k, dim) * Math.log(n);
}
