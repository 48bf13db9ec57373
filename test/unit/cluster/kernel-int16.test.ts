import { describe, expect, it } from 'vitest';
import {
  createKmeansBounds,
  fitKmeans,
  fitModel,
  gaussianBlobs,
  kmeansPlusPlus,
  kmeansStats,
  type Matrix,
  useClusterKernel,
} from '../../../src/cluster/index.ts';
import type { AssignOutputs } from '../../../src/cluster/kernel-api.ts';
import { wasmAssign } from '../../../src/cluster/kernel-simd-kmeans.ts';
import { createWasmMemory, type KernelExports } from '../../../src/cluster/kernel-simd-memory.ts';
import { pad8, quantLevels } from '../../../src/cluster/kernel-simd-rank.ts';
import { kernelWasmBytes } from '../../../src/cluster/kernel-wasm.ts';
import { mulberry32 } from '../../../src/demo/random.ts';
import { expectClose } from './helpers.ts';

/** WebAssembly.Module from bytes (declared abstract in the Workers types). */
const Module = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;

/** A WebAssembly kernel memory whose exports count their calls. */
function countingMemory() {
  const mem = createWasmMemory(new Module(kernelWasmBytes(false)));
  const calls: Record<string, number> = {};
  const raw = mem.ex as unknown as Record<string, unknown>;
  const counted: Record<string, unknown> = { memory: raw.memory };
  for (const [name, fn] of Object.entries(raw)) {
    if (typeof fn !== 'function') continue;
    counted[name] = (...args: number[]) => {
      calls[name] = (calls[name] ?? 0) + 1;
      return (fn as (...a: number[]) => unknown)(...args);
    };
  }
  mem.ex = counted as unknown as KernelExports;
  return { mem, calls };
}

/** Exact float64 squared distances of every row to every centroid. */
function exact(x: Matrix, centroids: Float64Array, k: number): Float64Array[] {
  return Array.from({ length: x.n }, (_, i) => {
    const d = new Float64Array(k);
    for (let c = 0; c < k; c++)
      for (let j = 0; j < x.dim; j++) d[c] += (x.data[i * x.dim + j] - centroids[c * x.dim + j]) ** 2;
    return d;
  });
}

function assignAll(mem: ReturnType<typeof createWasmMemory>, x: Matrix, centroids: Float64Array, k: number) {
  const out: AssignOutputs = {
    labels: new Int32Array(x.n),
    dist2: new Float64Array(x.n),
    second: new Float64Array(x.n),
  };
  wasmAssign(mem, x, null, x.n, centroids, k, out);
  return out as Required<Pick<AssignOutputs, 'labels' | 'dist2' | 'second'>>;
}

