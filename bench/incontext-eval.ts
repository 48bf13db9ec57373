/**
 * The accelerated in-context selection, replayed on candidates whose full golden scores are known:
 * plan the sample (per simulated shard, merged), fit the estimator on the sampled scores, estimate
 * the rest, select the top fraction, and compare with the full-scoring selection. No model calls
 * here: bench/incontext.ts makes them and counts them.
 */

import { mulberry32 } from '../src/demo/random.ts';
import {
  type EstimateOptions,
  estimateMany,
  fitEstimator,
  isSampled,
  lowestKeys,
  mergeLowest,
  type SampleSet,
  sampleThresholds,
  seededTopOverlap,
} from '../src/select/incontext/index.ts';
import { spearman, topOverlap } from '../src/select/strategies/index.ts';

/** Records in ascending key order, so "ties to the lower index" is "ties to the lower key". */
export interface Candidates {
  n: number;
  dim: number;
  vecs: Float32Array;
  /** hashUniform of each content hash, ascending. */
  keys: Float64Array;
  /** n × f cheap scores. */
  features: Float64Array;
  f: number;
  /** The full golden score of every record. */
  full: Float64Array;
}

export const VARIANTS: Record<string, { opts: EstimateOptions; features: boolean }> = {
  // Unscored records all get the sample mean: only the sampled records' own scores select.
  'sample only': { opts: { neighbours: 0, clusterPrior: Number.POSITIVE_INFINITY }, features: false },
  'cluster mean': { opts: { neighbours: 0, clusterPrior: 2 }, features: false },
  neighbours: {
    opts: { neighbours: 10, clusterPrior: Number.POSITIVE_INFINITY, scope: 'all' },
    features: false,
  },
  features: { opts: { neighbours: 0, clusterPrior: Number.POSITIVE_INFINITY }, features: true },
  'features + cluster + neighbours': { opts: { neighbours: 10, clusterPrior: 5 }, features: true },
};

export interface Trial {
  k: number;
  rate: number;
  min: number;
  variant: string;
  sampled: number;
  /** Accelerated over full model calls: (1 + sampled) / (1 + n), both × |anchors|. */
  callsRatio: number;
  /** Spearman of the estimates against the full scores, over the unscored records only. */
  spearmanUnscored: number;
  /** Spearman of the values selection ranks by (exact where scored) against the full scores. */
  spearmanAll: number;
  /** Top-fraction overlap, each side's ties broken in a seeded random order (one draw). */
  overlap: number;
  /** Expected overlap when the full ranking's ties are broken at random (see `tieAwareOverlap`). */
  overlapTies: number;
}

/** The sample of each record: thresholds from per-shard lowest keys, merged as a coordinator would. */
export function planSample(labels: Int32Array, keys: Float64Array, k: number, rate: number, min: number) {
  const shards = 4;
  const size = Math.ceil(keys.length / shards);
  let lowest: number[][] | undefined;
  for (let s = 0; s < keys.length; s += size) {
    const part = lowestKeys(labels.subarray(s, s + size), keys.subarray(s, s + size), k, min);
    lowest = lowest ? mergeLowest(lowest, part, min) : part;
  }
  const t = sampleThresholds(lowest!, rate, min);
  return Uint8Array.from(keys, (u, i) => (isSampled(u, t[labels[i]]) ? 1 : 0));
}

/** Indices of the round(fraction · n) largest values, ties to the lower index. */
export function topIndices(v: ArrayLike<number>, fraction: number): Uint32Array {
  const idx = Uint32Array.from({ length: v.length }, (_, i) => i);
  idx.sort((x, y) => (v[y] > v[x] ? 1 : v[y] < v[x] ? -1 : x - y));
  return idx.subarray(0, Math.round(fraction * v.length));
}

/**
 * Σ over the selected records of P(record is in the full top set) / |top set|, when the full
 * scores' ties at the cut are broken uniformly at random: 1 above the cut value, 0 below, and
 * (places left) / (records tied) at it. With 24 anchors a golden score takes 25 values, so many
 * records tie at the cut and the key order among them is arbitrary.
 */
export function tieAwareOverlap(
  full: ArrayLike<number>,
  selected: ArrayLike<number>,
  fraction: number,
): number {
  const top = topIndices(full, fraction);
  const cut = full[top[top.length - 1]];
  let above = 0;
  let tied = 0;
  for (let i = 0; i < full.length; i++) {
    if (full[i] > cut) above++;
    else if (full[i] === cut) tied++;
  }
  const pTied = (top.length - above) / tied;
  let s = 0;
  for (let q = 0; q < selected.length; q++) {
    const g = full[selected[q]];
    s += g > cut ? 1 : g === cut ? pTied : 0;
  }
  return s / top.length;
}

export function runTrial(
  c: Candidates,
  labels: Int32Array,
  k: number,
  rate: number,
  min: number,
  variant: string,
  fraction = 0.3,
): Trial {
  const { opts, features } = VARIANTS[variant];
  const mask = planSample(labels, c.keys, k, rate, min);
  const rows: number[] = [];
  const rest: number[] = [];
  mask.forEach((s, i) => {
    (s ? rows : rest).push(i);
  });
  const f = features ? c.f : 0;
  const gather = (idx: number[]) => ({
    vecs: Float32Array.from(
      { length: idx.length * c.dim },
      (_, p) => c.vecs[idx[Math.floor(p / c.dim)] * c.dim + (p % c.dim)],
    ),
    cluster: Int32Array.from(idx, (i) => labels[i]),
    features: Float64Array.from(
      { length: idx.length * f },
      (_, p) => c.features[idx[Math.floor(p / f)] * c.f + (p % f)],
    ),
  });
  const s = gather(rows);
  const sample: SampleSet = {
    dim: c.dim,
    vecs: s.vecs,
    scores: Float64Array.from(rows, (i) => c.full[i]),
    cluster: s.cluster,
    f,
    features: s.features,
  };
  const model = fitEstimator(sample, k, opts);
  const u = gather(rest);
  const est = estimateMany(model, sample, u.vecs, u.cluster, f > 0 ? u.features : undefined);
  const values = Float64Array.from(c.full);
  rest.forEach((i, q) => {
    values[i] = est[q];
  });
  const restFull = Float64Array.from(rest, (i) => c.full[i]);
  return {
    k,
    rate,
    min,
    variant,
    sampled: rows.length,
    callsRatio: (1 + rows.length) / (1 + c.n),
    spearmanUnscored: spearman(est, restFull),
    spearmanAll: spearman(values, c.full),
    overlap: seededTopOverlap(c.full, values, fraction, 1),
    overlapTies: tieAwareOverlap(c.full, topIndices(values, fraction), fraction),
  };
}

/**
 * What an estimator must reach: the top-fraction overlap when a uniform `rate` of records is scored
 * exactly and the rest get estimates ĝ = ρ·e with corr(e, g) = ρ (g, e standard bivariate normal,
 * ĝ = E[g | e]). A seeded Monte Carlo over n draws; ties have probability 0.
 */
export function gaussianOverlap(rho: number, rate: number, fraction: number, n = 100_000, seed = 1): number {
  const rng = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const g = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    g[i] = normal();
    const e = rho * g[i] + Math.sqrt(1 - rho * rho) * normal();
    v[i] = rng() < rate ? g[i] : rho * e;
  }
  return topOverlap(g, v, fraction);
}
