import { Hono } from 'hono';
import {
  BatchSchema,
  FeedbackBodySchema,
  NextBodySchema,
  SamplerCreateSchema,
  SamplerStatusSchema,
} from '../../schemas/sampler.ts';
import { WinnowError } from '../../src/errors.ts';
import { outputNamed } from '../../src/pipeline/outputs.ts';
import { coordinator } from '../coordinator.ts';
import { type Outcome, samplerRun } from '../sampler-run.ts';
import { newId } from '../start-job.ts';
import { jsonBody, parseWith } from './errors.ts';
import type { RouteDoc } from './openapi.ts';
import { readManifest } from './outputs.ts';

/** Sampler runs: batches for a training loop over a job's selection, shaped by its loss feedback. */
export const sampler = new Hono<{ Bindings: Env }>();

const RUN_ID = /^r[0-9a-z]{8,40}$/;

function unwrap<T>(o: Outcome<T>): T {
  if (o.ok) return o.value;
  throw new WinnowError(o.code, { detail: o.message });
}

function run(env: Env, id: string) {
  if (!RUN_ID.test(id)) throw new WinnowError('not_found', { detail: `run "${id}" does not exist` });
  return samplerRun(env, id);
}

sampler.post('/', async (c) => {
  const body = parseWith(SamplerCreateSchema, await jsonBody(c), 'request body');
  const status = await coordinator(c.env, body.job).status();
  if (!status)
    throw new WinnowError('not_found', { path: 'job', detail: `job "${body.job}" does not exist` });
  if (status.state !== 'done')
    throw new WinnowError('conflict', {
      path: 'job',
      detail: `job "${body.job}" is ${status.state}, not done`,
    });
  const manifest = await readManifest(c.env.DATA_BUCKET, body.job);
  if (manifest?.files.some((f) => f.name === 'pairs.jsonl'))
    throw new WinnowError('validation_failed', {
      path: 'job',
      detail: `job "${body.job}" built preference pairs: a sampler run serves a selection (selected.jsonl)`,
    });
  const id = newId('r');
  const parts = manifest ? outputNamed(manifest, 'selected.jsonl').parts : [];
  return c.json(await samplerRun(c.env, id).create(id, body, parts), 201);
});

sampler.get('/:id', async (c) => {
  const stub = run(c.env, c.req.param('id'));
  const s = await stub.status();
  if (!s) throw new WinnowError('not_found', { detail: `run "${c.req.param('id')}" does not exist` });
  return c.json(s);
});

sampler.post('/:id/next', async (c) => {
  const { step, records } = parseWith(NextBodySchema, await jsonBody(c), 'request body');
  return c.json(unwrap(await run(c.env, c.req.param('id')).next(step, records)));
});

sampler.post('/:id/feedback', async (c) => {
  const body = parseWith(FeedbackBodySchema, await jsonBody(c), 'request body');
  return c.json(unwrap(await run(c.env, c.req.param('id')).feedback(body)));
});

export const samplerRoutes: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/runs',
    summary: "Start a sampler run over a finished job's selected records and their mixture components",
    request: { schema: SamplerCreateSchema },
    responses: {
      201: { description: 'the run', schema: SamplerStatusSchema },
      404: { description: 'unknown job' },
      409: { description: 'the job is not done' },
    },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}',
    summary: 'Step, per-component weights, loss statistics and counts served',
    responses: { 200: { description: 'status', schema: SamplerStatusSchema } },
  },
  {
    method: 'post',
    path: '/v1/runs/{id}/next',
    summary: 'The next batch (or, with step, a batch already served, identically)',
    request: { schema: NextBodySchema },
    responses: {
      200: { description: 'the batch', schema: BatchSchema },
      400: { description: 'a step not reached yet' },
      409: { description: 'loading, or exhausted' },
    },
  },
  {
    method: 'post',
    path: '/v1/runs/{id}/feedback',
    summary: 'Per-example losses of a served batch; duplicate feedback for a step is idempotent',
    request: { schema: FeedbackBodySchema },
    responses: { 200: { description: 'accepted' }, 400: { description: 'unknown step or ids' } },
  },
];
