import { WinnowError } from '../../../errors.ts';
import { planShards, type ShardRange } from '../../../formats/index.ts';
import { formatBytes, MAX_SHARDS_PER_JOB } from '../../../limits.ts';
import { storeSource } from '../../range-source.ts';
import type { BlobStore } from '../../store.ts';
import type { JobSpec } from '../../types.ts';

/** Cut every object of the dataset into shard byte ranges that end on record boundaries (Parquet: whole row groups). */
export async function plan(store: BlobStore, spec: JobSpec): Promise<ShardRange[]> {
  const shards: ShardRange[] = [];
  for (const [part, object] of spec.objects.entries()) {
    const ranges = await planShards(storeSource(store, object), {
      part,
      shardBytes: spec.recipe.shardBytes,
      name: object.key,
    });
    shards.push(...ranges);
  }
  // Job creation bounds the shards by the objects' sizes (shard-limit.ts); Parquet is packed by its
  // uncompressed size, which only its footer tells, so its shards are counted here.
  if (shards.length > MAX_SHARDS_PER_JOB) {
    throw new WinnowError('too_many_shards', {
      path: 'recipe.shardBytes',
      detail: `the dataset cuts into ${shards.length} shards of up to ${formatBytes(spec.recipe.shardBytes)} (Parquet row groups count by their uncompressed size), over the limit of ${MAX_SHARDS_PER_JOB} per job: raise recipe.shardBytes`,
      details: { limit: 'MAX_SHARDS_PER_JOB', max: MAX_SHARDS_PER_JOB, shards: shards.length },
    });
  }
  return shards;
}
