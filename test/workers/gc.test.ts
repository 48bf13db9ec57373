/**
 * Nothing kept forever (issue #24, part 7): DELETE of jobs and datasets removes their objects and
 * Durable Object state; a finished job drops its intermediates unless its recipe keeps them, and
 * still serves its outputs and diffs; gc frees what is left; references and registered keys never
 * name Winnow's own objects.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import alpaca from '../../../shared/data/alpaca-random-9k.json';
import type { JobStatus } from '../../schemas/api.ts';
import type { DatasetDeleted, GcResult, JobDeleted } from '../../schemas/storage.ts';
import type { JobCoordinator } from '../../workers/coordinator.ts';
import type { DatasetKeeper } from '../../workers/dataset-keeper.ts';
import { collectGarbage } from '../../workers/gc.ts';
import { cachePartition } from '../../workers/score-cache.ts';
import { api, jobStatus, json, output, startJob, upload, waitForJob } from './helpers.ts';

const ALPACA = alpaca as Record<string, string>[];
const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
const RECIPE = {
  shardBytes: 16 * 1024,
  scorers: [{ id: 'length' }, { id: 'lexical' }],
  exportEmbeddings: true,
  select: { budget: '30%' },
  // Both jobs of a test run at once on one dataset: each fits the embedder itself (and writes its fit
  // sample), rather than one reusing the other's model depending on which got there first.
  fit: { refit: true },
};
const FILES = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl', 'weights.jsonl', 'embeddings.npy'];

async function listed(prefix: string): Promise<{ key: string; size: number }[]> {
  const out: { key: string; size: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.DATA_BUCKET.list({ prefix, cursor });
    out.push(...page.objects.map((o) => ({ key: o.key, size: o.size })));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}
const sum = (objects: { size: number }[]) => objects.reduce((a, o) => a + o.size, 0);

/** Wait until the ended job's intermediates are dropped (the coordinator's alarm does it). */
async function dropped(id: string): Promise<JobStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await jobStatus(id);
    if (s.intermediates?.state !== 'dropping') return s;
    if (Date.now() > deadline) throw new Error(`intermediates of ${id} not dropped: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function outputs(id: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of FILES) out[f] = await output(id, f);
  return out;
}

const keeperOf = (name: string) =>
  env.DATASET_KEEPER.get(env.DATASET_KEEPER.idFromName(name)) as DurableObjectStub<DatasetKeeper>;
const coordinatorOf = (id: string) =>
  env.JOB_COORDINATOR.get(env.JOB_COORDINATOR.idFromName(id)) as DurableObjectStub<JobCoordinator>;

/** Rows in the object's SQLite tables (every table but SQLite's and Cloudflare's own). */
async function rows(stub: DurableObjectStub): Promise<number> {
  return runInDurableObject(stub, (_o, state) => {
    const sql = state.storage.sql;
    const tables = sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
      )
      .toArray();
    return tables.reduce(
      (a, t) => a + sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM "${t.name}"`).one().n,
      0,
    );
  });
}

