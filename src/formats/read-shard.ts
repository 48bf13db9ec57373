import { DEFAULT_CHUNK_BYTES, DEFAULT_MAX_RECORD_BYTES, positiveInt } from './bytes.ts';
import type { ShardRange } from './plan.ts';
import type { RangeSource } from './range-source.ts';
import { readArray } from './read-array.ts';
import { readJsonl } from './read-jsonl.ts';

export interface RawItem {
  /** The raw JSON text of one record: a JSONL line without its newline / CR, or one array element. */
  text: string;
  /** Byte offset of the record's first byte in the object. */
  offset: number;
  /** 0-based index among the records the shard owns (blank JSONL lines are not records). */
  local: number;
  /** JSONL only: 1-based line number among all lines the shard owns (blank lines count). */
  localLine?: number;
}

/** A record longer than `maxRecordBytes`: skipped without buffering it, but still counted. */
export interface OversizeItem {
  oversize: true;
  offset: number;
  local: number;
  localLine?: number;
  /** Length of the record in bytes. */
  bytes: number;
  /** Its first 200 characters. */
  head: string;
}

/** What a shard owned: records, and for JSONL the lines (blank ones included); 0 lines for arrays. */
export interface ShardTally {
  records: number;
  lines: number;
}

export interface ReadShardOptions {
  /** Read size, default 1 MiB. */
  chunkBytes?: number;
  /** Longer records come back as OversizeItem; default 8 MiB. */
  maxRecordBytes?: number;
}

export interface ReadLimits {
  chunkBytes: number;
  maxRecordBytes: number;
}

/**
 * Stream the records one shard owns, in order. Summing the tallies of every shard of an object gives
 * exactly its record and line counts, so `local` / `localLine` turn into global positions.
 */
export async function* readShard(
  src: RangeSource,
  range: ShardRange,
  opts: ReadShardOptions = {},
): AsyncGenerator<RawItem | OversizeItem, ShardTally> {
  const limits: ReadLimits = {
    chunkBytes: positiveInt(opts.chunkBytes, DEFAULT_CHUNK_BYTES, 'chunkBytes'),
    maxRecordBytes: positiveInt(opts.maxRecordBytes, DEFAULT_MAX_RECORD_BYTES, 'maxRecordBytes'),
  };
  if (range.container === 'jsonl') return yield* readJsonl(src, range, limits);
  return yield* readArray(src, range, limits);
}

export function isOversize(item: RawItem | OversizeItem): item is OversizeItem {
  return 'oversize' in item;
}
