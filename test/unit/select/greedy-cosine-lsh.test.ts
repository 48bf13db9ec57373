import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/index.ts';
import { greedyCosine, greedyCosineLsh } from '../../../src/select/strategies/index.ts';

/** n random unit vectors; every fifth is a perturbed copy of the one before it (cosine ≈ 0.98). */
function planted(n: number, dim: number, seed: number) {
  const rand = mulberry32(seed);
  const v = new Float32Array(n * dim);
  const copies: number[] = [];
  for (let i = 0; i < n; i++) {
    const copy = i % 5 === 4;
    if (copy) copies.push(i);
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const x = copy ? v[(i - 1) * dim + j] + 0.02 * (rand() - 0.5) : rand() - 0.5;
      v[i * dim + j] = x;
      s += x * x;
    }
    for (let j = 0; j < dim; j++) v[i * dim + j] /= Math.sqrt(s);
  }
  return { v, copies };
}

describe('greedyCosineLsh: semantic dedup for large clusters', () => {
  it('is the exact walk for small clusters', () => {
    const { v } = planted(300, 32, 1);
    expect(greedyCosineLsh(v, 32, 0.95)).toEqual(greedyCosine(v, 32, 0.95));
  });

  it('finds the planted copies, refuses only on an exact cosine ≥ threshold, and agrees with the exact walk', () => {
    const dim = 48;
    const { v, copies } = planted(4000, dim, 2);
    const lsh = greedyCosineLsh(v, dim, 0.95, { exactUpTo: 0, seed: 3 });
    const exact = greedyCosine(v, dim, 0.95);
    const found = copies.filter((i) => lsh.kept[i] === 0).length;
    expect(found / copies.length).toBeGreaterThanOrEqual(0.99);
    for (let i = 0; i < 4000; i++) {
      if (lsh.kept[i]) continue;
      const b = lsh.by[i];
      expect(lsh.kept[b]).toBe(1);
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += v[i * dim + j] * v[b * dim + j];
      expect(dot).toBeGreaterThanOrEqual(0.95 - 1e-6);
      expect(lsh.sim[i]).toBeCloseTo(dot, 5);
    }
    let same = 0;
    for (let i = 0; i < 4000; i++) if (lsh.kept[i] === exact.kept[i]) same++;
    expect(same / 4000).toBeGreaterThanOrEqual(0.995);
    expect(greedyCosineLsh(v, dim, 0.95, { exactUpTo: 0, seed: 3 })).toEqual(lsh);
  });
});
