import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { RunIdSchema } from '../../schemas/api.ts';
import {
  BatchSchema,
  FeedbackBodySchema,
  NextBodySchema,
  SamplerCreateSchema,
  SamplerListQuerySchema,
  SamplerListSchema,
  type SamplerStatus,
  SamplerStatusSchema,
} from '../../schemas/sampler.ts';
import { WinnowError } from '../../src/errors.ts';
import { SAMPLER_MARKERS, samplerMarkerKey } from '../../src/pipeline/keys.ts';
import { outputNamed } from '../../src/pipeline/outputs.ts';
import { coordinator } from '../coordinator.ts';
import { type Outcome, samplerRun } from '../sampler-run.ts';
import { newId } from '../start-job.ts';
import { json, jsonRequest, openapi, routes } from './openapi.ts';
import { readManifest } from './outputs.ts';

/** Sampler runs: batches for a training loop over a job's selection, shaped by its loss feedback. */
export const sampler = routes();

const RUN_ID = /^r[0-9a-z]{8,40}$/;

function unwrap<T>(o: Outcome<T>): T {
  if (o.ok) return o.value;
  throw new WinnowError(o.code, { detail: o.message });
}

function run(env: Env, id: string) {
  if (!RUN_ID.test(id)) throw new WinnowError('not_found', { detail: `run "${id}" does not exist` });
  return samplerRun(env, id);
}

const create = createRoute({
  method: 'post',
  path: '/',
  summary: "Start a sampler run over a finished job's selected records and their mixture components",
  request: { body: jsonRequest(SamplerCreateSchema) },
  responses: {
    201: json('the run', SamplerStatusSchema),
    400: { description: 'invalid body, or a job that built preference pairs' },
    404: { description: 'unknown job' },
    409: { description: 'the job is not done' },
  },
});

openapi(sampler, create, async (c) => {
  const body = c.req.valid('json');
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
  const weights = manifest?.files.some((f) => f.name === 'weights.jsonl')
    ? outputNamed(manifest, 'weights.jsonl').parts
    : [];
  const created = await samplerRun(c.env, id).create(id, body, parts, weights);
  // Listed by `GET /v1/runs` from here on.
  await c.env.DATA_BUCKET.put(samplerMarkerKey(id), '');
  return c.json(created, 201);
});

const list = createRoute({
  method: 'get',
  path: '/',
  summary: 'List sampler runs, newest first: job, state, policy, step, counts served',
  request: { query: SamplerListQuerySchema },
  responses: {
    200: json('runs', SamplerListSchema),
    400: { description: 'a bad limit or cursor; every issue listed' },
  },
});

/** Every run id with a marker (`samplers/{id}`), newest first: ids start with their time. */
async function runIds(bucket: R2Bucket): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: SAMPLER_MARKERS, cursor });
    for (const o of page.objects) ids.push(o.key.slice(SAMPLER_MARKERS.length));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return ids.filter((id) => RUN_ID.test(id)).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

openapi(sampler, list, async (c) => {
  const q = c.req.valid('query');
  const runs: SamplerStatus[] = [];
  let next: string | null = null;
  for (const id of await runIds(c.env.DATA_BUCKET)) {
    if (q.before !== undefined && id >= q.before) continue;
    if (runs.length === q.limit) {
      next = runs[runs.length - 1].id;
      break;
    }
    const s = await samplerRun(c.env, id).status();
    if (s) runs.push(s);
  }
  return c.json({ runs, next });
});

/** A sampler run id (`r…`): anything else is a 400 that states the rule; an unknown one is a 404. */
const params = z.object({ id: RunIdSchema });

const get = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'Step, per-component weights, loss statistics and counts served',
  request: { params },
  responses: {
    200: json('status', SamplerStatusSchema),
    400: { description: 'not a run id' },
    404: { description: 'unknown run' },
  },
});

openapi(sampler, get, async (c) => {
  const stub = run(c.env, c.req.param('id'));
  const s = await stub.status();
  if (!s) throw new WinnowError('not_found', { detail: `run "${c.req.param('id')}" does not exist` });
  return c.json(s);
});

const next = createRoute({
  method: 'post',
  path: '/{id}/next',
  summary: 'The next batch (or, with step, a batch already served, identically)',
  request: { params, body: jsonRequest(NextBodySchema) },
  responses: {
    200: json('the batch', BatchSchema),
    400: { description: 'not a run id, an invalid body, or a step not reached yet' },
    404: { description: 'unknown run' },
    409: { description: 'loading, or exhausted' },
  },
});

openapi(sampler, next, async (c) => {
  const { step, records } = c.req.valid('json');
  return c.json(unwrap(await run(c.env, c.req.param('id')).next(step, records)));
});

const feedback = createRoute({
  method: 'post',
  path: '/{id}/feedback',
  summary: 'Per-example losses of a served batch; duplicate feedback for a step is idempotent',
  request: { params, body: jsonRequest(FeedbackBodySchema) },
  responses: {
    200: { description: 'accepted' },
    400: { description: 'not a run id, an invalid body, or unknown step or ids' },
    404: { description: 'unknown run' },
  },
});

openapi(sampler, feedback, async (c) => {
  const body = c.req.valid('json');
  return c.json(unwrap(await run(c.env, c.req.param('id')).feedback(body)));
});
