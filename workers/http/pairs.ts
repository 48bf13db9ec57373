import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { SetNameSchema } from '../../schemas/api.ts';
import type { Report } from '../../schemas/output.ts';
import {
  PairSetBodySchema,
  type PairSetInfo,
  PairSetInfoSchema,
  PairSetListSchema,
  type RoundInfo,
  RoundInfoSchema,
  RoundScopeSchema,
} from '../../schemas/pairs.ts';
import { RecipeSchema } from '../../schemas/recipe.ts';
import { WinnowError } from '../../src/errors.ts';
import { PAIR_SETS, pairSetMarkerKey, reportKey } from '../../src/pipeline/keys.ts';
import { JSONL, type OutputFile, outputNamed } from '../../src/pipeline/outputs.ts';
import { validateRecipe } from '../../src/pipeline/validate-recipe.ts';
import { coordinator } from '../coordinator.ts';
import { pairSet, type RoundRow } from '../pair-set.ts';
import { startJob } from '../start-job.ts';
import { parseWith } from './errors.ts';
import { binary, json, jsonRequest, openapi, rawRequest, routes } from './openapi.ts';
import { concatFiles, outputResponse, readManifest } from './outputs.ts';
import { checkProviders } from './provider-policy.ts';
import { maxUploadBytes, streamToR2 } from './upload.ts';

export const pairs = routes();

const params = z.object({ set: SetNameSchema });
const roundParams = params.extend({ round: z.string() });
/** The name again, as the pairs.jsonl handlers read it (their routes have validated it already). */
const nameOf = (raw: string) => parseWith(SetNameSchema, raw, 'pair set name');
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

const configure = createRoute({
  method: 'put',
  path: '/{set}',
  summary: 'Create or change a pair set: a recipe with `pairs` (earlier rounds are kept)',
  request: { params, body: jsonRequest(PairSetBodySchema) },
  responses: {
    201: json('the pair set', PairSetInfoSchema),
    400: { description: 'bad name, body or recipe; every issue listed' },
  },
});

openapi(pairs, configure, async (c) => {
  const { set } = c.req.valid('param');
  const body = c.req.valid('json');
  const recipe = parseWith(RecipeSchema, body.recipe, 'recipe', 'recipe');
  if (!recipe.pairs)
    throw new WinnowError('validation_failed', {
      path: 'recipe.pairs',
      detail: 'a pair set recipe needs a `pairs` section',
    });
  validateRecipe(recipe, 'recipe');
  checkProviders(c.env, recipe);
  await pairSet(c.env, set).configure(recipe, new Date().toISOString());
  // Listed by `GET /v1/pairs` from here on, rounds or not.
  await c.env.DATA_BUCKET.put(pairSetMarkerKey(set), '');
  return c.json(await setInfo(c.env, set), 201);
});

const list = createRoute({
  method: 'get',
  path: '/',
  summary: 'Every pair set, by name: its recipe and its rounds with their state and pair counts',
  responses: { 200: json('pair sets', PairSetListSchema) },
});

openapi(pairs, list, async (c) => {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await c.env.DATA_BUCKET.list({ prefix: PAIR_SETS, delimiter: '/', cursor });
    for (const p of page.delimitedPrefixes) names.push(p.slice(PAIR_SETS.length, -1));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  const sets: PairSetInfo[] = [];
  for (const name of names.sort()) {
    if (await pairSet(c.env, name).meta()) sets.push(await setInfo(c.env, name));
  }
  return c.json({ sets });
});

const describe = createRoute({
  method: 'get',
  path: '/{set}',
  summary: 'A pair set: its recipe and every round with its state and pair counts',
  request: { params },
  responses: {
    200: json('the pair set', PairSetInfoSchema),
    400: { description: 'bad name' },
    404: { description: 'unknown pair set' },
  },
});

openapi(pairs, describe, async (c) => c.json(await setInfo(c.env, c.req.valid('param').set)));

/** A round of new rollouts (the JSONL body): stored, numbered, and paired by its own job. */
const append = createRoute({
  method: 'post',
  path: '/{set}/rounds',
  summary: 'Append a round of new rollouts (JSONL body; ?scope=round|all) and start pairing it',
  request: { params, query: z.object({ scope: RoundScopeSchema }), body: rawRequest('application/x-ndjson') },
  responses: {
    202: json('the round, running', RoundInfoSchema),
    400: { description: 'bad name or scope, or no body' },
    404: { description: 'unknown pair set' },
    413: { description: 'over MAX_UPLOAD_BYTES, decompressed (default 1 GiB)' },
    422: { description: 'a body that starts like gzip but is not valid gzip' },
  },
});

openapi(pairs, append, async (c) => {
  const { set } = c.req.valid('param');
  const { scope } = c.req.valid('query');
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
    const object = await streamToR2(c.env.DATA_BUCKET, key, body, {
      maxBytes: maxUploadBytes(c.env),
      what: 'the round',
      hint: 'send it as several rounds, or raise MAX_UPLOAD_BYTES in [vars]',
    });
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

const round = createRoute({
  method: 'get',
  path: '/{set}/rounds/{round}',
  summary: 'One round: state, job, pair and group counts',
  request: { params: roundParams },
  responses: { 200: json('the round', RoundInfoSchema), 404: { description: 'unknown pair set or round' } },
});

openapi(pairs, round, async (c) => {
  const { set } = c.req.valid('param');
  return c.json(await roundInfo(c.env, set, await roundRow(c.env, set, c.req.param('round'))));
});

/** A round's pairs.jsonl (its job's hash partitions, in order); null until it is done. */
async function roundOutput(env: Env, row: RoundRow): Promise<OutputFile | null> {
  if ((await roundState(env, row)).state !== 'done') return null;
  const m = await readManifest(env.DATA_BUCKET, row.job!);
  return m ? outputNamed(m, 'pairs.jsonl') : null;
}

const roundPairs = createRoute({
  method: 'get',
  path: '/{set}/rounds/{round}/pairs.jsonl',
  summary: 'A finished round’s pairs (TRL DPO format); 409 while it runs',
  request: { params: roundParams },
  responses: {
    200: { description: 'pairs', content: binary('application/x-ndjson') },
    404: { description: 'unknown pair set or round' },
    409: { description: 'the round is not done' },
  },
});

openapi(pairs, roundPairs, async (c) => {
  const set = nameOf(c.req.param('set'));
  const row = await roundRow(c.env, set, c.req.param('round'));
  const file = await roundOutput(c.env, row);
  if (!file) {
    const { state, error } = await roundState(c.env, row);
    throw new WinnowError('conflict', {
      detail: `round ${row.round} of "${set}" is ${state}${error ? `: ${error}` : ''}`,
    });
  }
  return outputResponse(c.env.DATA_BUCKET, file);
});

/** Every finished round's pairs, in round order (each line carries its `round`). */
const setPairs = createRoute({
  method: 'get',
  path: '/{set}/pairs.jsonl',
  summary: 'Every finished round’s pairs, in round order',
  request: { params },
  responses: {
    200: { description: 'pairs', content: binary('application/x-ndjson') },
    404: { description: 'unknown pair set' },
  },
});

openapi(pairs, setPairs, async (c) => {
  const set = nameOf(c.req.param('set'));
  const { stub } = await existing(c.env, set);
  const files: OutputFile[] = [];
  for (const row of await stub.rounds()) {
    const file = await roundOutput(c.env, row);
    if (file) files.push(file);
  }
  return outputResponse(c.env.DATA_BUCKET, concatFiles('pairs.jsonl', files, JSONL));
});
