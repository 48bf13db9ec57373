import { type AssignOutputs, BOUND_SLACK } from './kernel-api.ts';
import { blockRows, pad4, U32, type WasmMemory } from './kernel-simd-memory.ts';
import type { Matrix } from './types.ts';

/** The staging window of gathered rows, in blocks: rows of a block spread over at most this many blocks are copied at once. */
const STAGE_BLOCKS = 4;

/**
 * See ClusterKernel.assign: float32 products rank the centroids, then exact float64 sums. With
 * `bound`, each block first measures the rows against their current centroid and compacts the
 * rows that stay out of bound before ranking those.
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
  const { data, dim } = x;
  const { labels, dist2, second, sums, current, bound, origin, norms } = out;
  if (count === 0) return;
  const w = pad4(dim);
  const kp = pad4(k);
  const B = blockRows(w);
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
  let maxCn = 0;
  for (let c = 0; c < k; c++) maxCn = Math.max(maxCn, f32[(at.cn >> 2) + c]);
  // Bound on the float32 error of n2 + cn − 2·x'·c': (w/4 sequential adds + rounding)·u·(‖x'‖ + ‖c'‖)², doubled.
  const gamma = 2 * U32 * (w / 4 + 8);
  const rootCn = Math.sqrt(maxCn);
  const mode = !sums ? 0 : current ? 2 : 1;
  const slot = new Int32Array(B);
  // With `bound`: each block row's exact squared distance to its current centroid.
  const own = new Float64Array(current && bound ? B : 0);
  for (let start = 0; start < count; start += B) {
    const m = Math.min(B, count - start);
    if (rows)
      mem.gatherRows(data, dim, w, rows, start, m, at.xraw, {
        at: at.stage,
        rows: STAGE_BLOCKS * B,
        idx: at.stageIdx,
      });
    else mem.loadRows(data, dim, w, start, m, at.xraw);
    if (norms && origin) {
      ex.rownorms(at.xraw, m, w, at.origin, at.rownorms);
      norms.set(f64.subarray(at.rownorms >> 3, (at.rownorms >> 3) + m), start);
    }
    if (current) i32.set(current.subarray(start, start + m), at.prev >> 2);
    // Rows to rank: slot[r] = the block row of ranked row r.
    let ranked = m;
    for (let i = 0; i < m; i++) slot[i] = i;
    if (current && bound) {
      ex.finish(at.xraw, m, w, at.prev, 0, at.c64, 0, at.dist, 0);
      own.set(f64.subarray(at.dist >> 3, (at.dist >> 3) + m));
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
          f32.copyWithin((at.xraw >> 2) + ranked * w, (at.xraw >> 2) + i * w, (at.xraw >> 2) + (i + 1) * w);
          i32[(at.prev >> 2) + ranked] = i32[(at.prev >> 2) + i];
        }
        slot[ranked++] = i;
      }
      if (ranked === 0) continue;
    }
    ex.prep(at.xraw, ranked, w, at.shift, at.xs, 0, at.norms);
    ex.gemm(at.xs, ranked + (ranked & 1), at.y, kp, w, at.out, kp);
    ex.argmin(at.out, ranked, kp, kp, at.cn, at.labels, at.second);
    for (let r = 0; r < ranked; r++) {
      const t = start + slot[r];
      labels[t] = i32[(at.labels >> 2) + r];
      if (!second) continue;
      const n2 = f32[(at.norms >> 2) + 2 * r];
      const root = Math.sqrt(n2) + rootCn;
      second[t] = Math.max(0, n2 + f32[(at.second >> 2) + r] - gamma * root * root);
    }
    if (!(current && bound)) {
      ex.finish(at.xraw, ranked, w, at.labels, at.prev, at.c64, at.sums, at.dist, mode);
      for (let r = 0; r < ranked; r++) dist2[start + slot[r]] = f64[(at.dist >> 3) + r];
      continue;
    }
    // Rows that keep their centroid have their exact distance already; the others are measured
    // again against their new one, and move between the sums.
    let moved = 0;
    for (let r = 0; r < ranked; r++) {
      const i = slot[r];
      const label = i32[(at.labels >> 2) + r];
      if (label === current[start + i]) {
        dist2[start + i] = own[i];
        continue;
      }
      if (moved !== r) {
        f32.copyWithin((at.xraw >> 2) + moved * w, (at.xraw >> 2) + r * w, (at.xraw >> 2) + (r + 1) * w);
        i32[(at.prev >> 2) + moved] = i32[(at.prev >> 2) + r];
      }
      i32[(at.labels >> 2) + moved] = label;
      slot[moved++] = i;
    }
    ex.finish(at.xraw, moved, w, at.labels, at.prev, at.c64, at.sums, at.dist, mode);
    for (let q = 0; q < moved; q++) dist2[start + slot[q]] = f64[(at.dist >> 3) + q];
  }
  if (sums) {
    const s = at.sums >> 3;
    for (let c = 0; c < k; c++) sums.set(f64.subarray(s + c * w, s + c * w + dim), c * dim);
  }
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
    ex.prep(at.xraw, m, w, at.shift, at.xs, 0, at.norms);
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
