import type { Freed } from '../schemas/storage.ts';

export interface DeleteOptions {
  /** Which listed keys go (all by default). */
  select?: (key: string) => boolean;
  /** Start after this key (where an earlier, bounded call stopped). */
  startAfter?: string;
  /** List pages (of up to 1,000 keys) one call reads at most: bounds a call's subrequests. */
  pages?: number;
  /** Count what would go, delete nothing. */
  dryRun?: boolean;
}

export interface DeleteStep extends Freed {
  /** Every page was read. */
  done: boolean;
  /** The last key read: where the next call starts when `done` is false. */
  last?: string;
}

/**
 * Delete the objects under `prefix` that `select` picks: list a page of up to 1,000 keys, then delete
 * the picked ones in one call (R2 takes at most 1,000 keys per delete). Deleting what is gone already
 * is harmless, so a call that stopped anywhere can simply be made again.
 */
export async function deletePrefix(
  bucket: R2Bucket,
  prefix: string,
  { select = () => true, startAfter, pages = Number.POSITIVE_INFINITY, dryRun = false }: DeleteOptions = {},
): Promise<DeleteStep> {
  const freed: DeleteStep = { objects: 0, bytes: 0, done: false };
  let cursor: string | undefined;
  for (let page = 0; page < pages; page++) {
    const listed = await bucket.list({
      prefix,
      limit: 1000,
      ...(cursor ? { cursor } : startAfter ? { startAfter } : {}),
    });
    const picked = listed.objects.filter((o) => select(o.key));
    if (picked.length > 0 && !dryRun) await bucket.delete(picked.map((o) => o.key));
    freed.objects += picked.length;
    freed.bytes += picked.reduce((a, o) => a + o.size, 0);
    if (listed.objects.length > 0) freed.last = listed.objects[listed.objects.length - 1].key;
    if (!listed.truncated) return { ...freed, done: true };
    cursor = listed.cursor;
  }
  return freed;
}

/** Add what two steps freed. */
export const plus = (a: Freed, b: Freed): Freed => ({
  objects: a.objects + b.objects,
  bytes: a.bytes + b.bytes,
});
