/**
 * The pair budget over every partition. Without balancing, the budget keeps the largest gaps (ties by
 * tie key), decided by one cut: the budget-th pair in that order. With balancing, each task gets an
 * even share by water-filling: the largest quota q with Σ_t min(count_t, q) ≤ budget, and one more
 * pair for the tasks with more than q pairs whose hash is among the lowest, until the budget is spent.
 */
export type PairCut =
  | { kind: 'all' }
  | { kind: 'top'; margin: number; tie: number }
  | { kind: 'quota'; quota: number; extraUpTo: number };

/** A candidate's place in the global order: gap descending, tie key ascending. */
export interface Ranked {
  margin: number;
  tie: number;
}

export const byGap = (a: Ranked, b: Ranked) => b.margin - a.margin || a.tie - b.tie;

/** The top cut from every partition's candidates, each list already in gap order. */
export function topCut(lists: readonly Ranked[][], budget: number): PairCut {
  const all = lists.flat();
  if (all.length <= budget) return { kind: 'all' };
  all.sort(byGap);
  const last = all[budget - 1];
  return { kind: 'top', margin: last.margin, tie: last.tie };
}

export function keepTop(c: Ranked, cut: Extract<PairCut, { kind: 'top' }>): boolean {
  return c.margin > cut.margin || (c.margin === cut.margin && c.tie <= cut.tie);
}

/** Water-filling over tasks' candidate counts (`hash` is the task's keyHash53). */
export function quotaCut(tasks: readonly { hash: number; count: number }[], budget: number): PairCut {
  const total = tasks.reduce((a, t) => a + t.count, 0);
  if (total <= budget) return { kind: 'all' };
  const filled = (q: number) => tasks.reduce((a, t) => a + Math.min(t.count, q), 0);
  let lo = 0;
  let hi = tasks.reduce((a, t) => Math.max(a, t.count), 0);
  // The largest q with filled(q) ≤ budget; filled(hi) = total > budget.
  while (lo < hi - 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (filled(mid) <= budget) lo = mid;
    else hi = mid;
  }
  const quota = lo;
  const extra = budget - filled(quota);
  const over = tasks
    .filter((t) => t.count > quota)
    .map((t) => t.hash)
    .sort((a, b) => a - b);
  return { kind: 'quota', quota, extraUpTo: extra > 0 ? over[extra - 1] : -1 };
}

/** A task's share under a quota cut. */
export function taskQuota(hash: number, count: number, cut: Extract<PairCut, { kind: 'quota' }>): number {
  const bonus = count > cut.quota && hash <= cut.extraUpTo ? 1 : 0;
  return Math.min(count, cut.quota + bonus);
}
