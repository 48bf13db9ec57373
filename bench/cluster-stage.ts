/**
 * The cluster stage on the local stack (wrangler dev + workerd) against scikit-learn, issue #17's case:
 * 2,000 generated instruction records (`generateDemo`, seed 7), a diagonal GMM with k = 8. The same job
 * runs with the default fit (on the sample, in one task) and with `cluster.fit: "full"` (map-reduce
 * over the shards, the default before), each on a fresh stack; scikit-learn's GaussianMixture fits and
 * predicts on the embeddings the job exported (the cluster stage's exact matrix), with the recipe's
 * settings, in the same run.
 *
 *   node bench/cluster-stage.ts [--runs 3] [--records 2000]
 *
 * Targets (issue #17): end to end ≤ 15 s; the cluster stage within 10× of scikit-learn's fit + predict.
 * Writes bench/out/cluster-stage.md and cluster-stage.json. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { OutputLine, Report } from '../schemas/output.ts';
import type { RecipeInput } from '../schemas/recipe.ts';
import { WinnowClient } from '../src/client/index.ts';
import { adjustedRandIndex, fitModel, gmmPosteriors, type Matrix } from '../src/cluster/index.ts';
import { generateDemo } from '../src/demo/index.ts';
import { outputText, pollJob } from '../test/support/crash.ts';
import { startLocalStack } from '../workers/cli/local-stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const DIR = join(OUT, 'cluster-stage');
const PYTHON = '/usr/bin/python3';
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, records: { type: 'string', default: '2000' } },
});
const runs = Number(values.runs);
const data = new TextEncoder().encode(generateDemo({ records: Number(values.records), seed: 7 }));
const CLUSTER = { algorithm: 'gmm', k: 8, seed: 1 } as const;
// The recipe's defaults, which scikit-learn gets too.
const SETTINGS = { maxIter: 50, tol: 1e-4, varFloor: 1e-6 };
const recipe = (fit?: 'full'): RecipeInput => ({
  cluster: { ...CLUSTER, ...(fit ? { fit } : {}) },
  select: { budget: '10%' },
  exportEmbeddings: true,
});
const note = (s: string) => process.stderr.write(`${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Run {
  total: number;
  cluster: number;
  steps: number;
  fit: NonNullable<Report['clusters']>['fit'];
  meanLogLikelihood: number;
  labels: number[];
  npy: Uint8Array;
}

/** One job on a fresh stack: its seconds, the cluster stage's, its steps, labels and embeddings. */
async function once(fit: 'full' | undefined): Promise<Run> {
  const state = join(DIR, 'state');
  rmSync(state, { recursive: true, force: true });
  const stack = await startLocalStack(state);
  try {
    const client = new WinnowClient(stack);
    await client.uploadDataset('gmm8', data);
    const t0 = performance.now();
    const { id } = await client.createJob('gmm8', recipe(fit));
    let steps = 0;
    const done = await pollJob(client, id, () => false, {
      everyMs: 50,
      timeoutMs: 1_200_000,
      onStatus: (s) => {
        steps = Math.max(steps, s.stages.find((x) => x.name === 'cluster')?.step ?? 0);
      },
    });
    const total = (performance.now() - t0) / 1000;
    if (done.state !== 'done') throw new Error(`job ${done.state}: ${done.error}`);
    const report = JSON.parse(await outputText(client, id, 'report.json')) as Report;
    const all: OutputLine[] = [];
    for (const f of ['selected.jsonl', 'rejected.jsonl'])
      for (const l of (await outputText(client, id, f)).split('\n')) if (l) all.push(JSON.parse(l));
    all.sort((a, b) => a.source.index - b.source.index);
    const npy = new Uint8Array(await new Response(await client.output(id, 'embeddings.npy')).arrayBuffer());
    return {
      total,
      cluster: report.stages.cluster?.seconds ?? 0,
      steps,
      fit: report.clusters!.fit,
      meanLogLikelihood: report.clusters!.meanLogLikelihood!,
      labels: all.map((l) => l.cluster!),
      npy,
    };
  } finally {
    await stack.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

/** The float32 rows of a C-order `<f4` .npy file. */
function readNpy(bytes: Uint8Array): Matrix {
  const headerLen = bytes[8] | (bytes[9] << 8);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLen));
  const [n, dim] = /'shape': \((\d+), (\d+)\)/.exec(header)!.slice(1).map(Number);
  const data = new Float32Array(bytes.slice(10 + headerLen).buffer);
  return { data, n, dim };
}

interface Sklearn {
  sklearn: string;
  median: number;
  seconds: number[];
  iterations: number;
  meanLogLikelihood: number;
  labels: number[];
}

