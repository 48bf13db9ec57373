import { fitGmm } from './fit-gmm.ts';
import { fitKmeans } from './fit-kmeans.ts';
import { gmmFromKmeans } from './gmm-init.ts';
import { bic } from './gmm-update.ts';
import { clusterKernel } from './kernel.ts';
import type { GmmParams, Matrix } from './types.ts';
import { checkK, checkMatrix } from './validate.ts';

/** Fitted parameters: k-means centroids, or a diagonal mixture. */
export type FittedModel =
  | { kind: 'kmeans'; k: number; dim: number; centroids: Float64Array }
  | ({ kind: 'gmm' } & GmmParams);

export interface FitModelOptions {
  algorithm: 'kmeans' | 'gmm';
  /** The k to fit, or several (GMM only: the one with the smallest BIC wins, the first on a tie). */
  ks: number[];
  maxIter: number;
  /** k-means: relative change of inertia; GMM: change of mean log-likelihood per record. */
  tol: number;
  /** k-means++ for k runs with seed + k (as the distributed fit seeds it). */
  seed: number;
  /**
   * k-means runs from this many k-means++ starts (the first with seed + k, then seed + k + 7919·r) and
   * keeps the one with the least inertia (scikit-learn's n_init); a GMM starts from that one. Default 1.
   */
  nInit?: number;
  varFloor?: number;
  /** Rows per chunk of the in-process map steps (default: every row in one, so nothing to merge). */
  chunkRows?: number;
}

/** One fitted k of the grid. */
export interface FitModelEntry {
  k: number;
  /** GMM only (NaN for k-means). */
  bic: number;
  /** GMM: mean log-likelihood per row; k-means: inertia (both under the final parameters, over x). */
  objective: number;
  iterations: number;
  converged: boolean;
}

export interface ModelFit {
  model: FittedModel;
  /** The chosen k's fit. */
  best: FitModelEntry;
  /** k-means iterations that initialized the chosen GMM. */
  kmeansIterations?: number;
  /** Objective measured by each iteration of the chosen fit (inertia, or mean log-likelihood). */
  history: number[];
  /** Every k in the order given. */
  grid: FitModelEntry[];
}

/**
 * k-means (Lloyd with Hamerly bounds, `fitKmeans`) or a diagonal GMM initialized from it (`fitGmm`)
 * to convergence on x in this process, for each k of `ks`; a GMM grid keeps the k with the smallest
 * BIC. The same algorithm, seeds and stopping rules as the distributed fit over shards
 * (src/pipeline/stages/cluster/plan.ts), so on the same rows both give the same parameters up to
 * float64 summation order.
 */
export function fitModel(x: Matrix, options: FitModelOptions): ModelFit {
  try {
    return fitModels(x, options);
  } finally {
    // The kernel's copy of the sample's rows, kept from fit to fit (k-means starts, a k grid), goes
    // with the task's fits.
    clusterKernel().release();
  }
}

function fitModels(x: Matrix, options: FitModelOptions): ModelFit {
  checkMatrix(x);
  const {
    algorithm,
    ks,
    maxIter,
    tol,
    seed,
    varFloor = 1e-6,
    chunkRows = Math.max(1, x.n),
    nInit = 1,
  } = options;
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError('nInit must be a positive integer');
  if (ks.length === 0) throw new RangeError('ks must not be empty');
  if (algorithm === 'kmeans' && ks.length > 1) throw new RangeError('a k grid needs algorithm "gmm"');
  for (const k of ks) checkK(k, x.n);
  let chosen: ModelFit | null = null;
  const grid: FitModelEntry[] = [];
  for (const k of ks) {
    let km = fitKmeans(x, { k, maxIter, tol, seed: seed + k, sampleSize: x.n, chunkRows });
    for (let r = 1; r < nInit; r++) {
      const again = fitKmeans(x, { k, maxIter, tol, seed: seed + k + 7919 * r, sampleSize: x.n, chunkRows });
      if (again.inertia < km.inertia) km = again;
    }
    let fit: ModelFit;
    if (algorithm === 'kmeans') {
      const best = {
        k,
        bic: Number.NaN,
        objective: km.inertia,
        iterations: km.iterations,
        converged: km.converged,
      };
      fit = {
        model: { kind: 'kmeans', k, dim: x.dim, centroids: km.centroids },
        best,
        history: km.history,
        grid: [],
      };
    } else {
      const init = gmmFromKmeans(x, km.centroids, k, { varFloor });
      const gm = fitGmm(x, { k, init, maxIter, tol, varFloor, chunkRows });
      const best = {
        k,
        bic: bic(gm.meanLogLikelihood * x.n, x.n, k, x.dim),
        objective: gm.meanLogLikelihood,
        iterations: gm.iterations,
        converged: gm.converged,
      };
      fit = {
        model: { kind: 'gmm', ...gm.params },
        best,
        kmeansIterations: km.iterations,
        history: gm.history,
        grid: [],
      };
    }
    grid.push(fit.best);
    if (!chosen || fit.best.bic < chosen.best.bic) chosen = fit;
  }
  return { ...(chosen as ModelFit), grid };
}
