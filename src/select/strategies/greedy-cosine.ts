import { dotRows, dots4x1, dots4x2, rowCount, squaredNorms } from './row-dots.ts';

export interface GreedyCosineResult {
  /** 1 for a kept member. */
  kept: Uint8Array;
  /** For a refused member, the kept member it is most similar to (the earlier one on ties); else -1. */
  by: Int32Array;
  /**
   * For a refused member, its similarity to `by`. For a kept one, its highest similarity to a member
   * kept before it (-Infinity for none). NaN for unvisited members.
   */
  sim: Float32Array;
  /** 1 for a member that was walked (all of them unless `maxKeep` stopped the walk). */
  visited: Uint8Array;
}

/**
 * Greedy cosine filtering, as in SemDeDup (semantic dedup within a cluster) and DEITA (diversity-aware
 * selection): walk members in the given order (index 0 first). A member whose cosine similarity to some
 * already-kept member is >= `threshold` is refused, and `by[i]` is the kept member it is most similar to
 * (`sim[i]` that similarity); otherwise it is kept (`by[i] = -1`). `maxKeep` (optional): once that many
 * are kept, the rest are left unvisited (`visited[i] = 0`).
 *
 * Similarity is the dot product over the product of the norms (so rows normalized only up to float32
 * rounding still give exactly 1 for identical rows), clamped to [-1, 1]; a zero row has similarity 0
 * to everything. Hence threshold 1 refuses exact copies only, and a threshold above 1 keeps everyone.
 *
 * O(n · kept · dim): members are compared four at a time against pairs of kept members (row-dots.ts),
 * then settled in order against the members kept within their block of four.
 */
export function greedyCosine(
  vecs: Float32Array,
  dim: number,
  threshold: number,
  maxKeep = Number.POSITIVE_INFINITY,
): GreedyCosineResult {
  const n = rowCount(vecs, dim);
  if (typeof threshold !== 'number' || Number.isNaN(threshold))
    throw new RangeError(`threshold must be a number, got ${threshold}`);
  if (maxKeep !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxKeep) || maxKeep < 0))
    throw new RangeError(`maxKeep must be a non-negative integer or Infinity, got ${maxKeep}`);
  const kept = new Uint8Array(n);
  const by = new Int32Array(n).fill(-1);
  const sim = new Float32Array(n).fill(Number.NaN);
  const visited = new Uint8Array(n);
  const norms = squaredNorms(vecs, dim);
  const keptRows = new Int32Array(n);
  let nk = 0;
  const best = new Float64Array(4);
  const bestJ = new Int32Array(4);
  const dots = new Float64Array(8);
  // Keeps the most similar kept member of block row r; earlier kept members win ties.
  const consider = (r: number, i: number, j: number, d: number): void => {
    const den = Math.sqrt(norms[i] * norms[j]);
    const c = den > 0 ? d / den : 0;
    if (c > best[r]) {
      best[r] = c;
      bestJ[r] = j;
    }
  };
  for (let s = 0; s < n && nk < maxKeep; s += 4) {
    const m = Math.min(4, n - s);
    const at = s * dim;
    best.fill(Number.NEGATIVE_INFINITY);
    bestJ.fill(-1);
    const before = nk;
    let t = 0;
    if (m === 4) {
      for (; t + 1 < before; t += 2) {
        const j0 = keptRows[t];
        const j1 = keptRows[t + 1];
        dots4x2(vecs, at, j0 * dim, j1 * dim, dim, dots);
        for (let r = 0; r < 4; r++) {
          consider(r, s + r, j0, dots[r]);
          consider(r, s + r, j1, dots[4 + r]);
        }
      }
      if (t < before) {
        const j = keptRows[t];
        dots4x1(vecs, at, at + dim, at + 2 * dim, at + 3 * dim, j * dim, dim, dots);
        for (let r = 0; r < 4; r++) consider(r, s + r, j, dots[r]);
      }
    } else {
      for (let r = 0; r < m; r++) {
        for (let u = 0; u < before; u++)
          consider(r, s + r, keptRows[u], dotRows(vecs, at + r * dim, keptRows[u] * dim, dim));
      }
    }
    for (let r = 0; r < m && nk < maxKeep; r++) {
      const i = s + r;
      for (let u = before; u < nk; u++)
        consider(r, i, keptRows[u], dotRows(vecs, i * dim, keptRows[u] * dim, dim));
      visited[i] = 1;
      const b = Math.min(1, Math.max(-1, best[r]));
      sim[i] = bestJ[r] < 0 ? Number.NEGATIVE_INFINITY : b;
      if (bestJ[r] >= 0 && b >= threshold) {
        by[i] = bestJ[r];
      } else {
        kept[i] = 1;
        keptRows[nk++] = i;
      }
    }
  }
  return { kept, by, sim, visited };
}
