import type { DatasetDeleted, Freed } from '../schemas/storage.ts';
import {
  datasetCachePrefix,
  datasetManifestKey,
  datasetPrefix,
  scheduleMarkerKey,
} from '../src/pipeline/keys.ts';
import { deletePrefix, plus } from './r2-delete.ts';
import { CACHE_PARTITIONS, cachePartition } from './score-cache.ts';

/**
 * Everything Winnow keeps for dataset `name` outside its keeper: its fitted models (cache/{name}/),
 * its schedule marker, its score cells and vectors (the ScoreCache objects), then every object under
 * datasets/{name}/, the manifest last, so that a delete cut short is found and finished by the next.
 * Registered keys outside the prefix are the user's and are not touched. Run by the keeper, in turn
 * with every other change to the dataset.
 */
export async function deleteDatasetObjects(env: Env, name: string): Promise<DatasetDeleted> {
  const bucket = env.DATA_BUCKET;
  let freed: Freed = await deletePrefix(bucket, datasetCachePrefix(name));
  // By key, not by prefix: schedules/{name} is also the start of schedules/{name}2.
  const marker = await bucket.head(scheduleMarkerKey(name));
  if (marker) {
    await bucket.delete(marker.key);
    freed = plus(freed, { objects: 1, bytes: marker.size });
  }
  let cacheBytes = 0;
  for (let p = 0; p < CACHE_PARTITIONS; p++) cacheBytes += await cachePartition(env, name, p).destroy();
  const manifest = datasetManifestKey(name);
  freed = plus(freed, await deletePrefix(bucket, datasetPrefix(name), { select: (k) => k !== manifest }));
  freed = plus(freed, await deletePrefix(bucket, manifest, { select: (k) => k === manifest }));
  return { dataset: name, freed, cacheBytes };
}
