import type { ProviderSet } from '../../../providers/types.ts';
import type { CellCache } from '../../../score/index.ts';
import type { TaskContext } from '../../spec.ts';
import type { BlobStore } from '../../store.ts';
import { groupMap, groupReduce } from './groups.ts';
import { icFit, icKeys, icScore } from './incontext.ts';
import { dedupReduce, dedupResolve, selectPrepare, selectRound } from './prepare.ts';
import { selectScatter } from './scatter.ts';

/** Run the select step the coordinator's plan is at (see select-plan.ts). */
export async function selectTask(
  store: BlobStore,
  ctx: Extract<TaskContext, { stage: 'select' }>,
  deps: { cells?: CellCache; providers?: ProviderSet } = {},
): Promise<unknown> {
  const { spec, state, shard } = ctx;
  const step = state.step;
  switch (step.kind) {
    case 'ic-keys':
      return icKeys(store, spec, shard, state);
    case 'ic-score':
      return icScore(store, spec, shard, state, { models: ctx.models, ...deps });
    case 'ic-fit':
      return icFit(store, spec, ctx.starts.length, state);
    case 'prepare':
      return selectPrepare(store, spec, shard, state, ctx.stats, ctx.starts.length);
    case 'dedup-reduce':
      return dedupReduce(store, spec, ctx.index, ctx.starts.length);
    case 'dedup-resolve':
      return dedupResolve(store, spec, state.partitions);
    case 'group-map':
      return groupMap(store, spec, shard, state);
    case 'group-reduce':
      return groupReduce(store, spec, ctx.index, ctx.starts, ctx.target);
    case 'scatter':
      return selectScatter(store, spec, shard, state, ctx.starts);
    case 'round':
      return selectRound(store, spec, shard, step.round);
  }
}
