import type { Recipe } from '../../schemas/recipe.ts';
import { outputManifestKey } from './keys.ts';
import { type OutputManifest, outputNamed, outputText } from './outputs.ts';
import { type BlobStore, inputChanged, type ObjectInfo } from './store.ts';
import type { JobSpec } from './types.ts';

const encoder = new TextEncoder();

/** A BlobStore in memory: for tests and the single-process reference run. */
export class MemoryStore implements BlobStore {
  readonly objects = new Map<string, Uint8Array>();
  /** Each put is a new version, as in R2. */
  private readonly etags = new Map<string, string>();
  private puts = 0;

  async head(key: string): Promise<ObjectInfo | null> {
    const v = this.objects.get(key);
    return v ? { key, size: v.byteLength, etag: this.etags.get(key)! } : null;
  }

  async get(key: string): Promise<Uint8Array | null> {
    return this.objects.get(key) ?? null;
  }

  async range(key: string, offset: number, length: number, etag?: string): Promise<Uint8Array> {
    const v = this.objects.get(key);
    if (etag && this.etags.get(key) !== etag) throw inputChanged(key, etag, this.etags.get(key) ?? null);
    if (!v) throw new Error(`no object at ${key}`);
    return v.subarray(offset, Math.min(v.byteLength, offset + length));
  }

  async put(key: string, data: Uint8Array | string): Promise<number | undefined> {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    this.objects.set(key, bytes);
    this.etags.set(key, `m${++this.puts}`);
    return bytes.byteLength;
  }
}

/**
 * A job over objects held in memory (tests, benchmarks, the in-process reference): the store with
 * every object put, and a spec naming them in the given order.
 */
export async function memoryJob(
  objects: Record<string, string | Uint8Array>,
  recipe: Recipe,
  {
    id = 'job',
    dataset = 'd',
    extra = {},
    store = new MemoryStore(),
  }: {
    id?: string;
    dataset?: string;
    /** Objects in the store that are not part of the dataset (reference sets, anchors). */
    extra?: Record<string, string | Uint8Array>;
    /** The store to fill (a new MemoryStore). */
    store?: MemoryStore;
  } = {},
): Promise<{ store: MemoryStore; spec: JobSpec }> {
  for (const [key, data] of Object.entries(extra)) await store.put(key, data);
  const infos: ObjectInfo[] = [];
  for (const [key, data] of Object.entries(objects)) {
    await store.put(key, data);
    infos.push((await store.head(key))!);
  }
  return { store, spec: { id, dataset, objects: infos, recipe, createdAt: new Date().toISOString() } };
}

/** One output file of a finished job, as text: read through its manifest, like the API serves it. */
export async function memoryOutput(store: BlobStore, job: string, name: string): Promise<string> {
  const bytes = await store.get(outputManifestKey(job));
  if (!bytes) throw new Error(`job ${job} has no output manifest: it has not finished`);
  const manifest = JSON.parse(new TextDecoder().decode(bytes)) as OutputManifest;
  return outputText(store, outputNamed(manifest, name));
}
