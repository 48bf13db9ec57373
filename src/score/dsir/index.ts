export {
  bucketCounts,
  type DsirModel,
  decodeDsir,
  encodeDsir,
  logRatios,
  logWeight,
  recordBuckets,
} from './dsir-model.ts';
export { type DsirConfig, DsirConfigSchema, dsirScorer } from './dsir-scorer.ts';
export { gumbelTopK } from './gumbel-top-k.ts';
