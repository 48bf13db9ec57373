export { type BudgetTarget, budgetTarget } from './budget-target.ts';
export {
  filterReason,
  lateOutputMessage,
  type ResolvedFilter,
  resolveFilters,
  type ScoreWriters,
} from './filters.ts';
export { floatOrdinal } from './float-ordinal.ts';
export { mergeSummaries } from './merge-summaries.ts';
export { type MinMax, rankValue } from './rank.ts';
export {
  alreadyKept,
  fieldAt,
  matchBits,
  phaseValues,
  type ReserveSubject,
  reserveMatches,
  reserveName,
  reserveNeedsRows,
  reserveWanted,
} from './reserve.ts';
export { selectMask } from './select-mask.ts';
export { summarize } from './summarize.ts';
export {
  ALL,
  BINS,
  binMax,
  type Cut,
  type Decision,
  decide,
  EXACT_COUNT,
  EXACT_KEYS,
  firstRound,
  type HistBin,
  isTrivialCut,
  MAX_ROUNDS,
  NONE,
  ROUND_ZERO,
  type RoundSpec,
  type ShardSummary,
  type TopkPlan,
} from './topk.ts';
export { type TopkLocalResult, topkLocal } from './topk-local.ts';
