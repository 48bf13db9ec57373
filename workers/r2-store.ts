import type { BlobStore, ObjectInfo } from '../src/pipeline/store.ts';

/** The pipeline's BlobStore on an R2 bucket. */
export function r2Store(bucket: R2Bucket): BlobStore {
  return {
    async head(key): Promise<ObjectInfo | null> {
      const o = await bucket.head(key);
      return o ? { key, size: o.size, etag: o.etag } : null;
    },
    async get(key) {
      const o = await bucket.get(key);
      return o ? new Uint8Array(await o.arrayBuffer()) : null;
    },
    async range(key, offset, length) {
      if (length <= 0) return new Uint8Array(0);
      const o = await bucket.get(key, { range: { offset, length } });
      if (!o) throw new Error(`no object at ${key}`);
      return new Uint8Array(await o.arrayBuffer());
    },
    async put(key, data, contentType) {
      await bucket.put(key, data, contentType ? { httpMetadata: { contentType } } : undefined);
    },
  };
}
