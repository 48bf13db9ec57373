export { type Agreement, agreement, seededTopOverlap, tieKey } from './agreement.ts';
export { decodeEstimateModel, decodeSampleSet, encodeEstimateModel, encodeSampleSet } from './codec.ts';
export {
  type EstimateModel,
  type EstimateOptions,
  estimate,
  estimateMany,
  fitEstimator,
  type SampleSet,
} from './estimate.ts';
export { fitRidge, type Linear, predictLinear, solveSpd } from './ridge.ts';
export {
  auditKey,
  auditThreshold,
  isSampled,
  lowestKeys,
  mergeLowest,
  sampleThresholds,
  smallest,
} from './sample-plan.ts';
