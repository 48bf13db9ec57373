import { builtins } from './builtins.ts';
import { registerScorer } from './registry.ts';

for (const s of builtins) registerScorer(s);

export { assistantText, assistantWords } from './assistant-text.ts';
export { builtins } from './builtins.ts';
export { type CellCache, indexKey, MemoryCellCache } from './cell-cache.ts';
export { scorerColumn } from './column.ts';
export { combineQuality } from './combine-quality.ts';
export { type LengthConfig, LengthConfigSchema, lengthScorer } from './length.ts';
export { type LexicalConfig, LexicalConfigSchema, lexicalScorer } from './lexical.ts';
export { mattr } from './mattr.ts';
export { mergeRows } from './merge-rows.ts';
export { ngramRepetition } from './ngram-repetition.ts';
export { getScorer, listScorers, registerScorer } from './registry.ts';
export { type ResolvedScorer, resolveScorer, resolveScorers } from './resolve-scorers.ts';
export { scoreBatch } from './score-batch.ts';
export { scoreColumn } from './score-column.ts';
export { accumulateStats, type FinalStat, finalizeStats, mergeStats, type ScoreStat } from './score-stats.ts';
export type { FitInput, FitResult, ScoreInput, ScoreRow, Scorer, ScorerContext } from './types.ts';
export { words } from './words.ts';
