import type { DatasetInfo } from '../schemas/api.ts';
import type { Recipe } from '../schemas/recipe.ts';
import { WinnowError } from '../src/errors.ts';
import { recipeReferences } from '../src/pipeline/internal-keys.ts';
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
  await pinReferences(env, recipe, id, dataset.name);
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

/**
 * The datasets the recipe references (`dataset:<name>`) are pinned for the job by their keepers, as
 * its own dataset is: they cannot be deleted, nor their objects swept, while it runs. A reference to a
 * dataset that does not exist is refused here, before the job starts.
 */
async function pinReferences(env: Env, recipe: Recipe, job: string, own: string): Promise<void> {
  for (const { path, ref } of recipeReferences(recipe)) {
    if (!ref.startsWith('dataset:')) continue;
    const name = ref.slice('dataset:'.length);
    if (name === own) continue;
    const keeper = env.DATASET_KEEPER.get(env.DATASET_KEEPER.idFromName(name));
    if (!(await keeper.snapshot(name, job)))
      throw new WinnowError('validation_failed', {
        path: `recipe.${path}`,
        detail: `there is no dataset "${name}"; upload it first (PUT /v1/datasets/${name})`,
      });
  }
}
