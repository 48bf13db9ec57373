import type { TokenLogprob } from '../../providers/types.ts';
import type { ParsedRating } from './parse-rating.ts';

/**
 * The expected rating Σ p(d)·d / Σ p(d) over the integer tokens d in [min, max] among the top
 * log-probs at the position where the rating was written (G-Eval style), renormalized over the digits
 * present; tokens that differ only by surrounding spaces (`4`, ` 4`) are pooled. Null when there are no
 * log-probs, the rating was fractional or rescaled, or its token cannot be located.
 */
export function expectedRating(
  logprobs: readonly TokenLogprob[] | undefined,
  parsed: ParsedRating,
  min: number,
  max: number,
): number | null {
  return ratingDistribution(logprobs, parsed, min, max)?.mean ?? null;
}

/**
 * The rating's distribution at the token where it was written (as `expectedRating`): its mean and
 * its standard deviation √(Σ p(d)·(d − mean)²), the model's uncertainty about its own rating (0 when
 * one digit holds all the mass).
 */
export function ratingDistribution(
  logprobs: readonly TokenLogprob[] | undefined,
  parsed: ParsedRating,
  min: number,
  max: number,
): { mean: number; sd: number } | null {
  if (!logprobs || parsed.rescaled || !Number.isInteger(parsed.raw)) return null;
  let at = -1;
  let pos = 0;
  for (let i = 0; i < logprobs.length; i++) {
    const len = logprobs[i].token.length;
    if (parsed.start >= pos && parsed.start < pos + len) {
      at = i;
      break;
    }
    pos += len;
  }
  if (at === -1 || logprobs[at].token.trim() !== String(parsed.raw)) return null;
  const tok = logprobs[at];
  const top = tok.top?.length ? tok.top : [{ token: tok.token, logprob: tok.logprob }];
  const mass = new Map<number, number>();
  for (const t of top) {
    const s = t.token.trim();
    if (!/^\d+$/.test(s)) continue;
    const d = Number.parseInt(s, 10);
    if (d < min || d > max) continue;
    mass.set(d, (mass.get(d) ?? 0) + Math.exp(t.logprob));
  }
  let z = 0;
  let sum = 0;
  for (const [d, p] of mass) {
    z += p;
    sum += p * d;
  }
  if (!(z > 0)) return null;
  const mean = sum / z;
  let v = 0;
  for (const [d, p] of mass) v += (p / z) * (d - mean) ** 2;
  return { mean, sd: Math.sqrt(v) };
}
