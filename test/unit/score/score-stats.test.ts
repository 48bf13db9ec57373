import { describe, expect, it } from 'vitest';
import { accumulateStats, finalizeStats, mergeStats, type ScoreStat } from '../../../src/score/index.ts';

describe('score stats', () => {
  const rows: Record<string, number>[] = [
    { q: 0.2, l: 1 },
    { q: 0.4 },
    { q: 0.9, l: Number.NaN },
    { q: 0.5, l: 3 },
  ];

  it('accumulates, merges in any split and finalizes', () => {
    const whole = rows.reduce<Record<string, ScoreStat>>((acc, r) => accumulateStats(acc, r), {});
    const left = accumulateStats(accumulateStats({}, rows[0]), rows[1]);
    const right = accumulateStats(accumulateStats({}, rows[2]), rows[3]);
    const merged = mergeStats(left, right);
    expect(merged).toEqual(whole);
    expect(left.q.count).toBe(2); // inputs untouched
    const f = finalizeStats(merged);
    expect(f.q.count).toBe(4);
    expect(f.q.mean).toBeCloseTo(0.5, 15);
    expect(f.q.min).toBe(0.2);
    expect(f.q.max).toBe(0.9);
    // population std of 0.2, 0.4, 0.9, 0.5: deviations -0.3, -0.1, 0.4, 0 → var = 0.26 / 4
    expect(f.q.std).toBeCloseTo(Math.sqrt(0.065), 12);
    expect(f.l).toEqual({ count: 2, mean: 2, std: 1, min: 1, max: 3 });
    expect(JSON.parse(JSON.stringify(merged))).toEqual(merged);
  });
});
