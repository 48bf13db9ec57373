/** Requests a task keeps in flight at once: a Worker keeps at most six connections open. */
export const PARALLEL_READS = 6;

/**
 * fn(0) … fn(n - 1) with at most `limit` calls pending at once; the results in index order. A local
 * stack answers each R2 read in about a millisecond, mostly waiting: six at a time overlap the waits.
 */
export async function inParallel<T>(
  n: number,
  fn: (i: number) => Promise<T>,
  limit = PARALLEL_READS,
): Promise<T[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer >= 1');
  const out = new Array<T>(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return out;
}
