import type { Recipe } from '../../schemas/recipe.ts';
import type { VectorCache } from '../embed/index.ts';
import type { ProviderSet } from '../providers/types.ts';
import type { CellCache } from '../score/index.ts';
import type { TaskContext } from './spec.ts';
import { clusterMap, clusterReduce } from './stages/cluster/cluster.ts';
import { MAP_STEPS } from './stages/cluster/plan.ts';
import {
  EMBED_ITER,
  embedMerge,
  embedPrepare,
  embedShard,
  pcaFit,
  pcaProjectShard,
  pcaShard,
} from './stages/embed/embed.ts';
import { diffPart, writeDiff, writeMembersIndex } from './stages/export/diff.ts';
import {
  exportShard,
  fitModel,
  fitSample,
  ingest,
  plan,
  score,
  selectTask,
  writeWeights,
} from './stages/index.ts';
import { pairsCut, pairsIndex, pairsWrite } from './stages/pairs/build.ts';
import { PAIRS_ITER, pairsScatter } from './stages/pairs/scatter.ts';
import type { BlobStore } from './store.ts';

/** What a stage may need besides the object store; each host (workerd, one process) supplies its own. */
export interface TaskDeps {
  /** The cell cache of a dataset. */
  cells?: (dataset: string) => CellCache;
  /** The embedding vectors of a dataset (model embedders only). */
  vectors?: (dataset: string) => VectorCache;
  /** Model endpoints for the recipe's `providers` (absent: model-backed scorers fail clearly). */
  providers?: (configs: Recipe['providers']) => ProviderSet;
}

/** Run one task: read inputs from the store, write outputs to it, return the small result. */
export async function runTask(store: BlobStore, ctx: TaskContext, deps: TaskDeps = {}): Promise<unknown> {
  // A job's request budget is split evenly over its score shards (and the fit tasks), so the
  // tasks together never exceed it, however they are scheduled.
  const providers = (parts = 1) => {
    const configs = ctx.spec.recipe.providers;
    if (!deps.providers || Object.keys(configs).length === 0) return undefined;
    const share = Object.fromEntries(
      Object.entries(configs).map(([name, c]) => [
        name,
        { ...c, requestBudget: Math.floor(c.requestBudget / parts) },
      ]),
    );
    return deps.providers(share);
  };
  switch (ctx.stage) {
    case 'plan':
      return plan(store, ctx.spec);
    case 'ingest':
      return ingest(store, ctx.spec, ctx.shard);
    case 'fit':
      return ctx.iter === 0
        ? fitSample(store, ctx.spec, ctx.shard, ctx.rate)
        : fitModel(store, ctx.spec, ctx.index, ctx.shards, providers(ctx.shards + 1));
    case 'score':
      return score(store, ctx.spec, ctx.shard, {
        models: ctx.models,
        cells: deps.cells?.(ctx.spec.dataset),
        providers: providers(ctx.shards + 1),
      });
    case 'embed':
      if (ctx.iter === EMBED_ITER.prepare) return embedPrepare(store, ctx.spec, ctx.shard);
      if (ctx.iter === EMBED_ITER.merge) return embedMerge(store, ctx.spec, ctx.shards);
      if (ctx.iter === EMBED_ITER.pcaPartial) return pcaShard(store, ctx.spec, ctx.shard);
      if (ctx.iter === EMBED_ITER.pcaFit) return pcaFit(store, ctx.spec, ctx.shards);
      if (ctx.iter === EMBED_ITER.pcaProject) return pcaProjectShard(store, ctx.spec, ctx.shard);
      return embedShard(
        store,
        ctx.spec,
        ctx.shard,
        providers(ctx.shards + 1),
        deps.vectors?.(ctx.spec.dataset),
      );
    case 'cluster':
      return MAP_STEPS.has(ctx.step.kind)
        ? clusterMap(store, ctx.spec, ctx.shard, ctx.step, ctx.iter, ctx.rate)
        : clusterReduce(store, ctx.spec, ctx.step, ctx.iter, ctx.shards, ctx.plan, ctx.index);
    case 'select':
      return selectTask(store, ctx, {
        cells: deps.cells?.(ctx.spec.dataset),
        providers: ctx.state.step.kind === 'ic-score' ? providers(ctx.starts.length) : undefined,
      });
    case 'export':
      if (ctx.iter === 0) return exportShard(store, ctx);
      if (ctx.iter === 1) {
        // The members index too: a later run compares itself with this one through it.
        await writeMembersIndex(store, ctx.spec, ctx.shards);
        return writeWeights(store, ctx.spec, ctx.shards);
      }
      return ctx.iter === 2 ? diffPart(store, ctx) : writeDiff(store, ctx);
    case 'pairs':
      if (ctx.iter === PAIRS_ITER.scatter) return pairsScatter(store, ctx.spec, ctx.shard, ctx.partitions);
      if (ctx.iter === PAIRS_ITER.index) return pairsIndex(store, ctx.spec, ctx.index, ctx.shards);
      if (ctx.iter === PAIRS_ITER.cut) return pairsCut(store, ctx.spec, ctx.partitions);
      return pairsWrite(store, ctx.spec, ctx.index, ctx.shards, ctx.cut);
  }
}
