import { WinnowError } from '../errors.ts';
/**
 * The object store the stages read and write: R2 in workerd (workers/r2-store.ts), memory in
 * tests and the in-process reference (memory-store.ts).
 */
export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
}

export interface BlobStore {
  head(key: string): Promise<ObjectInfo | null>;
  get(key: string): Promise<Uint8Array | null>;
  /**
   * `length` bytes from `offset` (fewer at the end of the object). With `etag`, only from that version
   * of the object: another version is an `input_changed` error (see `inputChanged`), never its bytes.
   */
  range(key: string, offset: number, length: number, etag?: string): Promise<Uint8Array>;
  /** Store `data` (a string as UTF-8). A store that knows it returns the bytes stored. */
  put(key: string, data: Uint8Array | string, contentType?: string): Promise<number | undefined>;
  /** The object as UTF-8 text, where the store decodes it natively (R2's `text()`); else get + decode. */
  text?(key: string): Promise<string | null>;
}

/**
 * A job read an object that is no longer the version it started on (someone replaced it in the bucket
 * while the job ran). Winnow's own uploads and parts never do this: they go to new keys.
 */
export function inputChanged(key: string, pinned: string, now: string | null): WinnowError {
  return new WinnowError('input_changed', {
    path: key,
    detail:
      `the object changed while the job read it (the job started on version ${pinned}; the bucket now ${now === null ? 'has no such object' : `holds version ${now}`}): ` +
      'a job reads the dataset as it was when the job started, so it stops here rather than mix two versions. ' +
      'Replace data through Winnow (PUT /v1/datasets/{name}, PUT …/parts/{part}), which keeps the old version until the jobs reading it end, then start the job again',
  });
}

export async function getText(store: BlobStore, key: string): Promise<string | null> {
  if (store.text) return store.text(key);
  const bytes = await store.get(key);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

export async function getJson<T>(store: BlobStore, key: string): Promise<T | null> {
  const text = await getText(store, key);
  return text === null ? null : (JSON.parse(text) as T);
}

/** An object the pipeline wrote earlier: its absence is an error naming the key, never an empty file. */
export async function requireBytes(store: BlobStore, key: string): Promise<Uint8Array> {
  const bytes = await store.get(key);
  if (!bytes) throw new Error(`${key} is missing`);
  return bytes;
}

export async function requireText(store: BlobStore, key: string): Promise<string> {
  return new TextDecoder().decode(await requireBytes(store, key));
}
