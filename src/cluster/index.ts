export { adjustedRandIndex } from './ari.ts';
export { type BlobOptions, gaussianBlobs } from './blobs.ts';
export {
  decodeCentroids,
  decodeGmmParams,
  decodeGmmStats,
  decodeKmeansBounds,
  decodeKmeansStats,
  encodeCentroids,
  encodeGmmParams,
  encodeGmmStats,
  encodeKmeansBounds,
  encodeKmeansStats,
} from './codec.ts';
export { FIT_BUDGET, type FitCost, type FitSize, fitBudget, fitCost } from './fit-budget.ts';
export { type FitGmmOptions, fitGmm, fitGmmGrid, type GmmFit, type GmmGridEntry } from './fit-gmm.ts';
export { type FitKmeansOptions, fitKmeans, type KmeansFit, sampleRows } from './fit-kmeans.ts';
export {
  type FitModelEntry,
  type FitModelOptions,
  type FittedModel,
  fitModel,
  type ModelFit,
} from './fit-model.ts';
export { type GmmFromKmeansOptions, gmmFromKmeans } from './gmm-init.ts';
export { type ComponentProbability, type GmmPosteriors, gmmPosteriors } from './gmm-posteriors.ts';
export { emptyGmmStats, gmmHardStats, gmmStats, logSumExp, mergeGmmStats } from './gmm-stats.ts';
export { bic, type GmmUpdateOptions, gmmParameterCount, gmmUpdate } from './gmm-update.ts';
export { type ClusterKernel, clusterKernel, useClusterKernel, wasmKernelFailure } from './kernel.ts';
export { LOG_TAIL } from './kernel-api.ts';
export { createKmeansBounds, type KmeansBounds, kmeansStatsBounded } from './kmeans-bounds.ts';
export { kmeansPlusPlus } from './kmeans-plus-plus.ts';
export { assignKmeans, emptyKmeansStats, kmeansStats, mergeKmeansStats } from './kmeans-stats.ts';
export { type KmeansUpdate, kmeansConverged, kmeansUpdate } from './kmeans-update.ts';
export type { GmmParams, GmmStats, KmeansStats, Matrix } from './types.ts';
export { rowChunks, rowRange } from './validate.ts';
