import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  JobCreatedSchema,
  JobCreateSchema,
  JobIdSchema,
  type JobList,
  JobListQuerySchema,
  JobListSchema,
  type JobStatus,
  JobStatusSchema,
  type JobSummary,
  OutputListSchema,
} from '../../schemas/api.ts';
import { ReportSchema } from '../../schemas/output.ts';
import { RecipeSchema } from '../../schemas/recipe.ts';
import { JobDeletedSchema } from '../../schemas/storage.ts';
import { WinnowError } from '../../src/errors.ts';
import { jobSpecKey } from '../../src/pipeline/keys.ts';
import { type OutputManifest, outputNamed } from '../../src/pipeline/outputs.ts';
import type { JobSpec } from '../../src/pipeline/types.ts';
import { validateRecipe } from '../../src/pipeline/validate-recipe.ts';
import { coordinator } from '../coordinator.ts';
import { keeper } from '../dataset-keeper.ts';
import { deleteJob, deleteRefusal, jobFacts } from '../delete-job.ts';
import { newId, startJob } from '../start-job.ts';
import { binary, json, jsonRequest, openapi, routes } from './openapi.ts';
import { outputResponse, readManifest } from './outputs.ts';
import { checkProviders } from './provider-policy.ts';

export const jobs = routes();

const JOB_ID = /^j[0-9a-z]{8,40}$/;

async function status(env: Env, id: string) {
  if (!JOB_ID.test(id)) throw new WinnowError('not_found', { detail: `job "${id}" does not exist` });
  const s = await coordinator(env, id).status();
  if (!s) throw new WinnowError('not_found', { detail: `job "${id}" does not exist` });
  return s;
}

const create = createRoute({
  method: 'post',
  path: '/',
  summary: 'Start a job: a dataset and a recipe',
  request: { body: jsonRequest(JobCreateSchema) },
  responses: {
    201: json('created', JobCreatedSchema),
    400: { description: 'invalid recipe; every issue listed' },
    404: { description: 'unknown dataset' },
    422: { description: 'the dataset cuts into more shards than a job may have (10,000) at this shardBytes' },
  },
});

openapi(jobs, create, async (c) => {
  const body = c.req.valid('json');
  const recipe = body.recipe ?? RecipeSchema.parse({});
  validateRecipe(recipe, 'recipe');
  checkProviders(c.env, recipe);
  if (body.previous) await comparable(c.env, body.previous, body.dataset);
  // The dataset as it is now, pinned for this job: replacing it meanwhile never changes what it reads.
  const id = newId('j');
  const k = keeper(c.env, body.dataset);
  const dataset = await k.snapshot(body.dataset, id, body.previous);
  if (!dataset) throw new WinnowError('not_found', { detail: `dataset "${body.dataset}" does not exist` });
  try {
    await startJob(c.env, dataset, recipe, { id, ...(body.previous ? { previous: body.previous } : {}) });
  } catch (e) {
    await k.release(id);
    throw e;
  }
  return c.json({ id }, 201);
});

/** `previous` must be a finished job of the same dataset. */
async function comparable(env: Env, id: string, dataset: string): Promise<void> {
  const o = await env.DATA_BUCKET.get(jobSpecKey(id));
  const spec = o ? ((await o.json()) as JobSpec) : null;
  const bad = (detail: string) => new WinnowError('validation_failed', { path: 'previous', detail });
  if (!spec) throw bad(`job "${id}" does not exist`);
  if (spec.dataset !== dataset) throw bad(`job "${id}" ran on dataset "${spec.dataset}", not "${dataset}"`);
  const s = await status(env, id);
  if (s.state !== 'done') throw bad(`job "${id}" is ${s.state}: only a finished job can be compared with`);
}

const list = createRoute({
  method: 'get',
  path: '/',
  summary: 'List jobs, newest first: dataset, state, stage, progress',
  request: { query: JobListQuerySchema },
  responses: {
    200: json('jobs', JobListSchema),
    400: { description: 'a bad filter or limit; every issue listed' },
  },
});

/** Every job id in the bucket (each job has `jobs/{id}/job.json`), newest first: ids start with their time. */
async function jobIds(bucket: R2Bucket): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: 'jobs/', delimiter: '/', cursor });
    for (const p of page.delimitedPrefixes) ids.push(p.slice('jobs/'.length, -1));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return ids.filter((id) => JOB_ID.test(id)).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/** Stages behind the job: all of them once it is done; else those before the one it is in (a stage a decision skipped counts). */
function stagesDone(s: JobStatus): number {
  if (s.state === 'done') return s.stages.length;
  const at = s.stages.findIndex((x) => x.name === s.stage);
  return at >= 0 ? at : s.stages.filter((x) => x.state === 'done').length;
}

