import { tokenIds } from './token-ids.ts';

/**
 * Fraction of the word n-grams that repeat an earlier one: (total - distinct) / total.
 * 0 = no n-gram occurs twice; fewer than n tokens → 0. Takes tokens or their dense ids (see tokenIds).
 */
export function ngramRepetition(
  tokens: readonly string[] | { ids: Int32Array; distinct: number },
  n = 3,
): number {
  const { ids, distinct } = Array.isArray(tokens)
    ? tokenIds(tokens)
    : (tokens as { ids: Int32Array; distinct: number });
  const total = ids.length - n + 1;
  if (total <= 0) return 0;
  // An n-gram of ids in base `distinct` is an exact number while distinct^n stays below 2^53.
  if (distinct ** n < 2 ** 53) {
    const seen = new Set<number>();
    for (let i = 0; i < total; i++) {
      let key = 0;
      for (let j = 0; j < n; j++) key = key * distinct + ids[i + j];
      seen.add(key);
    }
    return (total - seen.size) / total;
  }
  const seen = new Set<string>();
  for (let i = 0; i < total; i++) seen.add(ids.subarray(i, i + n).join(','));
  return (total - seen.size) / total;
}
