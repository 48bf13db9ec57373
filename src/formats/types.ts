/** Types shared by the readers and the planner (kept apart so that they import no module of each other's). */
import type { RecordError } from '../../schemas/output.ts';
import type { NotUtf8 } from './bytes.ts';

export type Container = 'jsonl' | 'json-array' | 'parquet';

export interface ShardRange {
  /** Which object of the dataset (0-based). */
  part: number;
  container: Container;
  /** Byte range [start, end) of the object this shard owns (parquet: the span of its row groups' column chunks). */
  start: number;
  end: number;
  /** json-array: index of the shard's first element within the object; parquet: its first row's. */
  firstIndex?: number;
  /** json-array: number of elements the shard owns; parquet: number of rows. */
  count?: number;
  /** parquet only: the row groups the shard owns, `first` to `first + count - 1` (never split). */
  groups?: { first: number; count: number };
}

export interface RawItem {
  /** The raw JSON text of one record: a JSONL line without its newline / CR, or one array element. */
  text: string;
  /** Byte offset of the record's first byte in the object. */
  offset: number;
  /** 0-based index among the records the shard owns (blank JSONL lines are not records). */
  local: number;
  /** JSONL only: 1-based line number among all lines the shard owns (blank lines count). */
  localLine?: number;
  /**
   * When the record's bytes are not valid UTF-8: where the first bad byte is, from `offset`, and its
   * value (`text` then has U+FFFD in its place). Such a record is invalid, never read as text.
   */
  notUtf8?: NotUtf8;
}

/** A Parquet row: its columns as a JSON value (an object), already parsed. */
export interface RowItem {
  value: Record<string, unknown>;
  /** 0-based row number in the file: the record's position (its id is made from it, as JSON's from a byte offset). */
  row: number;
  /** 0-based index among the records the shard owns. */
  local: number;
  /** The row group that holds it. */
  rowGroup: number;
}

/**
 * A record that could not be read into a JSON value (a Parquet row group that does not decode, a value
 * with no JSON form): still counted, with why. `raw` is what could be shown of it, possibly empty.
 */
export interface UnreadableItem {
  unreadable: RecordError;
  row: number;
  local: number;
  rowGroup: number;
  raw: string;
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

export interface ReadLimits {
  chunkBytes: number;
  maxRecordBytes: number;
}
