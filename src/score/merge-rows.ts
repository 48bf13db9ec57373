import { combineQuality } from './combine-quality.ts';
import type { ScoreRow } from './types.ts';

/**
 * Merge one record's rows from every scorer (in recipe order) into one: scores by name, flags
 * de-duplicated, notes joined. Adds `quality` = combineQuality(scores) unless a scorer wrote it.
 */
export function mergeRows(rows: readonly (ScoreRow | undefined)[]): ScoreRow {
  const scores: Record<string, number> = {};
  const flags: string[] = [];
  const notes: string[] = [];
  for (const r of rows) {
    if (!r) continue;
    Object.assign(scores, r.scores);
    if (r.flags) flags.push(...r.flags);
    if (r.note) notes.push(r.note);
  }
  if (!('quality' in scores)) scores.quality = combineQuality(scores);
  const row: ScoreRow = { scores };
  if (flags.length > 0) row.flags = [...new Set(flags)];
  if (notes.length > 0) row.note = notes.join('; ');
  return row;
}
