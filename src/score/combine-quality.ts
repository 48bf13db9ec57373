/**
 * One default quality number in [0, 1] from the cheap scores, a weighted geometric blend:
 *
 *   quality = length^0.4 · diversity^0.3 · (1 - repetition)^0.3
 *
 * over whichever of the three are present (exponents renormalized to sum to 1); none present → 0.5.
 * Inputs are clamped to [0, 1] and NaN counts as 0, so any factor at 0 makes quality 0.
 */
const WEIGHTS: readonly [name: string, weight: number, invert: boolean][] = [
  ['length', 0.4, false],
  ['diversity', 0.3, false],
  ['repetition', 0.3, true],
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
