import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  clusterKernel,
  type GmmParams,
  gaussianBlobs,
  gmmFromKmeans,
  gmmPosteriors,
  gmmStats,
  kmeansPlusPlus,
  kmeansStats,
  type Matrix,
  useClusterKernel,
} from '../../../src/cluster/index.ts';
import { relaxedWat } from '../../../src/cluster/kernel-build.ts';
import { kernelWasmBytes } from '../../../src/cluster/kernel-wasm.ts';
import { expectClose } from './helpers.ts';

const DIR = join(import.meta.dirname, '../../../src/cluster');

/** run() under the relaxed-SIMD, plain-SIMD and JS kernels. */
function both<T>(run: () => T): { wasm: T; plain: T; js: T } {
  useClusterKernel('wasm');
  const wasm = run();
  useClusterKernel('wasm-plain');
  const plain = run();
  useClusterKernel('js');
  const js = run();
  useClusterKernel('wasm');
  return { wasm, plain, js };
}

describe('cluster kernels', () => {
  afterAll(() => {
    useClusterKernel('wasm');
  });

  it('uses WebAssembly with relaxed SIMD in Node 22', () => {
    expect(clusterKernel().name).toBe('wasm-relaxed');
    expect(useClusterKernel('wasm-plain').name).toBe('wasm');
    useClusterKernel('wasm');
  });

  // Odd n (the product tile is 2 rows), k and dim not multiples of 4 (padding), and a large offset.
  it.each([
    [101, 1, 3, 0],
    [57, 3, 5, 0],
    [64, 4, 4, 0],
    [99, 5, 7, 100],
    [33, 130, 9, 0],
  ])('gives the same statistics with n = %i, dim = %i, k = %i, offset = %i', (n, dim, k, offset) => {
    const { x } = gaussianBlobs({ n, dim, k, seed: n + dim, sigma: [0.3, 1.2], offset });
    const centroids = kmeansPlusPlus(x, k, 7);
    const km = both(() => kmeansStats(x, centroids, k));
    expect(km.wasm).toEqual(km.js);
    expect(km.plain).toEqual(km.js);
    const params = gmmFromKmeans(x, centroids, k);
    const gm = both(() => gmmStats(x, params));
    expect(gm.wasm).toEqual(gm.js);
    expect(gm.plain).toEqual(gm.js);
    const post = both(() => gmmPosteriors(x, params, 3));
    expect(post.wasm).toEqual(post.js);
    expect(post.plain).toEqual(post.js);
  });

  it('gives approximately the same k-means++ distances', () => {
    const { x } = gaussianBlobs({ n: 300, dim: 10, k: 4, seed: 3 });
    const seeds = both(() => kmeansPlusPlus(x, 4, 9));
    expect(seeds.wasm).toEqual(seeds.js);
    expect(seeds.plain).toEqual(seeds.js);
  });

  it('gives each centroid the squared distance to its nearest other one', () => {
    // By hand: (0,0), (3,4), (3,0) → 9 (to (3,0)), 16 (to (3,0)), 9. Then k = 200 (the WebAssembly
    // kernel takes the pairs in strips of rows) at dim 5 (not a multiple of 4), against a direct loop.
    const out = both(() => {
      const s = new Float64Array(3);
      clusterKernel().separations(Float64Array.from([0, 0, 3, 4, 3, 0]), 3, 2, s);
      return Array.from(s);
    });
    expect(out).toEqual({ wasm: [9, 16, 9], plain: [9, 16, 9], js: [9, 16, 9] });
    const k = 200;
    const centroids = kmeansPlusPlus(gaussianBlobs({ n: 400, dim: 5, k: 8, seed: 2 }).x, k, 1);
    const near = both(() => {
      const s = new Float64Array(k);
      clusterKernel().separations(centroids, k, 5, s);
      return s;
    });
    for (let a = 0; a < k; a++) {
      let best = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        if (c === a) continue;
        let d = 0;
        for (let j = 0; j < 5; j++) d += (centroids[a * 5 + j] - centroids[c * 5 + j]) ** 2;
        best = Math.min(best, d);
      }
      for (const s of [near.wasm, near.plain, near.js]) expectClose(s[a], best, 1e-14);
    }
    const one = both(() => {
      const s = new Float64Array(1);
      clusterKernel().separations(Float64Array.from([1, 2]), 1, 2, s);
      return s[0];
    });
    expect(one).toEqual({ wasm: Infinity, plain: Infinity, js: Infinity });
  });

  it('falls back to exact scoring where float32 would overflow', () => {
    const x: Matrix = { data: Float32Array.from([1e20, -1e20, 3, 1e19]), n: 2, dim: 2 };
    const params: GmmParams = {
      k: 2,
      dim: 2,
      weights: Float64Array.from([0.5, 0.5]),
      means: Float64Array.from([0, 0, 1, 1]),
      variances: Float64Array.from([1, 1, 4, 4]),
    };
    const s = both(() => gmmStats(x, params));
    expect(s.wasm).toEqual(s.js);
    expect(s.plain).toEqual(s.js);
    expect(Number.isFinite(s.wasm.logLik)).toBe(true);
    expectClose(s.wasm.nk[0] + s.wasm.nk[1], 2);
  });

  it('ships kernel.wasm, kernel-relaxed.wasm and their base64, assembled from kernel.wat', async () => {
    const plain = kernelWasmBytes(false);
    const relaxed = kernelWasmBytes(true);
    expect(new Uint8Array(readFileSync(join(DIR, 'kernel.wasm')))).toEqual(plain);
    expect(new Uint8Array(readFileSync(join(DIR, 'kernel-relaxed.wasm')))).toEqual(relaxed);
    // wabt is a devDependency: the assembly check always runs.
    const { default: init } = await import('wabt');
    const wabt = await init();
    const wat = readFileSync(join(DIR, 'kernel.wat'), 'utf8');
    const assemble = (source: string, relaxedSimd: boolean) =>
      new Uint8Array(
        wabt.parseWat('kernel.wat', source, { simd: true, relaxed_simd: relaxedSimd }).toBinary({}).buffer,
      );
    expect(assemble(wat, false)).toEqual(plain);
    expect(assemble(relaxedWat(wat), true)).toEqual(relaxed);
  });
});
