export { BOS, countNgrams, EOS, type OrderCounts, UNK } from './kn-counts.ts';
export { estimateKn, FALLBACK_DISCOUNTS, type KnEstimate, knDiscounts } from './kn-estimate.ts';
export {
  compileTables,
  type Floats,
  findSlot,
  type LmTables,
  type NgramTable,
  ngramLogProb,
  ngramTable,
  type Precision,
  sequenceLogProb,
} from './kn-tables.ts';
export { decodeLm, encodeLm, foldOf, type LmModel, type LmPart, logPerplexity } from './lm-model.ts';
export {
  defaultMaxTokens,
  type PerplexityConfig,
  PerplexityConfigSchema,
  perplexityScorer,
} from './perplexity-scorer.ts';
export { type TrainedLm, type TrainLmOptions, trainLm } from './train-lm.ts';
export { VocabIndex } from './vocab-index.ts';
