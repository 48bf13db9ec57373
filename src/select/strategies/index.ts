export { balancedStrategy, diverseStrategy, kcenterStrategy, topkStrategy } from './builtin-strategies.ts';
export { type GreedyCosineResult, greedyCosine } from './greedy-cosine.ts';
export { type CosineLshOptions, greedyCosineLsh } from './greedy-cosine-lsh.ts';
export {
  type ClusterMembers,
  decodeGroupEntries,
  GROUP_HEADER_BYTES,
  type GroupEntries,
  type GroupItem,
  groupByCluster,
  partitionGroups,
} from './group-entries.ts';
export { type KcenterOrder, kcenterOrder } from './kcenter.ts';
export { spearman, topOverlap } from './metrics.ts';
export { type QuotaMode, quotas } from './quotas.ts';
export { listStrategies, registerStrategy, strategyOf, strategyReasons } from './registry.ts';
export type { ClusterCandidates, Judgement, Refusal, SelectionStrategy } from './strategy.ts';
