import { z } from 'zod';
import { robustScale, squash } from '../features/index.ts';
import type { Scorer } from '../types.ts';
import { bucketCounts, type DsirModel, decodeDsir, encodeDsir, logRatios, logWeight } from './dsir-model.ts';

const TARGET_REQUIRED =
  'dsir needs `target`: the R2 key of a dataset that looks like the data you want (e.g. "refs/target.jsonl")';

export const DsirConfigSchema = z.strictObject({
  /** R2 key of the target dataset: records like the ones to select. */
  target: z
    .string({
      error: (iss) => (iss.input === undefined ? TARGET_REQUIRED : 'target must be an R2 key string'),
    })
    .min(1, TARGET_REQUIRED),
  /** R2 key of the raw distribution; the job's own fit sample when absent. */
  raw: z.string().min(1).optional(),
  /** Which text is hashed: the assistant turns, the user turns, or both. */
  field: z.enum(['answer', 'instruction', 'both']).default('both'),
  /** Hash buckets (the paper uses 10,000). */
  buckets: z
    .number()
    .int()
    .min(1)
    .max(2 ** 24)
    .default(10_000),
  /** Word n-gram orders hashed (the paper: unigrams and bigrams). */
  orders: z.array(z.number().int().min(1).max(5)).min(1).default([1, 2]),
  /** Additive smoothing α of both bucket distributions. */
  smoothing: z.number().positive().default(1),
  /** `sum`: the log importance weight of the record (the paper); `mean`: per n-gram, not favouring length. */
  normalize: z.enum(['sum', 'mean']).default('mean'),
});
export type DsirConfig = z.infer<typeof DsirConfigSchema>;

/**
 * DSIR (Xie et al. 2023) importance weights. `dsir` = Σ_n-grams ln p_target(b) - ln p_raw(b) over
 * the record's hashed n-gram buckets b (÷ the number of n-grams for `normalize: 'mean'`);
 * `dsir_p` = 1 / (1 + exp(-(dsir - median) / scale)) with the median and quartile scale of `dsir`
 * over the raw sample, so a typical raw record scores 0.5 and target-like ones towards 1. A record
 * without words gets `dsir` 0, `dsir_p` 0 and the flag `empty_text`. Resampling (Gumbel top-k on
 * `dsir` as the log weight, `gumbelTopK`) is selection's business.
 */
export const dsirScorer: Scorer<DsirConfig, DsirModel> = {
  id: 'dsir',
  version: 1,
  description:
    'DSIR importance weight: hashed n-gram log-likelihood ratio of a target dataset over the raw data.',
  kind: 'offline',
  config: DsirConfigSchema,
  outputs: ['dsir', 'dsir_p'],
  references: (config) => (config.raw ? [config.target, config.raw] : [config.target]),
  fit({ self, references }, config) {
    const { field, orders, buckets, normalize } = config;
    const target = references[config.target] ?? [];
    const raw = config.raw ? (references[config.raw] ?? []) : self;
    if (target.length === 0) throw new RangeError(`dsir: target ${config.target} has no records`);
    if (raw.length === 0) {
      throw new RangeError(`dsir: the raw sample (${config.raw ?? "the job's own records"}) has no records`);
    }
    const t = bucketCounts(target, field, orders, buckets);
    const r = bucketCounts(raw, field, orders, buckets);
    const model: DsirModel = {
      field,
      orders,
      normalize,
      logRatio: logRatios(t, r, config.smoothing),
      median: 0,
      scale: 1,
    };
    const weights: number[] = [];
    for (const rec of raw) {
      const w = logWeight(model, rec.turns);
      if (w !== null) weights.push(w);
    }
    Object.assign(model, robustScale(weights));
    const sum = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
    return {
      model,
      summary: {
        target: target.length,
        raw: raw.length,
        targetNgrams: sum(t),
        rawNgrams: sum(r),
        buckets,
        medianWeight: model.median,
        scale: model.scale,
      },
    };
  },
  encodeModel: encodeDsir,
  decodeModel: decodeDsir,
  score(batch, _config, { model }) {
    if (!model) throw new TypeError('dsir: no model; the fit stage must run first');
    return batch.map((r) => {
      const w = logWeight(model, r.turns);
      if (w === null) return { scores: { dsir: 0, dsir_p: 0 }, flags: ['empty_text'] };
      return { scores: { dsir: w, dsir_p: squash(w, model) } };
    });
  },
};
