/**
 * Storage per job on the local stack (wrangler dev + workerd, the repository's wrangler.toml): each
 * recipe runs on alpaca-random-9k twice, once with `keep: "all"` (what every job left in R2 before
 * intermediates were dropped) and once with the default `keep: "outputs"`, each as the first job of a
 * dataset of its own (so both fit their models and compute every score cell). The bytes under
 * jobs/{id}/ are what `DELETE /v1/jobs/:id` reports freeing; the dropped intermediates are what the
 * job's status reports. Then the datasets are deleted, and gc run over what is left.
 *
 *   node bench/storage.ts
 *
 * Writes bench/out/storage.md and storage.json. See bench/README.md.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { JobStatus } from '../schemas/api.ts';
import type { RecipeInput } from '../schemas/recipe.ts';
import { WinnowClient } from '../src/client/index.ts';
import { formatBytes } from '../src/limits.ts';
import { gcAll } from '../workers/cli/gc.ts';
import { startLocalStack } from '../workers/cli/local-stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const DATA = resolve(ROOT, '../shared/data/alpaca-random-9k.json');
const KiB = 1024;
const CASES: { name: string; recipe: RecipeInput }[] = [
  { name: 'default recipe (1 shard)', recipe: {} },
  { name: 'default recipe, 16 shards', recipe: { shardBytes: 256 * KiB } },
  {
    name: 'k-means k=16 + embeddings.npy, 16 shards',
    recipe: {
      shardBytes: 256 * KiB,
      cluster: { algorithm: 'kmeans', k: 16, dim: 64, seed: 1 },
      exportEmbeddings: true,
    },
  },
];

const note = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait for the job to end, then for its intermediates to be dropped (or kept). */
async function settled(client: WinnowClient, id: string): Promise<JobStatus> {
  for (;;) {
    const s = await client.job(id);
    if (s.state !== 'running' && s.intermediates && s.intermediates.state !== 'dropping') return s;
    if (s.state === 'failed' || s.state === 'cancelled') throw new Error(`job ${id} ${s.state}: ${s.error}`);
    await sleep(500);
  }
}

interface Row {
  name: string;
  input: number;
  shards: number;
  before: { objects: number; bytes: number };
  after: { objects: number; bytes: number };
  dropped: { objects: number; bytes: number };
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const data = readFileSync(DATA);
  const state = join(OUT, 'storage-state');
  rmSync(state, { recursive: true, force: true });
  const stack = await startLocalStack(state);
  const client = new WinnowClient(stack);
  const rows: Row[] = [];
  try {
    const datasets: string[] = [];
    /** A job as the first of a dataset of its own. */
    const first = async (recipe: RecipeInput) => {
      const name = `alpaca-9k-${datasets.length}`;
      datasets.push(name);
      await client.uploadDataset(name, data);
      const id = (await client.createJob(name, recipe)).id;
      return { id, status: await settled(client, id) };
    };
    for (const c of CASES) {
      note(`${c.name}: keep all …`);
      const { id: all, status: a } = await first({ ...c.recipe, keep: 'all' });
      note(`${c.name}: keep outputs …`);
      const { id: lean, status: l } = await first(c.recipe);
      const before = (await client.deleteJob(all)).freed;
      const after = (await client.deleteJob(lean)).freed;
      const { objects, bytes } = l.intermediates!;
      const shards = a.stages.find((s) => s.name === 'ingest')?.shardsTotal ?? 0;
      rows.push({ name: c.name, input: data.byteLength, shards, before, after, dropped: { objects, bytes } });
      note(`  before ${formatBytes(before.bytes)}, after ${formatBytes(after.bytes)}`);
    }
    const dataset = { bytes: 0, cacheBytes: 0 };
    for (const name of datasets) {
      const d = await client.deleteDataset(name);
      dataset.bytes += d.freed.bytes;
      dataset.cacheBytes += d.cacheBytes;
    }
    const gc = await gcAll(client, {});
    const md = table(rows, dataset, datasets.length, gc.total.objects);
    writeFileSync(join(OUT, 'storage.md'), md);
    writeFileSync(join(OUT, 'storage.json'), JSON.stringify({ rows, dataset, gc }, null, 2));
    process.stdout.write(md);
  } finally {
    await stack.stop();
  }
}

function table(
  rows: Row[],
  dataset: { bytes: number; cacheBytes: number },
  datasets: number,
  gcObjects: number,
): string {
  const x = (n: number, input: number) => `${(n / input).toFixed(2)}×`;
  const lines = [
    '| job on alpaca-random-9k (3.9 MiB) | shards | before: `keep: "all"` | after: `keep: "outputs"` | dropped | after / before |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.shards} | ${formatBytes(r.before.bytes)} (${r.before.objects} objects, ${x(r.before.bytes, r.input)} input) | ` +
        `${formatBytes(r.after.bytes)} (${r.after.objects} objects, ${x(r.after.bytes, r.input)} input) | ` +
        `${formatBytes(r.dropped.bytes)} (${r.dropped.objects} objects) | ${(100 * (r.after.bytes / r.before.bytes)).toFixed(0)}% |`,
    ),
    '',
    `Deleting the ${datasets} datasets freed ${formatBytes(dataset.bytes)} in R2 (uploads and fitted models) and ` +
      `${formatBytes(dataset.cacheBytes)} of score cells; gc then found ${gcObjects} objects left.`,
    '',
  ];
  return lines.join('\n');
}

await main();
