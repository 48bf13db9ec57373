import { Hono } from 'hono';
import { objectName } from '../../schemas/api.ts';
import type { Report } from '../../schemas/output.ts';
import {
  PairSetBodySchema,
  type PairSetInfo,
  PairSetInfoSchema,
  type RoundInfo,
  RoundInfoSchema,
  RoundScopeSchema,
} from '../../schemas/pairs.ts';
import { RecipeSchema } from '../../schemas/recipe.ts';
import { WinnowError } from '../../src/errors.ts';
import { reportKey } from '../../src/pipeline/keys.ts';
import { JSONL, type OutputFile, outputNamed } from '../../src/pipeline/outputs.ts';
import { validateRecipe } from '../../src/pipeline/validate-recipe.ts';
import { coordinator } from '../coordinator.ts';
import { pairSet, type RoundRow } from '../pair-set.ts';
import { startJob } from '../start-job.ts';
import { jsonBody, parseWith } from './errors.ts';
import type { RouteDoc } from './openapi.ts';
import { concatFiles, outputResponse, readManifest } from './outputs.ts';
import { streamToR2 } from './upload.ts';

export const pairs = new Hono<{ Bindings: Env }>();

const nameOf = (raw: string) => parseWith(objectName('pair set'), raw, 'pair set name');
const roundKey = (set: string, round: number) =>
  `pairsets/${set}/rounds/${String(round).padStart(5, '0')}.jsonl`;
/** The jobs of a set share one cell cache (and fitted models) under this dataset name. */
const setDataset = (set: string) => `pairs.${set}`;

async function existing(env: Env, set: string) {
  const stub = pairSet(env, set);
  const meta = await stub.meta();
  if (!meta)
    throw new WinnowError('not_found', { detail: `pair set "${set}" does not exist (PUT /v1/pairs/${set})` });
  return { stub, meta };
}

/** A round's state: its job's, once it has one. */
async function roundState(env: Env, r: RoundRow): Promise<Pick<RoundInfo, 'state' | 'error'>> {
  if (!r.job) return { state: r.error ? 'failed' : 'uploading', error: r.error };
  const s = await coordinator(env, r.job).status();
  return s ? { state: s.state, error: s.error } : { state: 'failed', error: 'the round job was not found' };
}

/** A round as the API shows it: its job's state and, once done, its report's pair counts. */
async function roundInfo(env: Env, set: string, r: RoundRow): Promise<RoundInfo> {
  const self = `/v1/pairs/${set}/rounds/${r.round}`;
  const links = { self, pairs: `${self}/pairs.jsonl`, ...(r.job ? { job: `/v1/jobs/${r.job}` } : {}) };
  const base = { round: r.round, scope: r.scope, bytes: r.object?.size ?? 0, createdAt: r.createdAt, links };
  const { state, error } = await roundState(env, r);
  const info: RoundInfo = { ...base, ...(r.job ? { job: r.job } : {}), state, error };
  if (state !== 'done' || !r.job) return info;
  const o = await env.DATA_BUCKET.get(reportKey(r.job));
  const report = o ? ((await o.json()) as Report) : null;
  return report?.pairs ? { ...info, pairs: report.pairs.pairs, groups: report.pairs.groups } : info;
}

async function setInfo(env: Env, set: string): Promise<PairSetInfo> {
  const { stub, meta } = await existing(env, set);
  const rounds = await Promise.all((await stub.rounds()).map((r) => roundInfo(env, set, r)));
  return { name: set, recipe: meta.recipe, createdAt: meta.createdAt, updatedAt: meta.updatedAt, rounds };
}

pairs.put('/:set', async (c) => {
  const set = nameOf(c.req.param('set'));
  const body = parseWith(PairSetBodySchema, await jsonBody(c), 'request body');
  const recipe = parseWith(RecipeSchema, body.recipe, 'recipe');
  if (!recipe.pairs)
    throw new WinnowError('validation_failed', {
      path: 'recipe.pairs',
      detail: 'a pair set recipe needs a `pairs` section',
    });
  validateRecipe(recipe);
  await pairSet(c.env, set).configure(recipe, new Date().toISOString());
  return c.json(await setInfo(c.env, set), 201);
});

pairs.get('/:set', async (c) => c.json(await setInfo(c.env, nameOf(c.req.param('set')))));

