import { type BlobStore, inputChanged, type ObjectInfo } from '../src/pipeline/store.ts';

/** One store per bucket binding in an isolate: what a store keeps between tasks (select's ids files) is shared by them. */
const stores = new WeakMap<R2Bucket, BlobStore>();

/** The pipeline's BlobStore on an R2 bucket. */
export function r2Store(bucket: R2Bucket): BlobStore {
  let store = stores.get(bucket);
  if (!store) stores.set(bucket, (store = bucketStore(bucket)));
  return store;
}

function bucketStore(bucket: R2Bucket): BlobStore {
  return {
    async head(key): Promise<ObjectInfo | null> {
      const o = await bucket.head(key);
      return o ? { key, size: o.size, etag: o.etag } : null;
    },
    async get(key) {
      const o = await bucket.get(key);
      return o ? new Uint8Array(await o.arrayBuffer()) : null;
    },
    async text(key) {
      const o = await bucket.get(key);
      return o ? o.text() : null;
    },
    async range(key, offset, length, etag) {
      if (length <= 0) return new Uint8Array(0);
      // With onlyIf, a failed precondition returns the object's metadata without a body.
      const o: R2ObjectBody | R2Object | null = await bucket.get(key, {
        range: { offset, length },
        ...(etag ? { onlyIf: { etagMatches: etag } } : {}),
      });
      if (!o) {
        if (etag) throw inputChanged(key, etag, null);
        throw new Error(`no object at ${key}`);
      }
      if (!('body' in o)) throw inputChanged(key, etag!, o.etag);
      return new Uint8Array(await o.arrayBuffer());
    },
    async put(key, data, contentType) {
      const o = await bucket.put(key, data, contentType ? { httpMetadata: { contentType } } : undefined);
      return o?.size;
    },
  };
}
