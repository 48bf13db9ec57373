import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adjustedRandIndex,
  assignKmeans,
  createKmeansBounds,
  encodeCentroids,
  fitKmeans,
  gaussianBlobs,
  kmeansConverged,
  kmeansPlusPlus,
  kmeansStats,
  kmeansUpdate,
  mergeKmeansStats,
  rowChunks,
  useClusterKernel,
} from '../../../src/cluster/index.ts';
import { expectClose, KERNELS, rows, SIX, SIX_CENTROIDS } from './helpers.ts';

describe.each(KERNELS)('k-means, %s kernel', (kernel) => {
  beforeAll(() => {
    useClusterKernel(kernel);
  });
  afterAll(() => {
    useClusterKernel('wasm');
  });

  it('computes the map statistics of a 6-point example by hand', () => {
    // c0 = (1,1): (0,0) d²=2, (1,0) d²=1, (4,5) d²=9+16=25 (to c1: 25+36=61);
    // c1 = (9,11): (10,10) d²=2, (11,10) d²=5, (10,13) d²=5.
    const stats = kmeansStats(SIX, SIX_CENTROIDS, 2);
    expect(stats.n).toBe(6);
    expect(Array.from(stats.counts)).toEqual([3, 3]);
    expect(Array.from(stats.sums)).toEqual([5, 5, 31, 33]);
    expect(stats.inertia).toBe(40);
    const { labels, dist2 } = assignKmeans(SIX, SIX_CENTROIDS, 2);
    expect(Array.from(labels)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(dist2)).toEqual([2, 1, 25, 2, 5, 5]);
    const { centroids, empty } = kmeansUpdate(stats, SIX_CENTROIDS);
    expect(empty).toEqual([]);
    expectClose(centroids, [5 / 3, 5 / 3, 31 / 3, 11]);
  });

  it('splits the largest cluster into an empty one, deterministically', () => {
    const prev = Float64Array.from([1, 1, 9, 11, 100, 100]);
    const stats = kmeansStats(SIX, prev, 3);
    expect(Array.from(stats.counts)).toEqual([3, 3, 0]);
    const a = kmeansUpdate(stats, prev);
    expect(a.empty).toEqual([2]);
    // Donor: cluster 0 (tie on count 3 → lower index), new centroid (5/3, 5/3) ± δ with
    // |δⱼ| = 1e-3 · √(inertia / (n·dim)) = 1e-3 · √(40 / 12).
    const delta = 1e-3 * Math.sqrt(40 / 12);
    const c = a.centroids;
    for (let j = 0; j < 2; j++) {
      expectClose((c[j] + c[4 + j]) / 2, 5 / 3);
      expectClose(Math.abs(c[4 + j] - c[j]), 2 * delta);
    }
    expectClose(c.subarray(2, 4), [31 / 3, 11]);
    expect(kmeansUpdate(stats, prev).centroids).toEqual(a.centroids);
    // The next assignment gives the new cluster records again.
    expect(kmeansStats(SIX, a.centroids, 3).counts[2]).toBeGreaterThan(0);
  });

  it('keeps the previous centroid when no cluster can donate', () => {
    const stats = kmeansStats(rows([[3, 4]]), Float64Array.from([0, 0, 50, 50]), 2);
    expect(Array.from(stats.counts)).toEqual([1, 0]);
    const { centroids, empty } = kmeansUpdate(stats, Float64Array.from([0, 0, 50, 50]));
    expect(empty).toEqual([1]);
    expect(Array.from(centroids)).toEqual([3, 4, 50, 50]);
  });

  it('merges associatively and commutatively: chunked == unchunked', () => {
    const { x } = gaussianBlobs({ n: 3001, dim: 13, k: 6, seed: 5 });
    const centroids = kmeansPlusPlus(x, 6, 1);
    const whole = kmeansStats(x, centroids, 6);
    const parts = rowChunks(x, 700).map((c) => kmeansStats(c, centroids, 6));
    const left = parts.reduce(mergeKmeansStats);
    const right = parts.reduceRight((acc, p) => mergeKmeansStats(p, acc));
    for (const merged of [left, right]) {
      expect(merged.n).toBe(whole.n);
      expect(Array.from(merged.counts)).toEqual(Array.from(whole.counts));
      expectClose(merged.sums, whole.sums, 1e-9);
      expectClose(merged.inertia, whole.inertia, 1e-9);
    }
    expect(mergeKmeansStats(parts[0], parts[1])).toEqual(mergeKmeansStats(parts[1], parts[0]));
  });

  it('gives the same statistics with bounds as without, iteration after iteration', () => {
    const { x } = gaussianBlobs({ n: 2500, dim: 12, k: 7, seed: 9, sigma: [0.5, 1.5], noise: 0.05 });
    const k = 8;
    // Start with one centroid far away, so that an empty cluster gets split along the way.
    let centroids = kmeansPlusPlus(x, k, 4);
    centroids.fill(1e3, 0, 12);
    const chunks = rowChunks(x, 1000);
    const states = chunks.map((c) => createKmeansBounds(c, k));
    let skipped = 0;
    for (let iter = 0; iter < 12; iter++) {
      const plain = chunks.map((c) => kmeansStats(c, centroids, k)).reduce(mergeKmeansStats);
      const bounded = chunks.map((c, i) => kmeansStats(c, centroids, k, states[i])).reduce(mergeKmeansStats);
      expect(Array.from(bounded.counts)).toEqual(Array.from(plain.counts));
      expectClose(bounded.sums, plain.sums, 1e-9);
      expectClose(bounded.inertia, plain.inertia, 1e-9);
      const update = kmeansUpdate(plain, centroids);
      if (iter === 0) expect(update.empty).toEqual([0]);
      centroids = update.centroids;
      if (iter > 0) skipped += states.reduce((s, b) => s + b.n - b.recomputed, 0);
    }
    expect(skipped).toBeGreaterThan(0.3 * 11 * 2500);
    // Same centroids again (a retried map): nothing moves, same statistics.
    const once = chunks.map((c, i) => kmeansStats(c, centroids, k, states[i])).reduce(mergeKmeansStats);
    const again = chunks.map((c, i) => kmeansStats(c, centroids, k, states[i])).reduce(mergeKmeansStats);
    expect(again).toEqual(once);
    expect(states.map((b) => b.recomputed + b.tightened)).toEqual([0, 0, 0]);
  });

  it('gives plain Lloyd statistics on duplicate rows with more clusters than distinct rows', () => {
    // 6 distinct rows, each 50 times, k = 8 and 12: empty clusters are split every iteration, rows sit
    // exactly on centroids (distance 0) and split centroids can coincide. A row at distance 0 from its
    // centroid must still move to a coinciding centroid of lower index, as plain Lloyd's argmin does.
    const points = [
      [0, 0, 0, 0],
      [4, 0, 0, 0],
      [0, 4, 0, 0],
      [2, 2, 0, 0],
      [0, 0, 4, 4],
      [4, 4, 4, 4],
    ];
    const x = rows(Array.from({ length: 300 }, (_, i) => points[(i * 7) % 6]));
    for (const k of [8, 12]) {
      let centroids = kmeansPlusPlus(x, k, 3);
      const chunks = rowChunks(x, 128);
      const states = chunks.map((c) => createKmeansBounds(c, k));
      let empty = 0;
      for (let iter = 0; iter < 12; iter++) {
        const plain = chunks.map((c) => kmeansStats(c, centroids, k)).reduce(mergeKmeansStats);
        const bounded = chunks
          .map((c, i) => kmeansStats(c, centroids, k, states[i]))
          .reduce(mergeKmeansStats);
        expect(Array.from(bounded.counts)).toEqual(Array.from(plain.counts));
        expectClose(bounded.sums, plain.sums, 1e-12);
        const update = kmeansUpdate(plain, centroids);
        empty += update.empty.length;
        centroids = update.centroids;
      }
      expect(empty).toBeGreaterThanOrEqual(12 * (k - 6));
    }
  });

  it('labels every row with its nearest final centroid through the bounds, like a full assignment', () => {
    const { x } = gaussianBlobs({ n: 3000, dim: 10, k: 9, seed: 13, sigma: [0.5, 1.5], noise: 0.05 });
    for (const chunkRows of [3000, 700]) {
      const fit = fitKmeans(x, { k: 12, seed: 5, chunkRows, maxIter: 6, tol: 0 });
      const full = assignKmeans(x, fit.centroids, 12);
      expect(fit.labels).toEqual(full.labels);
      expectClose(fit.inertia, kmeansStats(x, fit.centroids, 12).inertia, 1e-12);
    }
  });

  it('seeds with k-means++: distinct rows, seeded', () => {
    const x = rows([
      [0, 0],
      [0, 0],
      [0, 0],
      [5, 0],
      [0, 7],
      [9, 9],
    ]);
    const centers = kmeansPlusPlus(x, 4, 3);
    const picked = new Set(Array.from({ length: 4 }, (_, c) => `${centers[2 * c]},${centers[2 * c + 1]}`));
    expect(picked).toEqual(new Set(['0,0', '5,0', '0,7', '9,9']));
    expect(kmeansPlusPlus(x, 4, 3)).toEqual(centers);
    expect(() => kmeansPlusPlus(x, 7, 0)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: k must be an integer in [1, n]]`,
    );
    expect(() => kmeansPlusPlus(x, 0, 0)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: k must be an integer in [1, n]]`,
    );
    expect(() => kmeansPlusPlus(x, 1.5, 0)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: k must be an integer in [1, n]]`,
    );
  });

  it('recovers well-separated blobs (ARI ≥ 0.95), deterministically', () => {
    const { x, labels } = gaussianBlobs({ n: 4000, dim: 16, k: 8, seed: 11 });
    const fit = fitKmeans(x, { k: 8, seed: 2, chunkRows: 1000 });
    expect(fit.converged).toBe(true);
    const plain = fitKmeans(x, { k: 8, seed: 2, chunkRows: 1000, bounds: false });
    expect(plain.labels).toEqual(fit.labels);
    expectClose(plain.inertia, fit.inertia, 1e-12);
    expect(adjustedRandIndex(labels, fit.labels)).toBeGreaterThanOrEqual(0.95);
    expect(fit.history.length).toBe(fit.iterations);
    for (let i = 1; i < fit.history.length; i++)
      expect(fit.history[i]).toBeLessThanOrEqual(fit.history[i - 1] * (1 + 1e-12));
    const again = fitKmeans(x, { k: 8, seed: 2, chunkRows: 1000 });
    expect(encodeCentroids(again.centroids, 8, 16)).toEqual(encodeCentroids(fit.centroids, 8, 16));
    expect(again.labels).toEqual(fit.labels);
  });

  it('checks its arguments', () => {
    expect(() => fitKmeans(SIX, { k: 7 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: k must be an integer in [1, n]]`,
    );
    expect(() => kmeansStats(SIX, new Float64Array(3), 2)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: centroids must hold k × dim values]`,
    );
  });
});

describe('kmeansConverged', () => {
  it('compares the relative change of inertia with tol', () => {
    expect(kmeansConverged(100, 99.995, 1e-4)).toBe(true);
    expect(kmeansConverged(100, 99.9, 1e-4)).toBe(false);
    expect(kmeansConverged(Number.POSITIVE_INFINITY, 5, 1e-4)).toBe(false);
    expect(kmeansConverged(0, 0, 0)).toBe(true);
  });
});
