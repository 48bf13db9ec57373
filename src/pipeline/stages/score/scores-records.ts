import { pairsScoreNeedsScorers } from '../../../pairs/score-by.ts';
import type { JobSpec } from '../../types.ts';

/** Whether the job runs scorers: every selection does; a pairs job only when it ranks by a scorer's output. */
export function scoresRecords(spec: JobSpec): boolean {
  return !spec.recipe.pairs || pairsScoreNeedsScorers(spec.recipe.pairs);
}
