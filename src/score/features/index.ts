export { fieldTexts, type TextField } from './field-text.ts';
export { combineHash, fmix32, hashString } from './hash.ts';
export {
  bucketOf,
  checkBuckets,
  type HashedNgramOptions,
  hashedNgrams,
  type NgramOptions,
  ngramHashes,
  signOf,
} from './hashed-ngrams.ts';
export { type DecodedTables, decodeTables, encodeTables, type Meta, type Table } from './model-bytes.ts';
export { quantile, type RobustScale, robustScale, squash } from './robust-scale.ts';
export { type SparseCountOptions, type SparseVector, sparseCounts } from './sparse-counts.ts';
export { wordHashes } from './word-hashes.ts';
