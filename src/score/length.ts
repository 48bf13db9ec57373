import { z } from 'zod';
import { assistantWords } from './assistant-text.ts';
import type { Scorer } from './types.ts';

export const LengthConfigSchema = z.strictObject({
  /** Words at which the score reaches 1 - 1/e ≈ 0.63; 2.5× this gives ≈ 0.92. */
  saturateWords: z.number().positive().default(60),
});
export type LengthConfig = z.infer<typeof LengthConfigSchema>;

/** `length` = 1 - exp(-words / saturateWords) over the assistant turns: 0 words → 0, saturating to 1. */
export const lengthScorer: Scorer<LengthConfig> = {
  id: 'length',
  version: 1,
  kind: 'offline',
  description: 'Saturating word count of the assistant turns: 1 - exp(-words / saturateWords).',
  config: LengthConfigSchema,
  outputs: ['length'],
  score(batch, { saturateWords }) {
    return batch.map((r) => {
      const n = assistantWords(r.turns).length;
      const length = 1 - Math.exp(-n / saturateWords);
      return n === 0 ? { scores: { length }, flags: ['empty_response'] } : { scores: { length } };
    });
  },
};
