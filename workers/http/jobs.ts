import { Hono } from 'hono';
import { JobCreatedSchema, JobCreateSchema, JobStatusSchema, OutputListSchema } from '../../schemas/api.ts';
import { ReportSchema } from '../../schemas/output.ts';
import { RecipeSchema } from '../../schemas/recipe.ts';
import { WinnowError } from '../../src/errors.ts';
import { jobSpecKey } from '../../src/pipeline/keys.ts';
import { type OutputManifest, outputNamed } from '../../src/pipeline/outputs.ts';
import type { JobSpec } from '../../src/pipeline/types.ts';
import { validateRecipe } from '../../src/pipeline/validate-recipe.ts';
import { coordinator } from '../coordinator.ts';
import { startJob } from '../start-job.ts';
import { currentDataset } from './datasets.ts';
import { jsonBody, parseWith } from './errors.ts';
import type { RouteDoc } from './openapi.ts';
import { outputResponse, readManifest } from './outputs.ts';

export const jobs = new Hono<{ Bindings: Env }>();

const JOB_ID = /^j[0-9a-z]{8,40}$/;

async function status(env: Env, id: string) {
  if (!JOB_ID.test(id)) throw new WinnowError('not_found', { detail: `job "${id}" does not exist` });
  const s = await coordinator(env, id).status();
  if (!s) throw new WinnowError('not_found', { detail: `job "${id}" does not exist` });
  return s;
}

jobs.post('/', async (c) => {
  const body = parseWith(JobCreateSchema, await jsonBody(c), 'request body');
  const recipe = body.recipe ?? RecipeSchema.parse({});
  validateRecipe(recipe);
  if (body.previous) await comparable(c.env, body.previous, body.dataset);
  const dataset = await currentDataset(c.env, body.dataset);
  const spec = await startJob(c.env, dataset, recipe, body.previous ? { previous: body.previous } : {});
  return c.json({ id: spec.id }, 201);
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

jobs.get('/:id', async (c) => c.json(await status(c.env, c.req.param('id'))));

jobs.delete('/:id', async (c) => {
  const id = c.req.param('id');
  await status(c.env, id);
  await coordinator(c.env, id).cancel();
  return c.json(await status(c.env, id));
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

jobs.get('/:id/outputs', async (c) => {
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

jobs.get('/:id/outputs/:file', async (c) => {
  const m = await manifest(c.env, c.req.param('id'));
  return outputResponse(c.env.DATA_BUCKET, outputNamed(m, c.req.param('file')));
});

export const jobRoutes: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/jobs',
    summary: 'Start a job: a dataset and a recipe',
    request: { schema: JobCreateSchema },
    responses: {
      201: { description: 'created', schema: JobCreatedSchema },
      400: { description: 'invalid recipe; every issue listed' },
      404: { description: 'unknown dataset' },
    },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}',
    summary: 'State and per-stage progress',
    responses: {
      200: { description: 'status', schema: JobStatusSchema },
      404: { description: 'unknown job' },
    },
  },
  {
    method: 'delete',
    path: '/v1/jobs/{id}',
    summary: 'Cancel a job',
    responses: { 200: { description: 'status after cancelling', schema: JobStatusSchema } },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/outputs',
    summary: 'List output files',
    responses: { 200: { description: 'files', schema: OutputListSchema }, 409: { description: 'not done' } },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/outputs/{file}',
    summary: 'Stream an output file: selected.jsonl, rejected.jsonl, invalid.jsonl or report.json',
    responses: {
      200: { description: 'the file (report.json follows the Report schema)', schema: ReportSchema },
      404: { description: 'unknown file' },
      409: { description: 'not done' },
    },
  },
];
