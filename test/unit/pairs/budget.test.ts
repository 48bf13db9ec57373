import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/random.ts';
import {
  byGap,
  CUT_CHUNK,
  keepTop,
  type PairCut,
  quotaCut,
  type Ranked,
  type RankedSource,
  taskQuota,
  topCut,
} from '../../../src/pairs/budget.ts';

type Quota = Extract<PairCut, { kind: 'quota' }>;
type Top = Extract<PairCut, { kind: 'top' }>;

// Four tasks with 1, 3, 5 and 10 candidates (29 in all). The hashes are chosen so that the lowest
// hash overall (1, 2) belongs to tasks that cannot take an extra pair.
const TASKS = [
  { hash: 1, count: 1 },
  { hash: 2, count: 3 },
  { hash: 50, count: 5 },
  { hash: 7, count: 10 },
];
const shares = (cut: Quota) => TASKS.map((t) => taskQuota(t.hash, t.count, cut));

describe('quotaCut: water-filling over tasks', () => {
  it('budget 10: q = 3 fills exactly (1 + 3 + 3 + 3), no extra', () => {
    // filled(3) = 1 + 3 + 3 + 3 = 10 ≤ 10; filled(4) = 1 + 3 + 4 + 4 = 12 > 10.
    const cut = quotaCut(TASKS, 10) as Quota;
    expect(cut).toEqual({ kind: 'quota', quota: 3, extraUpTo: -1 });
    expect(shares(cut)).toEqual([1, 3, 3, 3]);
  });

  it('budget 11: q = 3 and the one extra goes to the lowest hash among tasks with count > 3', () => {
    // filled(3) = 10, filled(4) = 12 > 11: q = 3, 1 extra. Tasks over 3: hash 50 (5) and hash 7 (10):
    // the extra goes to hash 7, not to hash 1 or 2 (their counts are ≤ 3).
    const cut = quotaCut(TASKS, 11) as Quota;
    expect(cut).toEqual({ kind: 'quota', quota: 3, extraUpTo: 7 });
    expect(shares(cut)).toEqual([1, 3, 3, 4]);
    expect(shares(cut).reduce((a, b) => a + b)).toBe(11);
  });

  it('budget 13: q = 4, one extra (to hash 7 again); budget 14: q = 5 exactly', () => {
    // filled(4) = 12, filled(5) = 1 + 3 + 5 + 5 = 14 > 13: q = 4, 1 extra among hash 50 and 7.
    const c13 = quotaCut(TASKS, 13) as Quota;
    expect(c13).toEqual({ kind: 'quota', quota: 4, extraUpTo: 7 });
    expect(shares(c13)).toEqual([1, 3, 4, 5]);
    // filled(5) = 14 exactly.
    const c14 = quotaCut(TASKS, 14) as Quota;
    expect(c14).toEqual({ kind: 'quota', quota: 5, extraUpTo: -1 });
    expect(shares(c14)).toEqual([1, 3, 5, 5]);
    // Budget 15: filled(6) = 1 + 3 + 5 + 6 = 15 ≤ 15, filled(7) = 16: q = 6, no extra.
    const c15 = quotaCut(TASKS, 15) as Quota;
    expect(c15.quota).toBe(6);
    expect(shares(c15)).toEqual([1, 3, 5, 6]);
  });

  it('a budget under the number of tasks: q = 0 and the lowest hashes get one pair each', () => {
    const cut = quotaCut(TASKS, 2) as Quota;
    expect(cut).toEqual({ kind: 'quota', quota: 0, extraUpTo: 2 });
    expect(shares(cut)).toEqual([1, 1, 0, 0]);
  });

  it('budget ≥ total: all', async () => {
    expect(quotaCut(TASKS, 29)).toEqual({ kind: 'all' });
    expect(quotaCut(TASKS, 1000)).toEqual({ kind: 'all' });
    expect(quotaCut([], 5)).toEqual({ kind: 'all' });
  });

  it('shares always sum to min(budget, total) and differ by ≤ 1 among tasks over the quota', () => {
    const rand = mulberry32(42);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rand() * 12);
      const hashes = new Set<number>();
      while (hashes.size < n) hashes.add(Math.floor(rand() * 2 ** 53));
      const tasks = [...hashes].map((hash) => ({ hash, count: Math.floor(rand() * 20) }));
      const total = tasks.reduce((a, t) => a + t.count, 0);
      const budget = 1 + Math.floor(rand() * (total + 5));
      const cut = quotaCut(tasks, budget);
      if (total <= budget) {
        expect(cut.kind).toBe('all');
        continue;
      }
      expect(cut.kind).toBe('quota');
      const q = cut as Quota;
      const got = tasks.map((t) => taskQuota(t.hash, t.count, q));
      expect(got.reduce((a, b) => a + b, 0)).toBe(budget);
      const over = tasks.filter((t) => t.count > q.quota).map((t) => taskQuota(t.hash, t.count, q));
      for (const s of over) expect([q.quota, q.quota + 1]).toContain(s);
      tasks.forEach((t, i) => {
        if (t.count <= q.quota) expect(got[i]).toBe(t.count);
      });
    }
  });
});

