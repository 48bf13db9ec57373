import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/random.ts';
import { pcaFinalize, pcaPartial, pcaProject } from '../../../src/embed/reduce.ts';
import { principalAxes, projectRows } from '../../../src/pipeline/stages/report/axes.ts';

/** n rows in `dim` dimensions: Gaussian-ish noise stretched along a few random directions, shifted. */
function sample(n: number, dim: number, scales: number[], seed: number): Float32Array {
  const rand = mulberry32(seed);
  const gauss = () => {
    let s = 0;
    for (let i = 0; i < 6; i++) s += rand();
    return s - 3;
  };
  const dirs = scales.map(() => {
    const d = Array.from({ length: dim }, gauss);
    const norm = Math.hypot(...d);
    return d.map((x) => x / norm);
  });
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < dim; j++) out[r * dim + j] = 0.5 + 0.05 * gauss();
    scales.forEach((s, c) => {
      const g = s * gauss();
      for (let j = 0; j < dim; j++) out[r * dim + j] += g * dirs[c][j];
    });
  }
  return out;
}

describe('principalAxes: the map projection of report-data', () => {
  it('finds the axes and variances of the full eigen-decomposition (pcaFinalize)', () => {
    const [n, dim] = [400, 24];
    const data = sample(n, dim, [3, 1.5, 0.7], 11);
    const ref = pcaFinalize(pcaPartial({ data, n, dim }), 2);
    const got = principalAxes(data, n, dim, 2);
    for (let c = 0; c < 2; c++) {
      expect(got.variances[c]).toBeCloseTo(ref.variances[c], 6);
      // Same sign convention (the largest-magnitude entry positive): the same vectors.
      for (let j = 0; j < dim; j++) expect(got.axes[c * dim + j]).toBeCloseTo(ref.components[c * dim + j], 5);
    }
    const xy = projectRows(data, n, dim, got);
    const refXy = pcaProject({ data, n, dim }, ref).data;
    for (let i = 0; i < n * 2; i += 37) expect(xy[i]).toBeCloseTo(refXy[i], 4);
    // The covariance's trace: the sum of the per-coordinate sample variances.
    let trace = 0;
    for (let j = 0; j < dim; j++) {
      let m = 0;
      for (let r = 0; r < n; r++) m += data[r * dim + j] / n;
      let v = 0;
      for (let r = 0; r < n; r++) v += (data[r * dim + j] - m) ** 2;
      trace += v / (n - 1);
    }
    expect(got.total).toBeCloseTo(trace, 6);
    expect(got.variances[0] / got.total).toBeGreaterThan(0.5);
  });

  it('refuses what it cannot do, with the reason', () => {
    expect(() => principalAxes(new Float32Array(6), 3, 2, 3)).toThrow(
      'k must be an integer in [1, 2], got 3',
    );
    expect(() => principalAxes(new Float32Array(2), 1, 2, 1)).toThrow(
      'principal axes need at least 2 rows, got 1',
    );
  });
});
