import { lengthScorer } from './length.ts';
import { lexicalScorer } from './lexical.ts';
import type { Scorer } from './types.ts';

/** The scorers registered when `src/score/index.ts` is imported. Add new ones here. */
export const builtins: readonly Scorer[] = [lengthScorer, lexicalScorer];
