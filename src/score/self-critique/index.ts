export {
  type LinearMapping,
  LinearMappingSchema,
  type LrMapping,
  LrMappingSchema,
  learningRateMultipliers,
  mergeSoftmax,
  type SoftmaxMapping,
  SoftmaxMappingSchema,
  type SoftmaxPartial,
  softmaxPartial,
  softmaxWeight,
} from './lr-multipliers.ts';
export { selfCritiqueMessages } from './prompt.ts';
export {
  type SelfCritiqueConfig,
  SelfCritiqueConfigSchema,
  selfCritiqueScorer,
  shrinkMultiplier,
  UNIFORM_SD,
} from './self-critique.ts';
