import { z } from 'zod';
import { requireProvider } from '../../providers/index.ts';
import { explanation, parseRating } from '../judge/parse-rating.ts';
import { perRecord } from '../per-record.ts';
import type { ScoreRow, Scorer } from '../types.ts';
import { LinearMappingSchema, learningRateMultipliers } from './lr-multipliers.ts';
import { selfCritiqueMessages } from './prompt.ts';

export const SelfCritiqueConfigSchema = z.strictObject({
  /** The recipe provider serving the model being trained (the policy rates its own data). */
  provider: z.string().min(1),
  /** Per-record learning-rate multiplier; the dataset-level softmax is `learningRateMultipliers`. */
  mapping: LinearMappingSchema.default({ kind: 'linear', a: 0.45, b: 0.1, lo: 0.5, hi: 1.5 }),
  maxTokens: z.number().int().min(8).max(4096).default(384),
  noteChars: z.number().int().min(0).max(2000).default(200),
});
export type SelfCritiqueConfig = z.infer<typeof SelfCritiqueConfigSchema>;

const MIN = 1;
const MAX = 10;

/**
 * `self_critique`: the model being trained rates (1–10) how much it would learn from each training
 * example and critiques it (the critique is the note). `lr_multiplier` = clip(a + b·rating, lo, hi).
 * Unparseable answers: `self_critique` NaN with flag `self_critique_unparsed`, `lr_multiplier` 1.
 */
export const selfCritiqueScorer: Scorer<SelfCritiqueConfig> = {
  id: 'self_critique',
  version: 1,
  kind: 'model',
  description:
    'The model being trained rates (1-10) and critiques its own training examples; a clipped-linear LR multiplier.',
  config: SelfCritiqueConfigSchema,
  outputs: ['self_critique', 'lr_multiplier'],
  async score(batch, config, ctx) {
    const provider = requireProvider(ctx.providers, config.provider, 'self_critique');
    // A record the model could not rate trains at the neutral rate 1.
    const rejected = (note: string): ScoreRow => ({
      scores: { self_critique: Number.NaN, lr_multiplier: 1 },
      note,
    });
    return perRecord(batch, 'self_critique', rejected, async ({ instruction, answer }): Promise<ScoreRow> => {
      const { text } = await provider.chat({
        messages: selfCritiqueMessages(instruction, answer),
        maxTokens: config.maxTokens,
        temperature: 0,
      });
      const parsed = parseRating(text, MIN, MAX);
      if (!parsed) {
        return { ...rejected(explanation(text, null, config.noteChars)), flags: ['self_critique_unparsed'] };
      }
      const rating = parsed.value;
      const [lr] = learningRateMultipliers(Float64Array.of(rating), config.mapping);
      return {
        scores: { self_critique: rating, lr_multiplier: lr },
        note: explanation(text, parsed, config.noteChars),
      };
    });
  },
};
