export { type ExportTally, exportShard, mergeExportTallies } from './export/export.ts';
export { type WeightsResult, writeWeights } from './export/weights.ts';
export { type FitOutcome, fitModel, fitSample, fitters, type ModelRef, readReference } from './fit/fit.ts';
export { type IngestTally, ingest } from './ingest/ingest.ts';
export { plan } from './plan/plan.ts';
export {
  type CellCounts,
  type ModelUsage,
  type ScoredLine,
  type ScoreOptions,
  type ScoreTally,
  score,
} from './score/score.ts';
export { readValues } from './select/prepare.ts';
export { selectTask } from './select/task.ts';
