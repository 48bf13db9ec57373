export { type ExportTally, exportShard } from './export.ts';
export { type IngestTally, ingest } from './ingest.ts';
export { plan } from './plan.ts';
export { type ScoredLine, type ScoreTally, score } from './score.ts';
export { readRanks, select } from './select.ts';
