import { pairsScoreNeedsScorers } from '../../../pairs/score-by.ts';
import type { JobSpec } from '../../types.ts';

/**
 * Whether the job runs scorers: every selection does; a pairs job only when it ranks by a scorer's
 * output; a safety job never (its stage scores what it generates or is answered).
 */
export function scoresRecords(spec: JobSpec): boolean {
  if (spec.recipe.safety) return false;
  return !spec.recipe.pairs || pairsScoreNeedsScorers(spec.recipe.pairs);
}
