import { hashedEmbedder } from './hashed.ts';
import { openAiEmbedder, workersAiEmbedder } from './model-embedder.ts';
import { tfidfEmbedder } from './tfidf.ts';
import type { Embedder } from './types.ts';

/** The embedders registered when `src/embed/index.ts` is imported, offline first. Add new ones here. */
export const builtinEmbedders: readonly Embedder[] = [
  tfidfEmbedder,
  hashedEmbedder,
  workersAiEmbedder,
  openAiEmbedder,
] as readonly Embedder[];
