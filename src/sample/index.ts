export {
  addDensity,
  addEmbedding,
  diagEntropy,
  diagLogDensity,
  type EmbeddingStats,
  embeddingVariance,
  emptyEmbeddingStats,
  normalCdf,
  typicalityRanks,
} from './mixture.ts';
export { drawCategorical, mix32, shuffled } from './order.ts';
export {
  type ComponentState,
  type Drawn,
  initialState,
  type Membership,
  MIN_EMBEDDINGS,
  type MixtureMemory,
  Sampler,
  type SamplerOptions,
  type SamplerState,
} from './sampler.ts';
