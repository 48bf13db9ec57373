import { classifierScorer } from './classifier/index.ts';
import { dsirScorer } from './dsir/index.ts';
import { goldenScorer } from './golden/index.ts';
import { heuristicsScorer } from './heuristics/index.ts';
import { identityScorer } from './identity/index.ts';
import { ifdScorer } from './ifd/index.ts';
import { judgeScorer } from './judge/index.ts';
import { lengthScorer } from './length.ts';
import { lexicalScorer } from './lexical.ts';
import { perplexityScorer } from './ngram-lm/index.ts';
import { selfCritiqueScorer } from './self-critique/index.ts';
import type { Scorer } from './types.ts';

/**
 * The scorers registered when `src/score/index.ts` is imported, offline first, then model-backed.
 * Add new ones here.
 */
export const builtins: readonly Scorer[] = [
  lengthScorer,
  lexicalScorer,
  heuristicsScorer,
  identityScorer,
  perplexityScorer,
  dsirScorer,
  classifierScorer,
  judgeScorer,
  selfCritiqueScorer,
  ifdScorer,
  goldenScorer,
] as readonly Scorer[];
