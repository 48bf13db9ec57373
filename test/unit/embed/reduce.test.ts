import { describe, expect, it, vi } from 'vitest';
import type { Matrix } from '../../../src/cluster/types.ts';
import { mulberry32 } from '../../../src/demo/random.ts';
import {
  mergePca,
  pcaFinalize,
  pcaPartial,
  pcaProject,
  project,
  randomProjection,
  symmetricEigen,
} from '../../../src/embed/index.ts';

const matrix = (rows: number[][]): Matrix => ({
  data: Float32Array.from(rows.flat()),
  n: rows.length,
  dim: rows[0].length,
});

function gaussianRows(n: number, dim: number, seed: number): Matrix {
  const rand = mulberry32(seed);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < data.length; i++)
    data[i] = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return { data, n, dim };
}

const norm2 = (m: Matrix, i: number) => {
  let s = 0;
  for (let j = 0; j < m.dim; j++) s += m.data[i * m.dim + j] ** 2;
  return s;
};

describe('random projection', () => {
  it('is deterministic from its seed, with entries of variance 1/dimOut', () => {
    const p = randomProjection(256, 64, 42);
    expect(p).toEqual(randomProjection(256, 64, 42));
    expect(p).not.toEqual(randomProjection(256, 64, 43));
    const mean = p.reduce((a, b) => a + b, 0) / p.length;
    const variance = p.reduce((a, b) => a + (b - mean) ** 2, 0) / p.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance * 64).toBeCloseTo(1, 1);
  });

  it('preserves norms and distances on average (Johnson–Lindenstrauss)', () => {
    const m = gaussianRows(200, 256, 1);
    const out = project(m, randomProjection(256, 64, 9), 64);
    expect(out.dim).toBe(64);
    expect(out.n).toBe(200);
    let ratio = 0;
    for (let i = 0; i < m.n; i++) ratio += Math.sqrt(norm2(out, i) / norm2(m, i));
    expect(Math.abs(ratio / m.n - 1)).toBeLessThan(0.1);
    // A distance: project is linear, so the projected difference is the difference of projections.
    const d = (x: Matrix, i: number, j: number) =>
      Math.hypot(...x.data.subarray(i * x.dim, (i + 1) * x.dim).map((v, k) => v - x.data[j * x.dim + k]));
    let dr = 0;
    for (let i = 0; i < 100; i++) dr += d(out, i, i + 100) / d(m, i, i + 100);
    expect(Math.abs(dr / 100 - 1)).toBeLessThan(0.1);
  });

  it('checks its shapes', () => {
    expect(() => project(matrix([[1, 2]]), new Float32Array(5), 3)).toThrow(
      'proj must have dim × dimOut = 6 numbers, got 5',
    );
    expect(() => randomProjection(0, 3, 1)).toThrow('dimIn must be a positive integer, got 0');
  });
});

describe('symmetric eigen-decomposition', () => {
  it('recovers the eigenvectors of a constructed 3 × 3 matrix', () => {
    const q = [
      [1, 1, 1].map((x) => x / Math.sqrt(3)),
      [1, -1, 0].map((x) => x / Math.sqrt(2)),
      [1, 1, -2].map((x) => x / Math.sqrt(6)),
    ];
    const lambda = [5, 2, 0.5];
    const a = new Float64Array(9);
    for (let k = 0; k < 3; k++)
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) a[i * 3 + j] += lambda[k] * q[k][i] * q[k][j];
    const { values, vectors } = symmetricEigen(a, 3);
    expect([...values].map((v) => +v.toFixed(12))).toEqual(lambda);
    for (let k = 0; k < 3; k++) {
      const v = [...vectors.subarray(k * 3, k * 3 + 3)];
      const dot = v.reduce((s, x, i) => s + x * q[k][i], 0);
      expect(Math.abs(dot)).toBeCloseTo(1, 12);
    }
  });

  it('solves a random 256 × 256 matrix: A v = λ v, orthonormal vectors', () => {
    const d = 256;
    const g = gaussianRows(d, d, 3);
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) a[i * d + j] = a[j * d + i] = g.data[i * d + j];
    const { values, vectors } = symmetricEigen(a, d);
    for (let k = 1; k < d; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
    for (const k of [0, 17, 255]) {
      const v = vectors.subarray(k * d, k * d + d);
      let residual = 0;
      for (let i = 0; i < d; i++) {
        let av = 0;
        for (let j = 0; j < d; j++) av += a[i * d + j] * v[j];
        residual = Math.max(residual, Math.abs(av - values[k] * v[i]));
      }
      expect(residual).toBeLessThan(1e-9);
      expect(Math.hypot(...v)).toBeCloseTo(1, 12);
      const w = vectors.subarray(((k + 1) % d) * d, ((k + 1) % d) * d + d);
      expect(Math.abs(v.reduce((s, x, i) => s + x * w[i], 0))).toBeLessThan(1e-12);
    }
  });
});

