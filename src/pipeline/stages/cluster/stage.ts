import type { Cluster } from '../../../../schemas/recipe.ts';
import { bic } from '../../../cluster/index.ts';
import { clustersKey } from '../../keys.ts';
import { singleFile } from '../../outputs.ts';
import type { JobSpec, JobView, ShardInfo, StageDef, StepDef } from '../../types.ts';
import { embedStage } from '../embed/stage.ts';
import { validRecords } from '../ingest/stage.ts';
import { clusterMap, clusterReduce } from './cluster.ts';
import { type FitPath, jobFitPath } from './fit-path.ts';
import {
  type ClusterState,
  type ClusterStep,
  firstClusterState,
  MAP_STEPS,
  mergeTasks,
  nextClusterStep,
  type StepResult,
} from './plan.ts';

type Summary = Extract<StepResult, { kind: 'summary' }>;

export interface ClusterStageState {
  /** The step plan (src/pipeline/stages/cluster/plan.ts). */
  plan: ClusterState;
  /** Where the fit runs, and why (src/pipeline/stages/cluster/fit-path.ts). */
  fit: FitPath;
  /** The sample's uniform rate (a record is in it when its hash-uniform key is below). */
  rate: number;
  /** Sizes, score means and the fit's objective, once summarized. */
  summary?: Summary;
}

interface ClusterInput {
  plan: ClusterState;
  rate: number;
  /** Map steps: the task's shard. */
  shard?: ShardInfo;
}

/** Every step runs the same map or reduce code; which one is the plan's current step. */
const step: StepDef<ClusterStageState, ClusterInput, StepResult> = {
  fan: (s, view) =>
    MAP_STEPS.has(s.plan.step.kind)
      ? view.table.count()
      : s.plan.step.kind === 'merge'
        ? mergeTasks(s.plan.step)
        : 1,
  run: (t, env) => {
    const { plan, rate, shard } = t.input;
    return MAP_STEPS.has(plan.step.kind)
      ? clusterMap(env.store, t.spec, shard!, plan, t.iter, rate)
      : clusterReduce(env.store, t.spec, plan.step, t.iter, t.shards, plan, t.index);
  },
};

/** The assign step counts the records it labelled. */
const assign: StepDef<ClusterStageState, ClusterInput, StepResult> = {
  ...step,
  counts: (r) => (r.kind === 'map' ? { in: r.n, out: r.n } : { in: 0, out: 0 }),
};

type Steps = Record<ClusterStep['kind'], StepResult>;

/**
 * k-means or a diagonal Gaussian mixture over the embeddings. A hash-uniform sample; then either the
 * whole fit in one task on it (path `sample`: PCA, every k of a BIC grid, to convergence), or
 * k-means++ on it and Lloyd or EM iterations as map-reduce over shards (path `full`, tree reduces
 * past FAN_IN shards); then every record assigned and the clusters summarized.
 */
export const clusterStage: StageDef<ClusterStageState, ClusterInput, Steps> = {
  id: 'cluster',
  queue: 'select',
  summary:
    'cluster the embeddings (k-means or a Gaussian mixture, fitted in one task on a sample or as map-reduce over shards)',
  applies: (spec) => !spec.recipe.pairs && !spec.recipe.safety,
  runs: (view) => view.spec.recipe.cluster !== undefined,
  start(view) {
    const fit = jobFitPath(view, view.of(embedStage)?.dim ?? 0);
    const plan = firstClusterState(view.spec.recipe.cluster as Cluster, fit.path, fit.starts);
    const rate = Math.min(1, fit.rows / Math.max(1, validRecords(view)));
    return { step: plan.step.kind, state: { plan, fit, rate } };
  },
  steps: {
    sample: step,
    fit: step,
    seed: step,
    'kmeans-map': step,
    'kmeans-reduce': step,
    'gmm-init-map': step,
    'gmm-reduce': step,
    merge: step,
    'gmm-map': step,
    assign,
    summarize: step,
  },
  input: (view, s, _step, index) => ({
    plan: s.plan,
    rate: s.rate,
    ...(MAP_STEPS.has(s.plan.step.kind) ? { shard: view.table.shard(index) } : {}),
  }),
  next(view, b) {
    const cluster = view.spec.recipe.cluster as Cluster;
    const embedDim = view.of(embedStage)?.dim ?? 0;
    const dim = Math.min(cluster.dim ?? embedDim, embedDim);
    const next = nextClusterStep(
      cluster,
      b.state.plan,
      b.iter,
      view.table.count(),
      b.results,
      (meanLL, n, k) => bic(meanLL * n, n, k, dim),
    );
    if (next === 'done') return { done: true, state: { ...b.state, summary: b.results[0] as Summary } };
    return { step: next.step.kind, state: { ...b.state, plan: next } };
  },
  report: (view, s) => (s?.summary ? { clusters: clusterReport(view.spec, s, s.summary) } : {}),
  outputs: (view, s) =>
    s?.summary ? [singleFile('clusters.json', clustersKey(view.spec.id), s.summary.bytes)] : [],
};

function clusterReport(spec: JobSpec, state: ClusterStageState, s: Summary) {
  const { plan, fit } = state;
  const step = plan.step as { k: number };
  return {
    algorithm: spec.recipe.cluster?.algorithm ?? 'kmeans',
    k: step.k,
    iterations: plan.iterations,
    converged: plan.converged,
    sizes: s.sizes,
    scoreMeans: s.scoreMeans,
    kernel: s.kernel,
    ...(s.meanLogLikelihood !== undefined ? { meanLogLikelihood: s.meanLogLikelihood } : {}),
    ...(s.inertia !== undefined ? { inertia: s.inertia } : {}),
    ...(plan.grid.length > 1 ? { bic: plan.grid.map(({ k, bic }) => ({ k, bic })) } : {}),
    fit: { path: plan.path, sample: plan.sampled ?? 0, reason: fit.reason, starts: plan.starts ?? 1 },
  };
}

/** The number of clusters the job's records were assigned to (1 when it did not cluster). */
export function clusterCount(view: JobView): number {
  return view.of(clusterStage)?.summary?.sizes.length ?? 1;
}
