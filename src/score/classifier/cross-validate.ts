import { mulberry32 } from '../../demo/random.ts';
import type { SparseVector } from '../features/index.ts';
import { auc } from './auc.ts';
import { type LogisticOptions, margin, trainLogistic } from './logistic.ts';

/**
 * Stratified fold of each example: positives and negatives are each shuffled (Fisher–Yates, mulberry32
 * seeded by `seed`) and dealt round-robin into k folds, so every fold gets ⌊n/k⌋ or ⌈n/k⌉ of each class.
 */
export function stratifiedFolds(y: ArrayLike<number>, k: number, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  const fold = new Uint8Array(y.length);
  for (const cls of [1, 0]) {
    const idx = Array.from({ length: y.length }, (_, i) => i).filter((i) => (y[i] ? 1 : 0) === cls);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx.forEach((i, r) => {
      fold[i] = r % k;
    });
  }
  return fold;
}

/** k-fold cross-validated AUC: per fold, train on the others and rank the held-out examples. */
export function crossValidate(
  xs: readonly SparseVector[],
  y: Uint8Array,
  k: number,
  opts: LogisticOptions,
): { aucs: number[]; mean: number; std: number } {
  const fold = stratifiedFolds(y, k, opts.seed);
  const aucs: number[] = [];
  for (let f = 0; f < k; f++) {
    const train = [...xs.keys()].filter((i) => fold[i] !== f);
    const test = [...xs.keys()].filter((i) => fold[i] === f);
    const m = trainLogistic(
      train.map((i) => xs[i]),
      train.map((i) => y[i]),
      { ...opts, seed: opts.seed + f + 1 },
    );
    aucs.push(
      auc(
        test.map((i) => margin(xs[i], m.weights, m.bias)),
        test.map((i) => y[i]),
      ),
    );
  }
  const mean = aucs.reduce((s, a) => s + a, 0) / k;
  const std = Math.sqrt(aucs.reduce((s, a) => s + (a - mean) ** 2, 0) / (k - 1));
  return { aucs, mean, std };
}
