import { z } from 'zod';

/** `w = clip(a + b·rating, lo, hi)`; the defaults give 1.0 at the median rating 5.5 of 1–10, 0.55…1.45. */
export const LinearMappingSchema = z
  .strictObject({
    kind: z.literal('linear'),
    a: z.number().default(0.45),
    b: z.number().default(0.1),
    lo: z.number().nonnegative().default(0.5),
    hi: z.number().positive().default(1.5),
  })
  .refine((m) => m.lo <= m.hi, 'lo must be at most hi');
export type LinearMapping = z.infer<typeof LinearMappingSchema>;

/** `w_i = N·exp(r_i/T) / Σ_j exp(r_j/T)` over the dataset: weights average 1; lower T sharpens. */
export interface SoftmaxMapping {
  kind: 'softmax';
  temperature: number;
}

export type LrMapping = LinearMapping | SoftmaxMapping;

/**
 * Learning-rate (or sample-weight) multipliers from self-critique ratings, for export as training
 * weights. `linear`: clip(a + b·r, lo, hi) per record. `softmax`: a tempered softmax over the whole
 * dataset scaled by N, computed with log-sum-exp. A non-finite rating (unparsed) gets the neutral 1 and
 * is left out of the softmax, whose N and sum then run over the finite ratings only.
 */
export function learningRateMultipliers(ratings: Float64Array, mapping: LrMapping): Float64Array {
  const out = new Float64Array(ratings.length).fill(1);
  if (mapping.kind === 'linear') {
    const { a, b, lo, hi } = mapping;
    for (let i = 0; i < ratings.length; i++) {
      const r = ratings[i];
      if (Number.isFinite(r)) out[i] = Math.min(hi, Math.max(lo, a + b * r));
    }
    return out;
  }
  const T = mapping.temperature;
  if (!(T > 0) || !Number.isFinite(T)) throw new RangeError('temperature must be a positive finite number');
  let n = 0;
  let m = Number.NEGATIVE_INFINITY;
  for (const r of ratings) {
    if (!Number.isFinite(r)) continue;
    n++;
    if (r / T > m) m = r / T;
  }
  if (n === 0) return out;
  let s = 0;
  for (const r of ratings) if (Number.isFinite(r)) s += Math.exp(r / T - m);
  const lse = m + Math.log(s);
  for (let i = 0; i < ratings.length; i++) {
    const r = ratings[i];
    if (Number.isFinite(r)) out[i] = n * Math.exp(r / T - lse);
  }
  return out;
}
