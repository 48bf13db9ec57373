import { describe, expect, it } from 'vitest';
import { auditSize } from '../../../src/pipeline/stages/select/plan.ts';
import {
  agreement,
  auditKey,
  auditThreshold,
  seededTopOverlap,
  smallest,
} from '../../../src/select/incontext/index.ts';
import { fmix32 } from '../../../src/util/fmix32.ts';
import { hashUniform } from '../../../src/util/hash-uniform.ts';

const hex = (i: number) =>
  [fmix32(i), fmix32(i + 0x1000), fmix32(i + 0x2000), fmix32(i + 0x3000)]
    .map((x) => x.toString(16).padStart(8, '0'))
    .join('');

describe('seededTopOverlap', () => {
  it('agrees with topOverlap where nothing ties', () => {
    const a = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2];
    expect(seededTopOverlap(a, a, 0.5, 1)).toBe(1);
    // top-3 of a: {2, 4, 0}; of b: {0, 3, 4} → 2 of 3
    expect(seededTopOverlap(a, [0.9, 0.1, 0.2, 0.8, 0.7, 0.3], 0.5, 1)).toBeCloseTo(2 / 3, 15);
    expect(seededTopOverlap(a, a, 0.05, 1)).toBeNaN();
    expect(() => seededTopOverlap(a, a, 1.5, 1)).toThrow('fraction must be in [0, 1], got 1.5');
    expect(() => seededTopOverlap([1, Number.NaN], [1, 2], 0.5, 1)).toThrow('a[1] is NaN');
  });

  it('breaks ties at random on each side: two fully tied rankings overlap by the fraction, not by 1', () => {
    const n = 20_000;
    const tied = new Float64Array(n).fill(3);
    const o = seededTopOverlap(tied, tied, 0.3, 7);
    // hypergeometric: mean 0.3, sd (1 - 0.3)/√n ≈ 0.005
    expect(Math.abs(o - 0.3)).toBeLessThan(0.02);
    // the same seed, the same order; another seed, another order
    expect(seededTopOverlap(tied, tied, 0.3, 7)).toBe(o);
    expect(seededTopOverlap(tied, tied, 0.3, 8)).not.toBe(o);
  });

  it('a golden-like score with few values: ties at the cut no longer count as agreement', () => {
    // 1000 records, values 0..4; the estimate is the score itself on ties: 60% of records share value 1.
    const g = Array.from({ length: 1000 }, (_, i) => (i < 100 ? 3 : i < 250 ? 2 : i < 850 ? 1 : 0));
    // top 30% = 300: 250 above the tie value, 50 of the 600 tied at 1 (chosen at random on each side)
    const o = seededTopOverlap(g, g, 0.3, 1);
    // expected 250/300 + (50·50/600)/300 ≈ 0.847; by index it would read 1
    expect(o).toBeGreaterThan(0.83);
    expect(o).toBeLessThan(0.87);
  });
});

describe('agreement', () => {
  it('leaves out pairs with a non-finite side and reports Spearman and the seeded overlap', () => {
    const e = [1, 2, Number.NaN, 4, 5];
    const g = [10, 20, 30, Number.POSITIVE_INFINITY, 40];
    const a = agreement(e, g, 0.34, 1);
    expect(a.compared).toBe(3);
    expect(a.spearman).toBeCloseTo(1, 15);
    expect(a.topOverlap).toBe(1);
    expect(agreement([1], [2], 0.3, 1)).toEqual({
      compared: 1,
      spearman: Number.NaN,
      topOverlap: Number.NaN,
    });
  });
});

describe('the audit plan', () => {
  it('auditKey is uniform, independent of the sampling key, and changes with the seed', () => {
    const n = 20_000;
    let sum = 0;
    let sxy = 0;
    let differ = 0;
    for (let i = 0; i < n; i++) {
      const h = hex(i);
      const u = auditKey(h, 0);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      sxy += (u - 0.5) * (hashUniform(h) - 0.5);
      if (auditKey(h, 1) !== u) differ++;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01); // sd of the mean ≈ 0.002
    // correlation with the sampling key: cov / (1/12), sd ≈ 1/√n ≈ 0.007
    expect(Math.abs((sxy / n) * 12)).toBeLessThan(0.03);
    expect(differ).toBe(n);
    expect(() => auditKey('abc', 0)).toThrow('the content hash must have at least 24 hex digits');
  });

  it('the threshold takes exactly the n smallest keys over every shard', () => {
    const shards = [
      [0.5, 0.1, 0.7],
      [0.3, 0.05],
      [0.9, 0.2, 0.4],
    ];
    const parts = shards.map((k) => smallest(k, 4));
    expect(parts[0]).toEqual([0.1, 0.5, 0.7]);
    const t = auditThreshold(parts, 4);
    expect(t).toBe(0.3);
    expect(shards.flat().filter((u) => u <= t)).toHaveLength(4);
    expect(auditThreshold(parts, 0)).toBe(-1);
    expect(auditThreshold(parts, 9)).toBe(1);
  });

  it('auditSize: a count, a share, or by default 5% of the candidates, at most 200', () => {
    expect(auditSize(undefined, 1000)).toBe(50);
    expect(auditSize(undefined, 1_000_000)).toBe(200);
    expect(auditSize(undefined, 7)).toBe(1);
    expect(auditSize(300, 1000)).toBe(300);
    expect(auditSize(300, 100)).toBe(100);
    expect(auditSize('10%', 1234)).toBe(123);
    expect(auditSize(0, 1000)).toBe(0);
  });
});
