export { type ArrayScanner, type ArrayScanState, createArrayScanner } from './array-scanner.ts';
export { decodeRecord, firstInvalidUtf8 } from './bytes.ts';
export { contentHash, recordId } from './content-hash.ts';
export { depthError } from './depth.ts';
export { detectContainer } from './detect-container.ts';
export { detectFormat, detectPairFormat, isPairFormat, isPlainObject } from './detect-format.ts';
export { formatIssues, formatPath } from './format-issues.ts';
export { type Normalized, normalizeRecord, normalizeValue } from './normalize.ts';
export { PARQUET_CODECS } from './parquet-codecs.ts';
export { readParquetFooter, rowGroupSpans } from './parquet-footer.ts';
export { type Container, type PlanOptions, planShards, type ShardRange } from './plan.ts';
export { bytesSource, type RangeSource } from './range-source.ts';
export {
  isOversize,
  type OversizeItem,
  type RawItem,
  type ReadShardOptions,
  type RowItem,
  readShard,
  type ShardItem,
  type ShardTally,
  type UnreadableItem,
} from './read-shard.ts';
