import { readParquetFooter, rowGroupSpans } from './parquet-footer.ts';
import type { RangeSource } from './range-source.ts';
import type { ShardRange } from './types.ts';

/**
 * Cut a Parquet file into shards of whole row groups, read from its footer alone. Consecutive row
 * groups are packed into one shard while their uncompressed bytes stay within `shardBytes`; a row
 * group is never split, so one larger than `shardBytes` is a shard of its own. Uncompressed, because
 * a task's memory and CPU go with what it decodes: a shard of Parquet then holds about as much text as
 * a JSONL shard of the same `shardBytes` (by compressed size, a ZSTD file's shards would hold four to
 * five times more). A file without rows has no shards, like an empty JSONL file.
 */
export async function planParquet(
  src: RangeSource,
  part: number,
  shardBytes: number,
  file: string,
): Promise<ShardRange[]> {
  const metadata = await readParquetFooter(src, file);
  const shards: (ShardRange & { bytes: number })[] = [];
  let current: (ShardRange & { bytes: number }) | null = null;
  for (const [g, span] of rowGroupSpans(metadata).entries()) {
    if (current === null || current.bytes + span.decoded > shardBytes) {
      current = {
        part,
        container: 'parquet',
        start: span.start,
        end: span.end,
        firstIndex: span.firstRow,
        count: 0,
        groups: { first: g, count: 0 },
        bytes: 0,
      };
      shards.push(current);
    }
    current.end = Math.max(current.end, span.end);
    current.start = Math.min(current.start, span.start);
    current.count = (current.count ?? 0) + span.rows;
    current.bytes += span.decoded;
    if (current.groups) current.groups.count++;
  }
  if (shards.every((s) => s.count === 0)) return [];
  return shards.map(({ bytes: _, ...range }) => range);
}
