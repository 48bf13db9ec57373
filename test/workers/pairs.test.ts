import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../schemas/recipe.ts';
import { memoryJob, memoryOutput, runLocal } from '../../src/pipeline/index.ts';
import { api, json, lines, output, startJob, upload, waitForJob } from './helpers.ts';

/** Seeded rollouts: `tasks` tasks × `rollouts` each, two initial states, costs, successes and step log-probs. */
function rollouts(tasks: number, rollouts: number, seed: number): string {
  let a = seed >>> 0;
  const rand = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
  let out = '';
  for (let t = 0; t < tasks; t++)
    for (let r = 0; r < rollouts; r++) {
      const steps = Array.from({ length: 3 + Math.floor(rand() * 5) }, (_, i) => ({
        observation: `r2://obs/t${t}/${r}/${i}.png`,
        action: [Number(rand().toFixed(3)), Number(rand().toFixed(3))],
        logprob: -Number((rand() * 3).toFixed(4)),
      }));
      const row = {
        task: `task-${t}`,
        initialState: { seed: r % 2 },
        steps,
        success: rand() < 0.5,
        costs: { grasp: { collision: Number((rand() * 3).toFixed(2)) } },
      };
      out += `${JSON.stringify(row)}\n`;
    }
  return out;
}

const RECIPE = { shardBytes: 2048, pairs: { payload: 'key', partitions: 3 } };

