import { beforeAll, describe, expect, it } from 'vitest';
import type { PairSetList } from '../../schemas/pairs.ts';
import type { SamplerList, SamplerStatus } from '../../schemas/sampler.ts';
import type { ScheduleList } from '../../schemas/schedule.ts';
import { api, json, post, startJob, upload, waitForJob } from './helpers.ts';

// The list routes the console reads besides GET /v1/datasets and GET /v1/jobs.

const RECORDS = Array.from({ length: 60 }, (_, i) =>
  JSON.stringify({
    instruction: `Explain item ${i} in a few words`,
    input: '',
    output: `Item ${i} is ${'a fairly ordinary thing '.repeat(1 + (i % 5))}to explain.`,
  }),
).join('\n');

const put = (path: string, body: unknown) => api(path, { method: 'PUT', body: JSON.stringify(body) });

let job = '';

beforeAll(async () => {
  expect((await upload('listed', RECORDS)).status).toBe(201);
  job = await startJob('listed', { scorers: [{ id: 'length' }], select: { budget: '50%' } });
  expect((await waitForJob(job)).state).toBe('done');
}, 120_000);

describe('GET /v1/schedules', () => {
  it('lists every schedule by dataset, and drops one once deleted', async () => {
    expect(await json(await api('/v1/schedules'))).toEqual({ schedules: [] });
    expect((await upload('listed-b', RECORDS)).status).toBe(201);
    const a = await json(await put('/v1/datasets/listed/schedule', { every: '6h' }));
    const b = await json(await put('/v1/datasets/listed-b/schedule', { cron: '0 3 * * *', enabled: false }));
    const list = await json<ScheduleList>(await api('/v1/schedules'));
    expect(list.schedules).toEqual([a, b]);
    expect(list.schedules.map((s) => [s.dataset, s.every ?? s.cron, s.enabled])).toEqual([
      ['listed', '6h', true],
      ['listed-b', '0 3 * * *', false],
    ]);
    expect((await api('/v1/datasets/listed-b/schedule', { method: 'DELETE' })).status).toBe(200);
    expect((await json<ScheduleList>(await api('/v1/schedules'))).schedules).toEqual([a]);
  });
});

describe('GET /v1/runs', () => {
  it('lists sampler runs newest first, a page at a time', async () => {
    expect(await json(await api('/v1/runs'))).toEqual({ runs: [], next: null });
    const made: SamplerStatus[] = [];
    for (const batchSize of [4, 8, 16]) {
      const res = await post('/v1/runs', { job, batchSize, seed: batchSize });
      expect(res.status).toBe(201);
      made.push(await json<SamplerStatus>(res));
      // Ids start with the time in milliseconds: keep them apart.
      await new Promise((r) => setTimeout(r, 5));
    }
    await post(`/v1/runs/${made[0].id}/next`, {});
    const all = await json<SamplerList>(await api('/v1/runs'));
    expect(all.next).toBeNull();
    expect(all.runs.map((r) => [r.id, r.job, r.batchSize])).toEqual(
      made.map((r) => [r.id, job, r.batchSize]).reverse(),
    );
    // The status as GET /v1/runs/:id serves it, the served step included.
    expect(all.runs[2]).toEqual(await json(await api(`/v1/runs/${made[0].id}`)));
    expect(all.runs[2].step).toBe(1);

    const first = await json<SamplerList>(await api('/v1/runs?limit=2'));
    expect(first.runs.map((r) => r.id)).toEqual([made[2].id, made[1].id]);
    expect(first.next).toBe(made[1].id);
    const second = await json<SamplerList>(await api(`/v1/runs?limit=2&before=${first.next}`));
    expect(second).toEqual({ runs: [all.runs[2]], next: null });

    const bad = await api('/v1/runs?limit=0&before=nope');
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details.map((d: { path: string }) => d.path)).toEqual(['limit', 'before']);
  });
});

describe('GET /v1/pairs', () => {
  it('lists every pair set by name, one without rounds too', async () => {
    expect(await json(await api('/v1/pairs'))).toEqual({ sets: [] });
    const recipe = { pairs: { payload: 'key' } };
    expect((await put('/v1/pairs/zeta', { recipe })).status).toBe(201);
    expect((await put('/v1/pairs/alpha', { recipe })).status).toBe(201);
    const rollouts = ['a', 'b', 'c']
      .map((r, i) => JSON.stringify({ task: 't', initialState: {}, steps: [{ action: r }], success: i > 0 }))
      .join('\n');
    const round = await api('/v1/pairs/alpha/rounds', { method: 'POST', body: rollouts });
    expect(round.status).toBe(202);
    expect((await waitForJob((await json(round)).job)).state).toBe('done');
    const list = await json<PairSetList>(await api('/v1/pairs'));
    expect(list.sets.map((s) => s.name)).toEqual(['alpha', 'zeta']);
    expect(list.sets[0]).toEqual(await json(await api('/v1/pairs/alpha')));
    expect(list.sets[0].rounds.map((r) => r.state)).toEqual(['done']);
    expect(list.sets[1].rounds).toEqual([]);
  });
});
