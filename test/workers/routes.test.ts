import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, json, upload } from './helpers.ts';

const ALPACA = `${JSON.stringify({ instruction: 'Say hi', input: '', output: 'Hello there, friend.' })}\n`;

describe('auth', () => {
  it('serves /v1/health without a token', async () => {
    const res = await api('/v1/health', { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, service: 'winnow' });
  });

  it('rejects a missing or wrong token with a 401 JSON error', async () => {
    const missing = await api('/v1/datasets', { token: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchInlineSnapshot(`
      {
        "error": {
          "code": "unauthorized",
          "message": "missing bearer token (Authorization: Bearer <token>)",
        },
      }
    `);
    const wrong = await api('/v1/jobs/jabc12345678', { token: 'nope' });
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error.message).toBe('wrong bearer token');
    expect((await api('/v1/openapi.json', { token: null })).status).toBe(401);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await api('/v1/nothing');
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
  });
});

describe('datasets', () => {
  it('stores an upload in R2 and describes it', async () => {
    const res = await upload('tiny', ALPACA);
    expect(res.status).toBe(201);
    const info = await json(res);
    expect(info).toMatchObject({ name: 'tiny', bytes: ALPACA.length, origin: 'upload' });
    const stored = await env.DATA_BUCKET.get(info.objects[0].key);
    expect(await stored!.text()).toBe(ALPACA);
    expect(await json(await api('/v1/datasets/tiny'))).toEqual(info);
    const list = await json(await api('/v1/datasets'));
    expect(list.datasets.map((d: { name: string }) => d.name)).toContain('tiny');
  });

  it('decompresses a gzip upload on the way in', async () => {
    const gz = await new Response(
      new Blob([ALPACA.repeat(50)]).stream().pipeThrough(new CompressionStream('gzip')),
    ).arrayBuffer();
    const info = await json(await upload('zipped', new Uint8Array(gz)));
    expect(info.bytes).toBe(ALPACA.length * 50);
    expect(await (await env.DATA_BUCKET.get(info.objects[0].key))!.text()).toBe(ALPACA.repeat(50));
  });

  it('streams a large upload as a multipart upload of equal parts', async () => {
    const big = new Uint8Array(8 * 1024 * 1024 * 2 + 12345).fill(0x61);
    const info = await json(await upload('big', big));
    expect(info.bytes).toBe(big.byteLength);
    const head = await env.DATA_BUCKET.head(info.objects[0].key);
    expect(head!.size).toBe(big.byteLength);
    expect(head!.etag).toMatch(/-3$/); // a multipart etag ends with the part count
  });

  it('registers objects already in the bucket', async () => {
    await env.DATA_BUCKET.put('raw/a.jsonl', ALPACA);
    await env.DATA_BUCKET.put('raw/b.jsonl', ALPACA + ALPACA);
    const res = await api('/v1/datasets/adopted/register', {
      method: 'POST',
      body: JSON.stringify({ keys: ['raw/a.jsonl', 'raw/b.jsonl'] }),
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ name: 'adopted', bytes: ALPACA.length * 3, origin: 'register' });
    const missing = await api('/v1/datasets/x/register', {
      method: 'POST',
      body: JSON.stringify({ keys: ['raw/a.jsonl', 'raw/none.jsonl'] }),
    });
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.message).toBe('keys[1]: no object "raw/none.jsonl" in the bucket');
  });

  it('rejects a bad name and an unknown dataset', async () => {
    const bad = await upload('..bad', ALPACA);
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('validation_failed');
    const none = await api('/v1/datasets/none');
    expect(none.status).toBe(404);
    expect((await json(none)).error.message).toBe('dataset "none" does not exist');
  });
});

