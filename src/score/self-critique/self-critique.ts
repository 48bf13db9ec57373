import { z } from 'zod';
import { requireProvider } from '../../providers/index.ts';
import { ratingDistribution } from '../judge/expected-rating.ts';
import { explanation, parseRating } from '../judge/parse-rating.ts';
import { perRecord } from '../per-record.ts';
import type { ScoreRow, Scorer } from '../types.ts';
import {
  EMPTY_SOFTMAX,
  LrMappingSchema,
  learningRateMultipliers,
  mergeSoftmax,
  type SoftmaxPartial,
  softmaxPartial,
  softmaxWeight,
} from './lr-multipliers.ts';
import { selfCritiqueMessages } from './prompt.ts';

export const SelfCritiqueConfigSchema = z.strictObject({
  /** The recipe provider serving the model being trained (the policy rates its own data). */
  provider: z.string().min(1),
  /**
   * Rating → learning-rate multiplier. `linear`: clip(a + b·rating, lo, hi), per record. `softmax`:
   * N·exp(r/T) / Σ exp(r/T) over the whole dataset (weights average 1), written at export.
   */
  mapping: LrMappingSchema.default({ kind: 'linear', a: 0.45, b: 0.1, lo: 0.5, hi: 1.5 }),
  /** Top log-probs to ask for at each generated token (0: none): the rating becomes an expectation, with its spread. */
  topLogprobs: z.number().int().min(0).max(20).default(10),
  /**
   * `shrink`: with the linear mapping, a rating the model is unsure of moves its multiplier toward the
   * neutral 1, by the confidence 1 − sd / 2.87 (2.87: the spread of a uniform guess over 1–10); `ignore`.
   */
  uncertainty: z.enum(['shrink', 'ignore']).default('shrink'),
  maxTokens: z.number().int().min(8).max(4096).default(384),
  noteChars: z.number().int().min(0).max(2000).default(200),
});
export type SelfCritiqueConfig = z.infer<typeof SelfCritiqueConfigSchema>;

const MIN = 1;
const MAX = 10;
/** The standard deviation of a uniform rating over the integers MIN…MAX: no confidence at all. */
export const UNIFORM_SD = Math.sqrt(((MAX - MIN + 1) ** 2 - 1) / 12);

/** A linear multiplier moved toward the neutral 1 by the rating's confidence 1 − sd / UNIFORM_SD. */
export function shrinkMultiplier(w: number, sd: number): number {
  const confidence = Math.max(0, 1 - sd / UNIFORM_SD);
  return 1 + confidence * (w - 1);
}

/**
 * `self_critique`: the model being trained rates (1–10) how much it would learn from each training
 * example and critiques it (the critique is the note). `lr_multiplier` = clip(a + b·rating, lo, hi),
 * or with the softmax mapping N·exp(r/T)/Σexp(r/T) over the dataset, written at export.
 * Unparseable answers: `self_critique` NaN with flag `self_critique_unparsed`, `lr_multiplier` 1.
 */
export const selfCritiqueScorer: Scorer<SelfCritiqueConfig> = {
  id: 'self_critique',
  version: 2,
  kind: 'model',
  description:
    'The model being trained rates (1-10) and critiques its own training examples (expected rating from log-probs); a clipped-linear LR multiplier shrunk by its uncertainty.',
  config: SelfCritiqueConfigSchema,
  outputs: ['self_critique', 'self_critique_sd', 'lr_multiplier'],
  async score(batch, config, ctx) {
    const provider = requireProvider(ctx.providers, config.provider, 'self_critique');
    // A record the model could not rate trains at the neutral rate 1.
    const linear = config.mapping.kind === 'linear';
    const rejected = (note: string): ScoreRow => ({
      scores: linear
        ? { self_critique: Number.NaN, self_critique_sd: Number.NaN, lr_multiplier: 1 }
        : { self_critique: Number.NaN, self_critique_sd: Number.NaN },
      note,
    });
    return perRecord(batch, 'self_critique', rejected, async ({ instruction, answer }): Promise<ScoreRow> => {
      const { text, logprobs } = await provider.chat({
        messages: selfCritiqueMessages(instruction, answer),
        maxTokens: config.maxTokens,
        temperature: 0,
        topLogprobs: config.topLogprobs || undefined,
      });
      const parsed = parseRating(text, MIN, MAX);
      if (!parsed) {
        return { ...rejected(explanation(text, null, config.noteChars)), flags: ['self_critique_unparsed'] };
      }
      // With log-probs at the rating token: the expected rating and its spread (SelectIT's token-level
      // score); without, the written rating, its spread unknown (NaN: a `nonfinite` flag).
      const dist = ratingDistribution(logprobs, parsed, MIN, MAX);
      const rating = dist?.mean ?? parsed.value;
      const sd = dist?.sd ?? Number.NaN;
      const note = explanation(text, parsed, config.noteChars);
      if (!linear) return { scores: { self_critique: rating, self_critique_sd: sd }, note };
      let [lr] = learningRateMultipliers(Float64Array.of(rating), config.mapping);
      if (config.uncertainty === 'shrink' && Number.isFinite(sd)) lr = shrinkMultiplier(lr, sd);
      return { scores: { self_critique: rating, self_critique_sd: sd, lr_multiplier: lr }, note };
    });
  },
  // The softmax mapping needs every rating of the dataset: lr_multiplier is written at export.
  dataset: {
    names: (config) => (config.mapping.kind === 'softmax' ? ['lr_multiplier'] : []),
    partial(rows, config): SoftmaxPartial {
      if (config.mapping.kind !== 'softmax') return EMPTY_SOFTMAX;
      return softmaxPartial(
        rows.filter(rated).map((r) => r.scores.self_critique),
        config.mapping.temperature,
      );
    },
    merge: (a, b) => mergeSoftmax(a as SoftmaxPartial, b as SoftmaxPartial),
    apply(row, total, config): Record<string, number> {
      if (config.mapping.kind !== 'softmax') return {};
      const rating = rated(row) ? row.scores.self_critique : Number.NaN;
      return { lr_multiplier: softmaxWeight(rating, config.mapping.temperature, total as SoftmaxPartial) };
    },
  },
};

/** A row whose rating was read (an unparsed or refused one became 0 with a `nonfinite` flag). */
function rated(row: Readonly<ScoreRow>): boolean {
  return typeof row.scores.self_critique === 'number' && !row.flags?.includes('nonfinite:self_critique');
}