/** A round of new rollouts (the JSONL body): stored, numbered, and paired by its own job. */
pairs.post('/:set/rounds', async (c) => {
  const set = nameOf(c.req.param('set'));
  const scope = parseWith(RoundScopeSchema, c.req.query('scope'), 'scope');
  const { stub } = await existing(c.env, set);
  const body = c.req.raw.body;
  if (!body || c.req.header('content-length') === '0')
    throw new WinnowError('bad_request', {
      detail: 'the request has no body: send the round’s rollouts as JSONL',
    });
  const begun = await stub.begin(scope, new Date().toISOString());
  if (!begun) throw new WinnowError('not_found', { detail: `pair set "${set}" does not exist` });
  const key = roundKey(set, begun.round);
  try {
    const object = await streamToR2(c.env.DATA_BUCKET, key, body);
    const objects = await stub.stored(begun.round, { key, size: object.size, etag: object.etag });
    const spec = await startJob(c.env, { name: setDataset(set), objects }, begun.recipe, {
      round: begun.round,
    });
    await stub.started(begun.round, spec.id);
  } catch (e) {
    // The number stays taken: the round is listed as failed with the reason, and the next one follows it.
    await stub.failed(begun.round, `the round was not started: ${(e as Error).message}`);
    throw e;
  }
  return c.json(await roundInfo(c.env, set, (await stub.round(begun.round))!), 202);
});

async function roundRow(env: Env, set: string, raw: string): Promise<RoundRow> {
  const { stub } = await existing(env, set);
  const n = Number(raw);
  const row = Number.isSafeInteger(n) ? await stub.round(n) : null;
  if (!row) throw new WinnowError('not_found', { detail: `pair set "${set}" has no round ${raw}` });
  return row;
}

pairs.get('/:set/rounds/:round', async (c) => {
  const set = nameOf(c.req.param('set'));
  return c.json(await roundInfo(c.env, set, await roundRow(c.env, set, c.req.param('round'))));
});

/** A round's pairs.jsonl (its job's hash partitions, in order); null until it is done. */
async function roundPairs(env: Env, row: RoundRow): Promise<OutputFile | null> {
  if ((await roundState(env, row)).state !== 'done') return null;
  const m = await readManifest(env.DATA_BUCKET, row.job!);
  return m ? outputNamed(m, 'pairs.jsonl') : null;
}

pairs.get('/:set/rounds/:round/pairs.jsonl', async (c) => {
  const set = nameOf(c.req.param('set'));
  const row = await roundRow(c.env, set, c.req.param('round'));
  const file = await roundPairs(c.env, row);
  if (!file) {
    const { state, error } = await roundState(c.env, row);
    throw new WinnowError('conflict', {
      detail: `round ${row.round} of "${set}" is ${state}${error ? `: ${error}` : ''}`,
    });
  }
  return outputResponse(c.env.DATA_BUCKET, file);
});

/** Every finished round's pairs, in round order (each line carries its `round`). */
pairs.get('/:set/pairs.jsonl', async (c) => {
  const set = nameOf(c.req.param('set'));
  const { stub } = await existing(c.env, set);
  const files: OutputFile[] = [];
  for (const row of await stub.rounds()) {
    const file = await roundPairs(c.env, row);
    if (file) files.push(file);
  }
  return outputResponse(c.env.DATA_BUCKET, concatFiles('pairs.jsonl', files, JSONL));
});

export const pairRoutes: RouteDoc[] = [
  {
    method: 'put',
    path: '/v1/pairs/{set}',
    summary: 'Create or change a pair set: a recipe with `pairs` (earlier rounds are kept)',
    request: { schema: PairSetBodySchema },
    responses: { 201: { description: 'the pair set', schema: PairSetInfoSchema } },
  },
  {
    method: 'get',
    path: '/v1/pairs/{set}',
    summary: 'A pair set: its recipe and every round with its state and pair counts',
    responses: { 200: { description: 'the pair set', schema: PairSetInfoSchema } },
  },
  {
    method: 'post',
    path: '/v1/pairs/{set}/rounds',
    summary: 'Append a round of new rollouts (JSONL body; ?scope=round|all) and start pairing it',
    rawBody: 'application/x-ndjson',
    responses: { 202: { description: 'the round, running', schema: RoundInfoSchema } },
  },
  {
    method: 'get',
    path: '/v1/pairs/{set}/rounds/{round}',
    summary: 'One round: state, job, pair and group counts',
    responses: { 200: { description: 'the round', schema: RoundInfoSchema } },
  },
  {
    method: 'get',
    path: '/v1/pairs/{set}/rounds/{round}/pairs.jsonl',
    summary: 'A finished round’s pairs (TRL DPO format); 409 while it runs',
    responses: { 200: { description: 'pairs', contentType: 'application/x-ndjson' } },
  },
  {
    method: 'get',
    path: '/v1/pairs/{set}/pairs.jsonl',
    summary: 'Every finished round’s pairs, in round order',
    responses: { 200: { description: 'pairs', contentType: 'application/x-ndjson' } },
  },
];
