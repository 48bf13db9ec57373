import { datasetPrefix } from './keys.ts';
import type { ObjectInfo } from './store.ts';

/**
 * A dataset object; `source` is the gzip object (key and etag) this is the decompressed copy of;
 * `part` is the name it was put under with `PUT …/parts/:part` (a part put again replaces it in place).
 */
export interface DatasetObject extends ObjectInfo {
  source?: { key: string; etag: string };
  part?: string;
}

/**
 * A new version id: time, then randomness, so versions sort by when they were written. Everything
 * Winnow writes into a dataset (an upload, a part, a decompressed copy) goes to a key with a new
 * version and is never overwritten, so a running job keeps reading the version it started on.
 */
export function newVersion(): string {
  const rand = crypto.getRandomValues(new Uint8Array(5));
  return `${Date.now().toString(36)}${[...rand].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Where one version of an object Winnow wrote into dataset `name` lives: `upload`, `parts/<part>`, … */
export const versionKey = (name: string, version: string, file: string) =>
  `${datasetPrefix(name)}.winnow/v/${version}/${file}`;

/** A key Winnow wrote under `versionKey`: written once, never changed. */
export const isVersionKey = (name: string, key: string) => key.startsWith(`${datasetPrefix(name)}.winnow/v/`);

/**
 * A part put through the API: it replaces the part of the same name where that part is (so earlier
 * records keep their positions), or is added. A new part goes after every object a job has read
 * (the first `read`), and among the parts no job has read yet in name order: parts whose uploads end
 * in another order than their names, with no job between them, are stored in name order. Parts of
 * the old layout (`datasets/{name}/parts/…`, overwritten in place) are matched by key. Returns the
 * objects and the one replaced, if any.
 */
export function withPart(
  name: string,
  objects: readonly DatasetObject[],
  part: string,
  object: ObjectInfo,
  read = objects.length,
): { objects: DatasetObject[]; replaced: DatasetObject | null } {
  const entry: DatasetObject = { key: object.key, size: object.size, etag: object.etag, part };
  const legacy = `${datasetPrefix(name)}parts/${part}`;
  const at = objects.findIndex((o) => o.part === part || (o.part === undefined && o.key === legacy));
  if (at < 0) {
    let i = objects.length;
    for (let j = Math.max(0, read); j < objects.length; j++) {
      const other = objects[j].part;
      if (other !== undefined && other > part) {
        i = j;
        break;
      }
    }
    return { objects: [...objects.slice(0, i), entry, ...objects.slice(i)], replaced: null };
  }
  const next = [...objects];
  next[at] = entry;
  return { objects: next, replaced: objects[at] };
}

/**
 * Objects of the dataset's own prefix that a change took out of it (a replaced upload or part, a
 * decompressed copy made again): they are deleted once no unfinished job reads them. Objects outside
 * the prefix (registered keys) belong to the user and are never deleted.
 */
export function leftOver(
  name: string,
  before: readonly DatasetObject[],
  after: readonly DatasetObject[],
): string[] {
  const kept = new Set(after.map((o) => o.key));
  return before.map((o) => o.key).filter((k) => k.startsWith(datasetPrefix(name)) && !kept.has(k));
}

/** Keys under `datasets/{name}/` that are Winnow's own, not data: the manifest, the pointer, copies. */
export function isReservedKey(name: string, key: string): boolean {
  const rest = key.slice(datasetPrefix(name).length);
  return rest === 'manifest.json' || rest === 'latest.json' || rest.startsWith('.winnow/');
}

/** Where a decompressed copy of a gzip object under the dataset's prefix is kept (a new version each time). */
export const gunzipCopyKey = (name: string, key: string, version: string) =>
  versionKey(name, version, `gunzip/${key.slice(datasetPrefix(name).length)}`);

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
  /** Keys that left the dataset but wait for the jobs reading them: not data to append. */
  retired: ReadonlySet<string> = new Set(),
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
    if (!origin.startsWith(prefix) || isVersionKey(name, origin)) {
      // Registered keys, and versions Winnow wrote (never overwritten): kept as they are.
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
    .filter(
      (o) =>
        o.key.startsWith(prefix) && !isReservedKey(name, o.key) && !known.has(o.key) && !retired.has(o.key),
    )
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { objects: [...objects, ...added], added, changed, removed };
}
