import type { ClusterKernel } from './kernel-api.ts';
import { wasmAssign, wasmDistances, wasmSeparations } from './kernel-simd-kmeans.ts';
import { createWasmMemory } from './kernel-simd-memory.ts';
import { wasmMixture } from './kernel-simd-mixture.ts';

/** Memory kept by release(): the working regions of a block (under 1 MiB at 256 dimensions). */
const RELEASE_ABOVE = 4 * 2 ** 20;

/**
 * The WebAssembly SIMD kernel (kernel.wat). Inputs are shifted by a central point (the
 * centroids' mean, the mixture's mean, or for held k-means rows the rows' mean) and the
 * O(n·k·dim) products only rank candidates: k-means ranks centroids with int16 dot products
 * (i32x4.dot_i16x8_s) under a bound on their error, and ranks the rows that bound leaves open with
 * float32 f32x4 tiles, like the mixture. Every reported distance and log density is then
 * recomputed exactly in float64 from the unshifted float32 rows, with the same summation order as
 * the JS kernel, so both report the same bits wherever they pick the same centroid or components.
 */
export function createWasmKernel(
  module: WebAssembly.Module,
  name: 'wasm' | 'wasm-relaxed' = 'wasm',
): ClusterKernel {
  let mem = createWasmMemory(module);
  return {
    name,
    assign: (x, rows, count, centroids, k, out) => wasmAssign(mem, x, rows, count, centroids, k, out),
    separations: (centroids, k, dim, out) => wasmSeparations(mem, centroids, k, dim, out),
    distances: (x, points, t, out) => wasmDistances(mem, x, points, t, out),
    mixture: (x, params, visit, sums) => wasmMixture(mem, x, params, visit, sums),
    release: () => {
      mem.dropHeld();
      // A large memory goes with a new instance of the compiled module (the old one left to the GC).
      if (mem.ex.memory.buffer.byteLength > RELEASE_ABOVE) mem = createWasmMemory(module);
    },
    memoryBytes: () => mem.ex.memory.buffer.byteLength,
  };
}