describe('int16 ranking of the WebAssembly kernel', () => {
  it('keeps every int32 lane exact: (w16/4)·lv² below 2³¹ at any width', () => {
    for (const dim of [1, 4, 12, 256, 768, 1000, 4096]) {
      const w16 = pad8(dim);
      const lv = quantLevels(w16);
      expect((w16 / 4) * lv * lv).toBeLessThan(2 ** 31);
      expect(lv).toBeLessThanOrEqual(32767);
      // and not needlessly coarse: one more level would overflow (or lv is int16's largest)
      if (lv < 32767) expect((w16 / 4) * (lv + 1) ** 2).toBeGreaterThanOrEqual(2 ** 31);
    }
    expect(quantLevels(256)).toBe(5792);
  });

  it('ranks rows at int16 full scale in 2,000 dimensions like float64', () => {
    // Every coordinate at ±M: every q is ±lv, so each lane sum is at its largest.
    const dim = 2000;
    const n = 6;
    const M = 3;
    const data = new Float32Array(n * dim);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < dim; j++) data[i * dim + j] = (i + j) % (i + 2) === 0 ? -M : M;
    const x = { data, n, dim };
    const k = 3;
    const centroids = new Float64Array(k * dim);
    for (let c = 0; c < k; c++)
      for (let j = 0; j < dim; j++) centroids[c * dim + j] = (c + j) % (c + 2) === 0 ? -M : M;
    const { mem } = countingMemory();
    const got = assignAll(mem, x, centroids, k);
    const d = exact(x, centroids, k);
    for (let i = 0; i < n; i++) {
      const best = d[i].indexOf(Math.min(...d[i]));
      expect(got.labels[i]).toBe(best);
      expectClose(got.dist2[i], d[i][best], 1e-12);
    }
  });

  it('gives a lower bound on the distance to every other centroid, and the nearest one', () => {
    const { x } = gaussianBlobs({
      n: 600,
      dim: 40,
      k: 9,
      seed: 3,
      sigma: [0.5, 1.5],
      noise: 0.1,
      offset: 20,
    });
    const k = 9;
    const centroids = kmeansPlusPlus(x, k, 5);
    const { mem } = countingMemory();
    const got = assignAll(mem, x, centroids, k);
    const d = exact(x, centroids, k);
    for (let i = 0; i < x.n; i++) {
      const best = got.labels[i];
      expect(d[i][best]).toBe(Math.min(...d[i]));
      for (let c = 0; c < k; c++) if (c !== best) expect(got.second[i]).toBeLessThanOrEqual(d[i][c]);
    }
  });

  it('ranks the rows its error bound leaves open with the float32 products', () => {
    // Two centroids ±s along the first axis on top of a large common part: rows at a small t on the
    // first axis are nearer the one on their side by 4·s·t, below the int16 bound but far above float32's.
    const dim = 64;
    const rng = mulberry32(11);
    const base = Array.from({ length: dim }, () => 3 * (rng() - 0.5));
    const k = 2;
    const centroids = new Float64Array(k * dim);
    for (let j = 0; j < dim; j++) centroids[j] = centroids[dim + j] = base[j];
    centroids[0] += 1;
    centroids[dim] -= 1;
    const n = 200;
    const data = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      for (let j = 1; j < dim; j++) data[i * dim + j] = base[j] + 4 * (rng() - 0.5);
      data[i * dim] = base[0] + (i % 2 ? 1 : -1) * 10 ** (-1 - (i % 3));
    }
    const x = { data, n, dim };
    const { mem, calls } = countingMemory();
    const got = assignAll(mem, x, centroids, k);
    expect(calls.gemm ?? 0).toBeGreaterThan(0);
    const d = exact(x, centroids, k);
    for (let i = 0; i < n; i++) expect(got.labels[i]).toBe(d[i][0] < d[i][1] ? 0 : 1);
    // Well-separated rows never need them.
    const blobs = gaussianBlobs({ n: 400, dim: 32, k: 4, seed: 2, sigma: [0.2, 0.3] });
    const again = countingMemory();
    assignAll(again.mem, blobs.x, kmeansPlusPlus(blobs.x, 4, 1), 4);
    expect(again.calls.gemm ?? 0).toBe(0);
    expect(again.calls.gemm16).toBeGreaterThan(0);
  });

  it('ranks a row whose int16 rounding errors all push one way like float64', () => {
    // Centroids ±C (their mean, the shift, is 0). Each row has x_0 = M, which sets its scale a = M/lv,
    // and x_j = 0.4995·a·sign(C_j) elsewhere: every q_j rounds to 0, each losing 0.4995·a·|C_j| of
    // x·C, all of one sign. x_0 is set against half of that loss, so the int16 products put the row
    // nearer −C while it is nearer +C: only the bound's term for the centroid's rounding (P) leaves
    // the row open.
    const dim = 64;
    const lv = quantLevels(pad8(dim));
    const a = 2 ** -8;
    const M = lv * a;
    const rng = mulberry32(5);
    const k = 2;
    const n = 8;
    const data = new Float32Array(n * dim);
    const centroids = new Float64Array(k * dim);
    const C = Array.from({ length: dim }, () => Math.fround(0.2 + 0.8 * rng()) * (rng() < 0.5 ? -1 : 1));
    let spread = 0;
    for (let j = 1; j < dim; j++) spread += Math.abs(C[j]);
    C[0] = Math.fround((-0.25 * spread) / lv);
    for (let j = 0; j < dim; j++) {
      centroids[j] = C[j];
      centroids[dim + j] = -C[j];
    }
    for (let i = 0; i < n; i++) {
      data[i * dim] = M;
      for (let j = 1; j < dim; j++) data[i * dim + j] = 0.4995 * a * Math.sign(C[j]) * (1 - i * 1e-4);
    }
    const x = { data, n, dim };
    const { mem, calls } = countingMemory();
    const got = assignAll(mem, x, centroids, k);
    const d = exact(x, centroids, k);
    for (let i = 0; i < n; i++) {
      expect(d[i][0]).toBeLessThan(d[i][1]);
      expect(got.labels[i]).toBe(0);
    }
    expect(calls.gemm).toBeGreaterThan(0);
  });

  it('holds rows only for a fit: fitKmeans keeps them, the fit task (fitModel) releases them, a carried state never holds', () => {
    const kernel = useClusterKernel('wasm');
    const k = 8;
    const { x } = gaussianBlobs({ n: 40_000, dim: 128, k, seed: 4 });
    const small = 4 * 2 ** 20;
    const init = kmeansPlusPlus(x, k, 1);
    kernel.release();
    // A state carried between tasks (not resident): working regions only.
    kmeansStats(x, init, k, createKmeansBounds(x, k));
    expect(kernel.memoryBytes()).toBeLessThan(small);
    // A resident state keeps the int16 rows: 2·128 + 16 bytes a row.
    kmeansStats(x, init, k, createKmeansBounds(x, k, { resident: true }));
    expect(kernel.memoryBytes()).toBeGreaterThan(40_000 * (2 * 128 + 16));
    kernel.release();
    expect(kernel.memoryBytes()).toBeLessThan(small);
    const fit = fitKmeans(x, { k, init, maxIter: 5, chunkRows: x.n });
    expect(kernel.memoryBytes()).toBeGreaterThan(40_000 * (2 * 128 + 16));
    fitModel(x, { algorithm: 'kmeans', ks: [k], maxIter: 5, tol: 0, seed: 1 });
    expect(kernel.memoryBytes()).toBeLessThan(small);
    // and the released kernel still computes: the same fit again
    expect(fitKmeans(x, { k, init, maxIter: 5, chunkRows: x.n }).inertia).toBe(fit.inertia);
    kernel.release();
  });

  it('shifts held rows by a point zero in its padding, whatever the memory held before', () => {
    // dim 5 pads to 8 float32 lanes: quant reads the 3 beyond dim, which must be 0 and not what an
    // earlier call left there.
    const { mem } = countingMemory();
    mem.allocate({ junk: 2 ** 20 });
    mem.f32.fill(7.5);
    const k = 6;
    const { x } = gaussianBlobs({ n: 300, dim: 5, k, seed: 8, sigma: [0.3, 0.8] });
    const centroids = kmeansPlusPlus(x, k, 2);
    const out: AssignOutputs = {
      labels: new Int32Array(x.n),
      dist2: new Float64Array(x.n),
      second: new Float64Array(x.n),
      resident: true,
    };
    wasmAssign(mem, x, null, x.n, centroids, k, out);
    const d = exact(x, centroids, k);
    for (let i = 0; i < x.n; i++) {
      const best = out.labels[i];
      expect(d[i][best]).toBe(Math.min(...d[i]));
      for (let c = 0; c < k; c++)
        if (c !== best) expect((out.second as Float64Array)[i]).toBeLessThanOrEqual(d[i][c]);
    }
  });

  it('ranks with float32 where a centroid or a row is too near the origin for an int16 scale', () => {
    const dim = 16;
    const rng = mulberry32(3);
    const v = Array.from({ length: dim }, () => (rng() < 0.5 ? -1 : 1));
    // Centroids ±1e-31·v: their mean, the shift, is 0, and |c′| ≤ 2⁻¹⁰⁰ leaves them without a scale.
    const k = 2;
    const centroids = new Float64Array(k * dim);
    for (let j = 0; j < dim; j++) {
      centroids[j] = 1e-31 * v[j];
      centroids[dim + j] = -1e-31 * v[j];
    }
    // Rows around ±v: d₀ − d₁ = −4·1e-31·x·v, below float64's rounding of the distances themselves,
    // so the expected label is the sign of x·v (float32 products resolve it; int16 ones could not).
    const n = 40;
    const data = new Float32Array(n * dim);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < dim; j++)
        data[i * dim + j] = (i % 2 ? 1 : -1) * v[j] * (1 + 0.01 * i) + 0.3 * (rng() - 0.5);
    const x = { data, n, dim };
    const { mem, calls } = countingMemory();
    const got = assignAll(mem, x, centroids, k);
    for (let i = 0; i < n; i++) {
      let xv = 0;
      for (let j = 0; j < dim; j++) xv += data[i * dim + j] * v[j];
      expect(got.labels[i]).toBe(xv > 0 ? 0 : 1);
    }
    expect(calls.gemm16 ?? 0).toBe(0);
    expect(calls.gemm).toBeGreaterThan(0);
    // Rows within 2⁻¹⁰⁰ of the shift (and not on it) are open: float32 ranks them.
    const near = {
      data: Float32Array.from({ length: 4 * dim }, (_, t) =>
        t < dim ? 0 : 1e-35 * v[t % dim] * (t % 3 ? 1 : -1),
      ),
      n: 4,
      dim,
    };
    // Centroids v, 2u and −v − 2u (distinct norms): their mean, the shift, is 0, so the rows' x′ are
    // the tiny x. Without the rule those rows would be ranked, wrongly certain, by the int16 products.
    const u = Array.from({ length: dim }, () => (rng() < 0.5 ? -1 : 1));
    const far = new Float64Array(3 * dim);
    for (let j = 0; j < dim; j++) {
      far[j] = v[j];
      far[dim + j] = 2 * u[j];
      far[2 * dim + j] = -v[j] - 2 * u[j];
    }
    const again = countingMemory();
    const labels = assignAll(again.mem, near, far, 3).labels;
    const dn = exact(near, far, 3);
    for (let i = 0; i < near.n; i++) expect(labels[i]).toBe(dn[i].indexOf(Math.min(...dn[i])));
    expect(again.calls.gemm).toBeGreaterThan(0);
  });

  it('never reads the held rows of one matrix for another of the same shape', () => {
    // Two bounded states on two matrices of the same shape, stepped in turn: each first call holds
    // its matrix's rows, so the other one's bounded calls must not find them.
    useClusterKernel('wasm');
    const k = 5;
    const a = gaussianBlobs({ n: 700, dim: 7, k, seed: 21 }).x;
    const b = gaussianBlobs({ n: 700, dim: 7, k, seed: 22 }).x;
    const states = [
      createKmeansBounds(a, k, { resident: true }),
      createKmeansBounds(b, k, { resident: true }),
    ];
    const mats = [a, b];
    let centroids = [kmeansPlusPlus(a, k, 1), kmeansPlusPlus(b, k, 1)];
    for (let iter = 0; iter < 6; iter++) {
      for (const m of [0, 1]) {
        const plain = kmeansStats(mats[m], centroids[m], k);
        const bounded = kmeansStats(mats[m], centroids[m], k, states[m]);
        expect(Array.from(bounded.counts)).toEqual(Array.from(plain.counts));
        expectClose(bounded.sums, plain.sums, 1e-9);
        expectClose(bounded.inertia, plain.inertia, 1e-9);
        const next = new Float64Array(k * mats[m].dim);
        for (let c = 0; c < k; c++)
          for (let j = 0; j < mats[m].dim; j++)
            next[c * mats[m].dim + j] =
              plain.counts[c] > 0
                ? plain.sums[c * mats[m].dim + j] / plain.counts[c]
                : centroids[m][c * mats[m].dim + j];
        centroids[m] = next;
      }
    }
    centroids = [];
  });
});
