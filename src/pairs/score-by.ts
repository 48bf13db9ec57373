import { BUILTIN_PAIR_SCORES, type Pairs, type TrajectoryRow } from '../../schemas/pairs.ts';
import type { ShardRecord } from '../../schemas/record.ts';
import { missingLogprobStep, trajectoryScore } from './trajectory-score.ts';

/** Whether a pairs recipe ranks by a scorer's output (the score stage runs) rather than the data's own numbers. */
export function pairsScoreNeedsScorers(pairs: Pairs | undefined): boolean {
  return pairs !== undefined && !(BUILTIN_PAIR_SCORES as readonly string[]).includes(pairs.score);
}

/**
 * A member's score to rank by: the given `score`, the GRAPE trajectory score, or a scorer's output
 * (`auto`: trajectory for rollouts, given for responses). Null when it has none, or it is not finite.
 */
export function memberScore(
  r: ShardRecord,
  pairs: Pairs,
  scores: Record<string, number> | undefined,
): number | null {
  const rollout = r.format === 'trajectory';
  const by = pairs.score === 'auto' ? (rollout ? 'trajectory' : 'given') : pairs.score;
  let s: number | null;
  if (by === 'given') s = r.pair?.given ?? null;
  else if (by === 'trajectory') {
    const row = r.record as TrajectoryRow;
    const unscored = pairs.trajectory.missingLogprob === 'skip' && missingLogprobStep(row) >= 0;
    s = rollout && !unscored ? trajectoryScore(row, pairs.trajectory).total : null;
  } else s = scores?.[by] ?? null;
  return s !== null && Number.isFinite(s) ? s : null;
}
