import type { DatasetInfo } from '../schemas/api.ts';
import type { Recipe } from '../schemas/recipe.ts';
import { WinnowError } from '../src/errors.ts';
import { jobSpecKey } from '../src/pipeline/keys.ts';
import { checkShardCount } from '../src/pipeline/shard-limit.ts';
import type { JobSpec } from '../src/pipeline/types.ts';
import { coordinator } from './coordinator.ts';

/** `<prefix><time base 36><10 random hex>`: job ids start with j, sampler run ids with r. */
export function newId(prefix: 'j' | 'r'): string {
  const rand = crypto.getRandomValues(new Uint8Array(5));
  return `${prefix}${Date.now().toString(36)}${[...rand].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Fix a job over the dataset's (or a pair set round's) objects as they are now, store its spec beside
 * it, and start its coordinator. A dataset that would cut into more shards than a job may have is
 * refused here, before anything starts (`too_many_shards`).
 */
export async function startJob(
  env: Env,
  dataset: Pick<DatasetInfo, 'name' | 'objects'>,
  recipe: Recipe,
  { id = newId('j'), previous, round }: { id?: string; previous?: string; round?: number } = {},
): Promise<JobSpec> {
  if (dataset.objects.every((o) => o.size === 0))
    throw new WinnowError('dataset_empty', {
      detail: `dataset "${dataset.name}" has no records: ${dataset.objects.length === 1 ? 'its object holds' : `its ${dataset.objects.length} objects hold`} 0 bytes; upload a file with records first`,
    });
  checkShardCount(
    dataset.objects.map((o) => o.size),
    recipe.shardBytes,
  );
  const spec: JobSpec = {
    id,
    dataset: dataset.name,
    objects: dataset.objects.map(({ key, size, etag }) => ({ key, size, etag })),
    recipe,
    createdAt: new Date().toISOString(),
    ...(previous ? { previous } : {}),
    ...(round === undefined ? {} : { round }),
  };
  await env.DATA_BUCKET.put(jobSpecKey(spec.id), JSON.stringify(spec));
  await coordinator(env, spec.id).start(spec);
  return spec;
}
