import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { DatasetInfoSchema, DatasetNameSchema, JobIdSchema } from '../../schemas/api.ts';
import {
  DiffSchema,
  PartNameSchema,
  RunListSchema,
  type Schedule,
  ScheduleBodySchema,
  ScheduleListSchema,
  ScheduleSchema,
  TickBodySchema,
  TickResultSchema,
} from '../../schemas/schedule.ts';
import { WinnowError } from '../../src/errors.ts';
import { newVersion, versionKey } from '../../src/pipeline/dataset-objects.ts';
import { diffKey, jobSpecKey } from '../../src/pipeline/keys.ts';
import type { JobSpec } from '../../src/pipeline/types.ts';
import { validateRecipe } from '../../src/pipeline/validate-recipe.ts';
import { keeper } from '../dataset-keeper.ts';
import { scheduledDatasets } from '../scheduled.ts';
import { json, jsonRequest, openapi, rawRequest, routes } from './openapi.ts';
import { checkProviders } from './provider-policy.ts';
import { maxUploadBytes, streamToR2 } from './upload.ts';

/** Appended parts, the re-scoring schedule and its runs, under `/v1/datasets/:name/…`. */
export const schedules = routes();

const params = z.object({ name: DatasetNameSchema });
const noDataset = (name: string) =>
  new WinnowError('not_found', { detail: `dataset "${name}" does not exist` });
const noSchedule = (name: string) =>
  new WinnowError('not_found', { detail: `dataset "${name}" has no schedule; PUT one first` });

const append = createRoute({
  method: 'put',
  path: '/{name}/parts/{part}',
  summary: 'Append a part (JSONL, JSON array or Parquet; gzip accepted) to a dataset; later runs read it too',
  request: { params: params.extend({ part: PartNameSchema }), body: rawRequest('application/octet-stream') },
  responses: {
    201: json('the dataset with the part', DatasetInfoSchema),
    400: { description: 'bad name or part name, or no body' },
    404: { description: 'unknown dataset' },
    413: { description: 'over MAX_UPLOAD_BYTES, decompressed (default 1 GiB)' },
    422: { description: 'a body that starts like gzip but is not valid gzip' },
  },
});

openapi(schedules, append, async (c) => {
  const { name, part } = c.req.valid('param');
  const body = c.req.raw.body;
  if (!body) throw new WinnowError('bad_request', { detail: 'the request has no body: send the part file' });
  const k = keeper(c.env, name);
  // Parts append to a dataset: a mistyped name must not start a new one.
  if (!(await k.refresh(name)))
    throw new WinnowError('not_found', {
      detail: `dataset "${name}" does not exist: upload it first (PUT /v1/datasets/${name})`,
    });
  // A new version's key: a part put again under the same name leaves jobs reading the old one be.
  const object = await streamToR2(c.env.DATA_BUCKET, versionKey(name, newVersion(), `parts/${part}`), body, {
    maxBytes: maxUploadBytes(c.env),
    what: 'the part',
    hint: 'send it as several parts, or raise MAX_UPLOAD_BYTES in [vars]',
  });
  const info = await k.putPart(name, part, { key: object.key, size: object.size, etag: object.etag });
  if (!info) throw noDataset(name);
  return c.json(info, 201);
});

const put = createRoute({
  method: 'put',
  path: '/{name}/schedule',
  summary: 'Set the re-scoring schedule: cron or every, recipe or recipeRef',
  request: { params, body: jsonRequest(ScheduleBodySchema) },
  responses: {
    200: json('the schedule', ScheduleSchema),
    400: { description: 'invalid schedule or recipe; every issue listed' },
    404: { description: 'unknown dataset or recipeRef job' },
  },
});

openapi(schedules, put, async (c) => {
  const { name } = c.req.valid('param');
  const body = c.req.valid('json');
  if (body.recipe) {
    validateRecipe(body.recipe, 'recipe');
    checkProviders(c.env, body.recipe);
  }
  const ref = body.recipeRef ? await c.env.DATA_BUCKET.get(jobSpecKey(body.recipeRef)) : null;
  if (body.recipeRef && !ref)
    throw new WinnowError('not_found', {
      path: 'recipeRef',
      detail: `job "${body.recipeRef}" does not exist`,
    });
  // A schedule re-selects and diffs selections; preference pairs iterate as a pair set's rounds.
  const recipe = body.recipe ?? (ref ? ((await ref.json()) as JobSpec).recipe : undefined);
  if (recipe?.pairs)
    throw new WinnowError('validation_failed', {
      path: body.recipe ? 'recipe.pairs' : 'recipeRef',
      detail: 'a schedule re-scores a selection; for preference pairs, post rounds to /v1/pairs/:set/rounds',
    });
  const k = keeper(c.env, name);
  if (!(await k.refresh(name))) throw noDataset(name);
  return c.json(await k.setSchedule(name, body, body.recipeRef ? recipe : undefined));
});

