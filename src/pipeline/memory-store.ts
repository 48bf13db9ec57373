import type { BlobStore, ObjectInfo } from './store.ts';

const encoder = new TextEncoder();

/** A BlobStore in memory: for tests and the single-process reference run. */
export class MemoryStore implements BlobStore {
  readonly objects = new Map<string, Uint8Array>();

  async head(key: string): Promise<ObjectInfo | null> {
    const v = this.objects.get(key);
    return v ? { key, size: v.byteLength, etag: String(v.byteLength) } : null;
  }

  async get(key: string): Promise<Uint8Array | null> {
    return this.objects.get(key) ?? null;
  }

  async range(key: string, offset: number, length: number): Promise<Uint8Array> {
    const v = this.objects.get(key);
    if (!v) throw new Error(`no object at ${key}`);
    return v.subarray(offset, Math.min(v.byteLength, offset + length));
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    this.objects.set(key, typeof data === 'string' ? encoder.encode(data) : data);
  }
}
