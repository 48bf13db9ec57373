import { dotRows, dots4x1, rowCount, squaredNorms } from './row-dots.ts';

export interface KcenterOrder {
  /** The pick position of each member (0 for member 0), or -1 when it was not picked. */
  order: Int32Array;
  /**
   * For a picked member, its distance to the nearest earlier center when it was picked (member 0:
   * Infinity). For an unpicked one, its distance to the nearest center after the last pick (Infinity
   * when nothing was picked), i.e. how well the picks cover it.
   */
  radius: Float64Array;
}

/**
 * Greedy k-center (farthest-first traversal, Gonzalez 1985): start from member 0 (the best ranked),
 * then repeatedly pick the member farthest (Euclidean, in [0, 2] for normalized rows) from its nearest
 * picked center; ties go to the lower index. Stops after `picks` picks (or when every member is picked).
 *
 * Keeps each unpicked member's squared distance to its nearest center and folds in only the newest
 * center: O(n · picks · dim) time, O(n) extra memory. Squared distances are |a|² + |b|² − 2 a·b,
 * clamped at 0 (exactly 0 for identical rows, see row-dots.ts).
 */
export function kcenterOrder(vecs: Float32Array, dim: number, picks: number): KcenterOrder {
  const n = rowCount(vecs, dim);
  if (!Number.isInteger(picks) || picks < 0)
    throw new RangeError(`picks must be a non-negative integer, got ${picks}`);
  const order = new Int32Array(n).fill(-1);
  const radius = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const k = Math.min(picks, n);
  if (k === 0) return { order, radius };
  const norms = squaredNorms(vecs, dim);
  const near = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  // The unpicked members, ascending (so the farthest-member scan breaks ties by lower index).
  const live = new Int32Array(n);
  for (let i = 0; i < n; i++) live[i] = i;
  let count = n;
  const dots = new Float64Array(4);
  let center = 0;
  order[0] = 0;
  for (let p = 1; p <= k; p++) {
    // Drop the newest center from the live list, then fold it into everyone's distance.
    const gone = live.indexOf(center);
    live.copyWithin(gone, gone + 1, count--);
    const at = center * dim;
    const nc = norms[center];
    const c4 = count & ~3;
    for (let t = 0; t < c4; t += 4) {
      const i0 = live[t];
      const i1 = live[t + 1];
      const i2 = live[t + 2];
      const i3 = live[t + 3];
      dots4x1(vecs, i0 * dim, i1 * dim, i2 * dim, i3 * dim, at, dim, dots);
      fold(near, i0, norms[i0] + nc - 2 * dots[0]);
      fold(near, i1, norms[i1] + nc - 2 * dots[1]);
      fold(near, i2, norms[i2] + nc - 2 * dots[2]);
      fold(near, i3, norms[i3] + nc - 2 * dots[3]);
    }
    for (let t = c4; t < count; t++) {
      const i = live[t];
      fold(near, i, norms[i] + nc - 2 * dotRows(vecs, i * dim, at, dim));
    }
    // The last round only brings the unpicked members' distances up to date.
    if (p === k) break;
    let far = live[0];
    for (let t = 1; t < count; t++) if (near[live[t]] > near[far]) far = live[t];
    order[far] = p;
    radius[far] = Math.sqrt(near[far]);
    center = far;
  }
  for (let t = 0; t < count; t++) radius[live[t]] = Math.sqrt(near[live[t]]);
  return { order, radius };
}

function fold(near: Float64Array, i: number, d2: number): void {
  if (d2 < near[i]) near[i] = Math.max(d2, 0);
}
