import type { Recipe } from '../../../../schemas/recipe.ts';
import {
  type Cut,
  decide,
  firstRound,
  mergeSummaries,
  ROUND_ZERO,
  type RoundSpec,
  type ShardSummary,
} from '../../../select/index.ts';
import type { SelectAdvance, SelectState, SelectStep } from './plan.ts';

/**
 * The select stage's top-k phases: each reserve's (recipe `select.reserve`, in order), then the rest
 * of the budget's. A phase is an exact global top-k in histogram rounds (src/select/topk.ts); a
 * reserve's ends in a `reserve` step, where every shard marks what it took and opens the next phase.
 */

/** What opens a top-k phase on a shard (a reserve's, or the rest of the budget's). */
export interface PhaseOpening {
  records: number;
  summary: ShardSummary;
  candidates: number;
  /** A reserve: records earlier reserves took that match it; the rest of the budget: records reserves took. */
  have: number;
}

/**
 * Opens top-k phase `phase` from every shard's opening: reserve `phase` (keeps its wanted count less
 * the matching records earlier reserves took), or past the last reserve (with none: at once), the
 * rest of the budget.
 */
export function openPhase(
  recipe: Recipe,
  state: SelectState,
  phase: number,
  openings: readonly PhaseOpening[],
  shards: number,
  target: number,
): SelectAdvance {
  const n = recipe.select.reserve?.length ?? 0;
  const total = openings.reduce((a, o) => a + o.candidates, 0);
  const have = openings.reduce((a, o) => a + o.have, 0);
  let plan: { k: number; total: number };
  let s: SelectState;
  if (phase < n) {
    const r = state.reserve!;
    plan = { k: Math.min(Math.max(0, r.wanted[phase] - have), total), total };
    s = { ...state, reserve: { ...r, taken: [...r.taken, plan.k], kept: [...r.kept, have + plan.k] } };
  } else {
    // `have`: every record the reserves took; the strategy's order fills the rest of the budget.
    plan = { k: Math.min(Math.max(0, target - have), total), total };
    s = { ...state, candidates: total + have };
  }
  s = { ...s, topk: plan };
  const at = phase < n ? phase : undefined;
  const first = firstRound(plan);
  if (first.kind === 'done') return phaseCut(s, first.cut, at, shards, plan);
  return cutOrRound(
    { ...s, rounds: s.rounds + 1 },
    plan,
    ROUND_ZERO,
    openings.map((o) => o.summary),
    shards,
    at,
  );
}

/** One round of the phase's top-k: its cut when the summaries decide it, else the next round. */
export function cutOrRound(
  state: SelectState,
  plan: { k: number; total: number },
  round: RoundSpec,
  summaries: ShardSummary[],
  shards: number,
  phase?: number,
): SelectAdvance {
  const merged = summaries.reduce((a, s) => mergeSummaries(a, s));
  const d = decide(plan, round, merged, round.kind === 'ties' ? summaries : undefined);
  if (d.kind === 'done') return phaseCut(state, d.cut, phase, shards, plan);
  const step: SelectStep =
    phase !== undefined ? { kind: 'round', round: d.spec, phase } : { kind: 'round', round: d.spec };
  return { kind: 'next', state: { ...state, step }, tasks: shards };
}

/** A phase found its cut: a reserve's goes to its `reserve` step; the rest of the budget's ends the stage. */
function phaseCut(
  state: SelectState,
  cut: Cut,
  phase: number | undefined,
  shards: number,
  plan: { total: number },
): SelectAdvance {
  if (phase !== undefined)
    return { kind: 'next', state: { ...state, step: { kind: 'reserve', phase, cut } }, tasks: shards };
  return { kind: 'done', state, cut, candidates: state.candidates ?? plan.total };
}
