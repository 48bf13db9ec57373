import { canonicalJson, MemoryColumns, shortHash } from '../util/index.ts';
import type { Embedder } from './types.ts';

/**
 * Embedding vectors kept across jobs of one dataset, keyed by (record content hash, column) where the
 * column names the embedder, its version and its config. Only model embedders use it: their vectors
 * cost a request and never depend on the rest of the dataset (the hashed embedder's IDF does). In
 * workerd the dataset's ScoreCache objects hold them (workers/score-cache.ts); in one process a Map.
 */
export interface VectorCache {
  get(column: string, hashes: readonly string[]): Promise<Map<string, Float32Array>>;
  put(column: string, cells: readonly (readonly [hash: string, vector: Float32Array])[]): Promise<void>;
}

export function embedColumn(e: Embedder, config: unknown): string {
  return `embed:${e.id}@${e.version}:${shortHash(canonicalJson(config), 16)}`;
}

export class MemoryVectorCache extends MemoryColumns<Float32Array> implements VectorCache {
  constructor() {
    super((v) => Float32Array.from(v));
  }
}

/** A vector as text for a SQLite cell: base64 of its little-endian float32 bytes. */
export function vectorToText(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(s);
}

export function textToVector(text: string): Float32Array {
  const s = atob(text);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
