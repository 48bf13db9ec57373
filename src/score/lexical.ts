import { z } from 'zod';
import { assistantWords } from './assistant-text.ts';
import { mattr } from './mattr.ts';
import { ngramRepetition } from './ngram-repetition.ts';
import { tokenIds } from './token-ids.ts';
import type { Scorer } from './types.ts';

export const LexicalConfigSchema = z.strictObject({
  /** MATTR window in words. */
  window: z.number().int().min(2).default(50),
});
export type LexicalConfig = z.infer<typeof LexicalConfigSchema>;

/** Over the assistant turns: `diversity` = MATTR, `repetition` = fraction of repeated word 3-grams. */
export const lexicalScorer: Scorer<LexicalConfig> = {
  id: 'lexical',
  version: 1,
  kind: 'offline',
  description:
    'Lexical diversity (moving-average type-token ratio) and repeated word 3-grams of the assistant turns.',
  config: LexicalConfigSchema,
  outputs: ['diversity', 'repetition'],
  score(batch, { window }) {
    return batch.map((r) => {
      const ids = tokenIds(assistantWords(r.turns));
      return { scores: { diversity: mattr(ids, window), repetition: ngramRepetition(ids, 3) } };
    });
  },
};
