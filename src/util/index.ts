export { canonicalJson } from './canonical-json.ts';
export { fixedChunks, maybeGunzip, streamChunks } from './fixed-chunks.ts';
export { hashUniform } from './hash-uniform.ts';
export { hex, shortHash } from './hex.ts';
export { MemoryColumns } from './memory-columns.ts';
