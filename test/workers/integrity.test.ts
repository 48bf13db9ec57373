/**
 * A job reads the dataset version it started on (issue #24, part 1): replacing the dataset, or
 * putting one of its parts again, while a job reads it changes nothing in that job's outputs; the
 * replaced version stays readable until the job ends, then it is deleted. An object changed behind
 * Winnow's back (straight into the bucket) fails the job with `input_changed`, never mixes versions.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import alpaca from '../../../shared/data/alpaca-random-9k.json';
import type { DatasetInfo, JobStatus } from '../../schemas/api.ts';
import { shuffled } from '../support/shuffle.ts';
import { api, jobStatus, json, lines, output, startJob, upload, waitForJob } from './helpers.ts';

const ALPACA = alpaca as Record<string, string>[];
const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
/** Many small shards, so the job is still ingesting when the dataset is replaced. */
const RECIPE = {
  shardBytes: 8 * 1024,
  scorers: [{ id: 'length' }, { id: 'lexical' }],
  select: { budget: '30%' },
};
const FILES = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl', 'weights.jsonl'];

/** Poll until ingest has read at least one shard (and not all of them). */
async function midIngest(id: string): Promise<JobStatus> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await jobStatus(id);
    const ingest = s.stages.find((x) => x.name === 'ingest');
    if (ingest && ingest.shardsDone > 0) return s;
    if (s.state !== 'running' || Date.now() > deadline)
      throw new Error(`job never reached ingest: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function outputs(id: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of FILES) out[f] = await output(id, f);
  out.counts = JSON.stringify(JSON.parse(await output(id, 'report.json')).counts);
  return out;
}

async function listed(prefix: string): Promise<string[]> {
  return (await env.DATA_BUCKET.list({ prefix })).objects.map((o) => o.key);
}

describe('a job reads the dataset version it started on', () => {
  const rows = ALPACA.slice(0, 1000);

  it('a dataset uploaded again mid-ingest changes nothing in the running job; the old version goes when it ends', async () => {
    const name = 'swap';
    const first = await json<DatasetInfo>(await upload(name, jsonl(rows)));
    const oldKey = first.objects[0].key;
    expect(oldKey).toMatch(/^datasets\/swap\/\.winnow\/v\/[0-9a-z]+\/upload$/);
    const job = await startJob(name, RECIPE);
    const at = await midIngest(job);
    const res = await upload(name, jsonl(shuffled(rows, 7)));
    expect(res.status).toBe(201);
    const newKey = (await json<DatasetInfo>(res)).objects[0].key;
    expect(newKey).not.toBe(oldKey);
    // The replacement landed while the job was still reading its input.
    const during = await jobStatus(job);
    const ingest = during.stages.find((x) => x.name === 'ingest')!;
    expect(during.state).toBe('running');
    expect(ingest.shardsDone).toBeLessThan(ingest.shardsTotal);
    expect(at.stages.find((x) => x.name === 'ingest')!.shardsTotal).toBeGreaterThan(30);
    // The job's version is still there while it runs.
    expect(await env.DATA_BUCKET.head(oldKey)).not.toBeNull();

    const done = await waitForJob(job);
    expect(done.state).toBe('done');
    const got = await outputs(job);

    // A clean run of the version the job started on, under another name.
    await upload('swap-clean', jsonl(rows));
    const clean = await startJob('swap-clean', RECIPE);
    expect((await waitForJob(clean)).state).toBe('done');
    expect(got).toEqual(await outputs(clean));
    const counts = JSON.parse(got.counts);
    expect(counts.input).toBe(rows.length);
    const seen = FILES.slice(0, 3).flatMap((f) => lines(got[f]).map((l) => l.source.index as number));
    expect(seen.sort((a, b) => a - b)).toEqual(rows.map((_, i) => i));

    // Once no unfinished job reads it, the replaced version is deleted; the current one stays.
    const keys = await listed('datasets/swap/.winnow/v/');
    expect(keys).toEqual([newKey]);
    // A job started now reads the new version.
    const now = await json<DatasetInfo>(await api(`/v1/datasets/${name}`));
    expect(now.objects.map((o) => o.key)).toEqual([newKey]);
  });

  it('a part put again mid-job keeps its place for later jobs and its old bytes for the running one', async () => {
    const name = 'swap-part';
    await upload(name, jsonl(rows.slice(0, 500)));
    const part = async (body: string) =>
      json<DatasetInfo>(await api(`/v1/datasets/${name}/parts/0001`, { method: 'PUT', body }));
    const before = await part(jsonl(rows.slice(500, 1000)));
    await api(`/v1/datasets/${name}/parts/0002`, { method: 'PUT', body: jsonl(rows.slice(0, 10)) });
    const job = await startJob(name, RECIPE);
    await midIngest(job);
    const after = await part(jsonl(shuffled(rows.slice(500, 1000), 3)));
    // In place: the same position, a new key, the part's name kept.
    expect(after.objects.map((o) => o.part ?? null)).toEqual([null, '0001', '0002']);
    expect(after.objects[1].key).not.toBe(before.objects[1].key);
    expect((await jobStatus(job)).state).toBe('running');
    expect((await waitForJob(job)).state).toBe('done');

    await upload('swap-part-clean', jsonl(rows.slice(0, 500)));
    await api('/v1/datasets/swap-part-clean/parts/0001', {
      method: 'PUT',
      body: jsonl(rows.slice(500, 1000)),
    });
    await api('/v1/datasets/swap-part-clean/parts/0002', { method: 'PUT', body: jsonl(rows.slice(0, 10)) });
    const clean = await startJob('swap-part-clean', RECIPE);
    expect((await waitForJob(clean)).state).toBe('done');
    expect(await outputs(job)).toEqual(await outputs(clean));
    expect(await env.DATA_BUCKET.head(before.objects[1].key)).toBeNull();
  });

  it('an object overwritten straight in the bucket mid-job fails the job with input_changed, naming it', async () => {
    await env.DATA_BUCKET.put('raw/outside.jsonl', jsonl(rows));
    const reg = await api('/v1/datasets/outside/register', {
      method: 'POST',
      body: JSON.stringify({ keys: ['raw/outside.jsonl'] }),
    });
    expect(reg.status).toBe(201);
    const job = await startJob('outside', RECIPE);
    await midIngest(job);
    await env.DATA_BUCKET.put('raw/outside.jsonl', jsonl(shuffled(rows, 5)));
    const done = await waitForJob(job);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(
      /raw\/outside\.jsonl: the object changed while the job read it \(the job started on version [0-9a-f]+; the bucket now holds version [0-9a-f]+\)/,
    );
    // Registered objects are the user's: never deleted.
    expect(await env.DATA_BUCKET.head('raw/outside.jsonl')).not.toBeNull();
  });
});

describe('parts', () => {
  it('parts no job has read are stored in name order; one added after a job goes after what it read', async () => {
    const name = 'part-order';
    await upload(name, jsonl(ALPACA.slice(0, 5)));
    const put = (part: string, i: number) =>
      api(`/v1/datasets/${name}/parts/${part}`, { method: 'PUT', body: jsonl(ALPACA.slice(5 + i, 6 + i)) });
    // Uploads that end out of name order (sequential here, so the order is the test's).
    for (const [i, p] of ['0003', '0001', '0002'].entries()) expect((await put(p, i)).status).toBe(201);
    const parts = async () =>
      (await json<DatasetInfo>(await api(`/v1/datasets/${name}`))).objects.map((o) => o.part ?? null);
    expect(await parts()).toEqual([null, '0001', '0002', '0003']);
    const job = await startJob(name, { select: { budget: 2 } });
    expect((await put('0000', 3)).status).toBe(201);
    expect(await parts()).toEqual([null, '0001', '0002', '0003', '0000']);
    expect((await waitForJob(job)).state).toBe('done');
    expect(JSON.parse(await output(job, 'report.json')).counts.input).toBe(8);
  });
});

describe('GET /v1/jobs', () => {
  it('lists jobs newest first, by dataset and state, a page at a time', async () => {
    const rows = ALPACA.slice(0, 40);
    await upload('list-a', jsonl(rows));
    await upload('list-b', jsonl(rows.slice(0, 20)));
    const a1 = await startJob('list-a', { select: { budget: 5 } });
    const b1 = await startJob('list-b', { select: { budget: 5 } });
    const a2 = await startJob('list-a', { select: { budget: 5 } });
    for (const id of [a1, b1, a2]) expect((await waitForJob(id)).state).toBe('done');
    const page = async (q: string) => json(await api(`/v1/jobs?${q}`));
    const a = await page('dataset=list-a');
    expect(a.jobs.map((j: { id: string }) => j.id)).toEqual([a2, a1]);
    expect(a.jobs[0]).toMatchObject({ dataset: 'list-a', state: 'done', error: null });
    expect(a.jobs[0].stagesDone).toBe(a.jobs[0].stagesTotal);
    expect(a.next).toBeNull();
    // One at a time: `next` pages on, and the pages add up to the whole list.
    const all = (await page('limit=100')).jobs.map((j: { id: string }) => j.id);
    expect(all.indexOf(a2)).toBeLessThan(all.indexOf(b1));
    expect(all.indexOf(b1)).toBeLessThan(all.indexOf(a1));
    const paged: string[] = [];
    let before = '';
    for (;;) {
      const p = await page(`limit=2${before ? `&before=${before}` : ''}`);
      paged.push(...p.jobs.map((j: { id: string }) => j.id));
      if (!p.next) break;
      before = p.next;
    }
    expect(paged).toEqual(all);
    expect((await page('state=failed&dataset=list-a')).jobs).toEqual([]);
    const bad = await api('/v1/jobs?limit=0&state=lost');
    expect(bad.status).toBe(400);
    const issues = (await json(bad)).error.details.map((d: { path: string }) => d.path);
    expect(issues.sort()).toEqual(['limit', 'state']);
  });
});
