import type { DiffCounts, DiffEntry } from '../../schemas/schedule.ts';
import { compareMembers, idText, type Member } from './members.ts';

/** One run's view of its members: the reason table and the rank term names its codes refer to. */
export interface RunView {
  reasons: readonly string[];
  terms: readonly string[];
}

export const emptyCounts = (): DiffCounts => ({
  before: 0,
  after: 0,
  entered: 0,
  left: 0,
  stayed: 0,
  newRecords: 0,
  removedRecords: 0,
  rescored: 0,
  byCause: { entered: {}, left: {} },
});

/** Ranks closer than this are the same rank (float32 scores, float64 arithmetic). */
const SAME_RANK = 1e-12;

const fin = (v: number) => (Number.isFinite(v) ? v : null);

/**
 * Merge-join two runs' members (each sorted by id) and list the records that entered or left the
 * selection, with what moved them:
 * - `new` / `removed`: the record is only in this run / only in the previous one;
 * - `reason`: a filter, dedup or the strategy decided otherwise (its reason before or after is not
 *   `budget`);
 * - `reserve`: a reserve (recipe `select.reserve`) took it in the run that selected it;
 * - `score`: both times it competed for the budget, and its own rank changed;
 * - `threshold`: same rank, the cut moved.
 */
export function diffMembers(
  before: readonly Member[],
  after: readonly Member[],
  views: { before: RunView; after: RunView },
  counts: DiffCounts = emptyCounts(),
): { entries: DiffEntry[]; counts: DiffCounts } {
  const entries: DiffEntry[] = [];
  const reasonOf = (m: Member | undefined, v: RunView) =>
    m === undefined ? null : m.reason === 0 ? null : (v.reasons[m.reason] ?? 'other');
  const selected = (m: Member | undefined) => m !== undefined && m.reason === 0;
  const visit = (b: Member | undefined, a: Member | undefined) => {
    const sb = selected(b);
    const sa = selected(a);
    if (sb) counts.before++;
    if (sa) counts.after++;
    if (!b) counts.newRecords++;
    if (!a) counts.removedRecords++;
    const delta = a && b ? a.rank - b.rank : null;
    if (delta !== null && Math.abs(delta) > SAME_RANK) counts.rescored++;
    if (sb === sa) {
      if (sb) counts.stayed++;
      return;
    }
    const rb = reasonOf(b, views.before);
    const ra = reasonOf(a, views.after);
    const cause: DiffEntry['cause'] = !b
      ? 'new'
      : !a
        ? 'removed'
        : (rb !== null && rb !== 'budget') || (ra !== null && ra !== 'budget')
          ? 'reason'
          : (sa && a.reserved) || (sb && b.reserved)
            ? 'reserve'
            : Math.abs(delta!) > SAME_RANK
              ? 'score'
              : 'threshold';
    const change = sa ? 'entered' : 'left';
    counts[change]++;
    const by = counts.byCause[change];
    by[cause] = (by[cause] ?? 0) + 1;
    const scores: DiffEntry['scores'] = {};
    for (const name of new Set([...views.before.terms, ...views.after.terms])) {
      const ib = views.before.terms.indexOf(name);
      const ia = views.after.terms.indexOf(name);
      const vb = b && ib >= 0 ? fin(b.terms[ib]) : null;
      const va = a && ia >= 0 ? fin(a.terms[ia]) : null;
      scores[name] = { before: vb, after: va, delta: vb !== null && va !== null ? va - vb : null };
    }
    const m = (a ?? b)!;
    entries.push({
      id: idText(m.hi, m.lo),
      change,
      cause,
      index: { before: b?.index ?? null, after: a?.index ?? null },
      rank: { before: b?.rank ?? null, after: a?.rank ?? null, delta },
      reason: { before: rb, after: ra },
      scores,
    });
  };
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const c = i >= before.length ? 1 : j >= after.length ? -1 : compareMembers(before[i], after[j]);
    if (c === 0) visit(before[i++], after[j++]);
    else if (c < 0) visit(before[i++], undefined);
    else visit(undefined, after[j++]);
  }
  return { entries, counts };
}

/** Add `b`'s counts into `a`. */
export function addCounts(a: DiffCounts, b: DiffCounts): DiffCounts {
  for (const k of [
    'before',
    'after',
    'entered',
    'left',
    'stayed',
    'newRecords',
    'removedRecords',
    'rescored',
  ] as const)
    a[k] += b[k];
  for (const side of ['entered', 'left'] as const)
    for (const [cause, n] of Object.entries(b.byCause[side]))
      a.byCause[side][cause] = (a.byCause[side][cause] ?? 0) + n;
  return a;
}

/** How much an entry moved, for ordering diff.json's lists: |Δrank|, or the rank of a new/removed record. */
export const movement = (e: DiffEntry) =>
  e.rank.delta !== null ? Math.abs(e.rank.delta) : (e.rank.after ?? e.rank.before ?? 0);

/**
 * Keeps the `limit` entries that moved most (ties: by id), in memory proportional to `limit`
 * however many are offered.
 */
export class TopEntries {
  private items: DiffEntry[] = [];
  total = 0;
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  add(e: DiffEntry): void {
    this.total++;
    this.items.push(e);
    if (this.items.length >= 2 * this.limit + 64) this.trim();
  }
  private trim(): void {
    this.items.sort((a, b) => movement(b) - movement(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.items.length = Math.min(this.items.length, this.limit);
  }
  done(): DiffEntry[] {
    this.trim();
    return this.items;
  }
}
