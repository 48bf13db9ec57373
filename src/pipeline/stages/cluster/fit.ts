import { fitModel, type Matrix } from '../../../cluster/index.ts';
import { decodeMatrix } from '../../../embed/matrix-file.ts';
import { type PcaStats, pcaFinalize, pcaPartial, pcaProject } from '../../../embed/reduce.ts';
import { clusterParamsKey, clusterSampleKey } from '../../keys.ts';
import type { BlobStore } from '../../store.ts';
import type { JobSpec } from '../../types.ts';
import { clusterSeed, pcaDim, usesPca, writePca } from '../embed/embed.ts';
import { encodeParams } from './files.ts';
import type { ClusterState, StepResult } from './plan.ts';

/**
 * The `fit` step (path `sample`), one task: reads the sample every shard wrote, fits the PCA on it
 * when the recipe reduces by PCA (and stores it for the assign step), then k-means or the GMM for
 * every k to convergence (src/cluster/fit-model.ts), and writes the chosen parameters where the
 * assign step reads them (clusterParamsKey of this step). Holds the sample at the clustered
 * dimension only: with PCA, the parts are read twice (moments, then projection), one at a time.
 * Deterministic: a retry writes the same bytes.
 */
export async function clusterFit(
  store: BlobStore,
  spec: JobSpec,
  iter: number,
  shards: number,
  plan: ClusterState,
): Promise<StepResult> {
  const cluster = spec.recipe.cluster!;
  const n = plan.sampled ?? 0;
  const kMax = Math.max(...plan.todo);
  if (n < kMax) {
    throw new Error(
      `cluster: the sample has ${n} records, fewer than k = ${kMax}; raise sampleSize or lower k, or fit "full"`,
    );
  }
  const x = usesPca(spec)
    ? await pcaSample(store, spec, shards, n)
    : await readSample(store, spec, shards, n);
  const fit = fitModel(x, {
    algorithm: cluster.algorithm,
    ks: plan.todo,
    maxIter: cluster.maxIter,
    tol: cluster.tol,
    seed: clusterSeed(spec),
    varFloor: cluster.varFloor,
    nInit: plan.starts ?? cluster.nInit ?? 1,
  });
  await store.put(clusterParamsKey(spec.id, iter), encodeParams(fit.model));
  const { best } = fit;
  return {
    kind: 'fit',
    n: x.n,
    k: best.k,
    iterations: best.iterations,
    converged: best.converged,
    ...(fit.kmeansIterations !== undefined ? { kmeansIterations: fit.kmeansIterations } : {}),
    history: fit.history,
    grid:
      cluster.algorithm === 'gmm'
        ? fit.grid.map((g) => ({
            k: g.k,
            bic: g.bic,
            meanLogLikelihood: g.objective,
            iterations: g.iterations,
            converged: g.converged,
          }))
        : [],
  };
}

/** Calls `visit` with each shard's sample part, in shard order. */
async function eachPart(
  store: BlobStore,
  job: string,
  shards: number,
  visit: (part: Matrix) => void,
): Promise<void> {
  for (let s = 0; s < shards; s++) {
    const bytes = await store.get(clusterSampleKey(job, s));
    if (!bytes) throw new Error(`cluster sample of shard ${s} is missing`);
    visit(decodeMatrix(bytes));
  }
}

/** Every part's rows into one n-row matrix, each part projected by `map` first when given. */
async function gather(
  store: BlobStore,
  job: string,
  shards: number,
  n: number,
  map?: { dim: number; project: (part: Matrix, into: Float32Array) => void },
): Promise<Matrix> {
  let data: Float32Array | null = null;
  let dim = map?.dim ?? 0;
  let at = 0;
  await eachPart(store, job, shards, (part) => {
    if (!map) dim ||= part.dim;
    data ??= new Float32Array(n * dim);
    if (at + part.n > n) throw new Error(`cluster sample has more than the ${n} records its shards counted`);
    const into = data.subarray(at * dim, (at + part.n) * dim);
    if (map) map.project(part, into);
    else into.set(part.data.subarray(0, part.n * dim));
    at += part.n;
  });
  if (at !== n || !data) throw new Error(`cluster sample has ${at} records, its shards counted ${n}`);
  return { data, n, dim };
}

function readSample(store: BlobStore, spec: JobSpec, shards: number, n: number): Promise<Matrix> {
  return gather(store, spec.id, shards, n);
}

/** PCA on the sample (moments over every part, then the axes), stored; the sample projected onto it. */
async function pcaSample(store: BlobStore, spec: JobSpec, shards: number, n: number): Promise<Matrix> {
  let stats: PcaStats | undefined;
  await eachPart(store, spec.id, shards, (part) => {
    stats = pcaPartial(part, stats);
  });
  if (!stats) throw new Error('cluster sample is empty');
  const pca = pcaFinalize(stats, pcaDim(spec, stats.dim));
  await writePca(store, spec, pca);
  return gather(store, spec.id, shards, n, {
    dim: pca.dimOut,
    project: (part, into) => pcaProject(part, pca, into),
  });
}