/** In-memory partitions read a chunk at a time, as pairsCut reads the index files by range. */
function sources(lists: Ranked[][], reads: number[] = []): RankedSource[] {
  return lists.map((list) => ({
    length: list.length,
    async read(from: number, count: number) {
      reads.push(count);
      return list.slice(from, from + count);
    },
  }));
}

describe('topCut / keepTop', () => {
  // Three partitions' lists, each in gap order. Global order: (5,1) (5,3) (3,1) (3,2) (3,5) (3,9) (1,0).
  const lists: Ranked[][] = [
    [
      { margin: 5, tie: 3 },
      { margin: 3, tie: 1 },
    ],
    [
      { margin: 5, tie: 1 },
      { margin: 3, tie: 2 },
      { margin: 3, tie: 9 },
    ],
    [
      { margin: 3, tie: 5 },
      { margin: 1, tie: 0 },
    ],
  ];
  const kept = (cut: Top) => lists.flat().filter((c) => keepTop(c, cut));

  it('cuts inside a run of equal gaps by tie key and keeps exactly the budget', async () => {
    const cut = (await topCut(sources(lists), 4)) as Top;
    expect(cut).toEqual({ kind: 'top', margin: 3, tie: 2 });
    expect(kept(cut).sort(byGap)).toEqual([
      { margin: 5, tie: 1 },
      { margin: 5, tie: 3 },
      { margin: 3, tie: 1 },
      { margin: 3, tie: 2 },
    ]);
    for (let budget = 1; budget < 7; budget++) {
      const c = await topCut(sources(lists), budget);
      expect(c.kind).toBe('top');
      expect(kept(c as Top)).toHaveLength(budget);
    }
  });

  it('budget ≥ total: all', async () => {
    expect(await topCut(sources(lists), 7)).toEqual({ kind: 'all' });
    expect(await topCut(sources(lists), 100)).toEqual({ kind: 'all' });
    expect(await topCut(sources([[], []]), 1)).toEqual({ kind: 'all' });
  });

  it('does not reorder the partition lists it reads', async () => {
    const copy = structuredClone(lists);
    await topCut(sources(lists), 3);
    expect(lists).toEqual(copy);
  });

  it('merges chunk by chunk: equal to a full sort on random partitions, reading a bounded amount', async () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 20; trial++) {
      const parts: Ranked[][] = Array.from({ length: 1 + Math.floor(rand() * 6) }, () =>
        Array.from({ length: Math.floor(rand() * 3000) }, () => ({
          margin: Math.floor(rand() * 50) / 10,
          tie: Math.floor(rand() * 1e6),
        })).sort(byGap),
      );
      const all = parts.flat().sort(byGap);
      const budget = 1 + Math.floor(rand() * Math.max(1, all.length - 1));
      const reads: number[] = [];
      const cut = await topCut(sources(parts, reads), budget);
      if (all.length <= budget) {
        expect(cut).toEqual({ kind: 'all' });
        continue;
      }
      expect(cut).toEqual({ kind: 'top', margin: all[budget - 1].margin, tie: all[budget - 1].tie });
      expect(all.filter((c) => keepTop(c, cut as Top))).toHaveLength(budget);
      // Never more than one chunk past what the budget needs, per partition.
      expect(reads.reduce((a, n) => a + n, 0)).toBeLessThanOrEqual(budget + parts.length * CUT_CHUNK);
      expect(Math.max(...reads)).toBeLessThanOrEqual(CUT_CHUNK);
    }
  });

  it('byGap: gap descending, then tie ascending', () => {
    const xs: Ranked[] = [
      { margin: 1, tie: 0 },
      { margin: 2, tie: 5 },
      { margin: 2, tie: 4 },
    ];
    expect(xs.sort(byGap)).toEqual([
      { margin: 2, tie: 4 },
      { margin: 2, tie: 5 },
      { margin: 1, tie: 0 },
    ]);
  });
});
