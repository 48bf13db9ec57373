import { mulberry32 } from '../../demo/random.ts';
import { type GreedyCosineResult, greedyCosine } from './greedy-cosine.ts';

export interface CosineLshOptions {
  /** Hyperplane bits per band and bands (each band is one bucket key); default: see `lshShape`. */
  bits?: number;
  bands?: number;
  seed?: number;
  /** At most this many members: the exact walk (O(n · kept)); above it, the banded one. */
  exactUpTo?: number;
}

/**
 * `greedyCosine` for large clusters and high thresholds (semantic dedup): the same walk, but a member
 * is compared only with the kept members that share one of its `bands` SimHash buckets (random
 * hyperplanes, Charikar 2002), so the walk costs O(n · (bands · bits + bucket mates) · dim) instead of
 * O(n · kept · dim). Two unit vectors at cosine s agree on a hyperplane bit with probability
 * 1 - arccos(s)/π, so a pair at the threshold shares at least one band with probability
 * 1 - (1 - p^bits)^bands. `lshShape` picks bits ≈ log2(n) - 2 (so a bucket holds a few members) and
 * enough bands for that probability to reach 0.998 at the threshold (at s = 0.95 and n = 60,000:
 * 14 bits × 25 bands). A pair the buckets miss is kept (a duplicate left in), never
 * refused wrongly: every refusal is an exact cosine ≥ threshold. Clusters of at most `exactUpTo`
 * members take the exact walk. Deterministic for a seed.
 */
export function greedyCosineLsh(
  vecs: Float32Array,
  dim: number,
  threshold: number,
  opts: CosineLshOptions = {},
): GreedyCosineResult {
  const { seed = 0, exactUpTo = 2048 } = opts;
  const n = vecs.length / dim;
  if (n <= exactUpTo) return greedyCosine(vecs, dim, threshold);
  const { bits, bands } = lshShape(n, threshold, opts);
  if (!Number.isInteger(bits) || bits < 1 || bits > 24)
    throw new RangeError('bits must be an integer in [1, 24]');
  if (!Number.isInteger(bands) || bands < 1) throw new RangeError('bands must be a positive integer');
  const planes = gaussianPlanes(bits * bands, dim, seed);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0, o = i * dim; j < dim; j++) s += vecs[o + j] * vecs[o + j];
    norms[i] = Math.sqrt(s);
  }
  const buckets = new Map<number, number[]>();
  const kept = new Uint8Array(n);
  const by = new Int32Array(n).fill(-1);
  const sim = new Float32Array(n);
  const visited = new Uint8Array(n).fill(1);
  const keys = new Int32Array(bands);
  const seen = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    bandKeys(vecs, i, dim, planes, bits, bands, keys);
    let best = -1;
    let bestSim = Number.NEGATIVE_INFINITY;
    for (let b = 0; b < bands; b++) {
      const mates = buckets.get(keys[b]);
      if (!mates) continue;
      for (const m of mates) {
        if (seen[m] === i) continue;
        seen[m] = i;
        const s = cosine(vecs, i, m, dim, norms);
        if (s > bestSim || (s === bestSim && m < best)) {
          bestSim = s;
          best = m;
        }
      }
    }
    if (best >= 0 && bestSim >= threshold) {
      by[i] = best;
      sim[i] = bestSim;
      continue;
    }
    kept[i] = 1;
    sim[i] = bestSim;
    for (let b = 0; b < bands; b++) {
      const list = buckets.get(keys[b]);
      if (list) list.push(i);
      else buckets.set(keys[b], [i]);
    }
  }
  return { kept, by, sim, visited };
}

function cosine(vecs: Float32Array, a: number, b: number, dim: number, norms: Float64Array): number {
  if (norms[a] === 0 || norms[b] === 0) return 0;
  let s = 0;
  for (let j = 0, x = a * dim, y = b * dim; j < dim; j++) s += vecs[x + j] * vecs[y + j];
  return Math.max(-1, Math.min(1, s / (norms[a] * norms[b])));
}

/** Per band, `bits` sign bits of hyperplane projections, tagged with the band index. */
function bandKeys(
  vecs: Float32Array,
  i: number,
  dim: number,
  planes: Float32Array,
  bits: number,
  bands: number,
  out: Int32Array,
): void {
  const o = i * dim;
  for (let b = 0; b < bands; b++) {
    let key = 0;
    for (let t = 0; t < bits; t++) {
      const p = (b * bits + t) * dim;
      let s = 0;
      for (let j = 0; j < dim; j++) s += vecs[o + j] * planes[p + j];
      key = (key << 1) | (s >= 0 ? 1 : 0);
    }
    out[b] = b * 2 ** bits + key;
  }
}

/** `count` random Gaussian directions (Box–Muller over a seeded generator), count × dim. */
function gaussianPlanes(count: number, dim: number, seed: number): Float32Array {
  const rand = mulberry32(seed ^ 0x5eed);
  const out = new Float32Array(count * dim);
  for (let i = 0; i < out.length; i += 2) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Bits per band ≈ log2(n) - 2 (8 to 20), and bands (≤ 64) so a pair at the threshold is found with p ≥ 0.998. */
export function lshShape(
  n: number,
  threshold: number,
  opts: Pick<CosineLshOptions, 'bits' | 'bands'> = {},
): { bits: number; bands: number } {
  const bits = opts.bits ?? Math.min(20, Math.max(8, Math.ceil(Math.log2(Math.max(2, n))) - 2));
  const p = 1 - Math.acos(Math.max(-1, Math.min(1, threshold))) / Math.PI;
  const hit = p ** bits;
  const bands =
    opts.bands ?? (hit >= 1 ? 1 : Math.min(64, Math.max(1, Math.ceil(Math.log(0.002) / Math.log(1 - hit)))));
  return { bits, bands };
}
