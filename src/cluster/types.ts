/**
 * Shapes shared by the clustering routines and the pipeline's cluster stage. Vectors are row-major
 * float32 (`data[i * dim + j]`); every accumulated statistic is float64.
 */
export interface Matrix {
  data: Float32Array;
  n: number;
  dim: number;
}

/** One shard's (or a merge of shards') k-means map output for one Lloyd iteration. */
export interface KmeansStats {
  k: number;
  dim: number;
  /** Records seen. */
  n: number;
  /** Records assigned to each cluster. */
  counts: Float64Array;
  /** Σ x over each cluster's records, k × dim. */
  sums: Float64Array;
  /** Σ squared distance to the assigned centroid. */
  inertia: number;
}

/** Diagonal-covariance Gaussian mixture parameters. */
export interface GmmParams {
  k: number;
  dim: number;
  /** Mixing weights, summing to 1. */
  weights: Float64Array;
  /** k × dim. */
  means: Float64Array;
  /** k × dim diagonal variances (each at least the variance floor). */
  variances: Float64Array;
}

/** One shard's (or a merge's) E-step sufficient statistics for one EM iteration. */
export interface GmmStats {
  k: number;
  dim: number;
  n: number;
  /** Σ responsibilities per component. */
  nk: Float64Array;
  /** Σ r·x, k × dim. */
  sx: Float64Array;
  /** Σ r·x², k × dim. */
  sxx: Float64Array;
  /** Σ over records of log p(x) under the parameters the E-step used (natural log). */
  logLik: number;
}