describe('PCA from mergeable statistics', () => {
  // Points (0,0), (2,2), (1,0), (1,2): mean (1,1), covariance [[2,2],[2,4]] / 3, whose eigenvalues are
  // (3 ± √5) / 3 with axes (1, φ) and (φ, −1) (φ the golden ratio), each divided by √(1 + φ²).
  const phi = (1 + Math.sqrt(5)) / 2;
  const len = Math.sqrt(1 + phi * phi);

  it('matches the hand-computed 2-d covariance', () => {
    const pca = pcaFinalize(
      pcaPartial(
        matrix([
          [0, 0],
          [2, 2],
          [1, 0],
          [1, 2],
        ]),
      ),
      2,
    );
    expect([...pca.mean]).toEqual([1, 1]);
    expect(pca.variances[0]).toBeCloseTo((3 + Math.sqrt(5)) / 3, 12);
    expect(pca.variances[1]).toBeCloseTo((3 - Math.sqrt(5)) / 3, 12);
    const expected = [1 / len, phi / len, phi / len, -1 / len];
    for (let i = 0; i < 4; i++) expect(pca.components[i]).toBeCloseTo(expected[i], 6);
    const out = pcaProject(matrix([[0, 0]]), pca);
    expect(out.data[0]).toBeCloseTo(-(1 + phi) / len, 6);
    expect(out.data[1]).toBeCloseTo((1 - phi) / len, 6);
  });

  it('merges shard statistics into the one-pass result, and recovers known axes in 3-d', () => {
    const q = [[1, 1, 1].map((x) => x / Math.sqrt(3)), [1, -1, 0].map((x) => x / Math.sqrt(2))];
    // Data spread along q0 (sd 3) and q1 (sd 1), plus a little isotropic noise, around (5, -2, 1).
    const g = gaussianRows(3000, 3, 5);
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const [a, b, c] = g.data.subarray(i * 3, i * 3 + 3);
      return [0, 1, 2].map((j) => [5, -2, 1][j] + 3 * a * q[0][j] + b * q[1][j] + 0.05 * c);
    });
    const whole = pcaPartial(matrix(rows));
    const merged = [rows.slice(0, 300), rows.slice(300, 310), rows.slice(310)]
      .map((r) => pcaPartial(matrix(r)))
      .reduce(mergePca);
    expect(merged.n).toBe(1000);
    for (let i = 0; i < 9; i++) expect(merged.sumOuter[i]).toBeCloseTo(whole.sumOuter[i], 6);
    const pca = pcaFinalize(merged, 2);
    expect(pca.variances[0]).toBeGreaterThan(7);
    expect(pca.variances[1]).toBeGreaterThan(0.8);
    expect(pca.variances[1]).toBeLessThan(1.2);
    // Up to sign: with noise, which entry is largest in magnitude (and so positive) is a coin toss.
    for (const k of [0, 1]) {
      const dot = [0, 1, 2].reduce((s, j) => s + pca.components[k * 3 + j] * q[k][j], 0);
      expect(Math.abs(dot)).toBeGreaterThan(0.999);
    }
    expect([...pca.mean].map((x) => Math.round(x))).toEqual([5, -2, 1]);
  });

  it('checks its arguments', () => {
    const s = pcaPartial(
      matrix([
        [1, 2],
        [3, 4],
      ]),
    );
    expect(() => pcaFinalize(s, 3)).toThrow('dimOut must be an integer in [1, 2], got 3');
    expect(() => pcaFinalize(pcaPartial(matrix([[1, 2]])), 1)).toThrow('PCA needs at least 2 records, got 1');
    expect(() => mergePca(s, pcaPartial(matrix([[1, 2, 3]])))).toThrow(
      'cannot merge PCA statistics of dim 2 and 3',
    );
  });

  it('finishes a 256-d fit quickly: the QL phase needs about one sweep per eigenvalue', () => {
    const m = gaussianRows(2000, 256, 8);
    const stats = pcaPartial(m);
    // An operation count, not a clock: symmetricEigen's QL phase takes one Math.hypot per Givens
    // rotation (and per iteration), and each rotation updates one row of 256. Measured: 69,733 calls
    // (1.06 · d²); ≤ 2 · d² keeps the whole fit O(d³) with a small constant (0.15 s in Node 22).
    const hypot = vi.spyOn(Math, 'hypot');
    let pca: ReturnType<typeof pcaFinalize>;
    let calls: number;
    try {
      pca = pcaFinalize(stats, 32);
      calls = hypot.mock.calls.length;
    } finally {
      hypot.mockRestore();
    }
    expect(calls).toBeGreaterThan(256);
    expect(calls).toBeLessThanOrEqual(2 * 256 * 256);
    expect(pcaProject(m, pca).dim).toBe(32);
  });
});
