import { z } from 'zod';
import type { Scorer } from '../types.ts';
import { type ClassifierModel, decodeClassifier, encodeClassifier, predict } from './classifier-model.ts';
import { crossValidate } from './cross-validate.ts';
import { bucketIdf, featurize } from './featurize.ts';
import { labelledExamples, labelOf, subsample } from './labels.ts';
import { LabelsFromSchema, labelsFromScorer } from './labels-from.ts';
import { trainLogistic } from './logistic.ts';
import { fitNumeric, numericRows, standardized, standardizeFrom } from './numeric.ts';

export const ClassifierConfigSchema = z
  .strictObject({
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
    /**
     * Signed feature hashing: each n-gram adds ±1 to its bucket by a second hash bit, so colliding
     * n-grams cancel in expectation instead of adding up (Weinberger et al., 2009).
     */
    signed: z.boolean().default(true),
    epochs: z.number().int().min(1).max(1000).default(10),
    learningRate: z.number().positive().default(0.2),
    l2: z.number().min(0).default(1e-5),
    /** Labelled examples used at most (a seeded uniform subset beyond it): bounds the fit time. */
    maxExamples: z.number().int().min(4).default(50_000),
    /** Stratified cross-validation folds for the reported AUC (capped by the smaller class). */
    folds: z.number().int().min(2).max(20).default(5),
    /**
     * What the classifier reads besides the text's n-grams: `idf` weighs them by inverse document
     * frequency over the training examples (TF-IDF); `scores` adds these offline scorers' outputs (their
     * default configs; a learning one is fitted on the job's own sample), standardized.
     */
    features: z
      .strictObject({
        idf: z.boolean().default(false),
        scores: z.array(z.string().min(1)).max(16).default(['length', 'lexical', 'heuristics', 'perplexity']),
      })
      .default({ idf: false, scores: ['length', 'lexical', 'heuristics', 'perplexity'] }),
    /**
     * Labels from a model-backed scorer run on a sample of the job's records instead of from rows
     * (distilling a judge): `{scorer: "judge", config: {provider: "…"}, min: 4.5, sample: 2000}`.
     */
    labelsFrom: LabelsFromSchema.optional(),
  })
  .refine((c) => !(c.labels && c.labelsFrom), {
    message: 'labels (a labelled dataset) and labelsFrom (a scorer labels a sample) exclude each other',
    path: ['labelsFrom'],
  });
export type ClassifierConfig = z.infer<typeof ClassifierConfigSchema>;

/**
 * Logistic regression by AdaGrad SGD (seeded shuffles) on L2-normalized TF-IDF of hashed word
 * uni+bigrams (idf over the training examples) plus the standardized outputs of offline scorers
 * (`features.scores`: length, lexical, heuristics and perplexity by default). `classifier` = P(positive). The fit reports k-fold stratified
 * cross-validated AUC (mean and sample standard deviation over folds), then trains on every example.
 */
export const classifierScorer: Scorer<ClassifierConfig, ClassifierModel> = {
  id: 'classifier',
  version: 3,
  description:
    'Logistic regression on TF-IDF of hashed word n-grams and standardized offline scores, trained on labelled rows: P(positive).',
  kind: 'offline',
  config: ClassifierConfigSchema,
  outputs: ['classifier'],
  references: (config) => (config.labels ? [config.labels] : []),
  wantsForFit: (r, config) =>
    config.labels === undefined &&
    config.labelsFrom === undefined &&
    labelOf(r.record, config.labelField) !== undefined,
  async fit(input, config) {
    const distilled = config.labelsFrom ? await labelsFromScorer(input, config.labelsFrom) : undefined;
    const all = distilled ?? labelledExamples(input, config);
    const { records, y } = subsample(all.records, all.y, config.maxExamples, input.seed);
    const idf = config.features.idf
      ? bucketIdf(
          records.map((r) => r.turns),
          config,
        )
      : undefined;
    // The learning feature scorers (perplexity) fit on the job's own sample; with labels from
    // another dataset and no sample of the job's own, on the labelled examples.
    const own = input.self.length > 0 ? input.self : records;
    const numeric =
      config.features.scores.length > 0
        ? await fitNumeric({ ...input, self: own }, config.features.scores)
        : undefined;
    const rows = numeric ? await numericRows(records, numeric) : undefined;
    if (numeric && rows) standardizeFrom(rows, records.length, numeric);
    const d = numeric?.names.length ?? 0;
    const xs = records.map((r, i) => {
      const text = featurize(r.turns, { ...config, idf });
      if (!numeric || !rows) return text;
      const index = new Uint32Array(text.index.length + d);
      const value = new Float64Array(text.value.length + d);
      index.set(text.index);
      value.set(text.value);
      for (let c = 0; c < d; c++) {
        index[text.index.length + c] = config.buckets + c;
        value[text.value.length + c] = standardized(rows, i, c, numeric);
      }
      return { index, value };
    });
    let positives = 0;
    for (const v of y) positives += v;
    const negatives = y.length - positives;
    const folds = Math.min(config.folds, positives, negatives);
    const opts = { ...config, buckets: config.buckets + d, seed: input.seed };
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
      ...(idf ? { idf } : {}),
      ...(numeric ? { numeric } : {}),
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
        features: [config.features.idf ? 'tfidf' : 'tf', ...(numeric?.names ?? [])].join(','),
        ...(distilled?.summary ?? {}),
      },
    };
  },
  encodeModel: encodeClassifier,
  decodeModel: decodeClassifier,
  async score(batch, _config, { model }) {
    if (!model) throw new TypeError('classifier: no model; the fit stage must run first');
    const { numeric } = model;
    if (!numeric) return batch.map((r) => ({ scores: { classifier: predict(model, r.turns) } }));
    const rows = await numericRows(batch, numeric);
    const z = new Float64Array(numeric.names.length);
    return batch.map((r, i) => {
      for (let c = 0; c < z.length; c++) z[c] = standardized(rows, i, c, numeric);
      return { scores: { classifier: predict(model, r.turns, z) } };
    });
  },
};
