import { builtinEmbedders } from './builtins.ts';
import { registerEmbedder } from './registry.ts';

for (const e of builtinEmbedders) registerEmbedder(e);

export { builtinEmbedders } from './builtins.ts';
export { type SymmetricEigen, symmetricEigen } from './eigen.ts';
export {
  type HashedConfig,
  HashedConfigSchema,
  type HashedModel,
  type HashedPartial,
  hashedEmbedder,
  idfOf,
} from './hashed.ts';
export { addFeatures, type HashedFeatureOptions, sublinear } from './hashed-features.ts';
export { decodeMatrix, encodeMatrix, MATRIX_HEADER_BYTES, npyHeader } from './matrix-file.ts';
export {
  KNOWN_DIMS,
  knownDim,
  type ModelEmbedderConfig,
  openAiEmbedder,
  workersAiEmbedder,
} from './model-embedder.ts';
export { l2NormalizeRows } from './normalize.ts';
export {
  mergePca,
  type Pca,
  type PcaStats,
  pcaFinalize,
  pcaPartial,
  pcaProject,
  project,
  randomProjection,
} from './reduce.ts';
export { getEmbedder, listEmbedders, registerEmbedder, unknownEmbedderMessage } from './registry.ts';
export { type ResolvedEmbedder, resolveEmbedder } from './resolve-embedder.ts';
export type { EmbedContext, Embedder, EmbedderRef, EmbedPrepare } from './types.ts';
export {
  embedColumn,
  MemoryVectorCache,
  textToVector,
  type VectorCache,
  vectorToText,
} from './vector-cache.ts';
