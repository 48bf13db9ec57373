import { mulberry32 } from '../../demo/random.ts';
import type { SparseVector } from '../features/index.ts';

export interface LogisticOptions {
  buckets: number;
  epochs: number;
  /** AdaGrad base learning rate. */
  learningRate: number;
  /** L2 penalty λ: each step adds λ·w to the gradient of the weights it touches. */
  l2: number;
  seed: number;
}

export interface LogisticWeights {
  weights: Float64Array;
  bias: number;
}

export const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function margin(x: SparseVector, weights: ArrayLike<number>, bias: number): number {
  let z = bias;
  for (let k = 0; k < x.index.length; k++) z += weights[x.index[k]] * x.value[k];
  return z;
}

/**
 * Logistic regression by AdaGrad SGD on the log loss: each epoch visits the examples in an order
 * shuffled by a mulberry32 stream (Fisher–Yates) seeded by `seed`; for example (x, y) with
 * p = σ(b + w·x), weight j moves by -η g_j / √(Σ g_j²) with g_j = (p - y) x_j + λ w_j (lazy L2: only the
 * touched weights), the bias likewise without the penalty. Deterministic for a seed.
 */
export function trainLogistic(
  xs: readonly SparseVector[],
  y: ArrayLike<number>,
  { buckets, epochs, learningRate, l2, seed }: LogisticOptions,
): LogisticWeights {
  const w = new Float64Array(buckets);
  const g2 = new Float64Array(buckets);
  let bias = 0;
  let g2b = 0;
  const rand = mulberry32(seed);
  const order = Uint32Array.from(xs.keys());
  for (let e = 0; e < epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) {
      const x = xs[i];
      const g = sigmoid(margin(x, w, bias)) - y[i];
      for (let k = 0; k < x.index.length; k++) {
        const j = x.index[k];
        const gj = g * x.value[k] + l2 * w[j];
        g2[j] += gj * gj;
        if (g2[j] > 0) w[j] -= (learningRate * gj) / Math.sqrt(g2[j]);
      }
      g2b += g * g;
      if (g2b > 0) bias -= (learningRate * g) / Math.sqrt(g2b);
    }
  }
  return { weights: w, bias };
}
