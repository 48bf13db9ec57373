import type { RangeSource } from '../formats/index.ts';
import type { BlobStore, ObjectInfo } from './store.ts';

/** A RangeSource over one version of a stored object (its etag): another version is `input_changed`. */
export function storeSource(store: BlobStore, object: ObjectInfo): RangeSource {
  return {
    size: object.size,
    read: (offset, length) => store.range(object.key, offset, length, object.etag || undefined),
  };
}
