import { U32, type WasmMemory } from './kernel-simd-memory.ts';

/** Row width of the int16 copies: a multiple of 8 (one v128 of int16). */
export const pad8 = (v: number) => (v + 7) & ~7;

/**
 * The int16 levels of the products (|q| ≤ lv): each int32 lane of gemm16 adds w16/4 products of two
 * int16 values, so (w16/4)·lv² must stay below 2³¹ (lv = 5,792 at 256 dimensions).
 */
export function quantLevels(w16: number): number {
  return Math.min(32767, Math.floor(Math.sqrt((2 ** 31 - 1) / Math.max(1, w16 / 4))));
}

/** Relative rounding term of the int16 error bound, per ‖x'‖·‖c'‖ (a generous multiple of float32's unit roundoff). */
const EU = 32 * U32;

/** Where the ranking works (byte offsets from WasmMemory.allocate). */
export interface RankRegions {
  xraw: number;
  shift: number;
  y: number;
  cn: number;
  xs: number;
  norms: number;
  out: number;
  labels: number;
  second: number;
  y16: number;
  cv: number;
  open: number;
  idx2: number;
  labels2: number;
  second2: number;
}

/** The widths and error terms of a ranking: rows w float32 (w16 int16) wide, kp padded columns. */
export interface RankShape {
  w: number;
  w16: number;
  lv: number;
  kp: number;
  /** float32 relative error of a row's Σx'² (and of the float32 products' bound). */
  gamma: number;
  /** √ of the largest ‖c'‖² of the float32 products. */
  rootCn: number;
  /** false when a centroid is too close to the origin to scale (storeQuantized): every row is open. */
  int16?: boolean;
}

/** int16 rows and their stats (quant's output) for a ranking: row idx[r] of each (idx −1: rows 0..m − 1). */
export interface Int16Rows {
  rows: number;
  stats: number;
  idx: number;
}

/** Up to this largest |c′_j| (above 0) a centroid has no int16 scale: b would be subnormal in float32. */
const TINY = 2 ** -100;

/**
 * The int16 copies of c' = fround(c − o) (o: dim float32 values at byte offset `origin`) for
 * gemm16, and argmin16's per-column terms at `cv`: cn = ‖c'‖², the scale b = max|c'|/lv,
 * P = 1.004·Σ|p| + 0.52·w16 (the rounding of p = round(c'/b) and of the rows' q, see kernel.wat),
 * the rounding term 8u·cn and √cn; zeros (and cn = +∞) for the padding columns. Returns false
 * when a centroid's largest |c′_j| is in (0, 2⁻¹⁰⁰]: the int16 ranking is not used then.
 */
export function storeQuantized(
  mem: WasmMemory,
  centroids: Float64Array,
  k: number,
  dim: number,
  origin: number,
  at: { y16: number; cv: number },
  shape: RankShape,
): boolean {
  const { w16, lv, kp } = shape;
  const { f32 } = mem;
  const i16 = new Int16Array(f32.buffer);
  let usable = true;
  const o = origin >> 2;
  const q = at.y16 >> 1;
  const cv = at.cv >> 2;
  i16.fill(0, q, q + kp * w16);
  const c1 = new Float64Array(dim);
  for (let c = 0; c < kp; c++) {
    if (c >= k) {
      f32[cv + c] = Number.POSITIVE_INFINITY;
      for (let t = 1; t < 5; t++) f32[cv + t * kp + c] = 0;
      continue;
    }
    let max = 0;
    let cn = 0;
    for (let j = 0; j < dim; j++) {
      const v = Math.fround(centroids[c * dim + j] - f32[o + j]);
      c1[j] = v;
      cn += v * v;
      max = Math.max(max, Math.abs(v));
    }
    if (max > 0 && max <= TINY) usable = false;
    const b = Math.fround(max / lv);
    let sum = 0;
    if (b > 0 && usable) {
      for (let j = 0; j < dim; j++) {
        const p = Math.round(c1[j] / b);
        i16[q + c * w16 + j] = p;
        sum += Math.abs(p);
      }
    }
    f32[cv + c] = cn;
    f32[cv + kp + c] = b;
    f32[cv + 2 * kp + c] = 1.004 * sum + 0.52 * w16;
    f32[cv + 3 * kp + c] = 8 * U32 * cn;
    f32[cv + 4 * kp + c] = Math.sqrt(cn);
  }
  return usable;
}

