import { tokenIds } from './token-ids.ts';

/**
 * Moving-average type-token ratio: the mean, over every window of `window` consecutive tokens, of
 * distinct/window. Unlike plain TTR it does not fall just because a text is long. Texts shorter than the
 * window get plain TTR; no tokens → 0. Takes tokens or their dense ids (see tokenIds).
 */
export function mattr(
  tokens: readonly string[] | { ids: Int32Array; distinct: number },
  window: number,
): number {
  if (!Number.isInteger(window) || window < 1)
    throw new RangeError(`window must be an integer >= 1, got ${window}`);
  const { ids, distinct: types } = Array.isArray(tokens)
    ? tokenIds(tokens)
    : (tokens as { ids: Int32Array; distinct: number });
  const n = ids.length;
  if (n === 0) return 0;
  if (n <= window) return types / n;
  const counts = new Int32Array(types);
  let distinct = 0;
  for (let i = 0; i < window; i++) if (counts[ids[i]]++ === 0) distinct++;
  let sum = distinct;
  for (let i = window; i < n; i++) {
    if (counts[ids[i]]++ === 0) distinct++;
    if (--counts[ids[i - window]] === 0) distinct--;
    sum += distinct;
  }
  return sum / ((n - window + 1) * window);
}
