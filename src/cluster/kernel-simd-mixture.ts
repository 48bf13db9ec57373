import { LOG_TAIL, type MixtureSums, type MixtureVisitor, mixtureTerms, selectTail } from './kernel-api.ts';
import { blockRows, pad4, U32, type WasmMemory } from './kernel-simd-memory.ts';
import type { GmmParams, Matrix } from './types.ts';

/**
 * See ClusterKernel.mixture. The rows are shifted by the mixture's mean, and float32 products of
 * [x', x'²] with [μ'/σ², −1/(2σ²)] give every component's log density up to a constant; those
 * within LOG_TAIL nats (plus a bound on their float32 error) of the best are then scored exactly.
 */
export function wasmMixture(
  mem: WasmMemory,
  x: Matrix,
  params: GmmParams,
  visit: MixtureVisitor,
  sums: MixtureSums | null,
): void {
  const { data, n, dim } = x;
  if (n === 0) return;
  const { k, means, weights } = params;
  const w = pad4(dim);
  const w2 = 2 * w;
  const kp = pad4(k);
  const B = blockRows(w2);
  const at = mem.allocate({
    shift: w * 4,
    y: kp * w2 * 4,
    mu: k * w * 8,
    a: k * w * 8,
    sx: sums ? k * w * 8 : 0,
    sxx: sums ? k * w * 8 : 0,
    xraw: B * w * 4,
    xs: B * w2 * 4,
    out: B * kp * 4,
    norms: B * 8,
    cst: k * 8,
    comps: B * k * 4,
    counts: B * 4,
  });
  const { f32, f64, i32, ex } = mem;
  const { precisions, logNorm } = mixtureTerms(params);
  mem.storeRows64(means, k, dim, w, at.mu);
  mem.storeRows64(precisions, k, dim, w, at.a);
  if (sums) f64.fill(0, at.sx >> 3, (at.sxx >> 3) + k * w);
  // Shift by the mixture's mean; the products give log N up to a per-component constant.
  const s = at.shift >> 2;
  f32.fill(0, s, s + w);
  for (let j = 0; j < dim; j++) {
    let v = 0;
    for (let c = 0; c < k; c++) if (weights[c] > 0) v += weights[c] * means[c * dim + j];
    f32[s + j] = v;
  }
  const y = at.y >> 2;
  f32.fill(0, y, y + kp * w2);
  const constant = at.cst >> 3;
  let maxA = 0;
  let maxB = 0;
  for (let c = 0; c < k; c++) {
    let q = 0;
    let na = 0;
    let nb = 0;
    for (let j = 0; j < dim; j++) {
      const a = precisions[c * dim + j];
      const mu = means[c * dim + j] - f32[s + j];
      const b = mu * a;
      f32[y + c * w2 + j] = b;
      f32[y + c * w2 + w + j] = -0.5 * a;
      q += mu * b;
      na += a * a;
      nb += b * b;
    }
    f64[constant + c] = logNorm[c] - 0.5 * q;
    maxA = Math.max(maxA, na);
    maxB = Math.max(maxB, nb);
  }
  maxA = Math.sqrt(maxA);
  maxB = Math.sqrt(maxB);
  // Bound on the float32 error of one product row: (w2/4 sequential adds + rounding) · u · Σ|terms|.
  const gamma = U32 * (w2 / 4 + 8);
  const comps = new Int32Array(k);
  const values = new Float64Array(k);
  for (let start = 0; start < n; start += B) {
    const m = Math.min(B, n - start);
    mem.loadRows(data, dim, w, start, m, at.xraw);
    ex.prep(at.xraw, m, w, at.shift, at.xs, 1, at.norms, -1);
    ex.gemm(at.xs, m + (m & 1), at.y, kp, w2, at.out, kp);
    ex.candidates(at.out, m, k, kp, at.cst, at.norms, gamma, maxA, maxB, LOG_TAIL, at.comps, at.counts);
    for (let i = 0; i < m; i++) {
      const xr = at.xraw + i * w * 4;
      const from = (at.comps >> 2) + i * k;
      let count = i32[(at.counts >> 2) + i];
      for (let t = 0; t < count; t++) {
        const c = i32[from + t];
        comps[t] = c;
        values[t] = logNorm[c] - 0.5 * ex.wsqdist(xr, at.mu + c * w * 8, at.a + c * w * 8, w);
      }
      count = selectTail(comps, values, count);
      visit(start + i, comps, values, count);
      if (!sums) continue;
      for (let t = 0; t < count; t++) {
        const r = values[t];
        if (r > 0) ex.addrow2(xr, r, at.sx + comps[t] * w * 8, at.sxx + comps[t] * w * 8, w);
      }
    }
  }
  if (sums) {
    const sx = at.sx >> 3;
    const sxx = at.sxx >> 3;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < dim; j++) {
        sums.sx[c * dim + j] += f64[sx + c * w + j];
        sums.sxx[c * dim + j] += f64[sxx + c * w + j];
      }
    }
  }
}