/**
 * An upper bound on the squared distance from each of m rows (int16 row idx[i] of `src`) to its
 * centroid labels[i] (module memory), into own[i]: own16's product with the error bound of argmin16.
 */
export function ownUpper(
  mem: WasmMemory,
  at: { y16: number; cv: number; out: number },
  src: Int16Rows,
  m: number,
  labels: number,
  shape: RankShape,
  own: Float64Array,
): void {
  const { w16, kp, gamma } = shape;
  mem.ex.own16(src.rows, src.idx, m, w16, at.y16, labels, at.out);
  const { f32, i32 } = mem;
  const cv = at.cv >> 2;
  for (let i = 0; i < m; i++) {
    const c = i32[(labels >> 2) + i];
    const s = ((src.stats >> 2) + 4 * (src.idx < 0 ? i : i32[(src.idx >> 2) + i])) | 0;
    const ab = f32[s] * f32[cv + kp + c];
    const n2 = f32[s + 2];
    const v = f32[cv + c] - 2 * ab * f32[(at.out >> 2) + i];
    const e =
      ab * (1 + 2 ** -16) * (f32[s + 1] + f32[cv + 2 * kp + c]) +
      f32[cv + 3 * kp + c] +
      EU * Math.sqrt(n2) * f32[cv + 4 * kp + c];
    own[i] = Math.max(0, n2 * (1 + gamma) + v + e);
  }
}

/**
 * The nearest centroid of m rows by the int16 products (gemm16, argmin16: about 1.5 times the
 * float32 products' speed): labels into `labels` (module memory) and, in low[r], a lower bound on
 * the squared distance to every other centroid. Returns how many rows the error bound leaves open:
 * their positions r are at `open`, for rankOpen.
 */
export function rankRows(
  mem: WasmMemory,
  at: RankRegions,
  m: number,
  shape: RankShape,
  src: Int16Rows,
  low: Float64Array,
): number {
  const { w16, kp, gamma } = shape;
  const { ex, f32, i32 } = mem;
  if (shape.int16 === false) {
    for (let r = 0; r < m; r++) i32[(at.open >> 2) + r] = r;
    return m;
  }
  ex.gemm16(src.rows, m + (m & 1), at.y16, kp, w16, at.out, kp, src.idx);
  ex.argmin16(at.out, m, kp, kp, at.cv, src.stats, EU, at.labels, at.second, src.idx);
  let open = 0;
  for (let r = 0; r < m; r++) {
    const s = ((src.stats >> 2) + 4 * (src.idx < 0 ? r : i32[(src.idx >> 2) + r]) + 2) | 0;
    low[r] = Math.max(0, f32[s] * (1 - gamma) + f32[(at.second >> 2) + r]);
    if (i32[(at.labels >> 2) + r] < 0) i32[(at.open >> 2) + open++] = r;
  }
  return open;
}

/**
 * The open rows of rankRows ranked again by the float32 products (prep, gemm, argmin: the
 * ranking of the float32 kernel), from their float32 rows: row idx[o] of `base` for the o-th open
 * row (idx −1: rows 0..open − 1).
 */
export function rankOpen(
  mem: WasmMemory,
  at: RankRegions,
  open: number,
  shape: RankShape,
  base: number,
  idx: number,
  low: Float64Array,
): void {
  const { w, kp, gamma, rootCn } = shape;
  const { ex, f32, i32 } = mem;
  ex.prep(base, open, w, at.shift, at.xs, 0, at.norms, idx);
  ex.gemm(at.xs, open + (open & 1), at.y, kp, w, at.out, kp);
  ex.argmin(at.out, open, kp, kp, at.cn, at.labels2, at.second2);
  for (let o = 0; o < open; o++) {
    const r = i32[(at.open >> 2) + o];
    i32[(at.labels >> 2) + r] = i32[(at.labels2 >> 2) + o];
    const n2 = f32[(at.norms >> 2) + 2 * o];
    const root = Math.sqrt(n2) + rootCn;
    low[r] = Math.max(0, n2 + f32[(at.second2 >> 2) + o] - gamma * root * root);
  }
}
