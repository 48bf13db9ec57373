import type { ShardRange } from '../../../formats/index.ts';
import type { ShardInfo } from '../../types.ts';
import type { IngestTally } from './ingest.ts';

/**
 * After every shard has been counted: each shard's first global index (records of all objects in
 * input order), its first index and its first line within its own object.
 */
export function assignOffsets(ranges: readonly ShardRange[], tallies: readonly IngestTally[]): ShardInfo[] {
  const multipart = new Set(ranges.map((r) => r.part)).size > 1;
  let index = 0;
  let line = 0;
  let inPart = 0;
  let part = -1;
  return ranges.map((range, shard) => {
    if (range.part !== part) {
      part = range.part;
      line = 0;
      inPart = 0;
    }
    const info: ShardInfo = {
      shard,
      range,
      indexOffset: index,
      partIndex: inPart,
      lineOffset: line,
      multipart,
    };
    index += tallies[shard].records;
    inPart += tallies[shard].records;
    line += tallies[shard].lines;
    return info;
  });
}
