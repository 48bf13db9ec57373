/**
 * The fit on a sample against the fit over every record, on the same data, where the sample is a real
 * subsample (issue #17): the objective over all records (inertia, mean log-likelihood per record),
 * the ARI between the two labelings, and what each costs.
 *
 * 1. The pipeline (runLocal, in this process) on 100,000 generated records (`generateDemo`, seed 1:
 *    bench/out/gen-100k.jsonl), 256-d hashed embeddings, `cluster.sampleSize` 20,000 (the default):
 *    `cluster.fit` "sample" against "full", for k-means k = 16 and a GMM k = 8.
 * 2. The core (src/cluster) on 100,000 × 256 Gaussian blobs, k = 64 (bench/cluster.ts's matrix): fitModel
 *    on a seeded 20,000-row sample, then every row assigned, against fitModel on all rows.
 *
 * Each side is fitted with seeds 1, 2, 3 (`--seeds`): one seed's local optimum differs from another's
 * by a few percent, so the table gives the spread over seeds and, as the yardstick for the ARI between
 * the sample's and the full fit's labelings, the ARI between full fits with different seeds.
 *
 *   node bench/cluster-sample.ts [--records 100000] [--seeds 3] [--skip-blobs] [--skip-pipeline]
 *
 * Writes bench/out/cluster-sample.md and cluster-sample.json. See bench/README.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RecipeSchema } from '../schemas/recipe.ts';
import {
  adjustedRandIndex,
  assignKmeans,
  type FittedModel,
  fitModel,
  gaussianBlobs,
  gmmPosteriors,
  type Matrix,
  sampleRows,
} from '../src/cluster/index.ts';
import { generateDemo } from '../src/demo/index.ts';
import { clusterAssignKey, type MemoryStore, memoryJob, runLocal } from '../src/pipeline/index.ts';
import type { ClusterAssignment } from '../src/pipeline/stages/cluster/cluster.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    seeds: { type: 'string', default: '3' },
    'skip-blobs': { type: 'boolean', default: false },
    'skip-pipeline': { type: 'boolean', default: false },
  },
});
const note = (s: string) => process.stderr.write(`${s}\n`);

interface Side {
  objective: number;
  labels: Int32Array;
  /** Seconds of the fit (blobs: fit + assignment of every row; pipeline: the cluster stage's wall time). */
  seconds: number;
  /** Pipeline: cluster steps run, and the longest single task (the fit task, on the sample path). */
  steps?: number;
  longestTask?: number;
  iterations: number;
  sample: number;
}

/** One model on one data set: each side fitted with seeds 1, 2, … (the sample is the same for every seed). */
interface Row {
  data: string;
  model: string;
  objective: 'inertia' | 'mean log-likelihood';
  sample: Side[];
  full: Side[];
}

const SEEDS = Array.from({ length: Number(values.seeds) }, (_, i) => i + 1);

/** Every shard's labels, in shard order. */
function pipelineLabels(store: MemoryStore, job: string): Int32Array {
  const labels: number[] = [];
  for (let s = 0; ; s++) {
    const bytes = store.objects.get(clusterAssignKey(job, s));
    if (!bytes) break;
    labels.push(...(JSON.parse(new TextDecoder().decode(bytes)) as ClusterAssignment).labels);
  }
  return Int32Array.from(labels);
}

async function pipelineSide(input: Uint8Array, cluster: Record<string, unknown>, fit: string): Promise<Side> {
  const id = `q-${fit}`;
  const recipe = RecipeSchema.parse({
    scorers: [{ id: 'length' }],
    select: { budget: '30%', dedup: false },
    cluster: { ...cluster, fit },
  });
  const { store, spec } = await memoryJob({ input }, recipe, { id, dataset: 'q' });
  const iters = new Set<number>();
  let longestTask = 0;
  const report = await runLocal(
    store,
    spec,
    {},
    {
      afterTask(task, seconds) {
        if (task.stage !== 'cluster') return;
        iters.add(task.iter);
        longestTask = Math.max(longestTask, seconds);
      },
    },
  );
  const c = report.clusters!;
  return {
    objective: c.meanLogLikelihood ?? c.inertia!,
    labels: pipelineLabels(store, id),
    seconds: report.stages.cluster.seconds,
    steps: iters.size,
    longestTask,
    iterations: c.iterations,
    sample: c.fit.sample,
  };
}

async function pipeline(): Promise<Row[]> {
  const file = join(OUT, 'gen-100k.jsonl');
  const records = Number(values.records);
  const input =
    records === 100_000 && existsSync(file)
      ? readFileSync(file)
      : new TextEncoder().encode(generateDemo({ records, seed: 1 }));
  if (records === 100_000 && !existsSync(file)) writeFileSync(file, input);
  const rows: Row[] = [];
  for (const cluster of [
    { algorithm: 'kmeans', k: 16 },
    { algorithm: 'gmm', k: 8 },
  ]) {
    const model = `${cluster.algorithm} k=${cluster.k}`;
    const sample: Side[] = [];
    const full: Side[] = [];
    for (const seed of SEEDS) {
      note(`pipeline, ${model}, seed ${seed}: sample …`);
      sample.push(await pipelineSide(input, { ...cluster, seed }, 'sample'));
      note(`pipeline, ${model}, seed ${seed}: full …`);
      full.push(await pipelineSide(input, { ...cluster, seed }, 'full'));
    }
    const objective = cluster.algorithm === 'gmm' ? 'mean log-likelihood' : 'inertia';
    rows.push({ data: `gen-${records / 1000}k, 256-d hashed, pipeline`, model, objective, sample, full });
  }
  return rows;
}