describe('jobs', () => {
  it('lists every validation issue of a bad request', async () => {
    await upload('tiny', ALPACA);
    const res = await api('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({
        dataset: 'tiny',
        recipe: { shardBytes: 1, select: { budget: '300%' }, bogus: 1 },
      }),
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'recipe',
      'recipe.select.budget',
      'recipe.shardBytes',
    ]);
  });

  it('names unknown scorers, strategies and rank terms with what is known', async () => {
    await upload('tiny', ALPACA);
    const post = (recipe: unknown) =>
      api('/v1/jobs', { method: 'POST', body: JSON.stringify({ dataset: 'tiny', recipe }) });
    const res = await post({ scorers: [{ id: 'nope' }], select: { rank: { terms: [{ score: 'vibes' }] } } });
    expect(res.status).toBe(400);
    const { error } = await json(res);
    // Every issue's path starts where the recipe sits in the body, as the schema's do.
    expect(error.details.map((d: { path: string }) => d.path)).toEqual([
      'recipe.scorers[0].id',
      'recipe.select.rank.terms[0].score',
    ]);
    // An unknown strategy is a schema error, with the known ones listed.
    const magic = await json(await post({ select: { strategy: { id: 'magic' } } }));
    expect(magic.error.details).toMatchObject([
      {
        path: 'recipe.select.strategy.id',
        message: 'unknown strategy "magic"; known: topk, balanced, diverse, kcenter',
      },
    ]);
    // balanced needs clusters: a semantic error naming the path.
    const balanced = await json(await post({ select: { strategy: { id: 'balanced' } } }));
    expect(balanced.error.details[0]).toMatchObject({ path: 'recipe.select.strategy.id' });
    expect(balanced.error.details[0].message).toMatch(/needs `cluster`/);
  });

  it('404s an unknown dataset or job and 400s a body that is not JSON', async () => {
    const none = await api('/v1/jobs', { method: 'POST', body: JSON.stringify({ dataset: 'missing' }) });
    expect(none.status).toBe(404);
    expect((await api('/v1/jobs/jzzzzzzzzzz')).status).toBe(404);
    const notJson = await api('/v1/jobs', { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect((await json(notJson)).error.code).toBe('invalid_json');
  });
});

describe('openapi', () => {
  it('is generated from the zod schemas', async () => {
    const doc = await json(await api('/v1/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/health',
        '/v1/datasets/{name}',
        '/v1/jobs',
        '/v1/jobs/{id}/outputs/{file}',
        '/v1/pairs/{set}',
        '/v1/pairs/{set}/rounds',
        '/v1/pairs/{set}/rounds/{round}/pairs.jsonl',
      ]),
    );
    const recipe =
      doc.paths['/v1/jobs'].post.requestBody.content['application/json'].schema.properties.recipe;
    expect(recipe.properties.select.properties.budget).toBeDefined();
    expect(recipe.properties.format.enum).toEqual([
      'auto',
      'alpaca',
      'sharegpt',
      'messages',
      'responses',
      'response',
      'trajectory',
    ]);
    expect(recipe.properties.pairs.properties.strategy).toBeDefined();
  });
});

describe('scorers', () => {
  it('lists the registry with config schemas; a recipe naming an unknown scorer or provider is a 400', async () => {
    const { scorers } = await json(await api('/v1/scorers'));
    const ids = scorers.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['heuristics', 'identity', 'perplexity', 'judge', 'golden']));
    const identity = scorers.find((s: { id: string }) => s.id === 'identity');
    expect(identity).toMatchObject({
      kind: 'offline',
      fits: false,
      outputs: ['identity', 'identity_attack'],
    });
    expect(identity.config.properties.name).toBeDefined();
    expect(scorers.find((s: { id: string }) => s.id === 'perplexity').fits).toBe(true);

    await upload('tiny', '{"instruction":"a","output":"b"}\n');
    const post = (recipe: unknown) =>
      api('/v1/jobs', { method: 'POST', body: JSON.stringify({ dataset: 'tiny', recipe }) });
    const bad = await json(
      await post({ scorers: [{ id: 'judge', config: { provider: 'gpt' } }, { id: 'nope' }] }),
    );
    expect(bad.error.code).toBe('validation_failed');
    expect(bad.error.details.map((d: { path: string }) => d.path)).toEqual(['recipe.scorers[1].id']);
    const noProvider = await json(await post({ scorers: [{ id: 'judge', config: { provider: 'gpt' } }] }));
    expect(noProvider.error.message).toContain(
      'recipe.scorers[0].config.provider: unknown provider "gpt"; the recipe\'s providers: (none)',
    );
  });
});
