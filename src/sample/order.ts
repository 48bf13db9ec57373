import { mulberry32 } from '../demo/random.ts';

/** A 32-bit mix of integers (murmur3's finalizer over each), for seeding per (seed, component, epoch, …). */
export function mix32(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    let k = Math.imul(x | 0, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A seeded permutation of `members` (Fisher–Yates). */
export function shuffled(members: readonly number[], seed: number): number[] {
  const out = [...members];
  const rand = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Draw `n` indices from the probabilities `p` (which sum to 1), by inverse CDF with a seeded stream. */
export function drawCategorical(p: readonly number[], n: number, seed: number): number[] {
  const cdf: number[] = [];
  let acc = 0;
  for (const x of p) cdf.push((acc += x));
  const rand = mulberry32(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = rand() * acc;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    out.push(lo);
  }
  return out;
}
