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
export { isSampled, lowestKeys, mergeLowest, sampleThresholds } from './sample-plan.ts';
