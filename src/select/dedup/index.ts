export {
  type DedupColumns,
  type DedupItem,
  decodeEntries,
  dedupColumns,
  type Entries,
  partitionColumns,
  partitionEntries,
} from './entries.ts';
export {
  estimateJaccard,
  MINHASH_DEFAULTS,
  type MinHashParams,
  minhashCodes,
  minhashInto,
  minhashSignature,
  type Signature,
} from './minhash.ts';
export {
  dedupText,
  exactNormal,
  fmix32,
  hash64,
  hash64Codes,
  type NormalCodes,
  nearNormal,
  normalCodes,
} from './normalize.ts';
export { packedIndexLength, packedOffsets, packedSpan, packPartitions } from './packed.ts';
export {
  DEDUP_THRESHOLD,
  decodeEdges,
  type Edges,
  encodeEdges,
  type ReduceOptions,
  reducePartition,
} from './reduce.ts';
export {
  DUP_REASONS,
  type DupReason,
  decodeLosers,
  encodeLosers,
  type Losers,
  losersInRange,
  resolveDuplicates,
} from './resolve.ts';