/** Labels of every row of x under the model, and the objective over all of them. */
function score(x: Matrix, model: FittedModel): { labels: Int32Array; objective: number } {
  if (model.kind === 'gmm') {
    const post = gmmPosteriors(x, model, 0);
    return { labels: post.labels, objective: post.logLik.reduce((a, b) => a + b, 0) / x.n };
  }
  const a = assignKmeans(x, model.centroids, model.k);
  let inertia = 0;
  for (const d of a.dist2) inertia += d;
  return { labels: a.labels, objective: inertia };
}

function blobs(): Row[] {
  const { x } = gaussianBlobs({
    n: 100_000,
    dim: 256,
    k: 64,
    seed: 1,
    spread: 1,
    sigma: [0.5, 1],
    noise: 0.05,
  });
  const rows: Row[] = [];
  for (const algorithm of ['kmeans', 'gmm'] as const) {
    const side = (m: Matrix, seed: number): Side => {
      const t0 = performance.now();
      const fit = fitModel(m, { algorithm, ks: [64], maxIter: 50, tol: 1e-4, seed });
      const all = score(x, fit.model);
      return {
        ...all,
        seconds: (performance.now() - t0) / 1000,
        iterations: fit.best.iterations,
        sample: m.n,
      };
    };
    const rows20k = sampleRows(x, 20_000, 1);
    const sample: Side[] = [];
    const full: Side[] = [];
    for (const seed of SEEDS) {
      note(`blobs, ${algorithm} k=64, seed ${seed}: sample …`);
      sample.push(side(rows20k, seed));
      note(`blobs, ${algorithm} k=64, seed ${seed}: full …`);
      full.push(side(x, seed));
    }
    const objective = algorithm === 'gmm' ? 'mean log-likelihood' : 'inertia';
    rows.push({ data: '100,000 × 256 blobs, core', model: `${algorithm} k=64`, objective, sample, full });
  }
  return rows;
}

const rows = [...(values['skip-pipeline'] ? [] : await pipeline()), ...(values['skip-blobs'] ? [] : blobs())];
const fmt = (v: number) => (Math.abs(v) >= 1e4 ? v.toExponential(5) : v.toFixed(3));
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
/** The mean, and [min, max] when there are several. */
const spread = (v: number[]) =>
  v.length === 1 ? fmt(v[0]) : `${fmt(mean(v))} [${fmt(Math.min(...v))}, ${fmt(Math.max(...v))}]`;
/** ARI of the two sides' labelings with the same seed, and of the full fits' labelings with different seeds. */
function agreement(r: Row) {
  const same = r.sample.map((s, i) => adjustedRandIndex(s.labels, r.full[i].labels));
  const seeds: number[] = [];
  for (let i = 0; i < r.full.length; i++)
    for (let j = i + 1; j < r.full.length; j++)
      seeds.push(adjustedRandIndex(r.full[i].labels, r.full[j].labels));
  return { same: mean(same), fullSeeds: seeds.length ? mean(seeds) : Number.NaN };
}
const md = [
  `| data | model | objective over all records | fit on the sample: mean [min, max] of ${SEEDS.length} seeds | fit over every record | sample − full (means) | ARI sample vs full, same seed | ARI full vs full, other seeds | sample rows | iterations (sample / full) | s a fit, median (sample / full) | cluster steps (sample / full) | longest task s (sample / full) |`,
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => {
    const obj = (side: Side[]) => side.map((s) => s.objective);
    const rel = (mean(obj(r.sample)) - mean(obj(r.full))) / Math.abs(mean(obj(r.full)));
    const ari = agreement(r);
    const pair = (f: (s: Side) => number | undefined, d = 2) =>
      f(r.sample[0]) === undefined
        ? ''
        : `${median(r.sample.map((s) => f(s)!)).toFixed(d)} / ${median(r.full.map((s) => f(s)!)).toFixed(d)}`;
    const iters = (side: Side[]) => side.map((s) => s.iterations).join(', ');
    return `| ${r.data} | ${r.model} | ${r.objective} | ${spread(obj(r.sample))} | ${spread(obj(r.full))} | ${(rel * 100).toFixed(2)}% | ${ari.same.toFixed(3)} | ${ari.fullSeeds.toFixed(3)} | ${r.sample[0].sample.toLocaleString('en-US')} | ${iters(r.sample)} / ${iters(r.full)} | ${pair((s) => s.seconds)} | ${pair((s) => s.steps, 0)} | ${pair((s) => s.longestTask)} |`;
  }),
].join('\n');
process.stdout.write(`${md}\n`);
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'cluster-sample.md'), `${md}\n`);
writeFileSync(
  join(OUT, 'cluster-sample.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      rows: rows.map((r) => ({
        ...r,
        agreement: agreement(r),
        sample: r.sample.map((x) => ({ ...x, labels: undefined })),
        full: r.full.map((x) => ({ ...x, labels: undefined })),
      })),
    },
    null,
    2,
  )}\n`,
);
