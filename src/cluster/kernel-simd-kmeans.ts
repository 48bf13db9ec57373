import { type AssignOutputs, BOUND_SLACK } from './kernel-api.ts';
import { blockRows, pad4, U32, type WasmMemory } from './kernel-simd-memory.ts';
import {
  type Int16Rows,
  ownUpper,
  pad8,
  quantLevels,
  type RankShape,
  rankOpen,
  rankRows,
  storeQuantized,
} from './kernel-simd-rank.ts';
import type { Matrix } from './types.ts';

/** The staging window of gathered rows, in blocks: rows of a block spread over at most this many blocks are copied at once. */
const STAGE_BLOCKS = 4;

/**
 * See ClusterKernel.assign: int16 products rank the centroids (float32 ones where their error bound
 * leaves the ranking open), then exact float64 sums. With `bound`, each block first bounds the
 * rows' distance to their current centroid and compacts the rows that stay out of bound before
 * ranking those. With `resident`, a call over every row keeps the int16 rows, and the bounded calls
 * that follow rank from them: only the rows that change centroid, or whose ranking stays open, are
 * copied into the module.
 */
export function wasmAssign(
  mem: WasmMemory,
  x: Matrix,
  rows: Int32Array | null,
  count: number,
  centroids: Float64Array,
  k: number,
  out: AssignOutputs,
): void {
  const { data, n, dim } = x;
  const { labels, dist2, second, sums, current, bound, origin, norms, resident } = out;
  if (count === 0) return;
  const w = pad4(dim);
  const w16 = pad8(dim);
  const kp = pad4(k);
  const B = blockRows(w);
  const bounded = current !== undefined && bound !== undefined;
  // Held int16 rows: filled by a resident pass over every row, read by the bounded passes after it.
  let held = resident && (rows === null || (bounded && !norms)) ? mem.held16(x, w16, false) : null;
  const filling = held === null && resident === true && rows === null && count === n;
  if (filling) held = mem.held16(x, w16, true);
  // Bounded passes over listed rows read them from the held rows: float32 rows only where needed.
  let fromHeld = held !== null && rows !== null;
  const at = mem.allocate({
    shift: w * 4,
    cn: kp * 4,
    y: kp * w * 4,
    c64: k * w * 8,
    sums: sums ? k * w * 8 : 0,
    origin: norms ? w * 8 : 0,
    xraw: B * w * 4,
    xs: B * w * 4,
    out: B * kp * 4,
    y16: kp * w16 * 2,
    cv: 5 * kp * 4,
    x16: held ? 0 : B * w16 * 2,
    stats: held ? 0 : B * 16,
    idx: (B + 1) * 4,
    ridx: (B + 1) * 4,
    open: B * 4,
    idx2: B * 4,
    labels2: B * 4,
    second2: B * 4,
    labels: B * 4,
    prev: B * 4,
    second: B * 4,
    dist: B * 8,
    norms: B * 8,
    rownorms: B * 8,
    // A window of source rows gathered from (rows out of bound are typically a quarter or more).
    stage: rows ? STAGE_BLOCKS * B * w * 4 : 0,
    stageIdx: rows ? B * 4 : 0,
  });
  const { f32, f64, i32, ex } = mem;
  mem.storePoints(centroids, k, kp, dim, w, at);
  mem.storeRows64(centroids, k, dim, w, at.c64);
  if (sums) mem.storeRows64(sums, k, dim, w, at.sums);
  if (norms && origin) mem.storeRows64(origin, 1, dim, w, at.origin);
  if (filling && held) storeCenter(mem, x, held.origin);
  let maxCn = 0;
  for (let c = 0; c < k; c++) maxCn = Math.max(maxCn, f32[(at.cn >> 2) + c]);
  // Bound on the float32 error of n2 + cn − 2·x'·c': (w/4 sequential adds + rounding)·u·(‖x'‖ + ‖c'‖)², doubled.
  const gamma = 2 * U32 * (w / 4 + 8);
  const shape: RankShape = { w, w16, lv: quantLevels(w16), kp, gamma, rootCn: Math.sqrt(maxCn) };
  shape.int16 = storeQuantized(mem, centroids, k, dim, held ? held.origin : at.shift, at, shape);
  // Without an int16 ranking the held rows serve nothing: listed rows are copied as float32.
  if (!shape.int16) fromHeld = false;
  const mode = !sums ? 0 : current ? 2 : 1;
  const slot = new Int32Array(B);
  const low = new Float64Array(B);
  // The global rows of a block, and of its rows to copy (held rows: open or moving ones).
  const list = new Int32Array(B);
  // With `bound`: each block row's squared distance to its current centroid (exact, or an upper
  // bound from the held rows).
  const own = new Float64Array(bounded ? B : 0);
  const stage = { at: at.stage, rows: STAGE_BLOCKS * B, idx: at.stageIdx };
  const idx = at.idx >> 2;
  for (let start = 0; start < count; start += B) {
    const m = Math.min(B, count - start);
    // The block's rows: idx[i] is a row of xraw (compactions reorder idx, not the rows) or, from the
    // held rows, a row of x.
    if (fromHeld) i32.set((rows as Int32Array).subarray(start, start + m), idx);
    else {
      if (rows) mem.gatherRows(data, dim, w, rows, start, m, at.xraw, stage);
      else mem.loadRows(data, dim, w, start, m, at.xraw);
      for (let i = 0; i < m; i++) i32[idx + i] = i;
      if (filling && held)
        ex.quant(
          at.xraw,
          m,
          w,
          held.origin,
          -1,
          shape.lv,
          held.rows + start * w16 * 2,
          w16,
          held.stats + start * 16,
        );
    }
    if (norms && origin) {
      ex.rownorms(at.xraw, m, w, at.origin, at.rownorms, -1);
      norms.set(f64.subarray(at.rownorms >> 3, (at.rownorms >> 3) + m), start);
    }
    if (current) i32.set(current.subarray(start, start + m), at.prev >> 2);
    // Rows to rank: slot[r] = the block row of ranked row r.
    let ranked = m;
    for (let i = 0; i < m; i++) slot[i] = i;
    if (bounded) {
      if (fromHeld && held)
        ownUpper(mem, at, { rows: held.rows, stats: held.stats, idx: at.idx }, m, at.prev, shape, own);
      else {
        ex.finish(at.xraw, m, w, at.prev, 0, at.c64, 0, at.dist, 0, at.idx);
        own.set(f64.subarray(at.dist >> 3, (at.dist >> 3) + m));
      }
      ranked = 0;
      for (let i = 0; i < m; i++) {
        const d = own[i];
        if (Math.sqrt(d) * (1 + BOUND_SLACK) < bound[start + i]) {
          labels[start + i] = current[start + i];
          dist2[start + i] = d;
          if (second) second[start + i] = -1;
          continue;
        }
        if (ranked !== i) {
          i32[idx + ranked] = i32[idx + i];
          i32[(at.prev >> 2) + ranked] = i32[(at.prev >> 2) + i];
        }
        slot[ranked++] = i;
      }
      if (ranked === 0) continue;
    }
    // int16 rows: the held ones (row numbers of x), or this block's quantized now.
    let src: Int16Rows;
    if (held) {
      const ridx = at.ridx >> 2;
      for (let r = 0; r < ranked; r++) i32[ridx + r] = fromHeld ? i32[idx + r] : start + i32[idx + r];
      i32[ridx + ranked] = i32[ridx + ranked - 1];
      src = { rows: held.rows, stats: held.stats, idx: at.ridx };
    } else {
      ex.quant(at.xraw, ranked, w, at.shift, at.idx, shape.lv, at.x16, w16, at.stats);
      src = { rows: at.x16, stats: at.stats, idx: -1 };
    }
    const open = rankRows(mem, at, ranked, shape, src, low);
    if (open > 0) {
      if (fromHeld) {
        for (let o = 0; o < open; o++) list[o] = i32[idx + i32[(at.open >> 2) + o]];
        mem.gatherRows(data, dim, w, list, 0, open, at.xraw, stage);
        rankOpen(mem, at, open, shape, at.xraw, -1, low);
      } else {
        for (let o = 0; o < open; o++) i32[(at.idx2 >> 2) + o] = i32[idx + i32[(at.open >> 2) + o]];
        rankOpen(mem, at, open, shape, at.xraw, at.idx2, low);
      }
    }
    for (let r = 0; r < ranked; r++) {
      const t = start + slot[r];
      labels[t] = i32[(at.labels >> 2) + r];
      if (second) second[t] = low[r];
    }
    if (!bounded) {
      ex.finish(at.xraw, ranked, w, at.labels, at.prev, at.c64, at.sums, at.dist, mode, at.idx);
      for (let r = 0; r < ranked; r++) dist2[start + slot[r]] = f64[(at.dist >> 3) + r];
      continue;
    }
    // Rows that keep their centroid have their distance (or its bound) already; the others are
    // measured exactly against their new one, and move between the sums.
    let moved = 0;
    for (let r = 0; r < ranked; r++) {
      const i = slot[r];
      const label = i32[(at.labels >> 2) + r];
      if (label === current[start + i]) {
        dist2[start + i] = own[i];
        continue;
      }
      if (fromHeld) list[moved] = i32[idx + r];
      else if (moved !== r) i32[idx + moved] = i32[idx + r];
      i32[(at.prev >> 2) + moved] = i32[(at.prev >> 2) + r];
      i32[(at.labels >> 2) + moved] = label;
      slot[moved++] = i;
    }
    if (moved === 0) continue;
    if (fromHeld) mem.gatherRows(data, dim, w, list, 0, moved, at.xraw, stage);
    ex.finish(at.xraw, moved, w, at.labels, at.prev, at.c64, at.sums, at.dist, mode, fromHeld ? -1 : at.idx);
    for (let q = 0; q < moved; q++) dist2[start + slot[q]] = f64[(at.dist >> 3) + q];
  }
  if (filling && held) held.ready = true;
  if (sums) {
    const s = at.sums >> 3;
    for (let c = 0; c < k; c++) sums.set(f64.subarray(s + c * w, s + c * w + dim), c * dim);
  }
}

