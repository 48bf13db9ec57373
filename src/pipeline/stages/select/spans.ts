import { packedOffsets } from '../../../select/dedup/index.ts';
import type { PrepareResult } from './plan.ts';

/** Part lengths the stage state keeps at most (shards × partitions): 64k numbers are ~0.4 MB of JSON. */
export const MAX_SPANS = 65_536;

/** The part lengths prepare reported, when every shard did and there are at most MAX_SPANS of them. */
export function dedupParts(results: readonly PrepareResult[], max = MAX_SPANS): number[][] | undefined {
  let n = 0;
  for (const r of results) {
    if (!r.parts) return undefined;
    n += r.parts.length;
  }
  return n <= max ? results.map((r) => r.parts as number[]) : undefined;
}

/** Each shard's (offset, length) of band partition `partition`, flat, from the part lengths. */
export function spansOf(parts: readonly number[][], partition: number): number[] {
  return parts.flatMap((lengths) => {
    const offsets = packedOffsets(lengths);
    return [offsets[partition], lengths[partition]];
  });
}
