import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
// Real records (the shared Alpaca sample), bundled into the test by the JSON import.
import alpaca from '../../../shared/data/alpaca-random-9k.json';
import type { Run, RunList, Schedule, TickResult } from '../../schemas/schedule.ts';
import worker from '../../workers/index.ts';
import { api, json, lines, output, upload } from './helpers.ts';

const ALPACA = alpaca as unknown[];
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n');
/** Small shards, so that a run has several of them; few scorers, to keep the suite quick. */
const RECIPE = {
  shardBytes: 32 * 1024,
  scorers: [{ id: 'length' }, { id: 'lexical' }, { id: 'heuristics' }],
  select: { budget: '30%' },
};
const MINUTE = 60_000;

async function cron(at: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: '* * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function put(name: string, body: unknown): Promise<Response> {
  return api(`/v1/datasets/${name}/schedule`, { method: 'PUT', body: JSON.stringify(body) });
}

async function runs(name: string): Promise<RunList> {
  return json<RunList>(await api(`/v1/datasets/${name}/runs`));
}

/** Poll the runs list until `run` is no longer starting or running. */
async function settle(name: string, run: string, timeoutMs = 110_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = (await runs(name)).runs.find((x) => x.run === run);
    if (r && r.state !== 'starting' && r.state !== 'running') return r;
    if (Date.now() > deadline) throw new Error(`run ${run} still going: ${JSON.stringify(r)}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

const report = async (run: string) => JSON.parse(await output(run, 'report.json'));
const selectedIds = async (run: string) =>
  lines(await output(run, 'selected.jsonl')).map((l) => l.id as string);

describe('schedules API', () => {
  it('validates the body, the recipe, the dataset and the recipeRef, listing every issue', async () => {
    expect((await put('nope', { every: '1h' })).status).toBe(404);
    const orphan = await api('/v1/datasets/nope/parts/0001', {
      method: 'PUT',
      body: '{"instruction":"a","output":"b"}',
    });
    expect(orphan.status).toBe(404);
    expect((await json(orphan)).error.message).toContain('dataset "nope" does not exist: upload it first');
    await upload('sched-api', jsonl(ALPACA.slice(0, 20)));
    const both = await put('sched-api', { cron: '* * * * *', every: '1h' });
    expect(both.status).toBe(400);
    expect((await json(both)).error.details).toEqual([
      { path: 'cron', code: 'custom', message: 'give exactly one of cron or every' },
    ]);
    const bad = await json(await put('sched-api', { cron: '61 * * * *', every: undefined }));
    expect(bad.error.details[0].message).toMatch(/minute/);
    const badEvery = await json(await put('sched-api', { every: '6 hours' }));
    expect(badEvery.error.details[0].message).toBe('every must look like 15m, 6h or 1d, got "6 hours"');
    const unknown = await put('sched-api', { every: '1h', recipe: { scorers: [{ id: 'nope' }] } });
    expect(unknown.status).toBe(400);
    const ref = await put('sched-api', { every: '1h', recipeRef: 'j0000000000' });
    expect(ref.status).toBe(404);
    expect((await json(ref)).error.message).toContain('job "j0000000000" does not exist');
    expect((await api('/v1/datasets/sched-api/schedule')).status).toBe(404);

    const ok = await put('sched-api', { cron: '0 3 * * *', recipe: RECIPE });
    expect(ok.status).toBe(200);
    const s = await json<Schedule>(ok);
    expect(s).toMatchObject({ dataset: 'sched-api', cron: '0 3 * * *', enabled: true, retries: 3 });
    expect(new Date(s.nextDue!).getUTCHours()).toBe(3);
    expect(await json(await api('/v1/datasets/sched-api/schedule'))).toEqual(s);
    expect((await api('/v1/datasets/sched-api/schedule', { method: 'DELETE' })).status).toBe(200);
    expect((await api('/v1/datasets/sched-api/schedule', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('scheduled re-scoring (the Cron Trigger handler)', () => {
  it('starts a due schedule, not one that is not due, and never two runs for one schedule', async () => {
    await upload('due', jsonl(ALPACA.slice(0, 120)));
    await upload('later', jsonl(ALPACA.slice(120, 240)));
    const due = await json<Schedule>(await put('due', { every: '1h', recipe: RECIPE }));
    const later = await json<Schedule>(await put('later', { cron: '0 3 * * *', recipe: RECIPE }));
    const now = Date.parse(due.nextDue!);
    expect(Date.parse(later.nextDue!)).toBeGreaterThan(now);
    // Overlapping ticks: three at once, and the API's tick while they run.
    const tick = () =>
      api('/v1/datasets/due/schedule/tick', { method: 'POST', body: '{}' }).then((r) => json<TickResult>(r));
    const [, , , manual] = await Promise.all([cron(now), cron(now), cron(now + 1000), tick()]);
    expect(['busy', 'started', 'not_due']).toContain(manual.action);
    const list = await runs('due');
    expect(list.runs).toHaveLength(1);
    const [run] = list.runs;
    expect(run).toMatchObject({ seq: 1, trigger: 'due', previous: null, objects: 1 });
    expect((await runs('later')).runs).toHaveLength(0);
    // While it runs, another tick starts nothing.
    const busy = await tick();
    if (busy.action === 'busy') expect(busy.run).toBe(run.run);
    const done = await settle('due', run.run);
    expect(done.state).toBe('done');
    expect(done.summary).toMatchObject({ input: 120, selected: 36 });
    expect(done.summary!.computed).toBeGreaterThan(0);
    // The interval moved on by one hour: a tick now is not due, one an hour later is.
    expect(Date.parse((await json<Schedule>(await api('/v1/datasets/due/schedule'))).nextDue!)).toBe(
      now + 60 * MINUTE,
    );
    await cron(now + 30 * MINUTE);
    expect((await runs('due')).runs).toHaveLength(1);
    expect((await runs('due')).latest).toBe(run.run);
    // The dataset points at its latest run.
    expect((await json(await api('/v1/datasets/due'))).latest).toBe(run.run);
    const first = await (await env.DATA_BUCKET.get('datasets/due/latest.json'))!.json();
    expect(first).toMatchObject({ dataset: 'due', run: run.run, outputs: `/v1/jobs/${run.run}/outputs` });
    // The first run has nothing to compare with.
    expect((await api(`/v1/datasets/due/runs/${run.run}/diff`)).status).toBe(404);
    // A disabled schedule never starts.
    await put('due', { every: '1h', recipe: RECIPE, enabled: false });
    await cron(now + 120 * MINUTE);
    expect((await runs('due')).runs).toHaveLength(1);
  });

  it('re-scores appended parts only, diffs the selection, and computes 0 cells when nothing changed', async () => {
    const base = ALPACA.slice(0, 600);
    const more = ALPACA.slice(600, 660);
    await upload('grow', jsonl(base));
    const s = await json<Schedule>(await put('grow', { every: '1m', recipe: RECIPE }));
    const t0 = Date.parse(s.nextDue!);
    await cron(t0);
    const r1 = await settle('grow', (await runs('grow')).runs[0].run);
    expect(r1.state).toBe('done');
    const rep1 = await report(r1.run);
    expect(rep1.scoring.cached).toBe(0);

    // A part appended through the API, one straight into the bucket: both belong to the next run.
    const res = await api('/v1/datasets/grow/parts/0001', { method: 'PUT', body: jsonl(more.slice(0, 30)) });
    expect(res.status).toBe(201);
    await env.DATA_BUCKET.put('datasets/grow/parts/0002', jsonl(more.slice(30)));
    await cron(t0 + MINUTE);
    const r2 = await settle('grow', (await runs('grow')).runs[0].run);
    expect(r2).toMatchObject({ seq: 2, state: 'done', previous: r1.run, objects: 3 });
    const rep2 = await report(r2.run);
    expect(rep2.counts.input).toBe(660);
    // Only the 60 new records were scored; every earlier cell came from the cache.
    expect(rep2.scoring.computed).toBeGreaterThan(0);
    expect(rep2.scoring.computed).toBeLessThanOrEqual(60 * 3);
    expect(rep2.scoring.cached).toBe(rep1.scoring.computed + rep1.scoring.cached);
    // diff.json: exactly the records that entered and left, the new ones marked as such.
    const before = new Set(await selectedIds(r1.run));
    const after = new Set(await selectedIds(r2.run));
    const diff = await json(await api(`/v1/datasets/grow/runs/${r2.run}/diff`));
    expect(diff.previous).toBe(r1.run);
    expect(diff.entered.map((e: { id: string }) => e.id).sort()).toEqual(
      [...after].filter((i) => !before.has(i)).sort(),
    );
    expect(diff.left.map((e: { id: string }) => e.id).sort()).toEqual(
      [...before].filter((i) => !after.has(i)).sort(),
    );
    expect(diff.counts.entered).toBeGreaterThan(0);
    expect(diff.counts.byCause.entered.new).toBeGreaterThan(0);
    expect(diff.counts.newRecords).toBe(rep2.counts.valid - rep1.counts.valid);
    expect(rep2.diff.counts).toEqual(diff.counts);
    // The same diff is one of the run's outputs, with every entry in diff.jsonl.
    expect(JSON.parse(await output(r2.run, 'diff.json'))).toEqual(diff);
    expect(lines(await output(r2.run, 'diff.jsonl'))).toHaveLength(diff.counts.entered + diff.counts.left);

    // Nothing changed: 0 cells computed, the same records selected, an empty diff.
    await cron(t0 + 2 * MINUTE);
    const r3 = await settle('grow', (await runs('grow')).runs[0].run);
    expect(r3.summary).toMatchObject({ computed: 0, entered: 0, left: 0 });
    expect((await selectedIds(r3.run)).sort()).toEqual([...after].sort());

    // A changed scorer config: only that scorer's cells are computed again.
    const changed = {
      ...RECIPE,
      scorers: [{ id: 'length' }, { id: 'lexical', config: { window: 40 } }, { id: 'heuristics' }],
    };
    const put2 = await put('grow', { every: '1m', recipe: changed });
    expect(put2.status).toBe(200);
    await cron(t0 + 3 * MINUTE);
    const r4 = await settle('grow', (await runs('grow')).runs[0].run);
    const rep4 = await report(r4.run);
    expect(rep4.scoring.byScorer.length.computed).toBe(0);
    expect(rep4.scoring.byScorer.heuristics.computed).toBe(0);
    expect(rep4.scoring.byScorer.lexical.computed).toBeGreaterThan(600);
    expect((await runs('grow')).latest).toBe(r4.run);
  });

  it('shows a failed run with its error and retries it on the next ticks, as many times as allowed', async () => {
    await upload('broken-sched', '[{"instruction": "a", "output": "b"}, {"instruction": ');
    const s = await json<Schedule>(await put('broken-sched', { every: '1d', retries: 1, recipe: RECIPE }));
    const t0 = Date.parse(s.nextDue!);
    await cron(t0);
    const r1 = await settle('broken-sched', (await runs('broken-sched')).runs[0].run);
    expect(r1.state).toBe('failed');
    expect(r1.error).toMatch(/^plan shard 0: .*byte/);
    await cron(t0 + MINUTE);
    const r2 = await settle('broken-sched', (await runs('broken-sched')).runs[0].run);
    expect(r2).toMatchObject({ seq: 2, trigger: 'retry', state: 'failed' });
    // One retry allowed: the next tick waits for the next due time.
    await cron(t0 + 2 * MINUTE);
    expect((await runs('broken-sched')).runs).toHaveLength(2);
    expect((await runs('broken-sched')).latest).toBeNull();
  });
});
