/**
 * Adjusted Rand index of two labelings of the same items (Hubert & Arabie): 1 for identical
 * partitions (up to renaming), ~0 in expectation for independent ones. Like scikit-learn's
 * `adjusted_rand_score`, returns 1 when both partitions are trivial in the same way (all one
 * cluster, or all singletons, or fewer than 2 items).
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError('labelings must have the same length');
  const pairs = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}\u0000${b[i]}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + 1);
  }
  const choose2 = (m: number) => (m * (m - 1)) / 2;
  let index = 0;
  for (const m of pairs.values()) index += choose2(m);
  let sumA = 0;
  for (const m of rows.values()) sumA += choose2(m);
  let sumB = 0;
  for (const m of cols.values()) sumB += choose2(m);
  const expected = n < 2 ? 0 : (sumA * sumB) / choose2(n);
  const max = (sumA + sumB) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
