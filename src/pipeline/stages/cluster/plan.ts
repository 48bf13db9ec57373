import type { Cluster } from '../../../../schemas/recipe.ts';

/**
 * The cluster stage as a sequence of steps, each one coordinator iteration: maps run on every shard,
 * the others are one task. Parameters travel through R2, keyed by the iteration that wrote them.
 *
 * Fitted on the sample (path `sample`, src/pipeline/stages/cluster/fit-path.ts):
 *
 *   sample → fit (one task: [PCA], k-means / GMM for every k, to convergence) → assign → summarize
 *
 * Fitted over every shard (path `full`):
 *
 *   sample → seed → (kmeans-map → kmeans-reduce)* → [gmm: gmm-init-map → gmm-reduce → (gmm-map → gmm-reduce)*]
 *   → [kGrid: back to seed with the next k] → assign → summarize
 *
 * With more than FAN_IN shards, a reduce first goes through merge levels (a tree reduce): each merge
 * task combines FAN_IN parts of the level below, so no task reads more than FAN_IN statistics.
 */
export type ClusterStep =
  | { kind: 'sample' }
  /** The whole fit on the sample, in one task. */
  | { kind: 'fit' }
  | { kind: 'seed'; k: number }
  | { kind: 'kmeans-map'; k: number; params: number }
  | { kind: 'kmeans-reduce'; k: number; params: number; parts: number }
  | { kind: 'gmm-init-map'; k: number; params: number }
  | { kind: 'gmm-reduce'; k: number; params: number; init: boolean; parts: number }
  /** Tree-reduce level: each task merges FAN_IN of the previous step's `parts`, then `next` runs. */
  | { kind: 'merge'; k: number; stats: 'kmeans' | 'gmm'; parts: number; next: ReduceStep }
  | { kind: 'gmm-map'; k: number; params: number }
  | { kind: 'assign'; k: number; params: number }
  | { kind: 'summarize'; k: number; params: number };

export type ReduceStep = Extract<ClusterStep, { kind: 'kmeans-reduce' | 'gmm-reduce' }>;

/** Statistics parts one task merges: a reduce over more parts goes through merge levels first. */
export const FAN_IN = 32;

/** The tasks of a merge step. */
export function mergeTasks(step: Extract<ClusterStep, { kind: 'merge' }>): number {
  return Math.ceil(step.parts / FAN_IN);
}

/** Reduce `parts` statistics parts: directly, or through a merge level when there are too many. */
type WithoutParts<T> = T extends unknown ? Omit<T, 'parts'> : never;

function reduceOver(reduce: WithoutParts<ReduceStep>, parts: number): ClusterStep {
  const step = { ...reduce, parts } as ReduceStep;
  if (parts <= FAN_IN) return step;
  return {
    kind: 'merge',
    k: reduce.k,
    stats: reduce.kind === 'kmeans-reduce' ? 'kmeans' : 'gmm',
    parts,
    next: step,
  };
}

export const MAP_STEPS: ReadonlySet<ClusterStep['kind']> = new Set([
  'sample',
  'kmeans-map',
  'gmm-init-map',
  'gmm-map',
  'assign',
]);

/** One fitted candidate of a k grid. */
export interface GridResult {
  k: number;
  bic: number;
  meanLogLikelihood: number;
  params: number;
  iterations: number;
  converged: boolean;
}

export interface ClusterState {
  step: ClusterStep;
  /** Fitted on the sample in one task, or as map-reduce over every shard. */
  path: 'sample' | 'full';
  /** Records in the sample, once the sample step ran. */
  sampled?: number;
  /** k-means++ starts of the sample fit (FitPath.starts). */
  starts?: number;
  /** Lloyd or EM iterations of the current fit, and the objective after each (inertia or mean log-likelihood). */
  iterations: number;
  history: number[];
  converged: boolean;
  /** k-means iterations that initialized the current GMM fit. */
  kmeansIterations?: number;
  /** kGrid: the ks still to fit and the fitted ones. */
  todo: number[];
  grid: GridResult[];
}

/** Results a step reports to the coordinator (the data itself is in R2). */
export type StepResult =
  | { kind: 'map'; n: number; objective: number }
  | { kind: 'seed' }
  | {
      kind: 'fit';
      /** Sample records fitted on. */
      n: number;
      /** The chosen k's fit, and every k of a grid. */
      k: number;
      iterations: number;
      converged: boolean;
      kmeansIterations?: number;
      history: number[];
      grid: { k: number; bic: number; meanLogLikelihood: number; iterations: number; converged: boolean }[];
    }
  | { kind: 'merge'; parts: number }
  | { kind: 'reduce'; n: number; objective: number; empty: number }
  | {
      kind: 'summary';
      sizes: number[];
      /** Per cluster, the mean of each score. */
      scoreMeans: Record<string, number>[];
      kernel: string;
      /** Size of the clusters.json written. */
      bytes: number;
      /** GMM: mean log-likelihood per record; k-means: inertia (both under the final parameters). */
      meanLogLikelihood?: number;
      inertia?: number;
    };

