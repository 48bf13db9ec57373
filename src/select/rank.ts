import type { Rank } from '../../schemas/recipe.ts';

export interface MinMax {
  min: number;
  max: number;
}

/**
 * The one number in [0, 1] that strategies order by. Each term's score (missing or NaN → 0) is
 * normalized (`none`: clamped to [0, 1]; `minmax`: (v - min) / (max - min) over the dataset, 1 when
 * max == min, then clamped), then combined: `sum` = Σ wᵢxᵢ / Σ wᵢ, `product` = Π xᵢ^(wᵢ/Σw). Never NaN.
 */
export function rankValue(scores: Record<string, number>, rank: Rank, stats: Record<string, MinMax>): number {
  let wsum = 0;
  for (const t of rank.terms) wsum += t.weight;
  if (!(wsum > 0 && Number.isFinite(wsum))) return 0;
  const product = rank.combine === 'product';
  let acc = product ? 1 : 0;
  for (const { score, weight } of rank.terms) {
    const x = normalized(scores[score], rank.normalize === 'minmax' ? stats[score] : undefined);
    if (product) acc *= x ** (weight / wsum);
    else acc += weight * x;
  }
  return clamp01(product ? acc : acc / wsum);
}

function normalized(v: number | undefined, s: MinMax | undefined): number {
  if (typeof v !== 'number' || Number.isNaN(v)) return 0;
  if (!s || !Number.isFinite(s.min) || !Number.isFinite(s.max)) return clamp01(v);
  return s.max === s.min ? 1 : clamp01((v - s.min) / (s.max - s.min));
}

function clamp01(x: number): number {
  return x > 0 ? Math.min(x, 1) : 0; // NaN → 0
}
