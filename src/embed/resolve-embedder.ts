import { WinnowError } from '../errors.ts';
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
 * `details` are `{ path, message }` with paths under `at` (`embed.id`, `embed.config.dim`).
 */
export function resolveEmbedder(ref: EmbedderRef, at = 'embed'): ResolvedEmbedder {
  let embedder: Embedder;
  try {
    embedder = getEmbedder(ref.id);
  } catch {
    const message = unknownEmbedderMessage(ref.id);
    throw new WinnowError('validation_failed', {
      detail: `${at}.id: ${message}`,
      details: [{ path: `${at}.id`, message }],
    });
  }
  const parsed = embedder.config.safeParse(ref.config ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: `${at}.config${pathText(i.path)}`,
      message: i.message,
    }));
    const detail = issues.map((x) => `${x.path}: ${x.message}`).join('; ');
    throw new WinnowError('validation_failed', { detail, details: issues });
  }
  return { embedder, config: parsed.data, dim: embedder.dim(parsed.data) };
}

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}
