import {
  assignKmeans,
  clusterKernel,
  decodeGmmStats,
  decodeKmeansStats,
  encodeGmmStats,
  encodeKmeansStats,
  gmmHardStats,
  gmmPosteriors,
  gmmStats,
  gmmUpdate,
  kmeansPlusPlus,
  kmeansStats,
  kmeansUpdate,
  mergeGmmStats,
  mergeKmeansStats,
} from '../../../cluster/index.ts';
import type { Matrix } from '../../../cluster/types.ts';
import { decodeMatrix, encodeMatrix } from '../../../embed/matrix-file.ts';
import { hashUniform } from '../../../util/hash-uniform.ts';
import { fromJsonl } from '../../jsonl.ts';
import {
  clusterAssignKey,
  clusterParamsKey,
  clusterSampleKey,
  clusterStatsKey,
  clustersKey,
  shardKey,
} from '../../keys.ts';
import { readShardRecords } from '../../shard-records.ts';
import { type BlobStore, getJson, getText } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';
import { clusterSeed, clusterVectors, projectShard, shardEmbeddings, usesPca } from '../embed/embed.ts';
import type { ScoredLine } from '../score/score.ts';
import { type ClusterParams, centroidsOf, decodeParams, encodeParams } from './files.ts';
import { clusterFit } from './fit.ts';
import { type ClusterState, type ClusterStep, FAN_IN, type StepResult } from './plan.ts';

/** A shard's final assignment, beside its records. */
export interface ClusterAssignment {
  labels: number[];
  /** GMM: the top posteriors of each record, `[cluster, p]`. */
  top?: [number, number][][];
  /** GMM: log N(x; μ_c, σ²_c) of each record under its own component c (the sampler's typicality). */
  density?: number[];
}

/** A shard's contribution to the per-cluster summaries. */
export interface ClusterSummaryPart {
  n: number;
  /** Σ log p(x) (GMM) or Σ squared distance (k-means) under the final parameters. */
  objective: number;
  sizes: number[];
  /** Per cluster, Σ of each score. */
  scoreSums: Record<string, number>[];
  /** Per cluster, the records nearest the center: [distance², id]. */
  nearest: [number, string][][];
}

const NEAREST = 3;

async function params(store: BlobStore, job: string, iter: number): Promise<ClusterParams> {
  const bytes = await store.get(clusterParamsKey(job, iter));
  if (!bytes) throw new Error(`cluster parameters of step ${iter} are missing`);
  return decodeParams(bytes);
}

/**
 * The vectors a map step of `plan` reads for a shard. When the fit task fits the PCA (path `sample`
 * with `reduce: "pca"`), the sample step reads the embeddings, and the assign step projects them
 * (storing them as `reduced.f32`, which selection reads).
 */
function mapVectors(store: BlobStore, spec: JobSpec, shard: number, step: ClusterStep, plan: ClusterState) {
  const pcaInTask = plan.path === 'sample' && usesPca(spec);
  if (pcaInTask && step.kind === 'sample') return shardEmbeddings(store, spec, shard);
  if (pcaInTask && step.kind === 'assign') return projectShard(store, spec, shard);
  return clusterVectors(store, spec, shard);
}

