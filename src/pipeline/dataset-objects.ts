import { datasetPrefix } from './keys.ts';
import type { ObjectInfo } from './store.ts';

/** A dataset object; `source` is the gzip object (key and etag) this is the decompressed copy of. */
export interface DatasetObject extends ObjectInfo {
  source?: { key: string; etag: string };
}

/** Keys under `datasets/{name}/` that are Winnow's own, not data: the manifest, the pointer, copies. */
export function isReservedKey(name: string, key: string): boolean {
  const rest = key.slice(datasetPrefix(name).length);
  return rest === 'manifest.json' || rest === 'latest.json' || rest.startsWith('.winnow/');
}

/** Where the decompressed copy of a gzip object under the dataset's prefix is kept. */
export const gunzipCopyKey = (name: string, key: string) =>
  `${datasetPrefix(name)}.winnow/gunzip/${key.slice(datasetPrefix(name).length)}`;

export interface ListingChange {
  /** The dataset's objects after the change, in input order. */
  objects: DatasetObject[];
  /** Listed data objects not in the manifest yet (in key order): appended at the end. */
  added: ObjectInfo[];
  /**
   * Objects whose etag changed (for a copy: its gzip original's), listed as they are now: their
   * records are read anew, and the old ones leave the dataset.
   */
  changed: ObjectInfo[];
  /** Objects under the prefix that are gone from the bucket: dropped. */
  removed: DatasetObject[];
}

/**
 * An append-only dataset is its manifest's objects plus whatever else sits under `datasets/{name}/`.
 * Known objects keep their order (so record ids and input indices of earlier records stay the same);
 * new ones are appended in key order (name parts `0001`, `0002`, … to fix their order). Objects
 * outside the prefix (registered keys) are kept as they are. Pure: `listed` is the bucket's listing
 * of the prefix.
 */
export function mergeListing(
  name: string,
  manifest: readonly DatasetObject[],
  listed: readonly ObjectInfo[],
): ListingChange {
  const prefix = datasetPrefix(name);
  const byKey = new Map(listed.map((o) => [o.key, o]));
  const known = new Set<string>();
  const objects: DatasetObject[] = [];
  const changed: ObjectInfo[] = [];
  const removed: DatasetObject[] = [];
  for (const o of manifest) {
    const origin = o.source?.key ?? o.key;
    known.add(origin);
    known.add(o.key);
    if (!origin.startsWith(prefix)) {
      objects.push(o);
      continue;
    }
    const now = byKey.get(origin);
    if (!now) {
      removed.push(o);
      continue;
    }
    if (o.source !== undefined) {
      // A decompressed copy: the original's etag is what tells a change.
      if (now.etag !== o.source.etag) changed.push(now);
      objects.push(o);
      continue;
    }
    if (now.etag !== o.etag) changed.push(now);
    objects.push({ key: o.key, size: now.size, etag: now.etag });
  }
  const added = listed
    .filter((o) => o.key.startsWith(prefix) && !isReservedKey(name, o.key) && !known.has(o.key))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { objects: [...objects, ...added], added, changed, removed };
}