describe('pairs jobs on the Workers runtime', () => {
  it('pairs.jsonl and groups.jsonl equal the in-process run, groups gathered across shards', async () => {
    const text = `${rollouts(12, 6, 7)}{"task": "broken", "steps": []}\n`;
    expect((await upload('traj', text)).status).toBe(201);
    const id = await startJob('traj', RECIPE);
    const status = await waitForJob(id);
    expect(status.state, JSON.stringify(status)).toBe('done');
    expect(status.stages.map((s) => s.name)).toEqual([
      'plan',
      'ingest',
      'fit',
      'score',
      'pairs',
      'report',
      'card',
    ]);
    const report = JSON.parse(await output(id, 'report.json'));
    expect(report.stages.ingest.shards).toBeGreaterThan(3);
    const { store, spec } = await memoryJob({ 'datasets/traj/upload': text }, RecipeSchema.parse(RECIPE));
    const local = await runLocal(store, spec);
    expect(report.pairs).toEqual(local.pairs);
    const sort = (t: string) =>
      lines(t)
        .map((l) => JSON.stringify(l))
        .sort();
    expect(sort(await output(id, 'pairs.jsonl'))).toEqual(
      sort(await memoryOutput(store, 'job', 'pairs.jsonl')),
    );
    expect(sort(await output(id, 'groups.jsonl'))).toEqual(
      sort(await memoryOutput(store, 'job', 'groups.jsonl')),
    );
    expect(report.pairs.groups.total).toBe(24);
    const invalid = lines(await output(id, 'invalid.jsonl'));
    expect(invalid).toEqual([
      expect.objectContaining({
        source: { index: 72, line: 73 },
        error: expect.objectContaining({ path: 'steps' }),
      }),
    ]);
    // A pairs job has no selection files: no sampler run over it, and no schedule re-runs it.
    expect((await api(`/v1/jobs/${id}/outputs/selected.jsonl`)).status).toBe(404);
    const run = await api('/v1/runs', { method: 'POST', body: JSON.stringify({ job: id, batchSize: 4 }) });
    expect(run.status).toBe(400);
    expect((await json(run)).error.message).toContain('built preference pairs');
    const schedule = { every: '1h', recipe: { pairs: {} } };
    const put = await api('/v1/datasets/traj/schedule', { method: 'PUT', body: JSON.stringify(schedule) });
    expect(put.status).toBe(400);
    expect((await json(put)).error.message).toContain('/v1/pairs/:set/rounds');
  });

  it('a budget over partitions: the cut merges them by byte ranges in R2, as in-process', async () => {
    const text = rollouts(12, 6, 9);
    expect((await upload('traj-budget', text)).status).toBe(201);
    const recipe = {
      shardBytes: 2048,
      pairs: { payload: 'key', partitions: 3, strategy: { id: 'all-margin' }, budget: 25 },
    };
    const id = await startJob('traj-budget', recipe);
    expect((await waitForJob(id)).state).toBe('done');
    const { store, spec } = await memoryJob(
      { 'datasets/traj-budget/upload': text },
      RecipeSchema.parse(recipe),
    );
    const local = await runLocal(store, spec);
    expect(local.pairs!.candidates).toBeGreaterThan(25);
    const sort = (t: string) =>
      lines(t)
        .map((l) => JSON.stringify(l))
        .sort();
    const pairs = await output(id, 'pairs.jsonl');
    expect(lines(pairs)).toHaveLength(25);
    expect(sort(pairs)).toEqual(sort(await memoryOutput(store, 'job', 'pairs.jsonl')));
  });

  it('pair sets: rounds append, each pairs its own rollouts, earlier rounds stay', async () => {
    expect((await api('/v1/pairs/nope')).status).toBe(404);
    const bad = await api('/v1/pairs/grape', { method: 'PUT', body: JSON.stringify({ recipe: {} }) });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.message).toBe('recipe.pairs: a pair set recipe needs a `pairs` section');
    const put = await api('/v1/pairs/grape', {
      method: 'PUT',
      body: JSON.stringify({ recipe: { shardBytes: 4096, pairs: { payload: 'key' } } }),
    });
    expect(put.status).toBe(201);
    expect((await api('/v1/pairs/grape/rounds', { method: 'POST', body: '' })).status).toBe(400);

    const round = async (body: string, scope = 'round') => {
      const res = await api(`/v1/pairs/grape/rounds?scope=${scope}`, { method: 'POST', body });
      const r = await json(res);
      expect(res.status, JSON.stringify(r)).toBe(202);
      expect((await waitForJob(r.job)).state).toBe('done');
      const info = await json(await api(`/v1/pairs/grape/rounds/${r.round}`));
      expect(info.state).toBe('done');
      const res2 = await api(`/v1/pairs/grape/rounds/${r.round}/pairs.jsonl`);
      return { info, text: await res2.text() };
    };
    const one = await round(rollouts(4, 4, 1));
    const two = await round(rollouts(5, 4, 2));
    expect(one.info.round).toBe(1);
    expect(two.info.round).toBe(2);
    expect(lines(one.text).every((l) => l.round === 1)).toBe(true);
    expect(lines(two.text).every((l) => l.round === 2)).toBe(true);
    expect(lines(two.text).length).toBe(two.info.pairs);
    expect(two.info.groups.total).toBe(10);
    // Round 1 is unchanged by round 2, and the set's file is both, in round order.
    expect(await (await api('/v1/pairs/grape/rounds/1/pairs.jsonl')).text()).toBe(one.text);
    expect(await (await api('/v1/pairs/grape/pairs.jsonl')).text()).toBe(one.text + two.text);
    // scope=all pairs every stored round's rollouts together: task-0…3 groups now hold both rounds' rollouts.
    const all = await round(rollouts(1, 2, 3), 'all');
    expect(all.info.scope).toBe('all');
    const report = JSON.parse(await output(all.info.job, 'report.json'));
    expect(report.counts.valid).toBe(16 + 20 + 2);
    const set = await json(await api('/v1/pairs/grape'));
    expect(set.rounds.map((r: { round: number; state: string }) => [r.round, r.state])).toEqual([
      [1, 'done'],
      [2, 'done'],
      [3, 'done'],
    ]);
    expect((await api('/v1/pairs/grape/rounds/9')).status).toBe(404);
  });

  it('a round whose upload breaks is listed as failed with the reason, and the next round follows it', async () => {
    await api('/v1/pairs/broken', { method: 'PUT', body: JSON.stringify({ recipe: { pairs: {} } }) });
    // Gzip magic bytes, then garbage: decompression fails while the round is being stored.
    const body = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const res = await api('/v1/pairs/broken/rounds', { method: 'POST', body });
    expect(res.status).toBe(422);
    expect((await json(res)).error.message).toContain('not valid gzip');
    const set = await json(await api('/v1/pairs/broken'));
    expect(set.rounds).toEqual([
      expect.objectContaining({
        round: 1,
        state: 'failed',
        error: expect.stringContaining('the round was not started'),
      }),
    ]);
    const next = await api('/v1/pairs/broken/rounds', { method: 'POST', body: rollouts(2, 2, 5) });
    expect((await json(next)).round).toBe(2);
  });
});
