import { describe, expect, it } from 'vitest';
import { type PairStrategy, PairStrategySchema } from '../../../schemas/pairs.ts';
import {
  groupPairs,
  orderMembers,
  type PairOptions,
  type RankedMember,
} from '../../../src/pairs/strategies.ts';

const opts = (o: Partial<PairOptions> = {}): PairOptions => ({
  strategy: { id: 'best-worst' },
  minMargin: 0,
  requireSuccessAndFailure: false,
  seed: 0,
  ...o,
});
const strategy = (s: unknown): PairStrategy => PairStrategySchema.parse(s);
/** Members already best first. */
const ranked = (...scores: (number | null)[]): RankedMember[] => scores.map((score) => ({ score }));
const triples = (r: ReturnType<typeof groupPairs>) =>
  r.candidates.map((c) => [c.chosen, c.rejected, c.margin] as const);

describe('groupPairs: best-worst', () => {
  it('pairs the first against the last scored member', () => {
    const r = groupPairs(ranked(9, 7, 4, 2), 'g', opts());
    expect(triples(r)).toEqual([[0, 3, 7]]);
    expect(r.reason).toBeUndefined();
  });

  it('skips unscored members at the end: the worst is the last scored one', () => {
    expect(triples(groupPairs(ranked(9, 4, null, null), 'g', opts()))).toEqual([[0, 1, 5]]);
  });

  it('minMargin above the gap: margin_too_small', () => {
    const r = groupPairs(ranked(9, 4), 'g', opts({ minMargin: 6 }));
    expect(r).toEqual({ candidates: [], reason: 'margin_too_small' });
    // A gap exactly at minMargin is kept.
    expect(triples(groupPairs(ranked(9, 4), 'g', opts({ minMargin: 5 })))).toEqual([[0, 1, 5]]);
  });
});

describe('groupPairs: best-vs-random', () => {
  const members = ranked(10, 9, 8, 7, 6, 5, 1);
  const o = (seed: number) => opts({ strategy: { id: 'best-vs-random' }, minMargin: 2, seed });

  it('is deterministic for the same seed and key', () => {
    for (const seed of [0, 1, 7, 123456]) {
      expect(groupPairs(members, 'key-a', o(seed))).toEqual(groupPairs(members, 'key-a', o(seed)));
    }
  });

  it('varies with the seed, always chooses the best, never a member below minMargin', () => {
    const picked = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const r = groupPairs(members, 'key-a', o(seed));
      expect(r.candidates).toHaveLength(1);
      const [c] = r.candidates;
      expect(c.chosen).toBe(0);
      // Scores 9 (gap 1) is under minMargin 2: only 8, 7, 6, 5, 1 (indices 2..6) may be rejected.
      expect(c.rejected).toBeGreaterThanOrEqual(2);
      expect(c.margin).toBe(10 - (members[c.rejected].score as number));
      expect(c.margin).toBeGreaterThanOrEqual(2);
      picked.add(c.rejected);
    }
    expect([...picked].sort()).toEqual([2, 3, 4, 5, 6]);
  });

  it('varies with the key for one seed', () => {
    const picks = new Set<number>();
    for (let k = 0; k < 50; k++) picks.add(groupPairs(members, `key-${k}`, o(3)).candidates[0].rejected);
    expect(picks.size).toBeGreaterThan(1);
  });

  it('never pairs a tied best (margin 0); none eligible: margin_too_small', () => {
    for (let seed = 0; seed < 30; seed++) {
      const r = groupPairs(ranked(5, 5, 3), 'g', opts({ strategy: { id: 'best-vs-random' }, seed }));
      expect(triples(r)).toEqual([[0, 2, 2]]);
    }
    expect(groupPairs(ranked(5, 5, 5), 'g', opts({ strategy: { id: 'best-vs-random' } })).reason).toBe(
      'margin_too_small',
    );
  });
});

describe('groupPairs: all-margin', () => {
  it('lists every pair with gap ≥ minMargin, largest gaps first, ties by (chosen, rejected)', () => {
    // Scores 10, 7, 6, 2; gaps: (0,1) 3, (0,2) 4, (0,3) 8, (1,2) 1 < 2 (dropped), (1,3) 5, (2,3) 4.
    const r = groupPairs(ranked(10, 7, 6, 2), 'g', opts({ strategy: { id: 'all-margin' }, minMargin: 2 }));
    expect(triples(r)).toEqual([
      [0, 3, 8],
      [1, 3, 5],
      [0, 2, 4],
      [2, 3, 4],
      [0, 1, 3],
    ]);
  });

  it('maxPerGroup keeps the largest gaps', () => {
    const r = groupPairs(
      ranked(10, 7, 6, 2),
      'g',
      opts({ strategy: { id: 'all-margin' }, minMargin: 2, maxPerGroup: 2 }),
    );
    expect(triples(r)).toEqual([
      [0, 3, 8],
      [1, 3, 5],
    ]);
    // A cap larger than the candidates changes nothing.
    const all = groupPairs(ranked(10, 7), 'g', opts({ strategy: { id: 'all-margin' }, maxPerGroup: 5 }));
    expect(triples(all)).toEqual([[0, 1, 3]]);
  });

  it('equal scores (margin 0) are never paired, even with minMargin 0', () => {
    const r = groupPairs(ranked(5, 5, 3, 3), 'g', opts({ strategy: { id: 'all-margin' } }));
    expect(triples(r)).toEqual([
      [0, 2, 2],
      [0, 3, 2],
      [1, 2, 2],
      [1, 3, 2],
    ]);
    expect(groupPairs(ranked(4, 4, 4), 'g', opts({ strategy: { id: 'all-margin' } }))).toEqual({
      candidates: [],
      reason: 'margin_too_small',
    });
  });
});