describe('a finished job keeps its outputs, not its intermediates', () => {
  const rows300 = ALPACA.slice(0, 300);
  let kept: string;
  let lean: string;

  it('drops shards, scores and vectors once done; serves the same outputs as a job that keeps everything', async () => {
    await upload('gc-lean', jsonl(rows300));
    kept = await startJob('gc-lean', { ...RECIPE, keep: 'all' });
    lean = await startJob('gc-lean', RECIPE);
    expect((await waitForJob(kept)).state).toBe('done');
    expect((await waitForJob(lean)).state).toBe('done');
    const k = await dropped(kept);
    const l = await dropped(lean);
    expect(k.intermediates).toEqual({ state: 'kept', objects: 0, bytes: 0 });
    expect(l.intermediates?.state).toBe('dropped');

    const all = await listed(`jobs/${kept}/`);
    const left = await listed(`jobs/${lean}/`);
    // What stays: job.json, out/, the parts outputs are served from (embeddings.npy), members files.
    const KEPT = /^(job\.json|out\/.+|shards\/\d{5}\/(members\.bin|embed\.f32))$/;
    const inside = (id: string) => (o: { key: string }) => o.key.slice(`jobs/${id}/`.length);
    // What it reported dropping is what the job that kept everything holds beyond that.
    const extra = all.filter((o) => !KEPT.test(inside(kept)(o)));
    expect(l.intermediates).toEqual({ state: 'dropped', objects: extra.length, bytes: sum(extra) });
    expect(left.length).toBe(all.length - extra.length);
    expect(all.some((o) => o.key.endsWith('/records.jsonl'))).toBe(true);
    expect(all.some((o) => o.key.endsWith('/scores.jsonl'))).toBe(true);
    const rest = left.map(inside(lean));
    for (const key of rest) expect(key).toMatch(KEPT);
    expect(rest).toContain('job.json');
    expect(rest.filter((k) => k.endsWith('members.bin')).length).toBeGreaterThan(1);
    expect(sum(left)).toBeLessThan(sum(all) / 2);

    expect(await outputs(lean)).toEqual(await outputs(kept));
    const report = JSON.parse(await output(lean, 'report.json'));
    expect(report.counts.input).toBe(rows300.length);
  });

  it('a later job compares with it (previous) after the drop', async () => {
    const next = await api('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({ dataset: 'gc-lean', recipe: RECIPE, previous: lean }),
    });
    expect(next.status).toBe(201);
    const id = (await json<{ id: string }>(next)).id;
    expect((await waitForJob(id)).state).toBe('done');
    const diff = JSON.parse(await output(id, 'diff.json'));
    expect(diff).toMatchObject({ run: id, previous: lean, counts: { entered: 0, left: 0 } });
  });

  it('DELETE removes every object under jobs/{id}/ and the coordinator; the job is 404 after', async () => {
    // A schedule that reuses the job's recipe keeps running after the job is deleted.
    const schedule = await api('/v1/datasets/gc-lean/schedule', {
      method: 'PUT',
      body: JSON.stringify({ every: '1d', enabled: false, recipeRef: kept }),
    });
    expect(schedule.status).toBe(200);
    const before = await listed(`jobs/${kept}/`);
    const res = await api(`/v1/jobs/${kept}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await json<JobDeleted>(res)).toEqual({
      job: kept,
      freed: { objects: before.length, bytes: sum(before) },
    });
    expect(await listed(`jobs/${kept}/`)).toEqual([]);
    expect(await rows(coordinatorOf(kept))).toBe(0);
    const gone = await api(`/v1/jobs/${kept}`);
    expect(gone.status).toBe(404);
    expect((await api(`/v1/jobs/${kept}/outputs/selected.jsonl`)).status).toBe(404);
    expect((await api(`/v1/jobs/${kept}`, { method: 'DELETE' })).status).toBe(404);
    // The other job of the dataset is untouched.
    expect((await output(lean, 'selected.jsonl')).length).toBeGreaterThan(0);
    const tick = await api('/v1/datasets/gc-lean/schedule/tick', { method: 'POST', body: '{"force":true}' });
    const started = await json(tick);
    expect(started).toMatchObject({ action: 'started', error: null });
    const run = await waitForJob(started.run);
    expect(run.state).toBe('done');
    expect(JSON.parse(await output(started.run, 'report.json')).recipe.keep).toBe('all');
  });

  it('refuses to delete a job a running job compares with, and a running job (cancel first)', async () => {
    // A job that compares with `lean` and has not started yet holds it, as a running one does.
    await keeperOf('gc-lean').snapshot('gc-lean', 'jholdsprevious01', lean);
    const held = await api(`/v1/jobs/${lean}`, { method: 'DELETE' });
    expect(held.status).toBe(409);
    expect((await json(held)).error.message).toBe(
      `running job jholdsprevious01 compares with job "${lean}" (previous): delete it when that job has ended`,
    );
    await keeperOf('gc-lean').release('jholdsprevious01');

    await upload('gc-busy', jsonl(ALPACA.slice(0, 1000)));
    const busy = await startJob('gc-busy', { ...RECIPE, shardBytes: 4 * 1024 });
    const running = await api(`/v1/jobs/${busy}`, { method: 'DELETE' });
    expect(running.status).toBe(409);
    expect((await json(running)).error.message).toBe(
      `job "${busy}" is running: cancel it first (POST /v1/jobs/${busy}/cancel), then delete it`,
    );
    const cancelled = await api(`/v1/jobs/${busy}/cancel`, { method: 'POST' });
    expect((await json<JobStatus>(cancelled)).state).toBe('cancelled');
    const res = await api(`/v1/jobs/${busy}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect((await json<JobDeleted>(res)).freed.objects).toBeGreaterThan(0);
    expect((await api(`/v1/jobs/${busy}`)).status).toBe(404);
  });
});

