import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adjustedRandIndex,
  bic,
  fitGmm,
  fitGmmGrid,
  type GmmParams,
  gaussianBlobs,
  gmmFromKmeans,
  gmmHardStats,
  gmmPosteriors,
  gmmStats,
  gmmUpdate,
  logSumExp,
  mergeGmmStats,
  rowChunks,
  useClusterKernel,
} from '../../../src/cluster/index.ts';
import { expectClose, KERNELS, rows, SIX, SIX_CENTROIDS } from './helpers.ts';

/** x = [−1, 0.5, 2, 4]; w = (0.4, 0.6), μ = (0, 3), σ² = (1, 2). */
const X1 = rows([[-1], [0.5], [2], [4]]);
const P1: GmmParams = {
  k: 2,
  dim: 1,
  weights: Float64Array.from([0.4, 0.6]),
  means: Float64Array.from([0, 3]),
  variances: Float64Array.from([1, 2]),
};
// Reference values, worked by hand in 50-digit decimal arithmetic:
// log wₖN(x) = ln wₖ − ½ ln(2πσₖ²) − (x − μₖ)² / (2σₖ²); log p(x) = ln Σₖ exp(·); r = exp(log wₖN − log p).
const R = [
  [0.9689648673982986, 0.031035132601701484],
  [0.7987674234055904, 0.20123257659440957],
  [0.14077214920298117, 0.8592278507970188],
  [0.00040594310512173946, 0.9995940568948782],
];
const LOGP = [-2.303702340775269, -1.7355438048908602, -1.8746166062987506, -2.025931721728307];
const NK = [1.9089103831119918, 2.091089616888008];
const SX = [-0.286413084869054, 5.786413084869054];
const SXX = [1.7382404097435686, 19.511759590256432];
const LOGLIK = -7.939794473693186;

