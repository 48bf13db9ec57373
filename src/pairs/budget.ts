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

/** One partition's candidates in gap order, read a chunk at a time. */
export interface RankedSource {
  length: number;
  read(from: number, count: number): Promise<Ranked[]>;
}

/** Entries read from a partition at a time: 1,024 partitions hold 16 MB of chunks at most. */
export const CUT_CHUNK = 1024;

/**
 * The top cut over every partition: a k-way merge of the sorted partitions (a heap of their heads),
 * reading each a chunk at a time, until `budget` candidates are taken. Memory is one chunk per
 * partition, whatever the budget; reads are about budget / chunk plus one per partition.
 */
export async function topCut(sources: readonly RankedSource[], budget: number): Promise<PairCut> {
  const total = sources.reduce((a, s) => a + s.length, 0);
  if (total <= budget) return { kind: 'all' };
  const cursors = sources.map((source) => ({ source, buffer: [] as Ranked[], at: 0, next: 0 }));
  type Cursor = (typeof cursors)[number];
  const head = (c: Cursor) => c.buffer[c.at];
  const fill = async (c: Cursor) => {
    if (c.at < c.buffer.length || c.next >= c.source.length) return;
    c.buffer = await c.source.read(c.next, Math.min(CUT_CHUNK, c.source.length - c.next));
    c.next += c.buffer.length;
    c.at = 0;
  };
  await Promise.all(cursors.map(fill));
  const heap = new MinHeap<Cursor>((a, b) => byGap(head(a), head(b)));
  for (const c of cursors) if (head(c)) heap.push(c);
  let last: Ranked | undefined;
  for (let taken = 0; taken < budget; taken++) {
    const c = heap.pop()!;
    last = head(c);
    c.at++;
    await fill(c);
    if (head(c)) heap.push(c);
  }
  return { kind: 'top', margin: last!.margin, tie: last!.tie };
}

/** A binary min-heap by `order`. */
class MinHeap<T> {
  private readonly items: T[] = [];
  private readonly order: (a: T, b: T) => number;
  constructor(order: (a: T, b: T) => number) {
    this.order = order;
  }

  push(x: T): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (this.order(a[i], a[up]) >= 0) break;
      [a[i], a[up]] = [a[up], a[i]];
      i = up;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.order(a[l], a[m]) < 0) m = l;
      if (r < a.length && this.order(a[r], a[m]) < 0) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
    return top;
  }
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