/**
 * The point the held rows are shifted by, as float32 at byte offset `at`: the mean of up to 1,024
 * evenly spaced rows of x, a central point (the int16 products' error grows with ‖x − point‖).
 */
function storeCenter(mem: WasmMemory, x: Matrix, at: number): void {
  const { data, n, dim } = x;
  const step = Math.max(1, Math.floor(n / 1024));
  const sum = new Float64Array(dim);
  let rows = 0;
  for (let i = 0; i < n; i += step, rows++) for (let j = 0; j < dim; j++) sum[j] += data[i * dim + j];
  // Zero up to the padded width: quant reads pad4(dim) values of it.
  mem.f32.fill(0, at >> 2, (at >> 2) + pad4(dim));
  for (let j = 0; j < dim; j++) mem.f32[(at >> 2) + j] = sum[j] / rows;
}

/** See ClusterKernel.distances: float32 products, ‖x'‖² + ‖p'‖² − 2x'·p' clamped at 0. */
export function wasmDistances(
  mem: WasmMemory,
  x: Matrix,
  points: Float64Array,
  t: number,
  out: Float64Array,
): void {
  const { data, n, dim } = x;
  if (n === 0) return;
  const w = pad4(dim);
  const tp = pad4(t);
  const B = blockRows(w);
  const at = mem.allocate({
    shift: w * 4,
    cn: tp * 4,
    y: tp * w * 4,
    xraw: B * w * 4,
    xs: B * w * 4,
    out: B * tp * 4,
    norms: B * 8,
  });
  const { f32, ex } = mem;
  mem.storePoints(points, t, tp, dim, w, at);
  for (let start = 0; start < n; start += B) {
    const m = Math.min(B, n - start);
    mem.loadRows(data, dim, w, start, m, at.xraw);
    ex.prep(at.xraw, m, w, at.shift, at.xs, 0, at.norms, -1);
    ex.gemm(at.xs, m + (m & 1), at.y, tp, w, at.out, tp);
    const o = at.out >> 2;
    const nb = at.norms >> 2;
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < t; p++) {
        const d = f32[nb + 2 * i] + f32[(at.cn >> 2) + p] - 2 * f32[o + i * tp + p];
        out[p * n + start + i] = Math.max(d, 0);
      }
    }
  }
}

/** See ClusterKernel.separations: the centroids as float64 rows pad4(dim) wide, then `pairs` by strips of rows. */
export function wasmSeparations(
  mem: WasmMemory,
  centroids: Float64Array,
  k: number,
  dim: number,
  out: Float64Array,
): void {
  const w = pad4(dim);
  const strip = Math.max(1, Math.min(k, Math.floor(32768 / k)));
  const at = mem.allocate({ c64: k * w * 8, out: strip * k * 8 });
  mem.storeRows64(centroids, k, dim, w, at.c64);
  out.fill(Number.POSITIVE_INFINITY, 0, k);
  const o = at.out >> 3;
  for (let a0 = 0; a0 < k; a0 += strip) {
    const a1 = Math.min(k, a0 + strip);
    mem.ex.pairs(at.c64, k, w, a0, a1, at.out);
    const { f64 } = mem;
    for (let a = a0; a < a1; a++) {
      for (let c = a + 1; c < k; c++) {
        const d = f64[o + (a - a0) * k + c];
        if (d < out[a]) out[a] = d;
        if (d < out[c]) out[c] = d;
      }
    }
  }
}
