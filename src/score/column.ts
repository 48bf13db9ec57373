import { canonicalJson } from '../util/canonical-json.ts';
import { shortHash } from '../util/hex.ts';
import type { ResolvedScorer } from './resolve-scorers.ts';

/**
 * The cell-cache column of a scorer: `<id>@<version>:<hash of its parsed config and fitted model>`.
 * A cell is (record content hash, column); a new version, config or model is a new column, so
 * only that scorer's cells are recomputed.
 */
export function scorerColumn({ scorer, config }: ResolvedScorer, modelHash?: string): string {
  const key = canonicalJson({ config, model: modelHash ?? null });
  return `${scorer.id}@${scorer.version}:${shortHash(key, 16)}`;
}
