import type { Turn } from '../../../schemas/record.ts';
import { decodeTables, encodeTables, type TextField } from '../features/index.ts';
import { type FeatureOptions, featureDot } from './featurize.ts';
import { sigmoid } from './logistic.ts';

/** The trained classifier with the feature settings it was trained with. */
export interface ClassifierModel extends FeatureOptions {
  weights: Float32Array;
  bias: number;
}

/** P(positive) = σ(b + w·x) over the record's features. */
export function predict(m: ClassifierModel, turns: readonly Turn[]): number {
  return sigmoid(m.bias + featureDot(turns, m, m.weights));
}

const KIND = 'winnow.classifier';

export function encodeClassifier(m: ClassifierModel): Uint8Array {
  const { field, buckets, orders, tf, signed, bias } = m;
  return encodeTables(KIND, { field, buckets, orders, tf, signed, bias }, { weights: m.weights });
}

export function decodeClassifier(bytes: Uint8Array): ClassifierModel {
  const { meta, arrays } = decodeTables(bytes, KIND);
  return {
    field: meta.field as TextField,
    buckets: meta.buckets as number,
    orders: meta.orders as number[],
    tf: meta.tf as FeatureOptions['tf'],
    signed: meta.signed as boolean,
    weights: arrays.weights as Float32Array,
    bias: meta.bias as number,
  };
}