describe('DELETE /v1/datasets/:name', () => {
  it('is refused while a job reads the dataset (or references it), and the job finishes unharmed', async () => {
    const name = 'gc-reading';
    await upload(name, jsonl(ALPACA.slice(0, 300)));
    await upload('gc-target', jsonl(ALPACA.slice(2000, 2100)));
    const recipe = {
      shardBytes: 4 * 1024,
      select: { budget: '30%' },
      scorers: [...RECIPE.scorers, { id: 'dsir', config: { target: 'dataset:gc-target' } }],
    };
    const job = await startJob(name, recipe);
    for (const dataset of [name, 'gc-target']) {
      const res = await api(`/v1/datasets/${dataset}`, { method: 'DELETE' });
      expect(res.status).toBe(409);
      const body = await json(res);
      expect(body.error.message).toBe(
        `dataset "${dataset}" is read by running job ${job}: cancel them (POST /v1/jobs/{id}/cancel) or wait for them to end`,
      );
      expect(body.error.details).toEqual({ jobs: [job] });
    }
    expect((await waitForJob(job)).state).toBe('done');
    expect(JSON.parse(await output(job, 'report.json')).counts.input).toBe(300);
  });

  it('deletes its objects, fitted models, schedule, score cells and keeper state; registered keys and its jobs stay', async () => {
    const name = 'gc-doomed';
    await upload(name, jsonl(ALPACA.slice(0, 200)));
    await api(`/v1/datasets/${name}/parts/0001`, { method: 'PUT', body: jsonl(ALPACA.slice(200, 300)) });
    await env.DATA_BUCKET.put(`datasets/${name}/dropped.jsonl`, jsonl(ALPACA.slice(300, 350)));
    await env.DATA_BUCKET.put('raw/gc-registered.jsonl', jsonl(ALPACA.slice(400, 450)));
    const schedule = await api(`/v1/datasets/${name}/schedule`, {
      method: 'PUT',
      body: JSON.stringify({ every: '1d', enabled: false }),
    });
    expect(schedule.status).toBe(200);
    const job = await startJob(name, { ...RECIPE, scorers: [{ id: 'length' }, { id: 'perplexity' }] });
    expect((await waitForJob(job)).state).toBe('done');
    const objects = [
      ...(await listed(`datasets/${name}/`)),
      ...(await listed(`cache/${name}/`)),
      ...(await listed(`schedules/${name}`)),
    ];
    expect(objects.some((o) => o.key.startsWith(`cache/${name}/models/perplexity@`))).toBe(true);
    expect(objects.some((o) => o.key === `datasets/${name}/dropped.jsonl`)).toBe(true);
    expect(objects.some((o) => o.key.startsWith(`datasets/${name}/.winnow/cells/`))).toBe(true);
    expect(await cachePartition(env, name, 0).indexed()).toBeGreaterThan(0);

    const res = await api(`/v1/datasets/${name}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    const body = await json<DatasetDeleted>(res);
    expect(body).toMatchObject({ dataset: name, freed: { objects: objects.length, bytes: sum(objects) } });
    expect(body.cacheBytes).toBeGreaterThan(0);
    expect(await listed(`datasets/${name}/`)).toEqual([]);
    expect(await listed(`cache/${name}/`)).toEqual([]);
    expect(await listed(`schedules/${name}`)).toEqual([]);
    expect(await cachePartition(env, name, 0).indexed()).toBe(0);
    expect(await rows(keeperOf(name))).toBe(0);
    expect((await api(`/v1/datasets/${name}`)).status).toBe(404);
    expect((await api(`/v1/datasets/${name}/schedule`)).status).toBe(404);
    expect((await api(`/v1/datasets/${name}`, { method: 'DELETE' })).status).toBe(404);
    // The user's object is not Winnow's to delete; the job's outputs are the job's.
    expect(await env.DATA_BUCKET.head('raw/gc-registered.jsonl')).not.toBeNull();
    expect((await output(job, 'selected.jsonl')).length).toBeGreaterThan(0);
  });
});

describe("references and registered keys never name Winnow's own objects", () => {
  it('refuses a recipe whose reference is a job file, a cached model or a manifest, naming the key and the rule', async () => {
    await upload('gc-refs', jsonl(ALPACA.slice(0, 50)));
    const recipe = {
      scorers: [
        { id: 'dsir', config: { target: 'jobs/j0000000000/job.json' } },
        { id: 'perplexity', config: { reference: 'cache/gc-refs/models/perplexity@1-0.bin' } },
        { id: 'classifier', config: { labels: 'datasets/gc-refs/manifest.json' } },
      ],
    };
    const res = await api('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({ dataset: 'gc-refs', recipe }),
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.details).toEqual([
      {
        code: 'internal_key',
        path: 'recipe.scorers[0].config.target',
        message:
          '"jobs/j0000000000/job.json" is a job\'s own file (jobs/…), not data: name a data object in the bucket, or "dataset:<name>" for a dataset',
      },
      {
        code: 'internal_key',
        path: 'recipe.scorers[1].config.reference',
        message:
          '"cache/gc-refs/models/perplexity@1-0.bin" is a fitted model kept for a dataset (cache/…), not data: name a data object in the bucket, or "dataset:<name>" for a dataset',
      },
      {
        code: 'internal_key',
        path: 'recipe.scorers[2].config.labels',
        message:
          '"datasets/gc-refs/manifest.json" is a dataset\'s manifest or latest pointer (datasets/<name>/manifest.json, latest.json), not data: name a data object in the bucket, or "dataset:<name>" for a dataset',
      },
    ]);
  });

  it('refuses to register a job file or a version Winnow keeps', async () => {
    const up = await json(await upload('gc-reg', jsonl(ALPACA.slice(0, 20))));
    await env.DATA_BUCKET.put('jobs/j0000000000/job.json', '{}');
    const res = await api('/v1/datasets/gc-reg2/register', {
      method: 'POST',
      body: JSON.stringify({ keys: ['jobs/j0000000000/job.json', up.objects[0].key, 'raw/ok.jsonl'] }),
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(['keys[0]', 'keys[1]']);
    expect(body.error.details[1].message).toBe(
      `"${up.objects[0].key}" is a version Winnow keeps of a dataset's objects (datasets/<name>/.winnow/…), not data: register data objects`,
    );
    expect((await api('/v1/datasets/gc-reg2')).status).toBe(404);
  });
});

