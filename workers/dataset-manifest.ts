import { type DatasetInfo, DatasetInfoSchema } from '../schemas/api.ts';
import {
  type DatasetObject,
  gunzipCopyKey,
  isReservedKey,
  leftOver,
  mergeListing,
  newVersion,
} from '../src/pipeline/dataset-objects.ts';
import { datasetManifestKey, datasetPrefix } from '../src/pipeline/keys.ts';
import type { ObjectInfo } from '../src/pipeline/store.ts';
import { streamToR2 } from './http/upload.ts';

export async function readManifest(bucket: R2Bucket, name: string): Promise<DatasetInfo | null> {
  const o = await bucket.get(datasetManifestKey(name));
  return o ? DatasetInfoSchema.parse(await o.json()) : null;
}

export async function writeManifest(bucket: R2Bucket, info: DatasetInfo): Promise<void> {
  await bucket.put(datasetManifestKey(info.name), JSON.stringify(info), {
    httpMetadata: { contentType: 'application/json' },
  });
}

async function listPrefix(bucket: R2Bucket, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    for (const o of page.objects) out.push({ key: o.key, size: o.size, etag: o.etag });
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

async function isGzip(bucket: R2Bucket, key: string): Promise<boolean> {
  const head = await bucket.get(key, { range: { offset: 0, length: 2 } });
  if (!head) return false;
  const b = new Uint8Array(await head.arrayBuffer());
  return b[0] === 0x1f && b[1] === 0x8b;
}

/**
 * A gzip object is replaced by a decompressed copy beside it (ranges cannot be read from gzip), at a
 * new version's key: a job reading the copy made before keeps reading it.
 */
async function readable(
  bucket: R2Bucket,
  name: string,
  o: ObjectInfo,
  maxBytes: number,
): Promise<DatasetObject> {
  if (!(await isGzip(bucket, o.key))) return o;
  const whole = await bucket.get(o.key);
  const copy = await streamToR2(bucket, gunzipCopyKey(name, o.key, newVersion()), whole!.body, {
    maxBytes,
    what: `the gzip object "${o.key}"`,
    hint: 'delete it or put it decompressed, or raise MAX_UPLOAD_BYTES in [vars]',
  });
  return { key: copy.key, size: copy.size, etag: copy.etag, source: { key: o.key, etag: o.etag } };
}

/**
 * The dataset as it is now in the bucket: its manifest's objects, plus data objects put straight into
 * the bucket under `datasets/{name}/` since, minus those deleted. Writes the manifest back when
 * anything changed. `info` is null when there is no such dataset; `left` lists the dataset's own
 * objects the change took out (decompressed copies made again), for the keeper to delete when no job
 * reads them. `retired`: such objects still waiting, which are not new data.
 */
export async function refreshManifest(
  bucket: R2Bucket,
  name: string,
  now: Date,
  maxBytes: number,
  retired: ReadonlySet<string> = new Set(),
): Promise<{ info: DatasetInfo | null; left: string[] }> {
  const current = await readManifest(bucket, name);
  const listed = (await listPrefix(bucket, datasetPrefix(name))).filter(
    (o) => !isReservedKey(name, o.key) && !retired.has(o.key),
  );
  if (!current && listed.length === 0) return { info: null, left: [] };
  const base: DatasetInfo = current ?? {
    name,
    objects: [],
    bytes: 0,
    origin: 'upload',
    createdAt: now.toISOString(),
  };
  const change = mergeListing(name, base.objects, listed, retired);
  if (change.added.length + change.changed.length + change.removed.length === 0 && current)
    return { info: current, left: [] };
  const fresh = new Map<string, DatasetObject>();
  for (const o of [...change.added, ...change.changed])
    fresh.set(o.key, await readable(bucket, name, o, maxBytes));
  const objects = change.objects.map((o) => fresh.get(o.source?.key ?? o.key) ?? o);
  const info: DatasetInfo = {
    ...base,
    objects,
    bytes: objects.reduce((a, o) => a + o.size, 0),
    updatedAt: now.toISOString(),
  };
  await writeManifest(bucket, info);
  return { info, left: leftOver(name, base.objects, objects) };
}
