export {
  type LinearMapping,
  LinearMappingSchema,
  type LrMapping,
  learningRateMultipliers,
  type SoftmaxMapping,
} from './lr-multipliers.ts';
export { selfCritiqueMessages } from './prompt.ts';
export { type SelfCritiqueConfig, SelfCritiqueConfigSchema, selfCritiqueScorer } from './self-critique.ts';
