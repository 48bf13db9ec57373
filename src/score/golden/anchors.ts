import { mulberry32 } from '../../demo/random.ts';
import { words } from '../words.ts';

/**
 * Anchor selection for the golden score when no anchor set is given: k-means (k-means++ seeding,
 * Lloyd iterations) over hashed word uni+bigram term-frequency vectors, then the record nearest each
 * centroid — as Nuggets picked its 100 anchors as k-means centroids of Alpaca-GPT4.
 */

/** FNV-1a, 32 bits, over UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Row-major `n × dim`: counts of hashed word unigrams and bigrams, each row L2-normalized (0 if empty). */
export function hashedFeatures(texts: readonly string[], dim = 1024): Float32Array {
  const out = new Float32Array(texts.length * dim);
  const row = new Float64Array(dim);
  texts.forEach((text, i) => {
    row.fill(0);
    const w = words(text);
    for (let j = 0; j < w.length; j++) {
      row[fnv1a(w[j]) % dim] += 1;
      if (j > 0) row[fnv1a(`${w[j - 1]} ${w[j]}`) % dim] += 1;
    }
    let ss = 0;
    for (let d = 0; d < dim; d++) ss += row[d] * row[d];
    const norm = ss > 0 ? Math.sqrt(ss) : 1;
    for (let d = 0; d < dim; d++) out[i * dim + d] = row[d] / norm;
  });
  return out;
}

function dist2(points: Float32Array, i: number, centroids: Float64Array, c: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const x = points[i * dim + d] - centroids[c * dim + d];
    s += x * x;
  }
  return s;
}

/** k-means++: the first center uniform, each next one drawn with probability ∝ D(x)² (Arthur & Vassilvitskii). */
export function kmeansPlusPlus(points: Float32Array, dim: number, k: number, random: () => number): number[] {
  const n = points.length / dim;
  const chosen = [Math.floor(random() * n)];
  const d2 = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const centers = new Float64Array(dim);
  while (chosen.length < k) {
    const last = chosen[chosen.length - 1];
    for (let d = 0; d < dim; d++) centers[d] = points[last * dim + d];
    let total = 0;
    for (let i = 0; i < n; i++) {
      d2[i] = Math.min(d2[i], dist2(points, i, centers, 0, dim));
      total += d2[i];
    }
    let next = -1;
    if (total > 0) {
      let r = random() * total;
      for (let i = 0; i < n && next === -1; i++) if (d2[i] > 0 && (r -= d2[i]) < 0) next = i;
      if (next === -1) for (let i = n - 1; next === -1; i--) if (d2[i] > 0) next = i; // rounding at the end
    } else {
      for (let i = 0; next === -1; i++) if (!chosen.includes(i)) next = i; // only duplicates left
    }
    chosen.push(next);
  }
  return chosen;
}

export interface KMeansResult {
  /** Row-major `k × dim`. */
  centroids: Float64Array;
  assignments: Int32Array;
  iterations: number;
}

/**
 * Lloyd's k-means from k-means++ seeds, until no assignment changes or `maxIter`. Ties go to the lower
 * centroid index; an empty cluster keeps its previous centroid.
 */
export function kmeans(
  points: Float32Array,
  dim: number,
  k: number,
  seed: number,
  maxIter = 100,
): KMeansResult {
  const n = points.length / dim;
  if (!Number.isInteger(n) || n < 1) throw new RangeError('points must hold n × dim values, n ≥ 1');
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError('k must be an integer in [1, n]');
  const centroids = new Float64Array(k * dim);
  kmeansPlusPlus(points, dim, k, mulberry32(seed)).forEach((p, c) => {
    for (let d = 0; d < dim; d++) centroids[c * dim + d] = points[p * dim + d];
  });
  const assignments = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  let iterations = 0;
  while (iterations < maxIter) {
    iterations++;
    let changed = false;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const dd = dist2(points, i, centroids, c, dim);
        if (dd < bestD) [best, bestD] = [c, dd];
      }
      if (assignments[i] !== best) [assignments[i], changed] = [best, true];
    }
    if (!changed) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignments[i];
      counts[c]++;
      for (let d = 0; d < dim; d++) sums[c * dim + d] += points[i * dim + d];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      for (let d = 0; d < dim; d++) centroids[c * dim + d] = sums[c * dim + d] / counts[c];
    }
  }
  return { centroids, assignments, iterations };
}

/** For each centroid in order, the nearest point not already taken (ties: lower index). */
export function nearestToCentroids(points: Float32Array, dim: number, centroids: Float64Array): number[] {
  const n = points.length / dim;
  const k = centroids.length / dim;
  const taken = new Uint8Array(n);
  const out: number[] = [];
  for (let c = 0; c < k; c++) {
    let best = -1;
    let bestD = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue;
      const dd = dist2(points, i, centroids, c, dim);
      if (dd < bestD) [best, bestD] = [i, dd];
    }
    taken[best] = 1;
    out.push(best);
  }
  return out;
}

/** Indices of `k` representative texts (all of them, in order, when k ≥ their count). */
export function chooseAnchors(texts: readonly string[], k: number, seed: number, dim = 1024): number[] {
  if (k >= texts.length) return texts.map((_, i) => i);
  const points = hashedFeatures(texts, dim);
  return nearestToCentroids(points, dim, kmeans(points, dim, k, seed).centroids);
}