openapi(jobs, list, async (c) => {
  const q = c.req.valid('query');
  const out: JobSummary[] = [];
  let next: string | null = null;
  for (const id of await jobIds(c.env.DATA_BUCKET)) {
    if (q.before !== undefined && id >= q.before) continue;
    if (out.length === q.limit) {
      next = out[out.length - 1].id;
      break;
    }
    const s = await coordinator(c.env, id).status();
    if (!s || (q.dataset && s.dataset !== q.dataset) || (q.state && s.state !== q.state)) continue;
    out.push({
      id: s.id,
      dataset: s.dataset,
      state: s.state,
      stage: s.stage,
      error: s.error,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      stagesDone: stagesDone(s),
      stagesTotal: s.stages.length,
    });
  }
  const body: JobList = { jobs: out, next };
  return c.json(body);
});

/** A job id (`j…`): anything else is a 400 that states the rule; an unknown one is a 404. */
const params = z.object({ id: JobIdSchema });
const badId = { 400: { description: 'not a job id' } };

const get = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'State and per-stage progress',
  request: { params },
  responses: { 200: json('status', JobStatusSchema), ...badId, 404: { description: 'unknown job' } },
});

openapi(jobs, get, async (c) => c.json(await status(c.env, c.req.param('id'))));

const cancel = createRoute({
  method: 'post',
  path: '/{id}/cancel',
  summary: 'Cancel a job: workers stop taking its tasks (an ended job is left as it is)',
  request: { params },
  responses: {
    200: json('status after cancelling', JobStatusSchema),
    ...badId,
    404: { description: 'unknown job' },
  },
});

openapi(jobs, cancel, async (c) => {
  const id = c.req.param('id');
  await status(c.env, id);
  await coordinator(c.env, id).cancel();
  return c.json(await status(c.env, id));
});

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  summary: 'Delete an ended job: its outputs, every other object under jobs/{id}/, and its coordinator',
  request: { params },
  responses: {
    200: json('what was freed', JobDeletedSchema),
    ...badId,
    404: { description: 'unknown job' },
    409: {
      description:
        'the job is running (cancel it first), is a pair set round, or a running job compares with it',
    },
  },
});

openapi(jobs, remove, async (c) => {
  const id = c.req.param('id');
  const facts = await jobFacts(c.env, id);
  if (!facts.status && !facts.spec)
    throw new WinnowError('not_found', { detail: `job "${id}" does not exist` });
  const refused = await deleteRefusal(c.env, facts);
  if (refused) throw new WinnowError('conflict', { detail: refused });
  return c.json({ job: id, freed: await deleteJob(c.env, facts) });
});

async function manifest(env: Env, id: string): Promise<OutputManifest> {
  const s = await status(env, id);
  const m = s.state === 'done' ? await readManifest(env.DATA_BUCKET, id) : null;
  if (!m) {
    const why =
      s.state === 'running'
        ? `still running (stage ${s.stage})`
        : `${s.state}${s.error ? `: ${s.error}` : ''}`;
    throw new WinnowError('conflict', { detail: `job "${id}" has no outputs: ${why}` });
  }
  return m;
}

const outputs = createRoute({
  method: 'get',
  path: '/{id}/outputs',
  summary: 'List output files',
  request: { params },
  responses: {
    200: json('files', OutputListSchema),
    ...badId,
    404: { description: 'unknown job' },
    409: { description: 'not done' },
  },
});

openapi(jobs, outputs, async (c) => {
  const m = await manifest(c.env, c.req.param('id'));
  return c.json({
    files: m.files.map((f) => ({
      name: f.name,
      bytes: f.bytes,
      parts: f.parts.length,
      contentType: f.contentType,
      ...(f.shape ? { shape: f.shape } : {}),
    })),
  });
});

const output = createRoute({
  method: 'get',
  path: '/{id}/outputs/{file}',
  summary:
    'Stream an output file: selected.jsonl, rejected.jsonl, invalid.jsonl or report.json; when written, clusters.json, embeddings.npy, diff.json and diff.jsonl; a pairs job’s pairs.jsonl and groups.jsonl',
  request: { params: params.extend({ file: z.string() }) },
  responses: {
    200: {
      description: 'the file: report.json follows the Report schema; JSONL files are one record per line',
      content: {
        'application/json': { schema: ReportSchema },
        ...binary('application/x-ndjson'),
        ...binary('application/octet-stream'),
      },
    },
    ...badId,
    404: { description: 'unknown job or file' },
    409: { description: 'not done' },
  },
});

openapi(jobs, output, async (c) => {
  const m = await manifest(c.env, c.req.param('id'));
  return outputResponse(c.env.DATA_BUCKET, outputNamed(m, c.req.param('file')));
});