describe('groupPairs: topk-bottomk', () => {
  it('k larger than half the group is cut to ⌊m/2⌋', () => {
    // 5 members, k 5 → k = 2: top {0, 1} × bottom {3, 4}; the middle (index 2) is never paired.
    const r = groupPairs(
      ranked(9, 8, 5, 3, 1),
      'g',
      opts({ strategy: strategy({ id: 'topk-bottomk', k: 5 }) }),
    );
    expect(triples(r)).toEqual([
      [0, 4, 8],
      [1, 4, 7],
      [0, 3, 6],
      [1, 3, 5],
    ]);
  });

  it('half of the scored members only; default k is 2', () => {
    // 4 scored + 2 unscored: m = 4, k = min(2, 2): top {0,1} × bottom {2,3}.
    const r = groupPairs(
      ranked(9, 8, 5, 3, null, null),
      'g',
      opts({ strategy: strategy({ id: 'topk-bottomk' }) }),
    );
    expect(triples(r)).toEqual([
      [0, 3, 6],
      [1, 3, 5],
      [0, 2, 4],
      [1, 2, 3],
    ]);
    // 3 members, k 3 → 1: the best against the worst only.
    const three = groupPairs(
      ranked(9, 5, 1),
      'g',
      opts({ strategy: strategy({ id: 'topk-bottomk', k: 3 }) }),
    );
    expect(triples(three)).toEqual([[0, 2, 8]]);
  });

  it('with minMargin and maxPerGroup', () => {
    const r = groupPairs(
      ranked(9, 8, 5, 3, 1),
      'g',
      opts({ strategy: strategy({ id: 'topk-bottomk', k: 2 }), minMargin: 6, maxPerGroup: 1 }),
    );
    expect(triples(r)).toEqual([[0, 4, 8]]);
  });
});

describe('groupPairs: skip reasons', () => {
  it('single_response for groups of 0 or 1 members (even unscored)', () => {
    expect(groupPairs(ranked(3), 'g', opts())).toEqual({ candidates: [], reason: 'single_response' });
    expect(groupPairs(ranked(null), 'g', opts())).toEqual({ candidates: [], reason: 'single_response' });
    expect(groupPairs([], 'g', opts())).toEqual({ candidates: [], reason: 'single_response' });
  });

  it('missing_score when fewer than 2 members have a score', () => {
    expect(groupPairs(ranked(null, null), 'g', opts()).reason).toBe('missing_score');
    expect(groupPairs(ranked(3, null, null), 'g', opts({ strategy: { id: 'all-margin' } })).reason).toBe(
      'missing_score',
    );
  });

  it('requireSuccessAndFailure: no_failure / no_success, before any margin test', () => {
    const req = opts({ requireSuccessAndFailure: true });
    const all = (success: boolean | undefined, ...scores: number[]) =>
      scores.map((score) => ({ score, success }));
    expect(groupPairs(all(true, 9, 1), 'g', req)).toEqual({ candidates: [], reason: 'no_failure' });
    expect(groupPairs(all(false, 9, 1), 'g', req)).toEqual({ candidates: [], reason: 'no_success' });
    // No outcome at all: no failure is known.
    expect(groupPairs(all(undefined, 9, 1), 'g', req).reason).toBe('no_failure');
    // One of each: paired (even though the success ranks below the failure).
    const mixed = [
      { score: 9, success: false },
      { score: 1, success: true },
    ];
    expect(triples(groupPairs(mixed, 'g', req))).toEqual([[0, 1, 8]]);
    // Equal scores with both outcomes: the outcome test passes, the margin test fails.
    const tied = [
      { score: 2, success: true },
      { score: 2, success: false },
    ];
    expect(groupPairs(tied, 'g', req).reason).toBe('margin_too_small');
    // Without the option outcomes are ignored.
    expect(triples(groupPairs(all(true, 9, 1), 'g', opts()))).toEqual([[0, 1, 8]]);
  });
});

describe('orderMembers', () => {
  it('score descending, ties by input position (index, then place in row), unscored last in input order', () => {
    const m = (name: string, score: number | null, order: [number, number]) => ({ name, score, order });
    const ordered = orderMembers([
      m('u1', null, [0, 0]),
      m('b', 3, [1, 0]),
      m('a', 5, [2, 0]),
      m('c', 3, [0, 1]),
      m('u0', null, [0, 2]),
      m('d', 3, [1, 1]),
      m('e', -1, [9, 9]),
    ]);
    expect(ordered.map((x) => x.name)).toEqual(['a', 'c', 'b', 'd', 'e', 'u1', 'u0']);
  });

  it('gives groupPairs the worst as the last of equal worsts, the best as the first of equal bests', () => {
    const members = orderMembers([
      { score: 1, order: [3, 0] as const },
      { score: 7, order: [2, 0] as const },
      { score: 1, order: [0, 0] as const },
      { score: 7, order: [1, 0] as const },
    ]);
    const [c] = groupPairs(members, 'g', opts()).candidates;
    expect(members[c.chosen].order).toEqual([1, 0]);
    expect(members[c.rejected].order).toEqual([3, 0]);
  });
});
