/** z of a two-sided 95% interval: the 0.975 quantile of the standard normal. */
export const Z95 = 1.959963984540054;

/**
 * The Wilson score interval of a binomial proportion x / n (Wilson 1927): the set of p whose normal
 * test does not reject x at level 1 − confidence. Unlike the Wald interval it stays inside [0, 1] and
 * is not degenerate at x = 0 or x = n. n = 0 gives [0, 1].
 */
export function wilson(x: number, n: number, z = Z95): { low: number; high: number } {
  if (!Number.isInteger(x) || !Number.isInteger(n) || x < 0 || n < 0 || x > n)
    throw new RangeError(`wilson needs integers 0 ≤ x ≤ n, got x = ${x}, n = ${n}`);
  if (n === 0) return { low: 0, high: 1 };
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At x = 0 or x = n one bound is exactly 0 or 1; rounding must not move it.
  return { low: x === 0 ? 0 : Math.max(0, center - half), high: x === n ? 1 : Math.min(1, center + half) };
}
