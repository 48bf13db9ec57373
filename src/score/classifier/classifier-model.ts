import type { Turn } from '../../../schemas/record.ts';
import { decodeTables, encodeTables, type Table, type TextField } from '../features/index.ts';
import { type FeatureOptions, featureDot } from './featurize.ts';
import { sigmoid } from './logistic.ts';
import { decodeNumericModels, type NumericFeatures } from './numeric.ts';

/**
 * The trained classifier with the feature settings it was trained with: weights over the hashed
 * n-gram buckets (TF-IDF when it has `idf`), then one per standardized offline score (`numeric`).
 */
export interface ClassifierModel extends FeatureOptions {
  weights: Float32Array;
  bias: number;
  numeric?: NumericFeatures;
}

/**
 * P(positive) = σ(b + w·x) over the record's features; `z` is the record's standardized offline scores
 * in `numeric.names` order (src/score/classifier/numeric.ts), when the model has them.
 */
export function predict(m: ClassifierModel, turns: readonly Turn[], z?: ArrayLike<number>): number {
  let margin = m.bias + featureDot(turns, m, m.weights);
  if (m.numeric && z)
    for (let c = 0; c < m.numeric.names.length; c++) margin += m.weights[m.buckets + c] * z[c];
  return sigmoid(margin);
}

const KIND = 'winnow.classifier';

export function encodeClassifier(m: ClassifierModel): Uint8Array {
  const { field, buckets, orders, tf, signed, bias, numeric } = m;
  const arrays: Record<string, Table> = { weights: m.weights };
  if (m.idf) arrays.idf = m.idf;
  if (numeric) {
    arrays.mean = numeric.mean;
    arrays.std = numeric.std;
    numeric.bytes.forEach((b, i) => {
      arrays[`model${i}`] = b;
    });
  }
  const meta = {
    field,
    buckets,
    orders,
    tf,
    signed,
    bias,
    ...(numeric ? { scorers: numeric.scorers, names: numeric.names } : {}),
  };
  return encodeTables(KIND, meta, arrays);
}

export function decodeClassifier(bytes: Uint8Array): ClassifierModel {
  const { meta, arrays } = decodeTables(bytes, KIND);
  const model: ClassifierModel = {
    field: meta.field as TextField,
    buckets: meta.buckets as number,
    orders: meta.orders as number[],
    tf: meta.tf as FeatureOptions['tf'],
    signed: meta.signed as boolean,
    weights: arrays.weights as Float32Array,
    bias: meta.bias as number,
  };
  if (arrays.idf) model.idf = arrays.idf as Float32Array;
  if (meta.scorers) {
    const scorers = meta.scorers as string[];
    const modelBytes = scorers.map((_, i) => arrays[`model${i}`] as Uint8Array);
    model.numeric = {
      scorers,
      names: meta.names as string[],
      mean: arrays.mean as Float32Array,
      std: arrays.std as Float32Array,
      bytes: modelBytes,
      models: decodeNumericModels(scorers, modelBytes),
    };
  }
  return model;
}
