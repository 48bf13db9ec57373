import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecipeInput } from '../../../schemas/recipe.ts';
import { WinnowClient } from '../../../src/client/index.ts';
import { type LocalStack, startLocalStack } from '../../../workers/cli/local-stack.ts';
import { killGroup, outputText, pollJob } from '../../support/crash.ts';
import { ALPACA_9K } from '../cli/helpers.ts';
import { uninterruptedJob, unique } from '../stack.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-crash-'));
const state = join(tmp, 'state');
let stack: LocalStack | undefined;
afterAll(async () => {
  await stack?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

// 3,000 Alpaca records in shards of 96 KiB (14 shards): every stage runs a few tasks at a time on the
// shared machine, long enough for a poll to see it. The default scorers (perplexity learns in `fit`),
// then embed, k-means and a 25% top-k.
const rows = (JSON.parse(readFileSync(ALPACA_9K, 'utf8')) as unknown[]).slice(0, 3000);
const data = new TextEncoder().encode(rows.map((r) => JSON.stringify(r)).join('\n'));
const recipe: RecipeInput = {
  shardBytes: 96 * 1024,
  cluster: { algorithm: 'kmeans', k: 6, dim: 32, seed: 3 },
  select: { budget: '25%' },
};
const STAGES = ['ingest', 'fit', 'score', 'embed', 'cluster', 'select', 'export'];
const FILES = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl', 'weights.jsonl', 'clusters.json'];

// Its own stack, on the repository's LEASE_MS (60 s): the job must resume without waiting out leases.
async function start(): Promise<WinnowClient> {
  stack = await startLocalStack(state);
  return new WinnowClient({ url: stack.url, token: stack.token });
}

/** The job's outputs, report.json parsed. */
async function outputs(client: WinnowClient, id: string) {
  const files = Object.fromEntries(
    await Promise.all(FILES.map(async (f) => [f, await outputText(client, id, f)] as const)),
  );
  return { files, report: JSON.parse(await outputText(client, id, 'report.json')) };
}

const lines = (text: string) => text.split('\n').filter((l) => l);

describe('kill -9 of the local stack in every stage, restarted on the same state', () => {
  it('finishes by itself with the outputs of an uninterrupted run', async () => {
    // The uninterrupted run: the same records and recipe on the e2e tier's shared stack.
    const name = unique('crash');
    const baseline = uninterruptedJob(name, data, recipe).then(({ client, id }) => outputs(client, id));

    let client = await start();
    await client.uploadDataset(name, data);
    const { id } = await client.createJob(name, recipe);
    const killedIn: string[] = [];
    for (const stage of STAGES) {
      // Wait for the stage, kill the stack in it, start it again: the job goes on from where it was.
      // Resumed work shows within seconds; a job that waits out its leases (60 s) or the lost-message
      // delay (10 min) fails here, naming the stage it is stuck in.
      const s = await pollJob(client, id, (s) => s.stage === stage, { timeoutMs: 45_000 });
      expect(s.state).toBe('running');
      expect(s.stage).toBe(stage);
      await killGroup(stack!.pid);
      killedIn.push(stage);
      client = await start();
    }
    expect(killedIn).toEqual(STAGES);
    const done = await pollJob(client, id, () => false, { timeoutMs: 45_000 });
    expect(done).toMatchObject({ state: 'done', error: null });
    // What the kills cut was sent again and said so, and spent none of the tasks' MAX_ATTEMPTS.
    expect(done.resumed?.tasks).toBeGreaterThan(0);
    expect(done.resumed?.restarts).toBeGreaterThan(1);
    expect(done.stages.map((s) => s.errors)).toEqual(done.stages.map(() => 0));

    const got = await outputs(client, id);
    const want = await baseline;
    // The same job, not a new one; the same selection and the same files, byte for byte.
    expect(got.report.job).toBe(id);
    const ids = (text: string) => lines(text).map((l) => JSON.parse(l).id);
    expect(ids(got.files['selected.jsonl'])).toEqual(ids(want.files['selected.jsonl']));
    for (const f of FILES) expect(got.files[f], f).toBe(want.files[f]);
    // Every record exactly once across selected, rejected and invalid.
    const indices = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl']
      .flatMap((f) => lines(got.files[f]).map((l) => JSON.parse(l).source.index as number))
      .sort((a, b) => a - b);
    expect(indices).toEqual(rows.map((_, i) => i));
    for (const key of [
      'counts',
      'rejectedByReason',
      'budget',
      'threshold',
      'scores',
      'selection',
      'clusters',
    ])
      expect(got.report[key], key).toEqual(want.report[key]);
    expect(got.report.counts.selected).toBe(Math.round(got.report.counts.valid * 0.25));
    // Every cell was computed once, in one job or the other: only the split between computed and cached
    // can differ (a killed score task may have stored some of its cells).
    const cells = (r: { scoring: { computed: number; cached: number } }) =>
      r.scoring.computed + r.scoring.cached;
    expect(cells(got.report)).toBe(cells(want.report));
  }, 180_000);
});
