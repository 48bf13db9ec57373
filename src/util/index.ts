export { fixedChunks, maybeGunzip, streamChunks } from './fixed-chunks.ts';
