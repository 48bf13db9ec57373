import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  type DatasetInfo,
  DatasetInfoSchema,
  DatasetListSchema,
  DatasetNameSchema,
  RegisterBodySchema,
} from '../../schemas/api.ts';
import { DatasetDeletedSchema } from '../../schemas/storage.ts';
import { validationError, WinnowError } from '../../src/errors.ts';
import { newVersion, versionKey } from '../../src/pipeline/dataset-objects.ts';
import { internalKeyRule } from '../../src/pipeline/internal-keys.ts';
import { keeper } from '../dataset-keeper.ts';
import { readManifest } from '../dataset-manifest.ts';
import { json, jsonRequest, openapi, rawRequest, routes } from './openapi.ts';
import { maxUploadBytes, streamToR2 } from './upload.ts';

export const datasets = routes();

/**
 * The dataset as a job would read it now: its manifest brought up to date with the objects appended
 * under its prefix (by its DatasetKeeper, the manifest's only writer).
 */
export async function currentDataset(env: Env, name: string): Promise<DatasetInfo> {
  const info = await keeper(env, name).refresh(name);
  if (!info) throw new WinnowError('not_found', { detail: `dataset "${name}" does not exist` });
  return info;
}

const params = z.object({ name: DatasetNameSchema });

const upload = createRoute({
  method: 'put',
  path: '/{name}',
  summary: 'Upload a dataset (JSONL, JSON array or Parquet; gzip accepted), streamed into R2',
  request: { params, body: rawRequest('application/octet-stream') },
  responses: {
    201: json('stored', DatasetInfoSchema),
    400: { description: 'bad name, or no body' },
    413: { description: 'over MAX_UPLOAD_BYTES, decompressed (default 1 GiB)' },
    422: { description: 'a body that starts like gzip but is not valid gzip' },
  },
});

openapi(datasets, upload, async (c) => {
  const { name } = c.req.valid('param');
  const body = c.req.raw.body;
  if (!body)
    throw new WinnowError('bad_request', { detail: 'the request has no body: send the dataset file' });
  // A new version's key: a job reading the dataset's previous upload keeps reading it.
  const key = versionKey(name, newVersion(), 'upload');
  const object = await streamToR2(c.env.DATA_BUCKET, key, body, { maxBytes: maxUploadBytes(c.env) });
  const info: DatasetInfo = {
    name,
    objects: [{ key, size: object.size, etag: object.etag }],
    bytes: object.size,
    origin: 'upload',
    createdAt: new Date().toISOString(),
  };
  return c.json(await keeper(c.env, name).replace(info), 201);
});

const register = createRoute({
  method: 'post',
  path: '/{name}/register',
  summary: 'Adopt objects already in the bucket as a dataset',
  request: { params, body: jsonRequest(RegisterBodySchema) },
  responses: {
    201: json('registered', DatasetInfoSchema),
    400: {
      description:
        "bad name or body, or a key of Winnow's own (jobs/…, cache/…, a manifest); every issue listed",
    },
    404: { description: 'no such key' },
    413: { description: 'a gzip object that decompresses to more than MAX_UPLOAD_BYTES' },
    422: { description: 'a gzip object that is not valid gzip' },
  },
});

openapi(datasets, register, async (c) => {
  const { name } = c.req.valid('param');
  const { keys } = c.req.valid('json');
  const internal = keys.flatMap((key, i) => {
    const what = internalKeyRule(key);
    return what
      ? [
          {
            code: 'internal_key',
            path: `keys[${i}]`,
            message: `"${key}" is ${what}, not data: register data objects`,
          },
        ]
      : [];
  });
  if (internal.length > 0) throw validationError('request body', internal);
  const objects: DatasetInfo['objects'] = [];
  const version = newVersion();
  for (const [i, key] of keys.entries()) {
    const head = await c.env.DATA_BUCKET.get(key, { range: { offset: 0, length: 2 } });
    if (!head)
      throw new WinnowError('not_found', { path: `keys[${i}]`, detail: `no object "${key}" in the bucket` });
    const bytes = new Uint8Array(await head.arrayBuffer());
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      // Gzip cannot be read by byte ranges: store a decompressed copy beside the dataset.
      const whole = await c.env.DATA_BUCKET.get(key);
      const copy = await streamToR2(
        c.env.DATA_BUCKET,
        versionKey(name, version, `registered-${i}`),
        whole!.body,
        {
          maxBytes: maxUploadBytes(c.env),
          what: `the gzip object "${key}" (keys[${i}])`,
          hint: 'register it decompressed, or raise MAX_UPLOAD_BYTES in [vars]',
        },
      );
      objects.push({ key: copy.key, size: copy.size, etag: copy.etag });
    } else {
      objects.push({ key, size: head.size, etag: head.etag });
    }
  }
  const info: DatasetInfo = {
    name,
    objects,
    bytes: objects.reduce((a, o) => a + o.size, 0),
    origin: 'register',
    createdAt: new Date().toISOString(),
  };
  return c.json(await keeper(c.env, name).replace(info), 201);
});

const list = createRoute({
  method: 'get',
  path: '/',
  summary: 'List datasets',
  responses: { 200: json('datasets', DatasetListSchema) },
});

openapi(datasets, list, async (c) => {
  const out: DatasetInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await c.env.DATA_BUCKET.list({ prefix: 'datasets/', delimiter: '/', cursor });
    for (const prefix of page.delimitedPrefixes) {
      const name = prefix.slice('datasets/'.length, -1);
      const info = await readManifest(c.env.DATA_BUCKET, name);
      if (info) out.push(info);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return c.json({ datasets: out });
});

const describe = createRoute({
  method: 'get',
  path: '/{name}',
  summary: 'Describe a dataset',
  request: { params },
  responses: {
    200: json('dataset', DatasetInfoSchema),
    400: { description: 'bad name' },
    404: { description: 'unknown dataset' },
  },
});

openapi(datasets, describe, async (c) => c.json(await currentDataset(c.env, c.req.valid('param').name)));

const remove = createRoute({
  method: 'delete',
  path: '/{name}',
  summary:
    'Delete a dataset: its objects under datasets/{name}/, fitted models, schedule, score cells and keeper state (its jobs stay)',
  request: { params },
  responses: {
    200: json('what was freed', DatasetDeletedSchema),
    400: { description: 'bad name' },
    404: { description: 'unknown dataset' },
    409: { description: 'running jobs read it (listed): cancel them or wait for them' },
  },
});

openapi(datasets, remove, async (c) => {
  const { name } = c.req.valid('param');
  const r = await keeper(c.env, name).destroy(name);
  if (r.state === 'absent')
    throw new WinnowError('not_found', { detail: `dataset "${name}" does not exist` });
  if (r.state === 'running')
    throw new WinnowError('conflict', {
      detail: `dataset "${name}" is read by running job ${r.jobs.join(', ')}: cancel them (POST /v1/jobs/{id}/cancel) or wait for them to end`,
      details: { jobs: r.jobs },
    });
  return c.json({ dataset: r.dataset, freed: r.freed, cacheBytes: r.cacheBytes });
});
