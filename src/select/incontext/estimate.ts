import { fitRidge, type Linear, predictLinear } from './ridge.ts';

/** The records that got the expensive score: their vectors, scores, clusters and cheap features. */
export interface SampleSet {
  dim: number;
  /** m × dim, row-major, L2-normalized (cosine = dot). */
  vecs: Float32Array;
  /** The expensive score of each sampled record (e.g. `golden`). */
  scores: Float64Array;
  /** The cluster of each sampled record, in [0, k). */
  cluster: Int32Array;
  /** m × f cheap scores (length, lexical, perplexity, …), row-major; absent when f is 0. */
  features?: Float64Array;
  f?: number;
}

export interface EstimateOptions {
  /** Ridge penalty on the standardized features (ZᵀZ is n × their correlation matrix). */
  ridge?: number;
  /** Pseudo-records at residual 0 that shrink each cluster's mean residual. */
  clusterPrior?: number;
  /** Nearest sampled records whose residuals are averaged (0: none). */
  neighbours?: number;
  /** Pseudo-weight (in cosine units) at residual 0 in the neighbour average. */
  neighbourPrior?: number;
  /** Where neighbours are searched: the record's own cluster, or every sampled record. */
  scope?: 'cluster' | 'all';
}

/**
 * Fitted once from the sample, read by every shard (with the sample itself: see `encodeEstimateModel`
 * and `encodeSampleSet`). The estimate of an unscored record x of cluster c is
 *
 *   ĝ(x) = linear(features(x)) + offset[c] + Σ_{i ∈ N(x)} s_i·r_i / (Σ_{i ∈ N(x)} s_i + neighbourPrior)
 *
 * linear: ridge regression of the sampled scores on the standardized cheap features; offset[c]: the
 * mean residual of c's sampled records, shrunk by `clusterPrior` pseudo-records at 0; r_i: what is
 * left of sampled record i's score after both; N(x): the `neighbours` sampled records of highest
 * cosine s_i > 0 to x (within c, or among all, per `scope`).
 */
export interface EstimateModel {
  k: number;
  dim: number;
  f: number;
  linear: Linear;
  offset: Float64Array;
  residual: Float64Array;
  /** Sample rows grouped by cluster: cluster c's rows are order[start[c]] … order[start[c + 1] - 1]. */
  order: Int32Array;
  start: Int32Array;
  neighbours: number;
  neighbourPrior: number;
  scope: 'cluster' | 'all';
}

function checkSample(s: SampleSet, k: number): number {
  const m = s.scores.length;
  const f = s.f ?? 0;
  if (!Number.isInteger(s.dim) || s.dim < 1) throw new RangeError('dim must be a positive integer');
  if (s.vecs.length !== m * s.dim) throw new RangeError('vecs must hold m × dim values');
  if (s.cluster.length !== m) throw new RangeError('cluster must hold one id per sampled record');
  if (!Number.isInteger(f) || f < 0) throw new RangeError('f must be a non-negative integer');
  if (f > 0 && s.features?.length !== m * f) throw new RangeError('features must hold m × f values');
  for (let i = 0; i < m; i++) {
    const c = s.cluster[i];
    if (!(c >= 0 && c < k)) throw new RangeError('cluster ids must be integers in [0, k)');
    if (!Number.isFinite(s.scores[i])) throw new RangeError('scores must be finite');
  }
  return f;
}

