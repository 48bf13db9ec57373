import { z } from 'zod';
import type { Scorer } from '../types.ts';
import { type ClassifierModel, decodeClassifier, encodeClassifier, predict } from './classifier-model.ts';
import { crossValidate } from './cross-validate.ts';
import { featurize } from './featurize.ts';
import { labelledExamples, labelOf, subsample } from './labels.ts';
import { trainLogistic } from './logistic.ts';

export const ClassifierConfigSchema = z.strictObject({
  /** R2 key of labelled rows (record fields plus `labelField`); else the job's own rows that carry it. */
  labels: z.string().min(1).optional(),
  /** The label's field in each row. */
  labelField: z.string().min(1).default('label'),
  /** String labels counted as positive (case-insensitive); `true` and `1` always are, anything else is not. */
  positive: z.array(z.string()).min(1).default(['good', 'high', '1', 'true', 'yes', 'positive']),
  /** Which text is featurized: the assistant turns, the user turns, or both. */
  field: z.enum(['answer', 'instruction', 'both']).default('both'),
  /** Hash buckets of the word n-grams. */
  buckets: z
    .number()
    .int()
    .min(2)
    .max(2 ** 24)
    .default(2 ** 18),
  orders: z.array(z.number().int().min(1).max(5)).min(1).default([1, 2]),
  tf: z.enum(['sublinear', 'binary']).default('sublinear'),
  signed: z.boolean().default(false),
  epochs: z.number().int().min(1).max(1000).default(10),
  learningRate: z.number().positive().default(0.2),
  l2: z.number().min(0).default(1e-5),
  /** Labelled examples used at most (a seeded uniform subset beyond it): bounds the fit time. */
  maxExamples: z.number().int().min(4).default(50_000),
  /** Stratified cross-validation folds for the reported AUC (capped by the smaller class). */
  folds: z.number().int().min(2).max(20).default(5),
});
export type ClassifierConfig = z.infer<typeof ClassifierConfigSchema>;

/**
 * fastText-style classifier: L2-normalized hashed word uni+bigram features, logistic regression by
 * AdaGrad SGD (seeded shuffles). `classifier` = P(positive). The fit reports k-fold stratified
 * cross-validated AUC (mean and sample standard deviation over folds), then trains on every example.
 */
export const classifierScorer: Scorer<ClassifierConfig, ClassifierModel> = {
  id: 'classifier',
  version: 1,
  description: 'Hashed n-gram logistic regression trained on labelled rows: P(positive).',
  kind: 'offline',
  config: ClassifierConfigSchema,
  outputs: ['classifier'],
  references: (config) => (config.labels ? [config.labels] : []),
  wantsForFit: (r, config) =>
    config.labels === undefined && labelOf(r.record, config.labelField) !== undefined,
  fit(input, config) {
    const all = labelledExamples(input, config);
    const { records, y } = subsample(all.records, all.y, config.maxExamples, input.seed);
    const xs = records.map((r) => featurize(r.turns, config));
    let positives = 0;
    for (const v of y) positives += v;
    const negatives = y.length - positives;
    const folds = Math.min(config.folds, positives, negatives);
    const opts = { ...config, seed: input.seed };
    const cv = crossValidate(xs, y, folds, opts);
    const { weights, bias } = trainLogistic(xs, y, opts);
    const { field, buckets, orders, tf, signed } = config;
    const model: ClassifierModel = {
      field,
      buckets,
      orders,
      tf,
      signed,
      weights: Float32Array.from(weights),
      bias,
    };
    return {
      model,
      summary: {
        records: records.length,
        positives,
        negatives,
        auc: cv.mean,
        aucStd: cv.std,
        folds,
        labelled: all.records.length,
      },
    };
  },
  encodeModel: encodeClassifier,
  decodeModel: decodeClassifier,
  score(batch, _config, { model }) {
    if (!model) throw new TypeError('classifier: no model; the fit stage must run first');
    return batch.map((r) => ({ scores: { classifier: predict(model, r.turns) } }));
  },
};
