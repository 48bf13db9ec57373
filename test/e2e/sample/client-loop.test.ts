import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../../schemas/sampler.ts';
import { WinnowClient } from '../../../src/client/client.ts';
import { type LocalStack, startLocalStack } from '../../../workers/cli/local-stack.ts';
import { ALPACA_9K } from '../cli/helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-sampler-loop-'));
const state = join(tmp, 'state');
let stack: LocalStack;
let client: WinnowClient;
let job = '';

// Its own stack: a test restarts wrangler on this state directory.
async function start(): Promise<void> {
  stack = await startLocalStack(state);
  client = new WinnowClient({ url: stack.url, token: stack.token });
}

beforeAll(async () => {
  await start();
  const rows = (JSON.parse(readFileSync(ALPACA_9K, 'utf8')) as unknown[]).slice(0, 300);
  await client.uploadDataset('loop', new TextEncoder().encode(rows.map((r) => JSON.stringify(r)).join('\n')));
  job = (
    await client.createJob('loop', {
      scorers: [{ id: 'length' }, { id: 'lexical' }],
      cluster: { algorithm: 'kmeans', k: 3, dim: 32, seed: 2, maxIter: 5 },
      select: { budget: '100%' },
    })
  ).id;
  for (let i = 0; (await client.job(job)).state === 'running'; i++) {
    if (i > 240) throw new Error(`job ${job} still running after 60 s`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
  expect((await client.job(job)).state).toBe('done');
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A trainer's losses, a function of the batch alone: component 0 is learned, the others are not. */
const lossesOf = (b: Batch) => b.components.map((c, n) => (c === 0 ? 3 * 0.9 ** b.step : 2) + (n % 3) * 0.01);

/** The training loop: fetch the next batch, "train" on it, report its losses. */
async function train(id: string, steps: number): Promise<Batch[]> {
  const served: Batch[] = [];
  for (let i = 0; i < steps; i++) {
    const batch = await client.nextBatch(id);
    const ack = await client.feedback(id, { step: batch.step, ids: batch.ids, losses: lossesOf(batch) });
    expect(ack).toEqual({ step: batch.step, accepted: true, duplicate: false });
    served.push(batch);
  }
  return served;
}

const run = { seed: 5, batchSize: 32, policy: { id: 'gmm' as const } };
let a = '';
let twin = '';
let before: Batch[] = [];
let twinAfter: Batch[] = [];

describe('a training loop through WinnowClient under wrangler dev', () => {
  it('serves deterministic batches: the same seed and feedback give the same batches', async () => {
    const created = await client.createRun({ job, ...run });
    expect(created).toMatchObject({ state: 'ready', step: 0, batchSize: 32, seed: 5 });
    expect(created.examples).toBeGreaterThan(250);
    expect(created.components).toHaveLength(3);
    a = created.id;
    twin = (await client.createRun({ job, ...run })).id;
    const other = (await client.createRun({ job, ...run, seed: 6 })).id;

    before = await train(a, 20);
    expect(before.map((b) => b.step)).toEqual([...Array(20).keys()]);
    expect(before.every((b) => b.ids.length === 32 && b.components.length === 32)).toBe(true);
    expect(await train(twin, 20)).toEqual(before);
    expect((await train(other, 1))[0].ids).not.toEqual(before[0].ids);

    // Asking again for a served step gives the same batch; a repeated report is a no-op.
    expect(await client.nextBatch(a, { step: 5 })).toEqual(before[5]);
    const again = { step: 19, ids: before[19].ids, losses: lossesOf(before[19]) };
    expect(await client.feedback(a, again)).toEqual({ step: 19, accepted: false, duplicate: true });
    expect(await client.run(a)).toMatchObject({ state: 'ready', step: 20, served: 640, feedbackSteps: 20 });

    // The twin goes on three steps now; `a` takes the same steps only after the restart.
    twinAfter = await train(twin, 3);
  }, 30_000);

  it('goes on after wrangler dev restarts on the same state directory', async () => {
    const status = await client.run(a);
    await stack.stop();
    await start();

    expect(await client.run(a)).toEqual(status);
    expect(await client.nextBatch(a, { step: 5 })).toEqual(before[5]);
    expect(
      await client.feedback(a, { step: 19, ids: before[19].ids, losses: lossesOf(before[19]) }),
    ).toMatchObject({ duplicate: true });
    const after = await train(a, 3);
    expect(after.map((b) => b.step)).toEqual([20, 21, 22]);
    expect(after).toEqual(twinAfter);
    expect(await client.run(a)).toEqual({ ...(await client.run(twin)), id: a });
  }, 60_000);
});
