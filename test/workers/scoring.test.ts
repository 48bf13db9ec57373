import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../schemas/output.ts';
import { generateDemo } from '../../src/demo/index.ts';
import { api, json, lines, output, startJob, upload, waitForJob } from './helpers.ts';

async function report(id: string): Promise<Report> {
  return json<Report>(await api(`/v1/jobs/${id}/outputs/report.json`));
}

describe('scoring on workerd: the fit stage, the cell cache and filters', () => {
  it('a re-run of the same recipe computes no cells and selects the same records', async () => {
    await upload('cached', generateDemo({ records: 500, seed: 21 }));
    const recipe = {
      shardBytes: 16_000,
      scorers: [
        { id: 'length', config: {} },
        { id: 'lexical', config: {} },
      ],
      select: { filters: [{ score: 'length', min: 0.2 }], budget: '20%' },
    };
    const a = await startJob('cached', recipe);
    expect((await waitForJob(a)).state).toBe('done');
    const first = await report(a);
    expect(first.scoring.computed).toBeGreaterThan(0);
    expect(first.rejectedByReason['filter:length']).toBeGreaterThan(0);

    const b = await startJob('cached', recipe);
    expect((await waitForJob(b)).state).toBe('done');
    const second = await report(b);
    expect(second.scoring).toMatchObject({
      computed: 0,
      cached: first.scoring.computed + first.scoring.cached,
    });
    const ids = async (job: string) => lines(await output(job, 'selected.jsonl')).map((l) => l.id);
    expect(await ids(b)).toEqual(await ids(a));
    expect(second.rejectedByReason).toEqual(first.rejectedByReason);

    // Offline cells live in R2, one object per (shard, column) plus each shard's hash list, and the
    // dataset's ScoreCache objects index every distinct record, spread by the first hex digit of its
    // hash. No cell is kept per record: that is for model-backed scorers.
    const { CACHE_PARTITIONS, cachePartition } = await import('../../workers/score-cache.ts');
    const listed = await env.DATA_BUCKET.list({ prefix: 'datasets/cached/.winnow/cells/' });
    const names = listed.objects.map((o) => decodeURIComponent(o.key.split('/').pop()!).split(':')[0]);
    const shards = first.stages.score.shards;
    expect(names.filter((n) => n === 'hashes')).toHaveLength(shards);
    expect(names.filter((n) => n === 'length@1')).toHaveLength(shards);
    expect(names.filter((n) => n === 'lexical@1')).toHaveLength(shards);
    let indexed = 0;
    let used = 0;
    for (let p = 0; p < CACHE_PARTITIONS; p++) {
      const part = cachePartition(env, 'cached', p);
      expect(await part.columns()).toEqual([]);
      const n = await part.indexed();
      indexed += n;
      if (n > 0) used++;
    }
    // Every distinct valid record once (a copy in another shard is scored there again, so the
    // first run computed a few more cells than that).
    const hashes = new Set<string>();
    for (const file of ['selected.jsonl', 'rejected.jsonl'])
      for (const l of lines(await output(a, file))) hashes.add((l as { hash: string }).hash);
    expect(indexed).toBe(hashes.size);
    expect(first.scoring.byScorer.length.computed).toBeGreaterThanOrEqual(hashes.size);
    expect(used).toBeGreaterThan(8);
  });
});

describe('references to other datasets', () => {
  it('fits DSIR on an uploaded dataset named dataset:<name>; a missing one is refused when the job is created', async () => {
    const target = Array.from({ length: 30 }, (_, i) => ({
      instruction: `Write a haiku about rain ${i}`,
      output: 'Soft rain on the roof',
    }));
    await upload('haiku-target', JSON.stringify(target));
    await upload('mixed', generateDemo({ records: 200, seed: 5 }));
    const scorers = [{ id: 'dsir', config: { target: 'dataset:haiku-target' } }];
    const ok = await startJob('mixed', { scorers });
    expect((await waitForJob(ok)).state).toBe('done');
    expect((await report(ok)).fits.dsir.summary).toMatchObject({ target: 30 });

    const missing = await api('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({
        dataset: 'mixed',
        recipe: { scorers: [{ id: 'dsir', config: { target: 'dataset:nope' } }] },
      }),
    });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.message).toBe(
      'recipe.scorers[0].config.target: there is no dataset "nope"; upload it first (PUT /v1/datasets/nope)',
    );
  });
});

describe('the ScoreCache object', () => {
  it('looks cells up by primary-key seeks, one per hash, never by scanning a column', async () => {
    const { runInDurableObject } = await import('cloudflare:test');
    const { LOOKUP } = await import('../../workers/score-cache.ts');
    const stub = env.SCORE_CACHE.get(env.SCORE_CACHE.idFromName('plan-check'));
    await stub.put('c@1:x', [
      ['h1', '{"scores":{"a":1}}'],
      ['h2', '{"scores":{"a":2}}'],
    ]);
    expect(await stub.get('c@1:x', ['h2', 'h3'])).toEqual({ h2: '{"scores":{"a":2}}' });
    const plan = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql
        .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${LOOKUP}`, 'c@1:x', '["h1"]')
        .toArray()
        .map((r) => r.detail),
    );
    expect(plan[0]).toBe('SEARCH cells USING PRIMARY KEY (col=? AND hash=?)');
  });

  it('indexes records by integer keys, seeks them by rowid, and still reads the text index written before', async () => {
    const { runInDurableObject } = await import('cloudflare:test');
    const { LOCATE, intKey } = await import('../../workers/score-cache.ts');
    const stub = env.SCORE_CACHE.get(env.SCORE_CACHE.idFromName('index-check'));
    const a = '0123456789abcdef';
    const b = 'fedcba9876543210';
    // Same first 52 bits as `a`: it shares a's row (the reader checks the shard's hash list).
    const twin = '0123456789abcfff';
    await stub.index('digest-one', [a, b]);
    await stub.index('digest-two', [b]);
    // A row of the text index, as an object written before the integer one holds it.
    const old = '00000000000000aa';
    await runInDurableObject(stub, (_o, state) => {
      state.storage.sql.exec('INSERT INTO shards (h, shard) VALUES (?, ?)', old, 'digest-old');
    });
    expect(await stub.locate([a, b, twin, old, '1111111111111111'])).toEqual({
      [a]: 'digest-one',
      [b]: 'digest-two',
      [twin]: 'digest-one',
      [old]: 'digest-old',
    });
    expect(await stub.indexed()).toBe(3);
    expect(intKey(a)).toBe(0x0123456789abc);
    const plan = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql
        .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${LOCATE}`, JSON.stringify([intKey(a)]))
        .toArray()
        .map((r) => r.detail),
    );
    expect(plan.some((d) => /SEARCH i USING INTEGER PRIMARY KEY \(rowid=\?\)/.test(d))).toBe(true);
    expect(plan.some((d) => /SCAN i\b/.test(d))).toBe(false);
  });
});
