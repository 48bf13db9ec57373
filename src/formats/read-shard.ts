import { DEFAULT_CHUNK_BYTES, DEFAULT_MAX_RECORD_BYTES, positiveInt } from './bytes.ts';
import { readParquet } from './parquet-read.ts';
import type { RangeSource } from './range-source.ts';
import { readArray } from './read-array.ts';
import { readJsonl } from './read-jsonl.ts';
import type {
  OversizeItem,
  RawItem,
  ReadLimits,
  RowItem,
  ShardRange,
  ShardTally,
  UnreadableItem,
} from './types.ts';

export type { OversizeItem, RawItem, RowItem, ShardTally, UnreadableItem } from './types.ts';

/** What a shard yields: JSON text (JSONL, arrays), a Parquet row already parsed, or a record that cannot be read. */
export type ShardItem = RawItem | OversizeItem | RowItem | UnreadableItem;

export interface ReadShardOptions {
  /** Read size, default 1 MiB. */
  chunkBytes?: number;
  /** Longer records come back as OversizeItem; default 8 MiB. */
  maxRecordBytes?: number;
  /** The object's name in errors (its key); default `part <part>`. */
  name?: string;
}

/**
 * Stream the records one shard owns, in order. Summing the tallies of every shard of an object gives
 * exactly its record and line counts, so `local` / `localLine` turn into global positions.
 */
export async function* readShard(
  src: RangeSource,
  range: ShardRange,
  opts: ReadShardOptions = {},
): AsyncGenerator<ShardItem, ShardTally> {
  const limits: ReadLimits = {
    chunkBytes: positiveInt(opts.chunkBytes, DEFAULT_CHUNK_BYTES, 'chunkBytes'),
    maxRecordBytes: positiveInt(opts.maxRecordBytes, DEFAULT_MAX_RECORD_BYTES, 'maxRecordBytes'),
  };
  if (range.container === 'jsonl') return yield* readJsonl(src, range, limits);
  if (range.container === 'parquet') return yield* readParquet(src, range, opts.name ?? `part ${range.part}`);
  return yield* readArray(src, range, limits);
}

export function isOversize(item: ShardItem): item is OversizeItem {
  return 'oversize' in item;
}
