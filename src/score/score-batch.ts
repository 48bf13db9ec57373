import { WinnowError } from '../errors.ts';
import { combineQuality } from './combine-quality.ts';
import type { ResolvedScorer } from './resolve-scorers.ts';
import type { ScoreInput, ScoreRow, ScorerContext } from './types.ts';

/**
 * Runs every resolved scorer over the batch and merges their rows. A non-finite number becomes 0 with a
 * `nonfinite:<name>` flag. Adds `quality` = combineQuality(scores) unless a scorer wrote `quality` itself.
 */
export async function scoreBatch(
  records: ScoreInput[],
  refs: readonly ResolvedScorer[],
  ctx: ScorerContext,
): Promise<ScoreRow[]> {
  const rows = records.map((): { scores: Record<string, number>; flags: string[]; notes: string[] } => ({
    scores: {},
    flags: [],
    notes: [],
  }));
  for (const { scorer, config } of refs) {
    const out = await scorer.score(records, config, ctx);
    if (!Array.isArray(out) || out.length !== records.length) {
      const got = Array.isArray(out) ? out.length : typeof out;
      throw new WinnowError('internal', {
        detail: `scorer "${scorer.id}" returned ${got} rows for ${records.length} records`,
      });
    }
    out.forEach((r, i) => {
      const row = rows[i];
      for (const [name, v] of Object.entries(r.scores)) {
        if (Number.isFinite(v)) row.scores[name] = v;
        else {
          row.scores[name] = 0;
          row.flags.push(`nonfinite:${name}`);
        }
      }
      if (r.flags) row.flags.push(...r.flags);
      if (r.note) row.notes.push(r.note);
    });
  }
  return rows.map(({ scores, flags, notes }) => {
    if (!('quality' in scores)) scores.quality = combineQuality(scores);
    const row: ScoreRow = { scores };
    if (flags.length > 0) row.flags = [...new Set(flags)];
    if (notes.length > 0) row.note = notes.join('; ');
    return row;
  });
}
