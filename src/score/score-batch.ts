import { mergeRows } from './merge-rows.ts';
import type { ResolvedScorer } from './resolve-scorers.ts';
import { scoreColumn } from './score-column.ts';
import type { ScoreInput, ScoreRow, ScorerContext } from './types.ts';

/**
 * Runs every resolved scorer over the batch (no cache, no fitted models unless `models` gives them)
 * and merges their rows; see scoreColumn and mergeRows.
 */
export async function scoreBatch(
  records: ScoreInput[],
  refs: readonly ResolvedScorer[],
  ctx: ScorerContext,
  models: Record<string, unknown> = {},
): Promise<ScoreRow[]> {
  const columns: ScoreRow[][] = [];
  for (const ref of refs)
    columns.push(await scoreColumn(records, ref, { ...ctx, model: models[ref.scorer.id] }));
  return records.map((_, i) => mergeRows(columns.map((c) => c[i])));
}
