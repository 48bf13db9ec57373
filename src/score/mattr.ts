/**
 * Moving-average type-token ratio: the mean, over every window of `window` consecutive tokens, of
 * distinct/window. Unlike plain TTR it does not fall just because a text is long. Texts shorter than the
 * window get plain TTR; no tokens → 0.
 */
export function mattr(tokens: readonly string[], window: number): number {
  if (!Number.isInteger(window) || window < 1)
    throw new RangeError(`window must be an integer >= 1, got ${window}`);
  const n = tokens.length;
  if (n === 0) return 0;
  if (n <= window) return new Set(tokens).size / n;
  const counts = new Map<string, number>();
  let distinct = 0;
  for (let i = 0; i < window; i++) {
    const c = counts.get(tokens[i]) ?? 0;
    if (c === 0) distinct++;
    counts.set(tokens[i], c + 1);
  }
  let sum = distinct;
  for (let i = window; i < n; i++) {
    const inTok = tokens[i];
    const outTok = tokens[i - window];
    const cin = counts.get(inTok) ?? 0;
    if (cin === 0) distinct++;
    counts.set(inTok, cin + 1);
    const cout = counts.get(outTok) as number;
    if (cout === 1) distinct--;
    counts.set(outTok, cout - 1);
    sum += distinct;
  }
  return sum / ((n - window + 1) * window);
}
