import { describe, expect, it } from 'vitest';
import type { Rank } from '../../../schemas/recipe.ts';
import { rankValue } from '../../../src/select/index.ts';

const rank = (r: Partial<Rank>): Rank => ({
  terms: [{ score: 'quality', weight: 1 }],
  combine: 'sum',
  normalize: 'none',
  ...r,
});

describe('rankValue', () => {
  const terms = [
    { score: 'a', weight: 3 },
    { score: 'b', weight: 1 },
  ];

  it('sum is the weighted mean of clamped terms', () => {
    expect(rankValue({ a: 0.5, b: 1 }, rank({ terms }), {})).toBeCloseTo((3 * 0.5 + 1) / 4, 15);
    expect(rankValue({ a: 2, b: -1 }, rank({ terms }), {})).toBe(0.75);
  });

  it('product is the weighted geometric mean', () => {
    expect(rankValue({ a: 0.5, b: 0.8 }, rank({ terms, combine: 'product' }), {})).toBeCloseTo(
      0.5 ** 0.75 * 0.8 ** 0.25,
      15,
    );
    expect(rankValue({ a: 0.5, b: 0 }, rank({ terms, combine: 'product' }), {})).toBe(0);
  });

  it('minmax rescales by the dataset range; a flat range gives 1', () => {
    const stats = { a: { min: 0.2, max: 0.6 }, b: { min: 0.4, max: 0.4 } };
    expect(rankValue({ a: 0.3, b: 0.4 }, rank({ terms, normalize: 'minmax' }), stats)).toBeCloseTo(
      (3 * 0.25 + 1) / 4,
      15,
    );
  });

  it('missing and NaN scores count as 0 and never yield NaN', () => {
    expect(rankValue({}, rank({ terms }), {})).toBe(0);
    expect(rankValue({ a: Number.NaN, b: 1 }, rank({ terms, normalize: 'minmax' }), {})).toBe(0.25);
    expect(rankValue({ a: Number.NaN }, rank({ terms, combine: 'product' }), {})).toBe(0);
    expect(rankValue({ quality: 0.4 }, rank({}), { quality: { min: Number.NaN, max: 1 } })).toBe(0.4);
  });
});
