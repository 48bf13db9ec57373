export { type ExportTally, exportShard, mergeExportTallies } from './export.ts';
export { type FitOutcome, fitModel, fitSample, fitters, type ModelRef, readReference } from './fit.ts';
export { type IngestTally, ingest } from './ingest.ts';
export { plan } from './plan.ts';
export {
  type CellCounts,
  type ModelUsage,
  type ScoredLine,
  type ScoreOptions,
  type ScoreTally,
  score,
} from './score.ts';
export { readValues } from './select.ts';
export { selectTask } from './select-task.ts';
export { type WeightsResult, writeWeights } from './weights.ts';
