import type { Cluster } from '../../../../schemas/recipe.ts';
import { fitBudget } from '../../../cluster/index.ts';
import type { JobView } from '../../types.ts';
import { validRecords } from '../ingest/stage.ts';

/**
 * Which way the cluster stage fits:
 * - `sample`: k-means / the GMM (every k of a grid, and the PCA when the recipe reduces by PCA) run to
 *   convergence in one task on a hash-uniform sample of `rows` records, then one pass over every shard
 *   assigns each record and sums the final statistics;
 * - `full`: Lloyd / EM iterations as map-reduce over every shard (k-means++ seeded on the sample).
 *
 * `reason`: the recipe's `cluster.fit` chose (`recipe`); or, without one, the sample fits one task
 * (`fits`), or would not: too much memory (`memory`), CPU (`cpu`), or sample parts to read (`reads`).
 */
export interface FitPath {
  path: 'sample' | 'full';
  /** Records the hash-uniform sample aims at. */
  rows: number;
  reason: 'recipe' | 'fits' | 'memory' | 'cpu' | 'reads';
  /** k-means++ starts of the sample fit: the recipe's `nInit`, or up to DEFAULT_STARTS as the CPU budget allows. */
  starts: number;
}

/** Starts of the sample fit when the recipe gives no `nInit` (scikit-learn's n_init before 1.4). */
export const DEFAULT_STARTS = 10;

/**
 * R2 reads one task may make: a Worker invocation has 10,000 subrequests; the fit task reads each
 * shard's sample part (twice with PCA) and writes two objects.
 */
export const FIT_READS = 9_000;

/** Vectors the fit runs on, and the dimension its sample is stored at (the embeddings' with PCA). */
export function clusterDims(cluster: Cluster, embedDim: number): { dim: number; pcaFrom?: number } {
  const dim = Math.min(cluster.dim ?? embedDim, embedDim);
  return cluster.dim !== undefined && cluster.reduce === 'pca' ? { dim, pcaFrom: embedDim } : { dim };
}

/**
 * The fit path of a job with `records` valid records in `shards` shards whose embeddings have
 * `embedDim` dimensions. Without `cluster.fit`, `sample` whenever `min(sampleSize, records)` rows fit
 * one task (src/cluster/fit-budget.ts); an explicit `sample` shrinks the sample to what fits.
 */
export function clusterFitPath(
  cluster: Cluster,
  { records, embedDim, shards }: { records: number; embedDim: number; shards: number },
): FitPath {
  const wanted = Math.min(cluster.sampleSize, records);
  const given = cluster.nInit;
  if (cluster.fit === 'full') return { path: 'full', rows: wanted, reason: 'recipe', starts: 1 };
  const { dim, pcaFrom } = clusterDims(cluster, embedDim);
  const capOf = (nInit: number) =>
    fitBudget({
      algorithm: cluster.algorithm,
      ks: cluster.kGrid ?? [cluster.k!],
      dim,
      pcaFrom,
      maxIter: cluster.maxIter,
      parts: shards,
      nInit,
    });
  const cap = capOf(given ?? 1);
  // Without nInit: as many starts (up to DEFAULT_STARTS) as keep the sample within the CPU budget.
  const startsFor = (rows: number) => {
    if (given !== undefined) return given;
    let n = DEFAULT_STARTS;
    while (n > 1 && capOf(n).cpu < rows) n--;
    return n;
  };
  if (shards * (pcaFrom ? 2 : 1) > FIT_READS)
    return { path: 'full', rows: wanted, reason: 'reads', starts: 1 };
  if (cluster.fit === 'sample') {
    const rows = Math.min(wanted, cap.memory, cap.cpu);
    return { path: 'sample', rows, reason: 'recipe', starts: startsFor(rows) };
  }
  if (wanted > cap.memory) return { path: 'full', rows: wanted, reason: 'memory', starts: 1 };
  if (wanted > cap.cpu) return { path: 'full', rows: wanted, reason: 'cpu', starts: 1 };
  return { path: 'sample', rows: wanted, reason: 'fits', starts: startsFor(wanted) };
}

/** The fit path of the job's cluster stage, for embeddings of `embedDim` dimensions (the embed stage asks before it ends). */
export function jobFitPath(view: JobView, embedDim: number): FitPath {
  return clusterFitPath(view.spec.recipe.cluster as Cluster, {
    records: validRecords(view),
    embedDim,
    shards: view.table.count(),
  });
}