export function firstClusterState(cluster: Cluster, path: ClusterState['path'], starts = 1): ClusterState {
  const ks = cluster.kGrid ?? [cluster.k!];
  return {
    step: { kind: 'sample' },
    path,
    starts,
    iterations: 0,
    history: [],
    converged: false,
    todo: ks,
    grid: [],
  };
}

/**
 * The next step after step `iter` finished with `results` (in shard order), or `done` after
 * summarize. Pure; `bic` computes the criterion for a converged GMM of `n` records.
 */
export function nextClusterStep(
  cluster: Cluster,
  state: ClusterState,
  iter: number,
  shards: number,
  results: readonly StepResult[],
  bic: (meanLogLik: number, n: number, k: number) => number,
): ClusterState | 'done' {
  const { step } = state;
  const to = (s: ClusterStep, patch: Partial<ClusterState> = {}): ClusterState => ({
    ...state,
    ...patch,
    step: s,
  });
  const objective = (results[0] as { objective?: number } | undefined)?.objective ?? Number.NaN;
  switch (step.kind) {
    case 'sample': {
      const sampled = results.reduce((a, r) => a + (r as { n: number }).n, 0);
      if (state.path === 'sample') return to({ kind: 'fit' }, { sampled });
      return to({ kind: 'seed', k: state.todo[0] }, { sampled });
    }
    case 'fit': {
      const fit = results[0] as Extract<StepResult, { kind: 'fit' }>;
      return to(
        { kind: 'assign', k: fit.k, params: iter },
        {
          iterations: fit.iterations,
          converged: fit.converged,
          history: fit.history,
          ...(fit.kmeansIterations !== undefined ? { kmeansIterations: fit.kmeansIterations } : {}),
          grid: fit.grid.map((g) => ({ ...g, params: iter })),
          todo: [],
        },
      );
    }
    case 'seed':
      return to(
        { kind: 'kmeans-map', k: step.k, params: iter },
        { iterations: 0, history: [], converged: false },
      );
    case 'kmeans-map':
      return to(reduceOver({ kind: 'kmeans-reduce', k: step.k, params: step.params }, shards));
    case 'merge':
      return to(reduceOver(step.next, mergeTasks(step)));
    case 'kmeans-reduce': {
      // `objective` is the inertia of the centroids the map used; the reduce wrote new ones at `iter`.
      const history = [...state.history, objective];
      const iterations = state.iterations + 1;
      const prev = state.history.at(-1);
      const converged =
        prev !== undefined && Math.abs(prev - objective) <= cluster.tol * Math.max(prev, 1e-300);
      const done = converged || iterations >= cluster.maxIter;
      const patch = { history, iterations, converged };
      if (!done) return to({ kind: 'kmeans-map', k: step.k, params: iter }, patch);
      if (cluster.algorithm === 'gmm') {
        return to(
          { kind: 'gmm-init-map', k: step.k, params: iter },
          { history: [], iterations: 0, converged: false, kmeansIterations: iterations },
        );
      }
      return to({ kind: 'assign', k: step.k, params: iter }, patch);
    }
    case 'gmm-init-map':
      return to(reduceOver({ kind: 'gmm-reduce', k: step.k, params: step.params, init: true }, shards));
    case 'gmm-map':
      return to(reduceOver({ kind: 'gmm-reduce', k: step.k, params: step.params, init: false }, shards));
    case 'gmm-reduce': {
      if (step.init) return to({ kind: 'gmm-map', k: step.k, params: iter });
      // `objective` is the mean log-likelihood under the parameters the E-step used.
      const history = [...state.history, objective];
      const iterations = state.iterations + 1;
      const prev = state.history.at(-1);
      const converged = prev !== undefined && Math.abs(objective - prev) <= cluster.tol;
      const patch = { history, iterations, converged };
      if (!converged && iterations < cluster.maxIter)
        return to({ kind: 'gmm-map', k: step.k, params: iter }, patch);
      const n = (results[0] as { n: number }).n;
      const fitted: GridResult = {
        k: step.k,
        bic: bic(objective, n, step.k),
        meanLogLikelihood: objective,
        params: iter,
        iterations,
        converged,
      };
      const grid = [...state.grid, fitted];
      const todo = state.todo.slice(1);
      if (todo.length > 0) return to({ kind: 'seed', k: todo[0] }, { ...patch, grid, todo });
      const best = grid.reduce((a, b) => (b.bic < a.bic ? b : a));
      const chosen =
        grid.length > 1 ? { history: [], iterations: best.iterations, converged: best.converged } : patch;
      return to({ kind: 'assign', k: best.k, params: best.params }, { ...chosen, grid, todo });
    }
    case 'assign':
      return to({ kind: 'summarize', k: step.k, params: step.params });
    case 'summarize':
      return 'done';
  }
}