/** One map step on one shard. */
export async function clusterMap(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  plan: ClusterState,
  iter: number,
  rate: number,
): Promise<StepResult> {
  const { step } = plan;
  const x = await mapVectors(store, spec, info.shard, step, plan);
  const job = spec.id;
  switch (step.kind) {
    case 'sample': {
      // Keyed by the record's id (SHA-256 of its place and content), not its content hash: copies of
      // one content go in or out one by one, so a content repeated 300 times does not swing the sample.
      const records = await readShardRecords(store, job, info, { rows: false });
      const rows: number[] = [];
      records.forEach((r, i) => {
        if (hashUniform(r.id) < rate) rows.push(i);
      });
      const data = new Float32Array(rows.length * x.dim);
      rows.forEach((r, i) => {
        data.set(x.data.subarray(r * x.dim, (r + 1) * x.dim), i * x.dim);
      });
      await store.put(clusterSampleKey(job, info.shard), encodeMatrix({ data, n: rows.length, dim: x.dim }));
      return { kind: 'map', n: rows.length, objective: 0 };
    }
    case 'kmeans-map': {
      const p = await params(store, job, step.params);
      const stats = kmeansStats(x, centroidsOf(p), step.k);
      await store.put(clusterStatsKey(job, iter, info.shard), encodeKmeansStats(stats));
      return { kind: 'map', n: stats.n, objective: stats.inertia };
    }
    case 'gmm-init-map': {
      const p = await params(store, job, step.params);
      const stats = gmmHardStats(x, centroidsOf(p), step.k);
      await store.put(clusterStatsKey(job, iter, info.shard), encodeGmmStats(stats));
      return { kind: 'map', n: stats.n, objective: 0 };
    }
    case 'gmm-map': {
      const p = await params(store, job, step.params);
      if (p.kind !== 'gmm') throw new Error('gmm-map needs mixture parameters');
      const stats = gmmStats(x, p);
      await store.put(clusterStatsKey(job, iter, info.shard), encodeGmmStats(stats));
      return { kind: 'map', n: stats.n, objective: stats.logLik };
    }
    case 'assign':
      return assign(store, spec, info, step, iter, x);
    default:
      throw new Error(`cluster step ${step.kind} is not a map step`);
  }
}

async function assign(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  step: Extract<ClusterStep, { kind: 'assign' }>,
  iter: number,
  x: Matrix,
): Promise<StepResult> {
  const p = await params(store, spec.id, step.params);
  const lines = fromJsonl<ScoredLine>(await getText(store, shardKey(spec.id, info.shard, 'scores.jsonl')));
  let labels: Int32Array;
  let dist: Float64Array;
  let objective = 0;
  const out: ClusterAssignment = { labels: [] };
  if (p.kind === 'gmm') {
    const post = gmmPosteriors(x, p, 3);
    labels = post.labels;
    dist = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) {
      objective += post.logLik[i];
      dist[i] = -post.logLik[i]; // nearest = most likely under the mixture
    }
    out.top = post.top.map((t) => t.map(({ component, p: q }): [number, number] => [component, q]));
    // log N_c(x) = log p(x) + log r_c − log w_c, with r_c = w_c·N_c(x) / p(x) the label's posterior.
    out.density = post.top.map((t, i) => post.logLik[i] + Math.log(t[0].p) - Math.log(p.weights[labels[i]]));
  } else {
    const a = assignKmeans(x, p.centroids, step.k);
    labels = a.labels;
    dist = Float64Array.from(a.dist2);
    for (let i = 0; i < x.n; i++) objective += a.dist2[i];
  }
  out.labels = Array.from(labels);
  await store.put(clusterAssignKey(spec.id, info.shard), JSON.stringify(out));
  const part: ClusterSummaryPart = {
    n: x.n,
    objective,
    sizes: new Array(step.k).fill(0),
    scoreSums: Array.from({ length: step.k }, () => ({})),
    nearest: Array.from({ length: step.k }, () => []),
  };
  for (let i = 0; i < x.n; i++) {
    const c = labels[i];
    part.sizes[c]++;
    const sums = part.scoreSums[c];
    for (const [name, v] of Object.entries(lines[i]?.scores ?? {})) sums[name] = (sums[name] ?? 0) + v;
    keepNearest(part.nearest[c], [dist[i], lines[i]?.id ?? String(i)]);
  }
  await store.put(clusterStatsKey(spec.id, iter, info.shard), JSON.stringify(part));
  return { kind: 'map', n: x.n, objective };
}

function keepNearest(list: [number, string][], item: [number, string]): void {
  list.push(item);
  list.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  if (list.length > NEAREST) list.length = NEAREST;
}

