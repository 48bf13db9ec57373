import type { GroupSkipReason, Pairs } from '../../schemas/pairs.ts';
import { mulberry32 } from '../demo/random.ts';
import { keyHash } from './keys.ts';

/** A group member as strategies see it: its score (null: nothing to rank by) and success flag. */
export interface RankedMember {
  score: number | null;
  success?: boolean;
}

/** A candidate pair: indices into the group's members (best first), and the score gap. */
export interface Candidate {
  chosen: number;
  rejected: number;
  margin: number;
}

/** Why a group gives no pair (`budget`, the other reason in groups.jsonl, is decided later, by the cut). */
export type SkipReason = Exclude<GroupSkipReason, 'budget'>;

export type PairOptions = Pick<
  Pairs,
  'strategy' | 'minMargin' | 'maxPerGroup' | 'requireSuccessAndFailure'
> & {
  seed: number;
};

/**
 * One group's candidate pairs. `members` must be ordered best first with the unscored last (see
 * orderMembers); the result is ordered by gap, largest first, ties by (chosen, rejected) position.
 * A group that cannot give a pair says why.
 */
export function groupPairs(
  members: readonly RankedMember[],
  key: string,
  opts: PairOptions,
): { candidates: Candidate[]; reason?: SkipReason } {
  if (members.length < 2) return { candidates: [], reason: 'single_response' };
  let m = 0;
  while (m < members.length && members[m].score !== null) m++;
  if (m < 2) return { candidates: [], reason: 'missing_score' };
  if (opts.requireSuccessAndFailure) {
    const failures = members.filter((x) => x.success === false).length;
    const successes = members.filter((x) => x.success === true).length;
    if (failures === 0) return { candidates: [], reason: 'no_failure' };
    if (successes === 0) return { candidates: [], reason: 'no_success' };
  }
  const s = (i: number) => members[i].score as number;
  const ok = (i: number, j: number) => s(i) - s(j) > 0 && s(i) - s(j) >= opts.minMargin;
  const pair = (i: number, j: number): Candidate => ({ chosen: i, rejected: j, margin: s(i) - s(j) });
  let out: Candidate[] = [];
  switch (opts.strategy.id) {
    case 'best-worst':
      if (ok(0, m - 1)) out.push(pair(0, m - 1));
      break;
    case 'best-vs-random': {
      const others: number[] = [];
      for (let j = 1; j < m; j++) if (ok(0, j)) others.push(j);
      if (others.length > 0) {
        const rand = mulberry32((opts.seed ^ keyHash(key)) >>> 0);
        out.push(pair(0, others[Math.floor(rand() * others.length)]));
      }
      break;
    }
    case 'all-margin':
      for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) if (ok(i, j)) out.push(pair(i, j));
      break;
    case 'topk-bottomk': {
      const k = Math.min(opts.strategy.k, Math.floor(m / 2));
      for (let i = 0; i < k; i++) for (let j = m - k; j < m; j++) if (ok(i, j)) out.push(pair(i, j));
      break;
    }
  }
  out.sort((a, b) => b.margin - a.margin || a.chosen - b.chosen || a.rejected - b.rejected);
  if (opts.maxPerGroup !== undefined) out = out.slice(0, opts.maxPerGroup);
  return out.length > 0 ? { candidates: out } : { candidates: [], reason: 'margin_too_small' };
}

/** Best first: score descending, then input position; members without a score last, in input order. */
export function orderMembers<T extends RankedMember & { order: readonly [number, number] }>(
  members: T[],
): T[] {
  const pos = (a: T, b: T) => a.order[0] - b.order[0] || a.order[1] - b.order[1];
  return members.sort((a, b) => {
    if (a.score === null || b.score === null)
      return a.score === b.score ? pos(a, b) : a.score === null ? 1 : -1;
    return b.score - a.score || pos(a, b);
  });
}
