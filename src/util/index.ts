export { canonicalJson } from './canonical-json.ts';
export { fixedChunks, maybeGunzip, streamChunks } from './fixed-chunks.ts';
export { hex, shortHash } from './hex.ts';