function sklearn(npy: string): Sklearn | null {
  if (spawnSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' }).status !== 0) {
    note(`scikit-learn is missing for ${PYTHON} (apt-get install -y python3-sklearn): no reference`);
    return null;
  }
  const args = ['--npy', npy, '--k', String(CLUSTER.k), '--tol', String(SETTINGS.tol)];
  args.push('--max-iter', String(SETTINGS.maxIter), '--reg', String(SETTINGS.varFloor), '--seed', '1');
  const py = spawnSync(PYTHON, [join(ROOT, 'bench', 'gmm_fit_predict.py'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (py.status !== 0) throw new Error(`gmm_fit_predict.py failed:\n${py.stderr}`);
  return JSON.parse(py.stdout.trim().split('\n').at(-1) ?? '{}') as Sklearn;
}

/** Ours in this process on the same matrix: fitModel (the fit task's code) + posteriors of every row. */
function inProcess(x: Matrix): { median: number; meanLogLikelihood: number; labels: Int32Array } {
  const seconds: number[] = [];
  let result: { meanLogLikelihood: number; labels: Int32Array } = {
    meanLogLikelihood: 0,
    labels: new Int32Array(0),
  };
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const fit = fitModel(x, { algorithm: 'gmm', ks: [CLUSTER.k], seed: CLUSTER.seed, ...SETTINGS });
    const post = gmmPosteriors(x, fit.model as Extract<typeof fit.model, { kind: 'gmm' }>, 3);
    seconds.push((performance.now() - t0) / 1000);
    const ll = post.logLik.reduce((a, b) => a + b, 0) / x.n;
    result = { meanLogLikelihood: ll, labels: post.labels };
  }
  return { median: median(seconds), ...result };
}

mkdirSync(DIR, { recursive: true });
const configs = [
  { name: 'fit "full": map-reduce over shards (before)', fit: 'full' as const },
  { name: 'default: on the sample, one task', fit: undefined },
];
const results: Record<string, Run[]> = {};
for (let r = 1; r <= runs; r++) {
  for (const c of configs) {
    const run = await once(c.fit);
    (results[c.name] ??= []).push(run);
    note(
      `run ${r}, ${c.name}: ${run.total.toFixed(1)} s; cluster ${run.cluster.toFixed(2)} s over ${run.steps} steps (${run.fit.path}, sample ${run.fit.sample})`,
    );
  }
}
const last = results[configs[1].name].at(-1)!;
const npyFile = join(DIR, 'embeddings.npy');
writeFileSync(npyFile, last.npy);
const x = readNpy(last.npy);
const sk = sklearn(npyFile);
const ours = inProcess(x);
if (sk)
  note(
    `scikit-learn ${sk.sklearn}: fit + predict ${sk.median.toFixed(3)} s (median of 5), ${sk.iterations} EM iterations`,
  );
note(`ours in process: fitModel + posteriors ${ours.median.toFixed(3)} s (median of 5)`);

const rows = configs.map((c) => {
  const rs = results[c.name];
  const total = median(rs.map((r) => r.total));
  const cluster = median(rs.map((r) => r.cluster));
  const steps = median(rs.map((r) => r.steps));
  const ratio = sk ? `${(cluster / sk.median).toFixed(1)}×` : '';
  const ari = sk
    ? adjustedRandIndex(Int32Array.from(rs[0].labels), Int32Array.from(sk.labels)).toFixed(3)
    : '';
  return `| ${c.name} | ${total.toFixed(1)} | ${cluster.toFixed(2)} | ${steps} | ${ratio} | ${rs[0].meanLogLikelihood.toFixed(3)} | ${ari} | ${rs.map((r) => r.total.toFixed(1)).join(', ')} |`;
});
const md = [
  `| ${x.n} valid records (of ${values.records}), GMM k=8, ${x.dim}-d, local stack | job s (median of ${runs}) | cluster stage s | cluster steps | cluster ÷ scikit-learn fit + predict | mean log-likelihood, all records | ARI vs scikit-learn's labels | job s, each run |`,
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  sk
    ? `scikit-learn ${sk.sklearn} GaussianMixture(diag, tol ${SETTINGS.tol}, max_iter ${SETTINGS.maxIter}, reg_covar ${SETTINGS.varFloor}) fit + predict on the exported matrix: ${sk.median.toFixed(3)} s (median of 5; ${sk.iterations} EM iterations; mean log-likelihood ${sk.meanLogLikelihood.toFixed(3)}).`
    : 'scikit-learn: not installed.',
  `Ours in one process on the same matrix (fitModel + posteriors, the fit task's code): ${ours.median.toFixed(3)} s (median of 5; mean log-likelihood ${ours.meanLogLikelihood.toFixed(3)}).`,
].join('\n');
process.stdout.write(`${md}\n`);
writeFileSync(join(OUT, 'cluster-stage.md'), `${md}\n`);
writeFileSync(
  join(OUT, 'cluster-stage.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      records: Number(values.records),
      cluster: CLUSTER,
      settings: SETTINGS,
      results: Object.fromEntries(
        Object.entries(results).map(([k, v]) => [k, v.map(({ labels: _, npy: __, ...r }) => r)]),
      ),
      sklearn: sk && { ...sk, labels: undefined },
      inProcess: { median: ours.median, meanLogLikelihood: ours.meanLogLikelihood },
    },
    null,
    2,
  )}\n`,
);
const stage = median(results[configs[1].name].map((r) => r.cluster));
const total = median(results[configs[1].name].map((r) => r.total));
if (total > 15) note(`FAIL: end to end ${total.toFixed(1)} s > 15 s`);
if (sk && stage > 10 * sk.median)
  note(`FAIL: cluster stage ${stage.toFixed(2)} s > 10 × scikit-learn's ${sk.median.toFixed(3)} s`);
if (total > 15 || (sk && stage > 10 * sk.median)) process.exitCode = 1;