const get = createRoute({
  method: 'get',
  path: '/{name}/schedule',
  summary: 'The schedule and its next due time',
  request: { params },
  responses: {
    200: json('the schedule', ScheduleSchema),
    400: { description: 'bad name' },
    404: { description: 'none' },
  },
});

openapi(schedules, get, async (c) => {
  const { name } = c.req.valid('param');
  const s = await keeper(c.env, name).getSchedule(name);
  if (!s) throw noSchedule(name);
  return c.json(s);
});

const remove = createRoute({
  method: 'delete',
  path: '/{name}/schedule',
  summary: 'Remove the schedule (its runs stay listed)',
  request: { params },
  responses: {
    200: json('removed', z.object({ deleted: z.literal(true) })),
    400: { description: 'bad name' },
    404: { description: 'none' },
  },
});

openapi(schedules, remove, async (c) => {
  const { name } = c.req.valid('param');
  if (!(await keeper(c.env, name).deleteSchedule(name))) throw noSchedule(name);
  return c.json({ deleted: true });
});

const tick = createRoute({
  method: 'post',
  path: '/{name}/schedule/tick',
  summary: 'Tick the schedule now, as the Cron Trigger does; force starts a run even when none is due',
  request: { params, body: jsonRequest(TickBodySchema) },
  responses: {
    200: json('what the tick did', TickResultSchema),
    400: { description: 'bad name or body' },
    404: { description: 'no schedule' },
  },
});

openapi(schedules, tick, async (c) => {
  const { name } = c.req.valid('param');
  const { force } = c.req.valid('json');
  const result = await keeper(c.env, name).tick(name, Date.now(), force);
  if (result.action === 'none') throw noSchedule(name);
  return c.json(result);
});

const runs = createRoute({
  method: 'get',
  path: '/{name}/runs',
  summary: 'Scheduled runs, newest first, with state, error, summary and links; the latest pointer',
  request: { params },
  responses: { 200: json('runs', RunListSchema), 400: { description: 'bad name' } },
});

openapi(schedules, runs, async (c) => {
  const { name } = c.req.valid('param');
  return c.json(await keeper(c.env, name).runs(name));
});

const diff = createRoute({
  method: 'get',
  path: '/{name}/runs/{run}/diff',
  summary: 'diff.json: records that entered and left the selection against the previous run, and why',
  request: { params: params.extend({ run: JobIdSchema }) },
  responses: {
    200: json('the diff', DiffSchema),
    400: { description: 'bad name or run id' },
    404: { description: 'unknown run, or a first run (nothing to compare with)' },
    409: { description: 'the run is not done' },
  },
});

openapi(schedules, diff, async (c) => {
  const { name } = c.req.valid('param');
  const id = c.req.param('run');
  const run = await keeper(c.env, name).run(name, id);
  if (!run) throw new WinnowError('not_found', { detail: `dataset "${name}" has no run "${id}"` });
  if (run.state !== 'done')
    throw new WinnowError('conflict', {
      detail: `run "${id}" has no diff: ${run.state}${run.error ? `: ${run.error}` : ''}`,
    });
  if (!run.previous)
    throw new WinnowError('not_found', {
      detail: `run "${id}" is the first finished run of "${name}": there is no earlier run to compare with`,
    });
  const o = await c.env.DATA_BUCKET.get(diffKey(id));
  if (!o) throw new WinnowError('not_found', { detail: `run "${id}" wrote no diff.json` });
  return new Response(o.body, { headers: { 'content-type': 'application/json' } });
});

/** Every schedule at once, under `/v1/schedules`: the datasets with a `schedules/{name}` marker. */
export const scheduleList = routes();

const listAll = createRoute({
  method: 'get',
  path: '/',
  summary: 'Every schedule, by dataset: cron or every, recipe, enabled, next due time',
  responses: { 200: json('schedules', ScheduleListSchema) },
});

openapi(scheduleList, listAll, async (c) => {
  const schedules: Schedule[] = [];
  for (const name of await scheduledDatasets(c.env.DATA_BUCKET)) {
    // A marker outlives its schedule only while the schedule is being removed: skip it.
    const s = await keeper(c.env, name).getSchedule(name);
    if (s) schedules.push(s);
  }
  return c.json({ schedules });
});
