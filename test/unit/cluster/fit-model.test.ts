import { describe, expect, it } from 'vitest';
import {
  adjustedRandIndex,
  bic,
  fitModel,
  type GmmParams,
  gaussianBlobs,
  gmmHardStats,
  gmmPosteriors,
  gmmStats,
  gmmUpdate,
  kmeansPlusPlus,
  kmeansStats,
  kmeansUpdate,
  type Matrix,
  mergeGmmStats,
  mergeKmeansStats,
  rowChunks,
} from '../../../src/cluster/index.ts';
import { expectClose, SIX } from './helpers.ts';

/**
 * The distributed fit of src/pipeline/stages/cluster/plan.ts written out step by step: k-means++ with
 * seed + k, Lloyd map (per chunk) → reduce → update until the relative change of inertia ≤ tol, then
 * for the GMM hard statistics → M-step, and E-step → M-step until the mean log-likelihood changes ≤ tol.
 */
function distributed(
  x: Matrix,
  algorithm: 'kmeans' | 'gmm',
  k: number,
  seed: number,
  tol: number,
  maxIter = 50,
) {
  const chunks = rowChunks(x, 300);
  let centroids = kmeansPlusPlus(x, k, seed + k);
  let prev: number | undefined;
  let kmIters = 0;
  for (; kmIters < maxIter; ) {
    const stats = chunks.map((c) => kmeansStats(c, centroids, k)).reduce(mergeKmeansStats);
    centroids = kmeansUpdate(stats, centroids).centroids;
    kmIters++;
    const done = prev !== undefined && Math.abs(prev - stats.inertia) <= tol * prev;
    prev = stats.inertia;
    if (done) break;
  }
  if (algorithm === 'kmeans') return { centroids, iterations: kmIters };
  let params: GmmParams = gmmUpdate(
    chunks.map((c) => gmmHardStats(c, centroids, k)).reduce(mergeGmmStats),
    {},
  );
  let last: number | undefined;
  let iterations = 0;
  for (; iterations < maxIter; ) {
    const stats = chunks.map((c) => gmmStats(c, params)).reduce(mergeGmmStats);
    params = gmmUpdate(stats, { prev: params });
    iterations++;
    const mean = stats.logLik / stats.n;
    const done = last !== undefined && Math.abs(mean - last) <= tol;
    last = mean;
    if (done) break;
  }
  return { params, iterations, kmeansIterations: kmIters };
}

describe('fitModel: the whole fit in one task', () => {
  it('k-means on the six-point example: the hand-checked centroids and inertia 32', () => {
    const fit = fitModel(SIX, { algorithm: 'kmeans', ks: [2], maxIter: 20, tol: 0, seed: 1 });
    expect(fit.model.kind).toBe('kmeans');
    const c = fit.model.kind === 'kmeans' ? Array.from(fit.model.centroids) : [];
    const pairs = [c.slice(0, 2), c.slice(2, 4)].sort((a, b) => a[0] - b[0]).flat();
    expectClose(pairs, [5 / 3, 5 / 3, 31 / 3, 11]);
    expectClose(fit.best.objective, 32);
    expect(fit.best.converged).toBe(true);
  });

  it('k-means and the GMM give the distributed fit of the same rows (1e-9)', () => {
    const { x, labels } = gaussianBlobs({ n: 3000, dim: 12, k: 6, seed: 21, spread: 3, sigma: [0.3, 0.6] });
    const km = fitModel(x, { algorithm: 'kmeans', ks: [6], maxIter: 50, tol: 1e-4, seed: 7 });
    const kmRef = distributed(x, 'kmeans', 6, 7, 1e-4);
    expect(km.model.kind === 'kmeans' && km.model.centroids.length).toBe(72);
    expectClose(km.model.kind === 'kmeans' ? km.model.centroids : [], kmRef.centroids as Float64Array, 1e-9);
    expect(km.best.iterations).toBe(kmRef.iterations);

    const gm = fitModel(x, { algorithm: 'gmm', ks: [6], maxIter: 50, tol: 1e-4, seed: 7 });
    const gmRef = distributed(x, 'gmm', 6, 7, 1e-4) as {
      params: GmmParams;
      iterations: number;
      kmeansIterations: number;
    };
    if (gm.model.kind !== 'gmm') throw new Error('want a mixture');
    expectClose(gm.model.means, gmRef.params.means, 1e-9);
    expectClose(gm.model.variances, gmRef.params.variances, 1e-9);
    expectClose(gm.model.weights, gmRef.params.weights, 1e-9);
    expect(gm.best.iterations).toBe(gmRef.iterations);
    expect(gm.kmeansIterations).toBe(gmRef.kmeansIterations);
    // Its objective is the mean log-likelihood of x under the final parameters.
    const ll = gmmPosteriors(x, gm.model, 0).logLik.reduce((a, b) => a + b, 0) / x.n;
    expectClose(gm.best.objective, ll, 1e-12);
    expect(adjustedRandIndex(labels, gmmPosteriors(x, gm.model, 0).labels)).toBeGreaterThanOrEqual(0.95);
  });

  it('a GMM grid keeps the k of smallest BIC, reporting every k in the order given', () => {
    const { x } = gaussianBlobs({ n: 1200, dim: 8, k: 4, seed: 4 });
    const fit = fitModel(x, { algorithm: 'gmm', ks: [6, 2, 4], maxIter: 100, tol: 1e-3, seed: 1 });
    expect(fit.grid.map((g) => g.k)).toEqual([6, 2, 4]);
    expect(fit.best.k).toBe(4);
    expect(fit.model.k).toBe(4);
    for (const g of fit.grid) expectClose(g.bic, bic(g.objective * x.n, x.n, g.k, 8));
    expect(Math.min(...fit.grid.map((g) => g.bic))).toBe(fit.best.bic);
  });

  it('refuses what the distributed fit refuses', () => {
    expect(() => fitModel(SIX, { algorithm: 'kmeans', ks: [2, 3], maxIter: 5, tol: 0, seed: 0 })).toThrow(
      'a k grid needs algorithm "gmm"',
    );
    expect(() => fitModel(SIX, { algorithm: 'gmm', ks: [7], maxIter: 5, tol: 0, seed: 0 })).toThrow(
      'k must be an integer in [1, n]',
    );
    expect(() => fitModel(SIX, { algorithm: 'gmm', ks: [], maxIter: 5, tol: 0, seed: 0 })).toThrow(
      'ks must not be empty',
    );
  });
});

describe('k-means restarts (nInit)', () => {
  it('keeps the start with the least inertia: never worse than one start, the first start as before', () => {
    // Overlapping blobs and k above their number: k-means++ starts end in different local optima.
    const { x } = gaussianBlobs({ n: 1500, dim: 6, k: 5, spread: 1.5, seed: 4 });
    const base = { algorithm: 'kmeans' as const, ks: [9], maxIter: 100, tol: 1e-6, seed: 3 };
    const one = fitModel(x, base);
    const again = fitModel(x, { ...base, nInit: 1 });
    expect(again.best.objective).toBe(one.best.objective);
    const starts = [0, 1, 2, 3, 4].map((r) => fitModel(x, { ...base, seed: base.seed + 7919 * r }));
    expect(new Set(starts.map((s) => s.best.objective)).size).toBeGreaterThan(1);
    const many = fitModel(x, { ...base, nInit: 5 });
    expect(many.best.objective).toBe(Math.min(...starts.map((s) => s.best.objective)));
    expect(many.best.objective).toBeLessThanOrEqual(one.best.objective);
    expect(() => fitModel(x, { ...base, nInit: 0 })).toThrow('nInit');
  });
});
