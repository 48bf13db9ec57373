import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../../../src/cluster/index.ts';

describe('adjustedRandIndex', () => {
  it('matches hand-computed values', () => {
    // contingency (0,0):2 (1,1):1 (2,1):1 → Σ C(nij,2) = 1; rows Σ = 1, cols Σ = 2, C(4,2) = 6:
    // expected = 1·2/6 = 1/3, max = 3/2 → (1 − 1/3) / (3/2 − 1/3) = 4/7 (scikit-learn: 0.5714285714285714)
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(4 / 7, 15);
    // Σ C(nij,2) = 2, rows Σ = 6, cols Σ = 3, C(6,2) = 15 → (2 − 1.2) / (4.5 − 1.2) = 8/33
    expect(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBeCloseTo(8 / 33, 15);
  });

  it('is 1 for the same partition under renaming, and symmetric', () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2], [5, 5, 3, 3, 9])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBe(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]));
  });

  it('handles trivial partitions like scikit-learn', () => {
    expect(adjustedRandIndex([0, 0, 0, 0, 0], [0, 1, 2, 3, 4])).toBe(0);
    expect(adjustedRandIndex([0, 0, 0, 0, 0], [1, 1, 1, 1, 1])).toBe(1);
    expect(adjustedRandIndex([], [])).toBe(1);
    expect(() => adjustedRandIndex([0], [0, 1])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: labelings must have the same length]`,
    );
  });
});
