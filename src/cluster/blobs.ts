import { mulberry32 } from '../demo/random.ts';
import type { Matrix } from './types.ts';

export interface BlobOptions {
  n: number;
  dim: number;
  /** Number of blobs. */
  k: number;
  seed?: number;
  /** Standard deviation of the blob centers around the origin (per coordinate). */
  spread?: number;
  /** Each blob's per-coordinate standard deviations are drawn uniformly from this range. */
  sigma?: [number, number];
  /** Fraction of rows drawn from a broad background N(0, (2·spread)²) instead (label −1). */
  noise?: number;
  /** Added to every coordinate (an uncentered data set). */
  offset?: number;
}

/** Seeded synthetic data: k axis-aligned Gaussian blobs, sizes ~ uniform, plus optional noise rows. */
export function gaussianBlobs(options: BlobOptions): {
  x: Matrix;
  labels: Int32Array;
  centers: Float64Array;
} {
  const { n, dim, k, seed = 0, spread = 1, sigma = [0.2, 0.5], noise = 0, offset = 0 } = options;
  const rng = mulberry32(seed);
  let spare: number | null = null;
  const normal = () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const u = 1 - rng();
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * rng();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
  const centers = new Float64Array(k * dim);
  const sigmas = new Float64Array(k * dim);
  for (let i = 0; i < k * dim; i++) {
    centers[i] = spread * normal();
    sigmas[i] = sigma[0] + (sigma[1] - sigma[0]) * rng();
  }
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const background = rng() < noise;
    const c = background ? -1 : Math.floor(rng() * k);
    labels[i] = c;
    for (let j = 0; j < dim; j++) {
      const v = background ? 2 * spread * normal() : centers[c * dim + j] + sigmas[c * dim + j] * normal();
      data[i * dim + j] = v + offset;
    }
  }
  return { x: { data, n, dim }, labels, centers };
}
