export { type ExportTally, exportShard } from './export.ts';
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
export { readRanks, select } from './select.ts';