/** One single-task step: seeding, a reduce (merge and update), or the final summary. */
export async function clusterReduce(
  store: BlobStore,
  spec: JobSpec,
  step: ClusterStep,
  iter: number,
  shards: number,
  plan: ClusterState,
  index = 0,
): Promise<StepResult> {
  const job = spec.id;
  const varFloor = spec.recipe.cluster?.varFloor ?? 1e-6;
  switch (step.kind) {
    case 'seed': {
      const parts: Matrix[] = [];
      for (let s = 0; s < shards; s++) {
        const bytes = await store.get(clusterSampleKey(job, s));
        if (bytes) parts.push(decodeMatrix(bytes));
      }
      const sample = concat(parts);
      if (sample.n < step.k) {
        throw new Error(
          `cluster: the seeding sample has ${sample.n} records, fewer than k = ${step.k}; raise sampleSize or lower k`,
        );
      }
      const centroids = kmeansPlusPlus(sample, step.k, clusterSeed(spec) + step.k);
      await store.put(
        clusterParamsKey(job, iter),
        encodeParams({ kind: 'kmeans', k: step.k, dim: sample.dim, centroids }),
      );
      return { kind: 'seed' };
    }
    case 'fit':
      return clusterFit(store, spec, iter, shards, plan);
    case 'merge':
      return mergeLevel(store, job, step, iter, index);
    case 'kmeans-reduce': {
      const stats = await mergeAll(store, job, iter - 1, 0, step.parts, decodeKmeansStats, mergeKmeansStats);
      const prev = await params(store, job, step.params);
      const { centroids, empty } = kmeansUpdate(stats, centroidsOf(prev));
      await store.put(
        clusterParamsKey(job, iter),
        encodeParams({ kind: 'kmeans', k: step.k, dim: stats.dim, centroids }),
      );
      return { kind: 'reduce', n: stats.n, objective: stats.inertia, empty: empty.length };
    }
    case 'gmm-reduce': {
      const stats = await mergeAll(store, job, iter - 1, 0, step.parts, decodeGmmStats, mergeGmmStats);
      const next = gmmUpdate(stats, { varFloor });
      await store.put(clusterParamsKey(job, iter), encodeParams({ kind: 'gmm', ...next }));
      return { kind: 'reduce', n: stats.n, objective: stats.n > 0 ? stats.logLik / stats.n : 0, empty: 0 };
    }
    case 'summarize':
      return summarize(store, spec, step, iter, shards, plan);
    default:
      throw new Error(`cluster step ${step.kind} is not a single-task step`);
  }
}

/** One task of a tree-reduce level: merge parts [index·FAN_IN, (index+1)·FAN_IN) of the level below. */
async function mergeLevel(
  store: BlobStore,
  job: string,
  step: Extract<ClusterStep, { kind: 'merge' }>,
  iter: number,
  index: number,
): Promise<StepResult> {
  const from = index * FAN_IN;
  const to = Math.min(step.parts, from + FAN_IN);
  const bytes =
    step.stats === 'kmeans'
      ? encodeKmeansStats(await mergeAll(store, job, iter - 1, from, to, decodeKmeansStats, mergeKmeansStats))
      : encodeGmmStats(await mergeAll(store, job, iter - 1, from, to, decodeGmmStats, mergeGmmStats));
  await store.put(clusterStatsKey(job, iter, index), bytes);
  return { kind: 'merge', parts: to - from };
}

async function mergeAll<T>(
  store: BlobStore,
  job: string,
  iter: number,
  from: number,
  to: number,
  decode: (b: Uint8Array) => T,
  merge: (a: T, b: T) => T,
): Promise<T> {
  let acc: T | undefined;
  for (let s = from; s < to; s++) {
    const bytes = await store.get(clusterStatsKey(job, iter, s));
    if (!bytes) throw new Error(`cluster statistics of step ${iter}, shard ${s} are missing`);
    const t = decode(bytes);
    acc = acc === undefined ? t : merge(acc, t);
  }
  if (acc === undefined) throw new Error('cluster: no shard statistics to merge');
  return acc;
}

function concat(parts: Matrix[]): Matrix {
  const dim = parts.find((p) => p.n > 0)?.dim ?? parts[0]?.dim ?? 0;
  const n = parts.reduce((a, p) => a + p.n, 0);
  const data = new Float32Array(n * dim);
  let off = 0;
  for (const p of parts) {
    data.set(p.data.subarray(0, p.n * dim), off);
    off += p.n * dim;
  }
  return { data, n, dim };
}

