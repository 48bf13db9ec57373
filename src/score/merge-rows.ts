import { combineQuality } from './combine-quality.ts';
import type { ScoreRow } from './types.ts';

/**
 * Merge one record's rows from every scorer (in recipe order) into one: scores by name, flags
 * de-duplicated, notes joined. Adds `quality` = combineQuality(scores) unless a scorer wrote it.
 */
export function mergeRows(rows: readonly (ScoreRow | undefined)[]): ScoreRow {
  const scores: Record<string, number> = {};
  // Most records have neither: no arrays for them (this runs once per record of every shard).
  let flags: string[] | undefined;
  let notes: string[] | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!r) continue;
    const from = r.scores;
    for (const name in from) scores[name] = from[name];
    if (r.flags && r.flags.length > 0) (flags ??= []).push(...r.flags);
    if (r.note) (notes ??= []).push(r.note);
  }
  if (!('quality' in scores)) scores.quality = combineQuality(scores);
  const row: ScoreRow = { scores };
  if (flags) row.flags = [...new Set(flags)];
  if (notes) row.note = notes.join('; ');
  return row;
}
