/**
 * The default quality number in [0, 1], a weighted geometric blend of whichever of these scores the
 * recipe produced (exponents renormalized over the present ones to sum to 1; none present → 0.5):
 *
 *   | score        | scorer     | weight | meaning                                            |
 *   |--------------|------------|--------|----------------------------------------------------|
 *   | length       | length     | 0.15   | saturating answer length                           |
 *   | diversity    | lexical    | 0.10   | moving-average type-token ratio                    |
 *   | repetition   | lexical    | 0.10   | used as 1 − repeated 3-gram fraction               |
 *   | heuristics   | heuristics | 0.20   | 1 when no instruction-data rule fired              |
 *   | lm_quality   | perplexity | 0.15   | fluency relative to the dataset's median perplexity |
 *   | classifier   | classifier | 0.30   | P(good) from the user-trained classifier           |
 *   | judge_p      | judge      | 0.30   | LLM judge rating / 5                               |
 *
 * Geometric, so one factor at 0 (an empty answer) makes quality 0, and no factor can be bought back
 * by another. Inputs are clamped to [0, 1]; NaN counts as 0.
 */
const WEIGHTS: readonly [name: string, weight: number, invert: boolean][] = [
  ['length', 0.15, false],
  ['diversity', 0.1, false],
  ['repetition', 0.1, true],
  ['heuristics', 0.2, false],
  ['lm_quality', 0.15, false],
  ['classifier', 0.3, false],
  ['judge_p', 0.3, false],
];

export function combineQuality(scores: Record<string, number>): number {
  let wsum = 0;
  for (const [name, w] of WEIGHTS) if (typeof scores[name] === 'number') wsum += w;
  if (wsum === 0) return 0.5;
  let q = 1;
  for (const [name, w, invert] of WEIGHTS) {
    const v = scores[name];
    if (typeof v !== 'number') continue;
    const x = clamp01(v);
    q *= (invert ? 1 - x : x) ** (w / wsum);
  }
  return clamp01(q);
}

function clamp01(x: number): number {
  return x > 0 ? Math.min(x, 1) : 0; // NaN → 0
}
