import {
  type AssignOutputs,
  BOUND_SLACK,
  type ClusterKernel,
  type MixtureSums,
  type MixtureVisitor,
  mixtureTerms,
  selectTail,
} from './kernel-api.ts';
import type { GmmParams, Matrix } from './types.ts';

/**
 * Σ_j (x[xo + j] − c[co + j])² (times w[co + j] when w is given), in float64 with four partial
 * sums combined as (s0 + s2) + (s1 + s3): the same order as the WebAssembly kernel, so both give
 * identical bits.
 */
export function sqdist(x: Float32Array, xo: number, c: Float64Array, co: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    const d0 = x[xo + j] - c[co + j];
    const d1 = x[xo + j + 1] - c[co + j + 1];
    const d2 = x[xo + j + 2] - c[co + j + 2];
    const d3 = x[xo + j + 3] - c[co + j + 3];
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  if (j < dim) {
    const d = x[xo + j] - c[co + j];
    s0 += d * d;
  }
  if (j + 1 < dim) {
    const d = x[xo + j + 1] - c[co + j + 1];
    s1 += d * d;
  }
  if (j + 2 < dim) {
    const d = x[xo + j + 2] - c[co + j + 2];
    s2 += d * d;
  }
  return s0 + s2 + (s1 + s3);
}

function wsqdist(
  x: Float32Array,
  xo: number,
  mu: Float64Array,
  a: Float64Array,
  co: number,
  dim: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    const d0 = x[xo + j] - mu[co + j];
    const d1 = x[xo + j + 1] - mu[co + j + 1];
    const d2 = x[xo + j + 2] - mu[co + j + 2];
    const d3 = x[xo + j + 3] - mu[co + j + 3];
    s0 += a[co + j] * (d0 * d0);
    s1 += a[co + j + 1] * (d1 * d1);
    s2 += a[co + j + 2] * (d2 * d2);
    s3 += a[co + j + 3] * (d3 * d3);
  }
  if (j < dim) {
    const d = x[xo + j] - mu[co + j];
    s0 += a[co + j] * (d * d);
  }
  if (j + 1 < dim) {
    const d = x[xo + j + 1] - mu[co + j + 1];
    s1 += a[co + j + 1] * (d * d);
  }
  if (j + 2 < dim) {
    const d = x[xo + j + 2] - mu[co + j + 2];
    s2 += a[co + j + 2] * (d * d);
  }
  return s0 + s2 + (s1 + s3);
}

/** The portable kernel: direct float64 distances, no SIMD. */
export function createJsKernel(): ClusterKernel {
  return {
    name: 'js',
    assign(
      x: Matrix,
      rows: Int32Array | null,
      count: number,
      centroids: Float64Array,
      k: number,
      out: AssignOutputs,
    ) {
      const { data, dim } = x;
      const { labels, dist2, second, sums, current, bound, origin, norms } = out;
      for (let t = 0; t < count; t++) {
        const xo = (rows ? rows[t] : t) * dim;
        if (norms && origin) norms[t] = sqdist(data, xo, origin, 0, dim);
        if (current && bound) {
          const d = sqdist(data, xo, centroids, current[t] * dim, dim);
          if (Math.sqrt(d) * (1 + BOUND_SLACK) < bound[t]) {
            labels[t] = current[t];
            dist2[t] = d;
            if (second) second[t] = -1;
            continue;
          }
        }
        let best = 0;
        let bd = Number.POSITIVE_INFINITY;
        let sd = Number.POSITIVE_INFINITY;
        for (let c = 0; c < k; c++) {
          const d = sqdist(data, xo, centroids, c * dim, dim);
          if (d < bd) {
            sd = bd;
            bd = d;
            best = c;
          } else if (d < sd) sd = d;
        }
        labels[t] = best;
        dist2[t] = bd;
        if (second) second[t] = sd;
        const from = current ? current[t] : -1;
        if (!sums || from === best) continue;
        for (let j = 0; j < dim; j++) sums[best * dim + j] += data[xo + j];
        if (from >= 0) for (let j = 0; j < dim; j++) sums[from * dim + j] -= data[xo + j];
      }
    },
    separations(centroids: Float64Array, k: number, dim: number, out: Float64Array) {
      out.fill(Number.POSITIVE_INFINITY, 0, k);
      for (let a = 0; a < k; a++) {
        for (let c = a + 1; c < k; c++) {
          let d = 0;
          for (let j = 0; j < dim; j++) {
            const e = centroids[a * dim + j] - centroids[c * dim + j];
            d += e * e;
          }
          if (d < out[a]) out[a] = d;
          if (d < out[c]) out[c] = d;
        }
      }
    },
    distances(x: Matrix, points: Float64Array, t: number, out: Float64Array) {
      const { data, n, dim } = x;
      for (let p = 0; p < t; p++) {
        for (let i = 0; i < n; i++) out[p * n + i] = sqdist(data, i * dim, points, p * dim, dim);
      }
    },
    mixture(x: Matrix, params: GmmParams, visit: MixtureVisitor, sums: MixtureSums | null) {
      const { data, n, dim } = x;
      const { k, means } = params;
      const { precisions, logNorm } = mixtureTerms(params);
      const comps = new Int32Array(k);
      const values = new Float64Array(k);
      for (let i = 0; i < n; i++) {
        const xo = i * dim;
        for (let c = 0; c < k; c++) {
          comps[c] = c;
          values[c] = logNorm[c] - 0.5 * wsqdist(data, xo, means, precisions, c * dim, dim);
        }
        const count = selectTail(comps, values, k);
        visit(i, comps, values, count);
        if (!sums) continue;
        for (let t = 0; t < count; t++) {
          const r = values[t];
          if (!(r > 0)) continue;
          const co = comps[t] * dim;
          for (let j = 0; j < dim; j++) {
            const v = data[xo + j];
            const rv = r * v;
            sums.sx[co + j] += rv;
            sums.sxx[co + j] += rv * v;
          }
        }
      }
    },
    release() {},
    memoryBytes: () => 0,
  };
}
