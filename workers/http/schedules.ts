import { Hono } from 'hono';
import { z } from 'zod';
import { DatasetInfoSchema, DatasetNameSchema } from '../../schemas/api.ts';
import {
  DiffSchema,
  PartNameSchema,
  RunListSchema,
  ScheduleBodySchema,
  ScheduleSchema,
  TickBodySchema,
  TickResultSchema,
} from '../../schemas/schedule.ts';
import { WinnowError } from '../../src/errors.ts';
import { datasetPrefix, diffKey, jobSpecKey } from '../../src/pipeline/keys.ts';
import type { JobSpec } from '../../src/pipeline/types.ts';
import { validateRecipe } from '../../src/pipeline/validate-recipe.ts';
import { keeper } from '../dataset-keeper.ts';
import { jsonBody, parseWith } from './errors.ts';
import type { RouteDoc } from './openapi.ts';
import { streamToR2 } from './upload.ts';

/** Appended parts, the re-scoring schedule and its runs, under `/v1/datasets/:name/…`. */
export const schedules = new Hono<{ Bindings: Env }>();

const nameOf = (raw: string) => parseWith(DatasetNameSchema, raw, 'dataset name');
const noDataset = (name: string) =>
  new WinnowError('not_found', { detail: `dataset "${name}" does not exist` });
const noSchedule = (name: string) =>
  new WinnowError('not_found', { detail: `dataset "${name}" has no schedule; PUT one first` });

schedules.put('/:name/parts/:part', async (c) => {
  const name = nameOf(c.req.param('name'));
  const part = parseWith(PartNameSchema, c.req.param('part'), 'part name');
  const body = c.req.raw.body;
  if (!body) throw new WinnowError('bad_request', { detail: 'the request has no body: send the part file' });
  const k = keeper(c.env, name);
  // Parts append to a dataset: a mistyped name must not start a new one.
  if (!(await k.refresh(name)))
    throw new WinnowError('not_found', {
      detail: `dataset "${name}" does not exist: upload it first (PUT /v1/datasets/${name})`,
    });
  await streamToR2(c.env.DATA_BUCKET, `${datasetPrefix(name)}parts/${part}`, body);
  return c.json((await k.refresh(name))!, 201);
});

schedules.put('/:name/schedule', async (c) => {
  const name = nameOf(c.req.param('name'));
  const body = parseWith(ScheduleBodySchema, await jsonBody(c), 'request body');
  if (body.recipe) validateRecipe(body.recipe);
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
  return c.json(await k.setSchedule(name, body));
});

schedules.get('/:name/schedule', async (c) => {
  const name = nameOf(c.req.param('name'));
  const s = await keeper(c.env, name).getSchedule(name);
  if (!s) throw noSchedule(name);
  return c.json(s);
});

schedules.delete('/:name/schedule', async (c) => {
  const name = nameOf(c.req.param('name'));
  if (!(await keeper(c.env, name).deleteSchedule(name))) throw noSchedule(name);
  return c.json({ deleted: true });
});

schedules.post('/:name/schedule/tick', async (c) => {
  const name = nameOf(c.req.param('name'));
  const { force } = parseWith(TickBodySchema, await jsonBody(c), 'request body');
  const result = await keeper(c.env, name).tick(name, Date.now(), force);
  if (result.action === 'none') throw noSchedule(name);
  return c.json(result);
});

schedules.get('/:name/runs', async (c) => {
  const name = nameOf(c.req.param('name'));
  return c.json(await keeper(c.env, name).runs(name));
});

schedules.get('/:name/runs/:run/diff', async (c) => {
  const name = nameOf(c.req.param('name'));
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

const p = '/v1/datasets/{name}';
export const scheduleRoutes: RouteDoc[] = [
  {
    method: 'put',
    path: `${p}/parts/{part}`,
    summary: 'Append a part (JSON array or JSONL; gzip accepted) to a dataset; later runs read it too',
    rawBody: 'application/octet-stream',
    responses: {
      201: { description: 'the dataset with the part', schema: DatasetInfoSchema },
      404: { description: 'unknown dataset' },
    },
  },
  {
    method: 'put',
    path: `${p}/schedule`,
    summary: 'Set the re-scoring schedule: cron or every, recipe or recipeRef',
    request: { schema: ScheduleBodySchema },
    responses: {
      200: { description: 'the schedule', schema: ScheduleSchema },
      400: { description: 'invalid schedule or recipe; every issue listed' },
      404: { description: 'unknown dataset or recipeRef job' },
    },
  },
  {
    method: 'get',
    path: `${p}/schedule`,
    summary: 'The schedule and its next due time',
    responses: { 200: { description: 'the schedule', schema: ScheduleSchema }, 404: { description: 'none' } },
  },
  {
    method: 'delete',
    path: `${p}/schedule`,
    summary: 'Remove the schedule (its runs stay listed)',
    responses: {
      200: { description: 'removed', schema: z.object({ deleted: z.literal(true) }) },
      404: { description: 'none' },
    },
  },
  {
    method: 'post',
    path: `${p}/schedule/tick`,
    summary: 'Tick the schedule now, as the Cron Trigger does; force starts a run even when none is due',
    request: { schema: TickBodySchema },
    responses: { 200: { description: 'what the tick did', schema: TickResultSchema } },
  },
  {
    method: 'get',
    path: `${p}/runs`,
    summary: 'Scheduled runs, newest first, with state, error, summary and links; the latest pointer',
    responses: { 200: { description: 'runs', schema: RunListSchema } },
  },
  {
    method: 'get',
    path: `${p}/runs/{run}/diff`,
    summary: 'diff.json: records that entered and left the selection against the previous run, and why',
    responses: {
      200: { description: 'the diff', schema: DiffSchema },
      404: { description: 'unknown run, or a first run (nothing to compare with)' },
      409: { description: 'the run is not done' },
    },
  },
];
