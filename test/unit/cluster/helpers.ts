import { expect } from 'vitest';
import type { Matrix } from '../../../src/cluster/index.ts';

/** Kernels every numeric test runs with ('wasm' is the relaxed-SIMD module in Node 22). */
export const KERNELS = ['wasm', 'wasm-plain', 'js'] as const;

/** A matrix from rows. */
export function rows(values: number[][]): Matrix {
  return { data: Float32Array.from(values.flat()), n: values.length, dim: values[0].length };
}

/** |actual − expected| ≤ tol · max(1, |expected|), element-wise. */
export function expectClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  tol = 1e-12,
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  expect(a).toHaveLength(e.length);
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i] - e[i]) / Math.max(1, Math.abs(e[i]));
    if (!(err <= tol)) expect.fail(`[${i}]: ${a[i]} vs ${e[i]} (relative error ${err} > ${tol})`);
  }
}

/** The 6-point, 2-cluster example of the k-means tests (hand-checked in kmeans.test.ts). */
export const SIX = rows([
  [0, 0],
  [1, 0],
  [4, 5],
  [10, 10],
  [11, 10],
  [10, 13],
]);
export const SIX_CENTROIDS = Float64Array.from([1, 1, 9, 11]);