export function fitEstimator(sample: SampleSet, k: number, opts: EstimateOptions = {}): EstimateModel {
  const { ridge = 10, clusterPrior = 5, neighbours = 10, neighbourPrior = 1, scope = 'cluster' } = opts;
  if (!Number.isInteger(k) || k < 1) throw new RangeError('k must be a positive integer');
  if (!(clusterPrior >= 0) || !(neighbourPrior >= 0)) throw new RangeError('priors must be non-negative');
  if (!Number.isInteger(neighbours) || neighbours < 0) {
    throw new RangeError('neighbours must be a non-negative integer');
  }
  const f = checkSample(sample, k);
  const m = sample.scores.length;
  const linear = fitRidge(sample.features ?? new Float64Array(0), f, sample.scores, ridge);
  const residual = new Float64Array(m);
  const sums = new Float64Array(k);
  const counts = new Int32Array(k);
  for (let i = 0; i < m; i++) {
    residual[i] =
      sample.scores[i] - (f > 0 ? predictLinear(linear, sample.features!, i * f) : linear.intercept);
    sums[sample.cluster[i]] += residual[i];
    counts[sample.cluster[i]]++;
  }
  const offset = new Float64Array(k);
  for (let c = 0; c < k; c++) offset[c] = counts[c] > 0 ? sums[c] / (counts[c] + clusterPrior) : 0;
  for (let i = 0; i < m; i++) residual[i] -= offset[sample.cluster[i]];
  const start = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) start[c + 1] = start[c] + counts[c];
  const order = new Int32Array(m);
  const fill = start.slice(0, k);
  for (let i = 0; i < m; i++) order[fill[sample.cluster[i]]++] = i;
  return { k, dim: sample.dim, f, linear, offset, residual, order, start, neighbours, neighbourPrior, scope };
}

/** The estimated score of one unscored record (`vec` L2-normalized, `features` its f cheap scores). */
export function estimate(
  model: EstimateModel,
  sample: SampleSet,
  vec: Float32Array,
  cluster: number,
  features?: ArrayLike<number>,
): number {
  const { k, dim, f, neighbours } = model;
  if (!(cluster >= 0 && cluster < k) || !Number.isInteger(cluster)) {
    throw new RangeError('cluster must be an integer in [0, k)');
  }
  if (vec.length !== dim) throw new RangeError(`vec must have ${dim} values`);
  if (f > 0 && features?.length !== f) throw new RangeError(`features must have ${f} values`);
  const g = (f > 0 ? predictLinear(model.linear, features!) : model.linear.intercept) + model.offset[cluster];
  if (neighbours === 0) return g;
  const [lo, hi] =
    model.scope === 'all' ? [0, model.order.length] : [model.start[cluster], model.start[cluster + 1]];
  // The `neighbours` highest similarities so far, descending, with their sample rows.
  const sims = new Float64Array(neighbours).fill(-1);
  const rows = new Int32Array(neighbours).fill(-1);
  const { vecs } = sample;
  for (let p = lo; p < hi; p++) {
    const i = model.order[p];
    let s = 0;
    for (let j = 0, o = i * dim; j < dim; j++) s += vec[j] * vecs[o + j];
    if (!(s > sims[neighbours - 1]) || s <= 0) continue;
    let at = neighbours - 1;
    while (at > 0 && sims[at - 1] < s) {
      sims[at] = sims[at - 1];
      rows[at] = rows[at - 1];
      at--;
    }
    sims[at] = s;
    rows[at] = i;
  }
  let num = 0;
  let den = model.neighbourPrior;
  for (let q = 0; q < neighbours && rows[q] >= 0; q++) {
    num += sims[q] * model.residual[rows[q]];
    den += sims[q];
  }
  return den > 0 ? g + num / den : g;
}

/** `estimate` for n records: vecs n × dim, cluster n, features n × f. */
export function estimateMany(
  model: EstimateModel,
  sample: SampleSet,
  vecs: Float32Array,
  cluster: ArrayLike<number>,
  features?: Float64Array,
): Float64Array {
  const { dim, f } = model;
  const out = new Float64Array(cluster.length);
  if (vecs.length !== cluster.length * dim) throw new RangeError('vecs must hold n × dim values');
  for (let i = 0; i < out.length; i++) {
    const fi = f > 0 ? features?.subarray(i * f, (i + 1) * f) : undefined;
    out[i] = estimate(model, sample, vecs.subarray(i * dim, (i + 1) * dim), cluster[i], fi);
  }
  return out;
}
