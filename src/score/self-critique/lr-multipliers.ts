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
export const SoftmaxMappingSchema = z.strictObject({
  kind: z.literal('softmax'),
  temperature: z.number().positive().default(1),
});
export type SoftmaxMapping = z.infer<typeof SoftmaxMappingSchema>;

export const LrMappingSchema = z.discriminatedUnion('kind', [LinearMappingSchema, SoftmaxMappingSchema]);

/** A mergeable log-sum-exp of x = r/T over finite ratings: count, max, and Σ exp(x − max). */
export interface SoftmaxPartial {
  n: number;
  max: number;
  sum: number;
}

export const EMPTY_SOFTMAX: SoftmaxPartial = { n: 0, max: Number.NEGATIVE_INFINITY, sum: 0 };

export function softmaxPartial(ratings: Iterable<number>, temperature: number): SoftmaxPartial {
  let acc = EMPTY_SOFTMAX;
  for (const r of ratings)
    if (Number.isFinite(r)) acc = mergeSoftmax(acc, { n: 1, max: r / temperature, sum: 1 });
  return acc;
}

export function mergeSoftmax(a: SoftmaxPartial, b: SoftmaxPartial): SoftmaxPartial {
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  const max = Math.max(a.max, b.max);
  return { n: a.n + b.n, max, sum: a.sum * Math.exp(a.max - max) + b.sum * Math.exp(b.max - max) };
}

/** One rating's softmax weight given the dataset's partial; a non-finite rating gets the neutral 1. */
export function softmaxWeight(rating: number, temperature: number, total: SoftmaxPartial): number {
  if (!Number.isFinite(rating) || total.n === 0) return 1;
  return total.n * Math.exp(rating / temperature - (total.max + Math.log(total.sum)));
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
