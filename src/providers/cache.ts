import { sha256 } from '../formats/sha256.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { hex } from '../util/hex.ts';
import type { ResponseCache } from './types.ts';

const encoder = new TextEncoder();

/** Hex SHA-256 of (provider kind, model, endpoint, canonical JSON request body). */
export function responseCacheKey(kind: string, model: string, endpoint: string, body: unknown): string {
  return hex(sha256(encoder.encode(`${kind}\n${model}\n${endpoint}\n${canonicalJson(body)}`)));
}

/** The default response cache: in memory, least recently used entries evicted past `maxEntries`. */
export class MemoryResponseCache implements ResponseCache {
  readonly maxEntries: number;
  readonly #entries = new Map<string, string>();

  constructor(maxEntries = 10_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<string | null> {
    const v = this.#entries.get(key);
    if (v === undefined) return null;
    this.#entries.delete(key);
    this.#entries.set(key, v);
    return v;
  }

  async put(key: string, value: string): Promise<void> {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }
}
