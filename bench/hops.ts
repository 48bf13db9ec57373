/**
 * What a queue hop costs on the local stack (wrangler dev + workerd): the same job with every queue
 * consumer's `max_batch_timeout` at 1 s (wrangler.toml before issue #17) and at 0 (wrangler.toml now),
 * in the same run. The job is the issue's: 2,000 generated instruction records, a GMM with k=8, whose
 * cluster stage runs dozens of steps, each a queue hop.
 *
 *   node bench/hops.ts [--runs 3] [--records 2000]
 *
 * Per configuration: seconds from job creation to done (median of runs), the cluster stage's seconds
 * and steps, and seconds per cluster step. Writes bench/out/hops.md and hops.json. See bench/README.md.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Report } from '../schemas/output.ts';
import type { RecipeInput } from '../schemas/recipe.ts';
import { WinnowClient } from '../src/client/index.ts';
import { generateDemo } from '../src/demo/index.ts';
import { outputText, pollJob } from '../test/support/crash.ts';
import { WRANGLER_TOML, writeWranglerConfig } from '../test/support/queues.ts';
import { startLocalStack } from '../workers/cli/local-stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, records: { type: 'string', default: '2000' } },
});
const runs = Number(values.runs);
const data = new TextEncoder().encode(generateDemo({ records: Number(values.records), seed: 7 }));
// fit "full": the cluster stage as map-reduce over shards, about a hundred steps (hops) to measure; by
// default it fits on the sample in four (bench/cluster-stage.ts measures that).
const RECIPE: RecipeInput = {
  cluster: { algorithm: 'gmm', k: 8, seed: 1, fit: 'full' },
  select: { budget: '10%' },
};
const note = (s: string) => process.stderr.write(`${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Run {
  total: number;
  cluster: number;
  steps: number;
  selected: string;
}

/** One job on a fresh stack with `config`: its seconds, the cluster stage's, and its steps. */
async function once(config: string, dir: string): Promise<Run> {
  const state = join(dir, 'state');
  rmSync(state, { recursive: true, force: true });
  const stack = await startLocalStack(state, { config });
  try {
    const client = new WinnowClient(stack);
    await client.uploadDataset('hops', data);
    const t0 = performance.now();
    const { id } = await client.createJob('hops', RECIPE);
    let steps = 0;
    const done = await pollJob(client, id, () => false, {
      everyMs: 100,
      timeoutMs: 1_200_000,
      onStatus: (s) => {
        steps = Math.max(steps, s.stages.find((x) => x.name === 'cluster')?.step ?? 0);
      },
    });
    const total = (performance.now() - t0) / 1000;
    if (done.state !== 'done') throw new Error(`job ${done.state}: ${done.error}`);
    const report = JSON.parse(await outputText(client, id, 'report.json')) as Report;
    const selected = await outputText(client, id, 'selected.jsonl');
    return { total, cluster: report.stages.cluster?.seconds ?? 0, steps, selected };
  } finally {
    await stack.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

mkdirSync(OUT, { recursive: true });
const dir = join(OUT, 'hops');
const configs = [
  { name: 'max_batch_timeout = 1 (before)', config: await writeWranglerConfig(join(dir, 'before'), 1) },
  { name: 'max_batch_timeout = 0 (wrangler.toml)', config: WRANGLER_TOML },
];
const results: Record<string, Run[]> = {};
for (let r = 1; r <= runs; r++) {
  for (const c of configs) {
    const run = await once(c.config, dir);
    (results[c.name] ??= []).push(run);
    note(
      `run ${r}, ${c.name}: ${run.total.toFixed(1)} s; cluster ${run.cluster.toFixed(1)} s over ${run.steps} steps`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
const [before, after] = configs.map((c) => results[c.name]);
const same =
  after.every((r) => r.selected === before[0].selected) &&
  before.every((r) => r.selected === before[0].selected);
const row = (name: string, rs: Run[]) => {
  const total = median(rs.map((r) => r.total));
  const cluster = median(rs.map((r) => r.cluster));
  const steps = median(rs.map((r) => r.steps));
  return `| ${name} | ${total.toFixed(1)} | ${(total / median(before.map((r) => r.total))).toFixed(2)} | ${cluster.toFixed(1)} | ${steps} | ${(cluster / steps).toFixed(2)} | ${rs.map((r) => r.total.toFixed(1)).join(', ')} |`;
};
const md = [
  `| ${values.records} records, GMM k=8, local stack | job s (median of ${runs}) | × before | cluster stage s | cluster steps | s per cluster step | job s, each run |`,
  '|---|---|---|---|---|---|---|',
  ...configs.map((c) => row(c.name, results[c.name])),
  '',
  `Selected records identical across every run: ${same ? 'yes' : 'NO'}.`,
].join('\n');
process.stdout.write(`${md}\n`);
writeFileSync(join(OUT, 'hops.md'), `${md}\n`);
writeFileSync(
  join(OUT, 'hops.json'),
  `${JSON.stringify({ date: new Date().toISOString(), recipe: RECIPE, results: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map(({ selected: _, ...r }) => r)])) }, null, 2)}\n`,
);
if (!same) process.exitCode = 1;
