import { planShards, type ShardRange } from '../../../formats/index.ts';
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
  return shards;
}
