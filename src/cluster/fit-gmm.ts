import { type FitKmeansOptions, fitKmeans } from './fit-kmeans.ts';
import { gmmFromKmeans } from './gmm-init.ts';
import { gmmPosteriors } from './gmm-posteriors.ts';
import { gmmStats, mergeGmmStats } from './gmm-stats.ts';
import { bic, gmmUpdate } from './gmm-update.ts';
import type { GmmParams, Matrix } from './types.ts';
import { checkK, checkMatrix, checkParams, rowChunks } from './validate.ts';

export interface FitGmmOptions {
  k: number;
  maxIter?: number;
  /** Stop when the mean log-likelihood per record changes by at most tol (scikit-learn's rule). */
  tol?: number;
  seed?: number;
  /** Added to every variance (scikit-learn's reg_covar). */
  varFloor?: number;
  /** Rows per map task; the driver merges their statistics like a coordinator would. */
  chunkRows?: number;
  /** Initial parameters instead of k-means (then `kmeans` is unused). */
  init?: GmmParams;
  /** Options of the initializing k-means (k and seed come from here). */
  kmeans?: Omit<FitKmeansOptions, 'k' | 'seed'>;
}

export interface GmmFit {
  params: GmmParams;
  /** Mean over records of log p(x) under the final parameters (scikit-learn's `score`). */
  meanLogLikelihood: number;
  /** EM iterations run (E-step map + reduce + M-step). */
  iterations: number;
  converged: boolean;
  /** Most probable final component of each row. */
  labels: Int32Array;
  /** Mean log-likelihood measured by each iteration's E-step (before its M-step). */
  history: number[];
}

/**
 * Single-process diagonal Gaussian mixture built from the distributed steps: k-means (seeded)
 * → gmmFromKmeans, then EM iterations of map (gmmStats per chunk) → reduce (mergeGmmStats) →
 * update (gmmUpdate), until the mean log-likelihood changes by at most tol.
 */
export function fitGmm(x: Matrix, options: FitGmmOptions): GmmFit {
  const {
    k,
    maxIter = 100,
    tol = 1e-3,
    seed = 0,
    varFloor = 1e-6,
    chunkRows = 5_000,
    init,
    kmeans,
  } = options;
  checkMatrix(x);
  checkK(k, x.n);
  if (!Number.isInteger(maxIter) || maxIter < 0)
    throw new RangeError('maxIter must be a non-negative integer');
  if (!(tol >= 0)) throw new RangeError('tol must be a non-negative number');
  if (init) checkParams(init, x.dim);
  let params =
    init ?? gmmFromKmeans(x, fitKmeans(x, { chunkRows, ...kmeans, k, seed }).centroids, k, { varFloor });
  const chunks = rowChunks(x, chunkRows);
  const history: number[] = [];
  let prev = Number.NEGATIVE_INFINITY;
  let converged = false;
  let iterations = 0;
  while (iterations < maxIter) {
    const stats = chunks.map((chunk) => gmmStats(chunk, params)).reduce(mergeGmmStats);
    params = gmmUpdate(stats, { varFloor, prev: params });
    iterations++;
    const mean = stats.logLik / stats.n;
    history.push(mean);
    if (Math.abs(mean - prev) <= tol) {
      converged = true;
      break;
    }
    prev = mean;
  }
  const { labels, logLik } = gmmPosteriors(x, params, 0);
  let total = 0;
  for (let i = 0; i < x.n; i++) total += logLik[i];
  return { params, meanLogLikelihood: total / x.n, iterations, converged, labels, history };
}

export interface GmmGridEntry {
  k: number;
  bic: number;
  meanLogLikelihood: number;
  iterations: number;
  converged: boolean;
}

/** fitGmm for each k of the grid; the fit with the smallest BIC wins (the smaller k on a tie). */
export function fitGmmGrid(
  x: Matrix,
  kGrid: number[],
  options: Omit<FitGmmOptions, 'k' | 'init'> = {},
): { best: GmmFit & { k: number; bic: number }; grid: GmmGridEntry[] } {
  if (kGrid.length === 0) throw new RangeError('kGrid must not be empty');
  let best: (GmmFit & { k: number; bic: number }) | null = null;
  const grid: GmmGridEntry[] = [];
  for (const k of [...kGrid].sort((a, b) => a - b)) {
    const fit = fitGmm(x, { ...options, k });
    const score = bic(fit.meanLogLikelihood * x.n, x.n, k, x.dim);
    grid.push({
      k,
      bic: score,
      meanLogLikelihood: fit.meanLogLikelihood,
      iterations: fit.iterations,
      converged: fit.converged,
    });
    if (!best || score < best.bic) best = { ...fit, k, bic: score };
  }
  return { best: best as GmmFit & { k: number; bic: number }, grid };
}