describe.each(KERNELS)('Gaussian mixture, %s kernel', (kernel) => {
  beforeAll(() => {
    useClusterKernel(kernel);
  });
  afterAll(() => {
    useClusterKernel('wasm');
  });

  it('computes one EM step of a 1-d, 2-component example as by hand (1e-12)', () => {
    const stats = gmmStats(X1, P1);
    expect(stats.n).toBe(4);
    expectClose(stats.nk, NK);
    expectClose(stats.sx, SX);
    expectClose(stats.sxx, SXX);
    expectClose(stats.logLik, LOGLIK);
    const post = gmmPosteriors(X1, P1, 2);
    expect(Array.from(post.labels)).toEqual([0, 0, 1, 1]);
    expectClose(post.logLik, LOGP);
    post.top.forEach((top, i) => {
      expect(top.map((t) => t.component)).toEqual(R[i][0] > R[i][1] ? [0, 1] : [1, 0]);
      expectClose(
        top.map((t) => t.p),
        [...R[i]].sort((a, b) => b - a),
      );
    });
    // M-step: w = Nₖ/n, μ = Σrx/Nₖ, σ² = Σrx²/Nₖ − μ² (+ varFloor).
    const next = gmmUpdate(stats, { varFloor: 0 });
    expectClose(next.weights, [0.47722759577799795, 0.522772404222002]);
    expectClose(next.means, [-0.1500400895730529, 2.7671760397722616]);
    expectClose(next.variances, [0.8880809596054586, 1.6736422568012406]);
    const floored = gmmUpdate(stats);
    expectClose(floored.variances, [0.8880819596054587, 1.6736432568012405]);
  });

  it('stays finite for far-away records (log-sum-exp)', () => {
    const x = rows([[0], [1], [1e4], [-3e4], [1e15], [1e20]]);
    const params: GmmParams = { ...P1, variances: Float64Array.from([1, 1e-2]) };
    const stats = gmmStats(x, params);
    for (const v of [...stats.nk, ...stats.sx, ...stats.sxx, stats.logLik])
      expect(Number.isFinite(v)).toBe(true);
    expectClose(stats.nk[0] + stats.nk[1], 6);
    const post = gmmPosteriors(x, params, 2);
    for (const v of post.logLik) expect(Number.isFinite(v)).toBe(true);
    // 1e4 is 1e4 σ from μ₀ and ~1e5 σ from μ₁: all of it goes to component 0, exactly.
    expect(post.top[2]).toEqual([{ component: 0, p: 1 }]);
    expect(post.logLik[2]).toBeCloseTo(Math.log(0.4) - 0.5 * Math.log(2 * Math.PI) - 0.5e8, 6);
    const far = gaussianBlobs({ n: 50, dim: 16, k: 2, seed: 1, offset: 1e3 });
    const near = gmmFromKmeans(
      gaussianBlobs({ n: 50, dim: 16, k: 2, seed: 2 }).x,
      new Float64Array(32).fill(0.1).map((v, i) => (i < 16 ? v : -v)),
      2,
    );
    const s = gmmStats(far.x, near);
    for (const v of [...s.nk, ...s.sx, ...s.sxx, s.logLik]) expect(Number.isFinite(v)).toBe(true);
  });

  it('switches an empty component off and keeps its parameters', () => {
    const prev: GmmParams = { ...P1, means: Float64Array.from([0, 1e6]) };
    const stats = gmmStats(X1, prev);
    expect(stats.nk[1]).toBe(0);
    const next = gmmUpdate(stats, { prev });
    expect(Array.from(next.weights)).toEqual([1, 0]);
    expect(next.means[1]).toBe(1e6);
    expect(next.variances[1]).toBe(2);
    const again = gmmStats(X1, next);
    expect(again.nk[1]).toBe(0);
    expect(Number.isFinite(again.logLik)).toBe(true);
  });

  it('initializes from k-means by hand, and distributed == single-process', () => {
    // cluster 0: (0,0), (1,0), (4,5) → mean (5/3, 5/3), var (17/3 − 25/9, 25/3 − 25/9) = (26/9, 50/9);
    // cluster 1: (10,10), (11,10), (10,13) → mean (31/3, 11), var (107 − 961/9, 123 − 121) = (2/9, 2).
    const params = gmmFromKmeans(SIX, SIX_CENTROIDS, 2);
    expectClose(params.weights, [0.5, 0.5]);
    expectClose(params.means, [5 / 3, 5 / 3, 31 / 3, 11]);
    expectClose(params.variances, [26 / 9 + 1e-6, 50 / 9 + 1e-6, 2 / 9 + 1e-6, 2 + 1e-6]);
    const merged = rowChunks(SIX, 4)
      .map((c) => gmmHardStats(c, SIX_CENTROIDS, 2))
      .reduce(mergeGmmStats);
    expect(gmmFromKmeans(merged, SIX_CENTROIDS, 2)).toEqual(params);
  });

  it('merges associatively and commutatively: chunked == unchunked', () => {
    const { x } = gaussianBlobs({ n: 2001, dim: 9, k: 5, seed: 8, sigma: [0.8, 1.5] });
    const params = fitGmm(x, { k: 5, seed: 1, maxIter: 2 }).params;
    const whole = gmmStats(x, params);
    const parts = rowChunks(x, 500).map((c) => gmmStats(c, params));
    for (const merged of [
      parts.reduce(mergeGmmStats),
      parts.reduceRight((acc, p) => mergeGmmStats(p, acc)),
    ]) {
      expect(merged.n).toBe(whole.n);
      expectClose(merged.nk, whole.nk, 1e-9);
      expectClose(merged.sx, whole.sx, 1e-9);
      expectClose(merged.sxx, whole.sxx, 1e-9);
      expectClose(merged.logLik, whole.logLik, 1e-9);
    }
    expect(mergeGmmStats(parts[0], parts[1])).toEqual(mergeGmmStats(parts[1], parts[0]));
  });

  it('recovers well-separated blobs (ARI ≥ 0.95), deterministically', () => {
    const { x, labels } = gaussianBlobs({ n: 4000, dim: 16, k: 8, seed: 11 });
    const fit = fitGmm(x, { k: 8, seed: 2, chunkRows: 1000 });
    expect(fit.converged).toBe(true);
    expect(adjustedRandIndex(labels, fit.labels)).toBeGreaterThanOrEqual(0.95);
    for (let i = 1; i < fit.history.length; i++)
      expect(fit.history[i]).toBeGreaterThanOrEqual(fit.history[i - 1] - 1e-9);
    expect(fit.meanLogLikelihood).toBeGreaterThanOrEqual(fit.history.at(-1) as number);
    const again = fitGmm(x, { k: 8, seed: 2, chunkRows: 1000 });
    expect(again.params).toEqual(fit.params);
    expect(again.meanLogLikelihood).toBe(fit.meanLogLikelihood);
  });

  it('picks k by BIC', () => {
    const { x } = gaussianBlobs({ n: 800, dim: 8, k: 4, seed: 4 });
    const { best, grid } = fitGmmGrid(x, [2, 6, 4, 3, 5], { seed: 1 });
    expect(grid.map((g) => g.k)).toEqual([2, 3, 4, 5, 6]);
    expect(best.k).toBe(4);
    expectClose(best.bic, bic(best.meanLogLikelihood * 800, 800, 4, 8));
  });
});

describe('logSumExp and bic', () => {
  it('is stable and propagates −∞ and NaN', () => {
    expectClose(logSumExp([1000, 1000]), 1000 + Math.LN2);
    expectClose(logSumExp([-1000, -1000]), -1000 + Math.LN2);
    expect(logSumExp([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBe(Number.NEGATIVE_INFINITY);
    expect(logSumExp([Number.NaN, 0])).toBeNaN();
    expect(logSumExp([0, Number.NaN])).toBeNaN();
    expect(logSumExp([])).toBe(Number.NEGATIVE_INFINITY);
  });

  it('counts 2·k·dim + k − 1 parameters (scikit-learn, diagonal)', () => {
    expectClose(bic(-100, 50, 3, 2), 200 + 14 * Math.log(50));
  });
});
