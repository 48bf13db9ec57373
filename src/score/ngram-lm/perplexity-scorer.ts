import { z } from 'zod';
import { fieldTexts, robustScale, type TextField, wordHashes } from '../features/index.ts';
import type { ScoreInput, Scorer } from '../types.ts';
import { decodeLm, encodeLm, foldOf, type LmModel, type LmPart, logPerplexity } from './lm-model.ts';
import { trainLm } from './train-lm.ts';

export const PerplexityConfigSchema = z.strictObject({
  /** R2 key of a reference dataset to train on (e.g. known-good text); the job's own sample if absent. */
  reference: z.string().min(1).optional(),
  /** Which text is modelled and scored: the assistant turns, the user turns, or both (two sequences). */
  field: z.enum(['answer', 'instruction', 'both']).default('answer'),
  /** n-gram order. */
  order: z.number().int().min(1).max(6).default(3),
  /** Training words seen fewer times are mapped to <unk>. */
  minCount: z.number().int().min(1).default(1),
  /** Storage of log-probabilities and backoffs: float32 nearly halves the tables. */
  precision: z.enum(['float32', 'float64']).default('float32'),
  /**
   * Training words at most, over all parts (input order). Default: what keeps the model near 24 MB,
   * from measured sizes of ~(16·order - 27) bytes per word (at least 8), ×1.7 for float64.
   */
  maxTokens: z.number().int().positive().optional(),
  /** Trained on the job itself: two models on the two halves, each scoring the other half (see `LmModel`). */
  crossFit: z.boolean().default(true),
});
export type PerplexityConfig = z.infer<typeof PerplexityConfigSchema>;

/**
 * `perplexity` = exp(-Σ ln p / (words + 1)) of the answer under an interpolated modified Kneser–Ney
 * word n-gram model (including </s>); `lm_quality` = 1 / (1 + exp((ln ppl - median) / scale)), with
 * the median and quartile scale of ln ppl over the job's own fit sample as the model scores it
 * (the training sample when the job's is empty), so a typical record scores ≈ 0.5, the lower quartile
 * of perplexity 0.75, gibberish ≈ 0. An empty text gets the calibration's highest perplexity, 0 and
 * the flag `empty_text`.
 */
export const perplexityScorer: Scorer<PerplexityConfig, LmModel> = {
  id: 'perplexity',
  version: 1,
  description:
    'Word n-gram perplexity (interpolated modified Kneser–Ney) of the answer, trained on a reference or the job itself.',
  kind: 'offline',
  config: PerplexityConfigSchema,
  outputs: ['perplexity', 'lm_quality'],
  references: (config) => (config.reference ? [config.reference] : []),
  fit({ self, references }, config) {
    const train = config.reference ? (references[config.reference] ?? []) : self;
    const from = config.reference ? `reference ${config.reference}` : "the job's own records";
    const folds = [
      train.filter((r) => foldOf(r.hash, 2) === 0),
      train.filter((r) => foldOf(r.hash, 2) === 1),
    ];
    const cross = !config.reference && config.crossFit && folds.every((f) => hasWords(f, config.field));
    if (!hasWords(train, config.field)) {
      throw new RangeError(`perplexity: no words to train on in ${from} (${train.length} records)`);
    }
    const parts: LmPart[] = [];
    const summary: Record<string, number | string> = { records: train.length, crossFit: cross ? 1 : 0 };
    const sizes = cross ? [0, 1] : [-1];
    for (const k of sizes) {
      // Part k trains on the other fold and is calibrated on its own fold (the job's records).
      const own = k < 0 ? self : self.filter((r) => foldOf(r.hash, 2) === k);
      const lm = trainLm(sequences(k < 0 ? train : folds[1 - k], config.field), {
        ...config,
        maxTokens: Math.ceil((config.maxTokens ?? defaultMaxTokens(config)) / sizes.length),
      });
      const part: LmPart = { vocab: lm.vocab, tables: lm.tables, median: 0, scale: 1, maxPerplexity: 1 };
      const lppl = logPerplexities(part, config.field, own.length > 0 ? own : train);
      const max = lppl.reduce((a, b) => Math.max(a, b), 0);
      parts.push(Object.assign(part, robustScale(lppl), { maxPerplexity: Math.exp(max) }));
      for (const [key, v] of Object.entries(lm.stats)) summary[key] = ((summary[key] as number) ?? 0) + v;
      summary[`discounts${k < 0 ? '' : k}`] = lm.discounts
        .map((d) => d.map((x) => x.toFixed(3)).join('/'))
        .join(' ');
    }
    const model: LmModel = { field: config.field, parts };
    summary.medianPerplexity = Math.exp(parts.reduce((s, p) => s + p.median, 0) / parts.length);
    summary.bytes = encodeLm(model).length;
    return { model, summary };
  },
  encodeModel: encodeLm,
  decodeModel: decodeLm,
  score(batch, _config, { model }) {
    if (!model) throw new TypeError('perplexity: no model; the fit stage must run first');
    return batch.map((r) => {
      const part = model.parts[foldOf(r.hash, model.parts.length)];
      const lppl = logPerplexity(part, model.field, r.turns);
      if (lppl === null) {
        return { scores: { perplexity: part.maxPerplexity, lm_quality: 0 }, flags: ['empty_text'] };
      }
      const lm_quality = 1 / (1 + Math.exp((lppl - part.median) / part.scale));
      return { scores: { perplexity: Math.exp(lppl), lm_quality } };
    });
  },
};

export function defaultMaxTokens({
  order,
  precision,
}: Pick<PerplexityConfig, 'order' | 'precision'>): number {
  const perWord = Math.max(8, 16 * order - 27) * (precision === 'float64' ? 1.7 : 1);
  return Math.floor(24e6 / perWord);
}

function sequences(records: readonly ScoreInput[], field: TextField): Uint32Array[] {
  return records.flatMap((r) => fieldTexts(r.turns, field).map((t) => wordHashes(t)));
}

function hasWords(records: readonly ScoreInput[], field: TextField): boolean {
  return records.some((r) => fieldTexts(r.turns, field).some((t) => wordHashes(t).length > 0));
}

function logPerplexities(part: LmPart, field: TextField, records: readonly ScoreInput[]): number[] {
  const out: number[] = [];
  for (const r of records) {
    const l = logPerplexity(part, field, r.turns);
    if (l !== null) out.push(l);
  }
  return out;
}
