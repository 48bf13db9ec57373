export { canonicalJson } from './canonical-json.ts';
export { capBytes, fixedChunks, maybeGunzip, streamChunks } from './fixed-chunks.ts';
export { DEFLATE_MAX_RATIO, type GunzipOptions, GzipError, gunzip } from './gunzip.ts';
export { hashUniform } from './hash-uniform.ts';
export { hex, shortHash } from './hex.ts';
export { MemoryColumns } from './memory-columns.ts';
