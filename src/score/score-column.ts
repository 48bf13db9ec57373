import { WinnowError } from '../errors.ts';
import type { ResolvedScorer } from './resolve-scorers.ts';
import type { ScoreInput, ScoreRow, ScorerContext } from './types.ts';

/**
 * One scorer over a batch, checked: it must return one row per record, and a non-finite number
 * becomes 0 with a `nonfinite:<name>` flag (JSON cannot carry NaN, and selection must not see it).
 */
export async function scoreColumn(
  records: ScoreInput[],
  { scorer, config }: ResolvedScorer,
  ctx: ScorerContext,
): Promise<ScoreRow[]> {
  const out = await scorer.score(records, config, ctx);
  if (!Array.isArray(out) || out.length !== records.length) {
    const got = Array.isArray(out) ? out.length : typeof out;
    throw new WinnowError('internal', {
      detail: `scorer "${scorer.id}" returned ${got} rows for ${records.length} records`,
    });
  }
  return out.map((r) => {
    const scores: Record<string, number> = {};
    let flags = r.flags?.length ? [...r.flags] : undefined;
    for (const [name, v] of Object.entries(r.scores)) {
      if (Number.isFinite(v)) scores[name] = v;
      else {
        scores[name] = 0;
        flags = [...(flags ?? []), `nonfinite:${name}`];
      }
    }
    const row: ScoreRow = { scores };
    if (flags) row.flags = flags;
    if (r.note) row.note = r.note;
    return row;
  });
}
