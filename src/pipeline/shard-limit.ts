import { WinnowError } from '../errors.ts';
import { formatBytes, MAX_SHARDS_PER_JOB } from '../limits.ts';

/**
 * The most shards a job over these objects can be cut into at `shardBytes`: each object is cut on its
 * own, into ranges of at least `shardBytes` (JSONL exactly so; an array at element starts after it).
 */
export function shardBound(sizes: readonly number[], shardBytes: number): number {
  return sizes.reduce((n, size) => n + Math.max(1, Math.ceil(size / shardBytes)), 0);
}

/**
 * Refuse a job before it starts when its dataset would cut into more than MAX_SHARDS_PER_JOB shards
 * (the plan is one coordinator ledger row, capped at 2 MB by Durable Object storage): the error names
 * the smallest `shardBytes` that fits, when there is one.
 */
export function checkShardCount(
  sizes: readonly number[],
  shardBytes: number,
  max = MAX_SHARDS_PER_JOB,
): void {
  const shards = shardBound(sizes, shardBytes);
  if (shards <= max) return;
  const total = sizes.reduce((a, b) => a + b, 0);
  const fits = sizes.length <= max ? smallestFit(sizes, shardBytes, max) : null;
  const fix =
    fits === null
      ? `the dataset has ${sizes.length} objects, one shard each at least: join some of them`
      : `set recipe.shardBytes to ${fits} (${formatBytes(fits)}) or more`;
  throw new WinnowError('too_many_shards', {
    path: 'recipe.shardBytes',
    detail: `${formatBytes(total)} in ${sizes.length} object${sizes.length === 1 ? '' : 's'} cut into shards of ${formatBytes(shardBytes)} makes up to ${shards} shards, over the limit of ${max} per job: ${fix}`,
    details: { limit: 'MAX_SHARDS_PER_JOB', max, shards, shardBytes },
  });
}

/** The least shardBytes, in whole KiB up to the recipe's 64 MiB, whose bound fits; or null. */
function smallestFit(sizes: readonly number[], from: number, max: number): number | null {
  const fits = (kib: number) => shardBound(sizes, kib * 1024) <= max;
  let lo = Math.floor(from / 1024); // does not fit
  let hi = 64 * 1024; // 64 MiB
  if (!fits(hi)) return null;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  return hi * 1024;
}
