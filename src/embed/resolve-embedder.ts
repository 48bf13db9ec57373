import { validationError, zodIssues } from '../errors.ts';
import { getEmbedder, unknownEmbedderMessage } from './registry.ts';
import type { Embedder, EmbedderRef } from './types.ts';

export interface ResolvedEmbedder {
  embedder: Embedder;
  /** The parsed config, defaults applied. */
  config: unknown;
  /** `embedder.dim(config)`. */
  dim: number;
}

/**
 * Looks up the embedder and parses its config. Problems become one `validation_failed` error whose
 * `details` are issues with paths under `at` (`embed.id`, `embed.config.dim`).
 */
export function resolveEmbedder(ref: EmbedderRef, at = 'embed'): ResolvedEmbedder {
  let embedder: Embedder;
  try {
    embedder = getEmbedder(ref.id);
  } catch {
    const issue = { code: 'unknown_embedder', path: `${at}.id`, message: unknownEmbedderMessage(ref.id) };
    throw validationError(null, [issue]);
  }
  const parsed = embedder.config.safeParse(ref.config ?? {});
  if (!parsed.success) throw validationError(null, zodIssues(parsed.error, `${at}.config`));
  return { embedder, config: parsed.data, dim: embedder.dim(parsed.data) };
}
