import { createRoute } from '@hono/zod-openapi';
import { RecipeSchema } from '../../schemas/recipe.ts';
import type { SafetyIdentity } from '../../schemas/safety.ts';
import {
  SafetyBenchRequestSchema,
  SafetyGenerateRequestSchema,
  SafetyJobCreatedSchema,
} from '../../schemas/safety-api.ts';
import { WinnowError } from '../../src/errors.ts';
import { validateRecipe } from '../../src/pipeline/validate-recipe.ts';
import { identitySlug } from '../../src/safety/identity.ts';
import { benchRecipe, byteLength, generationJob, heldOutSet } from '../../src/safety/jobs.ts';
import { inputKey, type LedgerEntry, ledgerPrefix } from '../../src/safety/keys.ts';
import { keeper } from '../dataset-keeper.ts';
import { newId, startJob } from '../start-job.ts';
import { parseWith } from './errors.ts';
import { json, jsonRequest, openapi, routes } from './openapi.ts';
import { checkProviders } from './provider-policy.ts';

export const safety = routes();

/** The dataset name such a job runs under: one per identity (its jobs share nothing else). */
const datasetOf = (slug: string) => `safety.${slug}`;

function parsedRecipe(env: Env, input: unknown) {
  const recipe = parseWith(RecipeSchema, input, 'recipe', 'recipe');
  validateRecipe(recipe, 'recipe');
  checkProviders(env, recipe, 'providers');
  return recipe;
}

/** A job over JSONL Winnow wrote itself: stored under `safety/`, then started like a pair set's round. */
async function startOver(
  env: Env,
  id: string,
  key: string,
  text: string,
  dataset: string,
  recipe: ReturnType<typeof parsedRecipe>,
) {
  const object = await env.DATA_BUCKET.put(key, text, {
    httpMetadata: { contentType: 'application/x-ndjson' },
  });
  await startJob(env, { name: dataset, objects: [{ key, size: object.size, etag: object.etag }] }, recipe, {
    id,
  });
}

/** Every prompt hash generated for the identity so far (its ledger). */
async function ledgerHashes(env: Env, identity: SafetyIdentity): Promise<Set<string>> {
  const out = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await env.DATA_BUCKET.list({ prefix: ledgerPrefix(identitySlug(identity)), cursor });
    for (const o of page.objects) {
      const entry = (await (await env.DATA_BUCKET.get(o.key))?.json()) as LedgerEntry | undefined;
      for (const h of entry?.hashes ?? []) out.add(h);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

const generate = createRoute({
  method: 'post',
  path: '/generate',
  summary: 'Start a job generating identity-attack defence data for an assistant (docs/safety.md)',
  request: { body: jsonRequest(SafetyGenerateRequestSchema) },
  responses: {
    201: json(
      'started: follow it at /v1/jobs/{id}; its data is outputs/safety.jsonl',
      SafetyJobCreatedSchema,
    ),
    400: { description: 'a bad identity, count or provider; every issue listed' },
  },
});

openapi(safety, generate, async (c) => {
  const body = c.req.valid('json');
  const job = generationJob({
    identity: body.identity,
    count: body.count,
    seed: body.seed,
    ...(body.categories ? { categories: body.categories } : {}),
    providers: body.providers,
    ...(body.provider ? { provider: body.provider } : {}),
  });
  const recipe = parsedRecipe(c.env, job.recipe);
  const id = newId('j');
  const slug = identitySlug(body.identity);
  await startOver(c.env, id, inputKey(slug, 'drafts', id), job.drafts, datasetOf(slug), recipe);
  return c.json({ id, dataset: datasetOf(slug) }, 201);
});

const bench = createRoute({
  method: 'post',
  path: '/bench',
  summary:
    "Start a job benchmarking a model's defence of the identity: a held-out attack set, or your own dataset",
  request: { body: jsonRequest(SafetyBenchRequestSchema) },
  responses: {
    201: json('started: follow it at /v1/jobs/{id}; the rates are in its report', SafetyJobCreatedSchema),
    400: { description: 'a bad identity or provider; every issue listed' },
    404: { description: 'unknown dataset' },
  },
});

openapi(safety, bench, async (c) => {
  const body = c.req.valid('json');
  const options = {
    identity: body.identity,
    providers: body.providers,
    target: body.target,
    ...(body.judge ? { judge: body.judge } : {}),
    ...(body.system ? { system: body.system } : {}),
    ...(body.maxTokens ? { maxTokens: body.maxTokens } : {}),
  };
  // A bad identity, provider or policy is refused before anything is read or pinned.
  parsedRecipe(c.env, benchRecipe(options, 0));
  const id = newId('j');
  if (body.dataset) {
    // Your own attack set, pinned for the job as any job's dataset is.
    const k = keeper(c.env, body.dataset);
    const dataset = await k.snapshot(body.dataset, id);
    if (!dataset) throw new WinnowError('not_found', { detail: `dataset "${body.dataset}" does not exist` });
    try {
      const size = dataset.objects.reduce((a, o) => a + o.size, 0);
      const recipe = parsedRecipe(c.env, benchRecipe(options, size));
      await startJob(c.env, dataset, recipe, { id });
    } catch (e) {
      await k.release(id);
      throw e;
    }
    return c.json({ id, dataset: body.dataset }, 201);
  }
  const set = heldOutSet(body.identity, {
    count: body.count,
    seed: body.seed,
    exclude: await ledgerHashes(c.env, body.identity),
    ...(body.categories ? { categories: body.categories } : {}),
  });
  const recipe = parsedRecipe(c.env, benchRecipe(options, byteLength(set.text)));
  const slug = identitySlug(body.identity);
  await startOver(c.env, id, inputKey(slug, 'attacks', id), set.text, datasetOf(slug), recipe);
  return c.json({ id, dataset: datasetOf(slug), excluded: set.excluded }, 201);
});