describe('gc', () => {
  it('reports and frees late intermediates, orphaned job files, replaced versions, then old jobs', async () => {
    await upload('gc-collect', jsonl(ALPACA.slice(0, 120)));
    const job = await startJob('gc-collect', RECIPE);
    expect((await waitForJob(job)).state).toBe('done');
    expect((await dropped(job)).intermediates?.state).toBe('dropped');
    // A late write of a stale task after the drop, files of a job that never started, and a replaced
    // version its keeper still lists.
    await env.DATA_BUCKET.put(`jobs/${job}/shards/00000/records.jsonl`, 'x'.repeat(100));
    await env.DATA_BUCKET.put('jobs/jorphaned000001/shards/00000/records.jsonl', 'y'.repeat(200));
    await env.DATA_BUCKET.put('datasets/gc-collect/.winnow/v/old/upload', 'z'.repeat(300));
    await runInDurableObject(keeperOf('gc-collect'), (k: DatasetKeeper) => {
      (k as unknown as { db: { retire(keys: string[], now: number): void } }).db.retire(
        ['datasets/gc-collect/.winnow/v/old/upload'],
        Date.now(),
      );
    });

    // Over HTTP, now: the orphan is too young to be told from a job being started.
    const dry = await json<GcResult>(await api('/v1/gc', { method: 'POST', body: '{"dryRun":true}' }));
    expect(dry.dryRun).toBe(true);
    expect(dry.cursor).toBe('d:');
    expect(dry.freed.intermediates).toEqual({ count: 1, objects: 1, bytes: 100 });
    expect(dry.freed.orphans.objects).toBe(0);
    expect(await env.DATA_BUCKET.head(`jobs/${job}/shards/00000/records.jsonl`)).not.toBeNull();

    // An hour later, every page.
    const later = Date.now() + 3_600_000;
    const pages: GcResult[] = [];
    let cursor: string | undefined;
    do {
      const page = await collectGarbage(env, { dryRun: false, ...(cursor ? { cursor } : {}) }, later);
      pages.push(page);
      cursor = page.cursor;
    } while (cursor);
    const freed = (k: keyof GcResult['freed']) =>
      pages.reduce(
        (a, p) => ({ objects: a.objects + p.freed[k].objects, bytes: a.bytes + p.freed[k].bytes }),
        {
          objects: 0,
          bytes: 0,
        },
      );
    expect(freed('intermediates')).toEqual({ objects: 1, bytes: 100 });
    // At least the planted one (a cancelled job's tasks may have written after it was deleted).
    expect(freed('orphans').bytes).toBeGreaterThanOrEqual(200);
    expect(freed('versions')).toEqual({ objects: 1, bytes: 300 });
    expect(freed('jobs')).toEqual({ objects: 0, bytes: 0 });
    expect(await env.DATA_BUCKET.head(`jobs/${job}/shards/00000/records.jsonl`)).toBeNull();
    expect(await listed('jobs/jorphaned000001/')).toEqual([]);
    expect(await env.DATA_BUCKET.head('datasets/gc-collect/.winnow/v/old/upload')).toBeNull();

    // Jobs that ended more than a day before: deleted whole, outputs and all.
    const files = await listed(`jobs/${job}/`);
    const old = await collectGarbage(
      env,
      { dryRun: false, jobsOlderThan: '1d' },
      Date.now() + 2 * 86_400_000,
    );
    expect(old.freed.jobs.objects).toBeGreaterThanOrEqual(files.length);
    expect(await listed(`jobs/${job}/`)).toEqual([]);
    expect((await api(`/v1/jobs/${job}`)).status).toBe(404);
  });

  it('refuses a bad age or cursor with 400', async () => {
    const age = await api('/v1/gc', { method: 'POST', body: '{"jobsOlderThan":"a week"}' });
    expect(age.status).toBe(400);
    expect((await json(age)).error.message).toBe(
      'request body is invalid: jobsOlderThan: an age is a whole number of m, h or d: 30m, 12h, 7d',
    );
    const cursor = await api('/v1/gc', { method: 'POST', body: '{"cursor":"x"}' });
    expect(cursor.status).toBe(400);
  });
});
