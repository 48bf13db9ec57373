import { evictDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import alpaca from '../../../shared/data/alpaca-random-9k.json';
import type { Batch, SamplerStatus } from '../../schemas/sampler.ts';
import { samplerRun } from '../../workers/sampler-run.ts';
import { api, clusteredJob, json, output, post } from './helpers.ts';

let job = '';
let selected: { id: string; cluster: number; logDensity?: number }[] = [];
let variances: number[][] = [];

async function create(body: Record<string, unknown>): Promise<SamplerStatus> {
  const res = await post('/v1/runs', { job, ...body });
  expect(res.status).toBe(201);
  return json<SamplerStatus>(res);
}
const next = async (id: string) => json<Batch>(await post(`/v1/runs/${id}/next`, {}));
/** A trainer's embedding of an example: 6 numbers from its id, one of them far out for every 10th. */
function embedding(id: string): number[] {
  let h = 2166136261;
  for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return Array.from({ length: 6 }, (_, j) => (((h >>> (j * 4)) & 0xff) / 255) * (h % 10 === 0 ? 20 : 1));
}

beforeAll(async () => {
  ({ job, selected } = await clusteredJob('mixed', (alpaca as unknown[]).slice(400, 800), {
    algorithm: 'gmm',
    k: 3,
    dim: 16,
    seed: 4,
    maxIter: 10,
  }));
  variances = JSON.parse(await output(job, 'clusters.json')).variances;
}, 120_000);

describe('sampler runs with the mixture policy', () => {
  it('reads each example’s typicality from selected.jsonl and each component’s spread from clusters.json', async () => {
    expect(selected.every((l) => Number.isFinite(l.logDensity))).toBe(true);
    const run = await create({
      batchSize: 16,
      seed: 1,
      policy: { id: 'mixture', typicality: 0.8, spread: 0.5 },
    });
    expect(run.state).toBe('ready');
    const entropy = (v: number[]) => 0.5 * v.reduce((a, x) => a + Math.log(2 * Math.PI * Math.E * x), 0);
    run.components.forEach((c, k) => {
      expect(c.spread).toBeCloseTo(entropy(variances[k]), 9);
      expect(c.embeddings).toBe(0);
      // Σ over members of 1 − τ·(1 − rank): n_k·(1 − τ/2) with distinct densities.
      const n = selected.filter((l) => l.cluster === k).length;
      expect(c.size).toBeCloseTo(n * (1 - 0.8 / 2), 3);
    });
  });

  it('refreshes from trainer embeddings, checks them, and an evicted run goes on exactly like one that was not', async () => {
    const policy = { id: 'mixture', typicality: 0.8 };
    const a = await create({ batchSize: 24, seed: 7, policy });
    const b = await create({ batchSize: 24, seed: 7, policy });
    const served: [Batch, Batch][] = [];
    for (let step = 0; step < 10; step++) {
      if (step === 5) await evictDurableObject(samplerRun(env, a.id));
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
          losses: batch.components.map((c) => 1 + c - 0.05 * step),
          embeddings: batch.ids.map(embedding),
        });
        expect(res.status).toBe(200);
      }
    }
    for (const [x, y] of served) expect(x).toEqual(y);
    const s = await json<SamplerStatus>(await api(`/v1/runs/${a.id}`));
    expect(s.components.reduce((acc, c) => acc + (c.embeddings ?? 0), 0)).toBe(10 * 24);
    expect(await json(await api(`/v1/runs/${b.id}`))).toEqual({ ...s, id: b.id });

    const c = await next(a.id);
    const wrongCount = await post(`/v1/runs/${a.id}/feedback`, {
      step: c.step,
      ids: c.ids,
      losses: c.ids.map(() => 1),
      embeddings: [embedding(c.ids[0])],
    });
    expect(wrongCount.status).toBe(400);
    expect((await json(wrongCount)).error.details[0]).toMatchObject({
      path: 'embeddings',
      message: `1 embeddings for ${c.ids.length} ids`,
    });
    const wrongDim = await post(`/v1/runs/${a.id}/feedback`, {
      step: c.step,
      ids: c.ids,
      losses: c.ids.map(() => 1),
      embeddings: c.ids.map(() => [1, 2, 3]),
    });
    expect(wrongDim.status).toBe(400);
    expect((await json(wrongDim)).error.message).toBe(
      'embeddings: 3 values each, where earlier feedback of this run had 6',
    );
  });
});