async function summarize(
  store: BlobStore,
  spec: JobSpec,
  step: Extract<ClusterStep, { kind: 'summarize' }>,
  iter: number,
  shards: number,
  plan: ClusterState,
): Promise<StepResult> {
  const k = step.k;
  const total: ClusterSummaryPart = {
    n: 0,
    objective: 0,
    sizes: new Array(k).fill(0),
    scoreSums: Array.from({ length: k }, () => ({})),
    nearest: Array.from({ length: k }, () => []),
  };
  for (let s = 0; s < shards; s++) {
    const part = await getJson<ClusterSummaryPart>(store, clusterStatsKey(spec.id, iter - 1, s));
    if (!part) throw new Error(`cluster summary of shard ${s} is missing`);
    total.n += part.n;
    total.objective += part.objective;
    for (let c = 0; c < k; c++) {
      total.sizes[c] += part.sizes[c];
      for (const [name, v] of Object.entries(part.scoreSums[c]))
        total.scoreSums[c][name] = (total.scoreSums[c][name] ?? 0) + v;
      for (const item of part.nearest[c]) keepNearest(total.nearest[c], item);
    }
  }
  const p = await params(store, spec.id, step.params);
  const file = clustersFile(spec, p, total, plan);
  const text = new TextEncoder().encode(JSON.stringify(file, null, 1));
  await store.put(clustersKey(spec.id), text);
  return {
    kind: 'summary',
    sizes: total.sizes,
    scoreMeans: file.clusters.map((c) => c.scores),
    kernel: file.kernel,
    bytes: text.byteLength,
    ...(p.kind === 'gmm'
      ? { meanLogLikelihood: total.n > 0 ? total.objective / total.n : 0 }
      : { inertia: total.objective }),
  };
}

export async function readAssignment(
  store: BlobStore,
  job: string,
  shard: number,
): Promise<ClusterAssignment | null> {
  return getJson<ClusterAssignment>(store, clusterAssignKey(job, shard));
}

/** `clusters.json`: the fitted model and, per cluster, its size, score means and nearest records. */
function clustersFile(spec: JobSpec, p: ClusterParams, total: ClusterSummaryPart, plan: ClusterState) {
  const rows = (a: Float64Array) =>
    Array.from({ length: p.k }, (_, c) => Array.from(a.subarray(c * p.dim, (c + 1) * p.dim)));
  const gmm = p.kind === 'gmm';
  return {
    algorithm: spec.recipe.cluster?.algorithm ?? 'kmeans',
    k: p.k,
    dim: p.dim,
    records: total.n,
    /** The distance kernel this isolate ran: WebAssembly SIMD where the host provides the module. */
    kernel: clusterKernel().name,
    /** Fitted on the sample in one task, or over every shard; the sample's records. */
    fit: { path: plan.path, sample: plan.sampled ?? 0 },
    iterations: plan.iterations,
    converged: plan.converged,
    ...(plan.kmeansIterations !== undefined ? { kmeansIterations: plan.kmeansIterations } : {}),
    ...(gmm
      ? { meanLogLikelihood: total.n > 0 ? total.objective / total.n : 0 }
      : { inertia: total.objective }),
    ...(plan.grid.length > 1
      ? { bic: plan.grid.map(({ k, bic, meanLogLikelihood }) => ({ k, bic, meanLogLikelihood })) }
      : {}),
    weights: gmm ? Array.from(p.weights) : total.sizes.map((s) => s / Math.max(1, total.n)),
    means: rows(centroidsOf(p)),
    ...(gmm ? { variances: rows(p.variances) } : {}),
    clusters: total.sizes.map((size, c) => ({
      cluster: c,
      size,
      scores: Object.fromEntries(
        Object.entries(total.scoreSums[c]).map(([name, v]) => [name, size > 0 ? v / size : 0]),
      ),
      nearest: total.nearest[c].map(([d, id]) =>
        gmm ? { id, logLikelihood: -d } : { id, distance: Math.sqrt(d) },
      ),
    })),
  };
}
