import { evictDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import alpaca from '../../../shared/data/alpaca-random-9k.json';
import type { Batch, SamplerStatus } from '../../schemas/sampler.ts';
import { samplerRun } from '../../workers/sampler-run.ts';
import { api, clusteredJob, json, lines, output, post } from './helpers.ts';

let job = '';
let selected: { id: string; record: unknown; cluster: number }[] = [];

async function create(body: Record<string, unknown>): Promise<SamplerStatus> {
  const res = await post('/v1/runs', { job, ...body });
  expect(res.status).toBe(201);
  return json<SamplerStatus>(res);
}
const next = async (id: string, body: unknown = {}) => json<Batch>(await post(`/v1/runs/${id}/next`, body));
/** A deterministic loss: examples of component 0 fall with the step, the others stay. */
const lossOf = (b: Batch, step: number) => b.components.map((c) => (c === 0 ? 3 - 0.1 * step : 1));

beforeAll(async () => {
  ({ job, selected } = await clusteredJob('sampled', (alpaca as unknown[]).slice(0, 400), {
    algorithm: 'kmeans',
    k: 3,
    dim: 32,
    seed: 4,
    maxIter: 5,
  }));
}, 120_000);

describe('sampler runs (a SamplerRun Durable Object per run)', () => {
  it('serves deterministic batches over the selection, answers a served step again, and checks feedback', async () => {
    const run = await create({ batchSize: 16, seed: 1, policy: { id: 'loss' } });
    expect(run).toMatchObject({ state: 'ready', examples: selected.length, step: 0 });
    expect(run.components.map((c) => c.size)).toEqual(
      [0, 1, 2].map((k) => selected.filter((l) => l.cluster === k).length),
    );
    const b0 = await next(run.id, { records: true });
    expect(b0.step).toBe(0);
    expect(b0.ids).toHaveLength(16);
    expect(new Set(b0.ids).size).toBe(16);
    const byId = new Map(selected.map((l) => [l.id, l]));
    b0.ids.forEach((id, n) => {
      expect(b0.records![n]).toEqual(byId.get(id)!.record);
      expect(b0.components[n]).toBe(byId.get(id)!.cluster);
    });
    // Each example's training weight comes with it, as the job's weights.jsonl has it.
    const weightOf = new Map(
      lines<{ id: string; weight: number }>(await output(job, 'weights.jsonl')).map((l) => [l.id, l.weight]),
    );
    expect(b0.weights).toEqual(b0.ids.map((id) => weightOf.get(id)));
    expect(new Set(b0.weights).size).toBeGreaterThan(1);
    const served = await json<SamplerStatus>(await api(`/v1/runs/${run.id}`));
    expect(served.meanWeightServed).toBeCloseTo(b0.weights.reduce((a, w) => a + w, 0) / 16, 9);
    // Asking again for a served step gives the same batch; a step not reached is refused.
    expect(await next(run.id, { step: 0 })).toEqual({ ...b0, records: undefined });
    const ahead = await post(`/v1/runs/${run.id}/next`, { step: 5 });
    expect(ahead.status).toBe(400);
    expect((await json(ahead)).error.message).toBe('step 5 is not reached yet: the next step is 1');

    const fb = { step: 0, ids: b0.ids, losses: lossOf(b0, 0) };
    expect(await json(await post(`/v1/runs/${run.id}/feedback`, fb))).toEqual({
      step: 0,
      accepted: true,
      duplicate: false,
    });
    expect(await json(await post(`/v1/runs/${run.id}/feedback`, fb))).toEqual({
      step: 0,
      accepted: false,
      duplicate: true,
    });
    const other = await post(`/v1/runs/${run.id}/feedback`, { ...fb, losses: fb.losses.map((l) => l + 1) });
    expect(other.status).toBe(409);
    const unknownStep = await post(`/v1/runs/${run.id}/feedback`, { ...fb, step: 9 });
    expect(unknownStep.status).toBe(400);
    expect((await json(unknownStep)).error.message).toBe('step 9 was never served (served: 0 to 0)');
    const b1 = await next(run.id);
    const stranger = selected.find((l) => !b1.ids.includes(l.id))!.id;
    const bad = await post(`/v1/runs/${run.id}/feedback`, {
      step: 1,
      ids: [b1.ids[0], stranger],
      losses: [1, 1],
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.message).toBe(`ids[1]: "${stranger}" was not served at step 1`);
    const mismatched = await post(`/v1/runs/${run.id}/feedback`, { step: 1, ids: b1.ids, losses: [1] });
    expect(mismatched.status).toBe(400);
    expect((await json(mismatched)).error.details[0]).toMatchObject({
      path: 'losses',
      message: '1 losses for 16 ids',
    });
  });

  it('survives eviction: an evicted run goes on exactly like one that was not', async () => {
    const a = await create({ batchSize: 24, seed: 7, policy: { id: 'gmm' } });
    const b = await create({ batchSize: 24, seed: 7, policy: { id: 'gmm' } });
    const served: [Batch, Batch][] = [];
    for (let step = 0; step < 12; step++) {
      if (step === 6) await evictDurableObject(samplerRun(env, a.id));
      const x = await next(a.id);
      const y = await next(b.id);
      served.push([x, y]);
      for (const [id, batch] of [
        [a.id, x],
        [b.id, y],
      ] as const) {
        const res = await post(`/v1/runs/${id}/feedback`, {
          step,
          ids: batch.ids,
          losses: lossOf(batch, step),
        });
        expect(res.status).toBe(200);
      }
    }
    for (const [x, y] of served) expect(x).toEqual(y);
    const s = await json<SamplerStatus>(await api(`/v1/runs/${a.id}`));
    expect(s).toMatchObject({ state: 'ready', step: 12, served: 12 * 24, feedbackSteps: 12 });
    expect(s.components.reduce((acc, c) => acc + c.weight, 0)).toBeCloseTo(1, 9);
    expect(s.components.find((c) => c.component === 0)!.loss).not.toBeNull();
    expect(await json(await api(`/v1/runs/${b.id}`))).toEqual({ ...s, id: b.id });
  });

  it('balanced with a cap serves each example at most cap times, then says the run is exhausted', async () => {
    const run = await create({ batchSize: 50, seed: 3, policy: { id: 'balanced', cap: 1 } });
    const count = new Map<string, number>();
    for (;;) {
      const res = await post(`/v1/runs/${run.id}/next`, {});
      if (res.status === 409) {
        expect((await json(res)).error.message).toMatch(/^the run is exhausted after \d+ examples served$/);
        break;
      }
      for (const id of (await json<Batch>(res)).ids) count.set(id, (count.get(id) ?? 0) + 1);
    }
    expect(count.size).toBe(selected.length);
    expect(Math.max(...count.values())).toBe(1);
    expect((await json<SamplerStatus>(await api(`/v1/runs/${run.id}`))).state).toBe('exhausted');
  });

  it('refuses an unknown job or run, and a bad policy, with clear errors', async () => {
    const nojob = await post('/v1/runs', { job: 'j0000000000', batchSize: 4 });
    expect(nojob.status).toBe(404);
    const bad = await post('/v1/runs', { job, batchSize: 4, policy: { id: 'loss', eta: -1 } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].path).toBe('policy.eta');
    expect((await api('/v1/runs/r00000000000')).status).toBe(404);
  });
});
