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
  /** `length` bytes from `offset` (fewer at the end of the object). */
  range(key: string, offset: number, length: number): Promise<Uint8Array>;
  put(key: string, data: Uint8Array | string, contentType?: string): Promise<void>;
}

export async function getText(store: BlobStore, key: string): Promise<string | null> {
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
