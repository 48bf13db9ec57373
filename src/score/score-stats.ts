/** Mergeable per-score statistics (for the report and min-max normalization). Sums are float64. */
export interface ScoreStat {
  count: number;
  sum: number;
  sumSq: number;
  min: number;
  max: number;
}

export interface FinalStat {
  count: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
  min: number;
  max: number;
}

/** Adds one row's scores to `acc` (mutated and returned); non-finite numbers are skipped. */
export function accumulateStats(
  acc: Record<string, ScoreStat>,
  scores: Record<string, number>,
): Record<string, ScoreStat> {
  // for…in, not Object.entries: no array of pairs per record (this runs once per record).
  for (const name in scores) {
    const v = scores[name];
    if (!Number.isFinite(v)) continue;
    const s = acc[name];
    if (!s) acc[name] = { count: 1, sum: v, sumSq: v * v, min: v, max: v };
    else {
      s.count++;
      s.sum += v;
      s.sumSq += v * v;
      if (v < s.min) s.min = v;
      if (v > s.max) s.max = v;
    }
  }
  return acc;
}

/** A new accumulator holding both; neither input is changed. Associative and commutative. */
export function mergeStats(
  a: Record<string, ScoreStat>,
  b: Record<string, ScoreStat>,
): Record<string, ScoreStat> {
  const out: Record<string, ScoreStat> = {};
  for (const [name, s] of Object.entries(a)) out[name] = { ...s };
  for (const [name, s] of Object.entries(b)) {
    const t = out[name];
    if (!t) out[name] = { ...s };
    else {
      t.count += s.count;
      t.sum += s.sum;
      t.sumSq += s.sumSq;
      t.min = Math.min(t.min, s.min);
      t.max = Math.max(t.max, s.max);
    }
  }
  return out;
}

export function finalizeStats(acc: Record<string, ScoreStat>): Record<string, FinalStat> {
  const out: Record<string, FinalStat> = {};
  for (const [name, s] of Object.entries(acc)) {
    if (s.count === 0) continue;
    const mean = s.sum / s.count;
    // Scores are O(1), so the one-pass formula is accurate here; the floor guards the rounding below 0.
    const std = Math.sqrt(Math.max(0, s.sumSq / s.count - mean * mean));
    out[name] = { count: s.count, mean, std, min: s.min, max: s.max };
  }
  return out;
}
