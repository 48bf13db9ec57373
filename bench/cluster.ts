/**
 * Clustering benchmark: our k-means and diagonal GMM (src/cluster, single thread) against
 * scikit-learn's on the same matrix, in the same run. See bench/cluster-README.md.
 *
 *   node bench/cluster.ts                       # 100,000 × 256, k = 64, 20 iterations
 *   node bench/cluster.ts --n 20000 --kernel js # smaller, pure-JS kernel (or wasm-plain: no relaxed SIMD)
 *   node bench/cluster.ts --real                # also: hashed bag-of-words of alpaca-random-9k
 *   node bench/cluster.ts --sample 0            # without the 20,000-row sample the fit task would cluster
 *   node bench/cluster.ts --build-kernel        # assemble src/cluster/kernel.wat (needs wabt)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  adjustedRandIndex,
  clusterKernel,
  createKmeansBounds,
  fitGmm,
  fitKmeans,
  type GmmParams,
  gaussianBlobs,
  gmmFromKmeans,
  gmmStats,
  gmmUpdate,
  type KmeansBounds,
  kmeansPlusPlus,
  kmeansStats,
  kmeansUpdate,
  type Matrix,
  mergeGmmStats,
  mergeKmeansStats,
  rowChunks,
  sampleRows,
  useClusterKernel,
} from '../src/cluster/index.ts';
import { kernelModuleSource, relaxedWat } from '../src/cluster/kernel-build.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out', 'cluster');
const KERNEL = join(ROOT, 'src', 'cluster');
const PYTHON = '/usr/bin/python3';
const VAR_FLOOR = 1e-6;
const CHUNK = 5_000;

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '256' },
    k: { type: 'string', default: '64' },
    iters: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    kernel: { type: 'string', default: 'wasm' },
    real: { type: 'boolean', default: false },
    seeds: { type: 'string', default: '3' },
    sample: { type: 'string', default: '20000' },
    /** Timed runs of each side's k-means (scikit-learn: fits of each length); the fastest counts too. */
    repeats: { type: 'string', default: '3' },
    'skip-sklearn': { type: 'boolean', default: false },
    'build-kernel': { type: 'boolean', default: false },
  },
});

/** A .npy file (format 1.0, little-endian, C order) of a float32 or float64 array. */
function npy(values: Float32Array | Float64Array, shape: number[]): Uint8Array {
  const descr = values instanceof Float32Array ? '<f4' : '<f8';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += `${' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + values.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), 10 + header.length);
  return out;
}

async function buildKernel(): Promise<void> {
  const { default: init } = await import('wabt');
  const wabt = await init();
  const wat = readFileSync(join(KERNEL, 'kernel.wat'), 'utf8');
  const assemble = (source: string, relaxed: boolean) => {
    const mod = wabt.parseWat('kernel.wat', source, { simd: true, relaxed_simd: relaxed });
    mod.validate();
    return mod.toBinary({}).buffer;
  };
  const plain = assemble(wat, false);
  const relaxed = assemble(relaxedWat(wat), true);
  writeFileSync(join(KERNEL, 'kernel.wasm'), plain);
  writeFileSync(join(KERNEL, 'kernel-relaxed.wasm'), relaxed);
  writeFileSync(join(KERNEL, 'kernel-wasm.ts'), kernelModuleSource(plain, relaxed));
  console.log(
    `kernel.wasm: ${plain.length} bytes, kernel-relaxed.wasm: ${relaxed.length} bytes; wrote both and kernel-wasm.ts`,
  );
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;
const median = (v: readonly number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Seconds of each of `iters` calls of step (one iteration each). */
function timeLoop(iters: number, step: (i: number) => void): number[] {
  return Array.from({ length: iters }, (_, i) => {
    const t0 = performance.now();
    step(i);
    return seconds(t0);
  });
}

/**
 * Exactly `iters` Lloyd iterations (map per chunk, reduce, update). With `bounded`, each chunk
 * keeps its KmeansBounds between iterations (created in iteration 1, inside the timing).
 */
function timeKmeans(x: Matrix, init: Float64Array, k: number, iters: number, bounded: boolean): number[] {
  const chunks = rowChunks(x, CHUNK);
  const states: (KmeansBounds | undefined)[] = [];
  let centroids = init;
  return timeLoop(iters, (i) => {
    if (bounded && i === 0) for (const c of chunks) states.push(createKmeansBounds(c, k));
    const stats = chunks.map((c, j) => kmeansStats(c, centroids, k, states[j])).reduce(mergeKmeansStats);
    centroids = kmeansUpdate(stats, centroids).centroids;
  });
}

/**
 * k-means as the pipeline's fit task runs it (fitModel → fitKmeans: every row in one chunk, Hamerly
 * bounds), from `init`, exactly `iters` iterations and the final assignment; `runs` times. Each value
 * is the fit's seconds divided by its iterations (scikit-learn's fit / n_iter includes a final
 * assignment too). Each fit gets its own copy of the rows and a released kernel (both before the clock
 * starts), so that each pays for the kernel's int16 copy of the rows in a fresh memory, as the
 * first fit of a fit task does.
 */
function timeFitKmeans(x: Matrix, init: Float64Array, k: number, iters: number, runs = 5): number[] {
  return Array.from({ length: runs }, () => {
    const rows = { ...x, data: x.data.slice() };
    clusterKernel().release();
    const t0 = performance.now();
    const fit = fitKmeans(rows, { k, init, maxIter: iters, tol: 0, chunkRows: x.n });
    return seconds(t0) / fit.iterations;
  });
}

/** Exactly `iters` EM iterations (E-step map per chunk, reduce, M-step). */
function timeGmm(x: Matrix, init: GmmParams, iters: number): number[] {
  const chunks = rowChunks(x, CHUNK);
  let params = init;
  return timeLoop(iters, () => {
    const stats = chunks.map((c) => gmmStats(c, params)).reduce(mergeGmmStats);
    params = gmmUpdate(stats, { varFloor: VAR_FLOOR, prev: params });
  });
}

interface Timing {
  secondsPerIter: number;
  marginalPerIter: number | null;
  iterations: number;
}

interface SklearnResult {
  sklearn: string;
  kmeansSameInit: { inertia: number; iterations: number };
  gmmSameInit: { meanLogLikelihood: number; iterations: number };
  kmeansOwnInit: { seed: number; inertia: number; iterations: number }[];
  gmmOwnInit: { seed: number; meanLogLikelihood: number; iterations: number }[];
  kmeansTiming?: Timing;
  gmmTiming?: Timing;
}

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const pct = (ours: number, ref: number) => `${(((ours - ref) / Math.abs(ref)) * 100).toFixed(3)}%`;
/** One value, or the mean [min, max] of several. */
const spread = (v: number[]) =>
  v.length === 1
    ? v[0].toPrecision(10)
    : `${mean(v).toPrecision(8)} [${Math.min(...v).toPrecision(6)}, ${Math.max(...v).toPrecision(6)}]`;

function sklearn(
  dir: string,
  k: number,
  iters: number,
  seed: number,
  seeds: number,
  timing: boolean,
): SklearnResult {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: apt-get install -y python3-sklearn`);
  const script = join(ROOT, 'bench', 'cluster_sklearn.py');
  const flags = ['--dir', dir, '--k', k, '--iters', iters, '--seed', seed, '--seeds', seeds].map(String);
  flags.push('--repeats', String(args.repeats));
  const py = spawnSync(PYTHON, [script, ...flags, ...(timing ? [] : ['--no-timing'])], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (py.status !== 0) throw new Error(`cluster_sklearn.py failed:\n${py.stderr}`);
  return JSON.parse(py.stdout.trim().split('\n').at(-1) ?? '{}') as SklearnResult;
}

/** Fits ours and scikit-learn's on x; prints the quality table (and timing when asked). */
function compare(
  name: string,
  x: Matrix,
  k: number,
  iters: number,
  seed: number,
  timing: boolean,
  truth?: Int32Array,
) {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'x.npy'), npy(x.data, [x.n, x.dim]));
  const init = kmeansPlusPlus(sampleRows(x, 20_000, seed), k, seed);
  const kmSame = fitKmeans(x, { k, init, maxIter: iters, tol: 0 });
  const gInit = gmmFromKmeans(x, kmSame.centroids, k, { varFloor: VAR_FLOOR });
  const gmSame = fitGmm(x, { k, init: gInit, maxIter: iters, varFloor: VAR_FLOOR });
  const seeds = Array.from({ length: Number(args.seeds) }, (_, i) => seed + i);
  const kmOwn = seeds.map((s) => fitKmeans(x, { k, seed: s, maxIter: iters }));
  const gmOwn = seeds.map((s) => fitGmm(x, { k, seed: s, maxIter: iters, varFloor: VAR_FLOOR }));
  writeFileSync(join(dir, 'init_centroids.npy'), npy(init, [k, x.dim]));
  writeFileSync(join(dir, 'gmm_weights.npy'), npy(gInit.weights, [k]));
  writeFileSync(join(dir, 'gmm_means.npy'), npy(gInit.means, [k, x.dim]));
  writeFileSync(
    join(dir, 'gmm_precisions.npy'),
    npy(
      gInit.variances.map((v) => 1 / v),
      [k, x.dim],
    ),
  );
  const times = timing
    ? {
        kmeans: timeKmeans(x, init, k, iters, false),
        bounded: timeKmeans(x, init, k, iters, true),
        fitTask: timeFitKmeans(x, init, k, iters, Math.max(5, Number(args.repeats))),
        gmm: timeGmm(x, gInit, iters),
      }
    : null;
  const sk = args['skip-sklearn'] ? null : sklearn(dir, k, iters, seed, seeds.length, timing);

  console.log(
    `\n## ${name}: ${x.n.toLocaleString('en-US')} × ${x.dim}, k = ${k}, kernel ${clusterKernel().name}${sk ? `, scikit-learn ${sk.sklearn}` : ''}\n`,
  );
  const ours = {
    kmSame: kmSame.inertia,
    gmSame: gmSame.meanLogLikelihood,
    kmOwn: kmOwn.map((f) => f.inertia),
    gmOwn: gmOwn.map((f) => f.meanLogLikelihood),
  };
  const ref = sk && {
    kmOwn: sk.kmeansOwnInit.map((f) => f.inertia),
    gmOwn: sk.gmmOwnInit.map((f) => f.meanLogLikelihood),
  };
  const own = `own init (${seeds.length} seeds${seeds.length > 1 ? ': mean [min, max]' : ''})`;
  const iterations = (v: { iterations: number }[]) => v.map((f) => f.iterations).join(', ');
  const quality: (string | number)[][] = [
    [
      'k-means inertia, same init',
      spread([ours.kmSame]),
      kmSame.iterations,
      sk ? spread([sk.kmeansSameInit.inertia]) : '',
      sk?.kmeansSameInit.iterations ?? '',
      sk ? pct(ours.kmSame, sk.kmeansSameInit.inertia) : '',
    ],
    [
      `k-means inertia, ${own}`,
      spread(ours.kmOwn),
      iterations(kmOwn),
      ref ? spread(ref.kmOwn) : '',
      sk ? iterations(sk.kmeansOwnInit) : '',
      ref ? pct(mean(ours.kmOwn), mean(ref.kmOwn)) : '',
    ],
    [
      'GMM mean log-likelihood, same init',
      spread([ours.gmSame]),
      gmSame.iterations,
      sk ? spread([sk.gmmSameInit.meanLogLikelihood]) : '',
      sk?.gmmSameInit.iterations ?? '',
      sk ? pct(ours.gmSame, sk.gmmSameInit.meanLogLikelihood) : '',
    ],
    [
      `GMM mean log-likelihood, ${own}`,
      spread(ours.gmOwn),
      iterations(gmOwn),
      ref ? spread(ref.gmOwn) : '',
      sk ? iterations(sk.gmmOwnInit) : '',
      ref ? pct(mean(ours.gmOwn), mean(ref.gmOwn)) : '',
    ],
  ];
  console.log(table(['quality', 'ours', 'iters', 'scikit-learn', 'iters', 'ours − sklearn'], quality));
  const ari = truth && {
    kmeans: [kmSame, ...kmOwn].map((f) => adjustedRandIndex(truth, f.labels)),
    gmm: [gmSame, ...gmOwn].map((f) => adjustedRandIndex(truth, f.labels)),
  };
  if (ari)
    console.log(
      `\nARI vs the generating blobs (noise rows as one more class; same init, then own inits): k-means ${ari.kmeans.map((v) => v.toFixed(4)).join(', ')}; GMM ${ari.gmm.map((v) => v.toFixed(4)).join(', ')}`,
    );
  if (times) {
    const rows = (
      [
        ['k-means (Lloyd: map + reduce + update), as map-reduce over shards', times.kmeans, sk?.kmeansTiming],
        ['k-means with per-shard bounds (same Lloyd iterates)', times.bounded, sk?.kmeansTiming],
        [
          `k-means as the fit task runs it (fitKmeans, one chunk): median of ${times.fitTask.length} fits`,
          [median(times.fitTask)] as number[],
          sk?.kmeansTiming,
        ],
        [
          `k-means as the fit task runs it: fastest of ${times.fitTask.length} fits`,
          [Math.min(...times.fitTask)] as number[],
          sk?.kmeansTiming,
        ],
        ['GMM (EM: E-step map + reduce + M-step)', times.gmm, sk?.gmmTiming],
      ] as const
    ).map(([label, t, s]) => {
      const ratio = (r: number | null | undefined) => (r ? `${(mean(t) / r).toFixed(2)}×` : '');
      return [
        label,
        mean(t).toFixed(4),
        median(t).toFixed(4),
        s?.secondsPerIter.toFixed(4) ?? '',
        s?.marginalPerIter?.toFixed(4) ?? '',
        ratio(s?.marginalPerIter),
        ratio(s?.secondsPerIter),
      ];
    });
    console.log(
      `\nSeconds per iteration (${iters} iterations; ours: 1 thread, mean and median; scikit-learn: fit / n_iter and marginal, the fastest of ${args.repeats} fits each, ${cpus().length} cores for OpenBLAS):\n`,
    );
    console.log(
      table(
        [
          'step',
          'ours s/it (mean)',
          'ours s/it (median)',
          'sklearn s/it (fit / n_iter)',
          'sklearn s/it (marginal)',
          'ours / sklearn marginal',
          'ours / sklearn fit',
        ],
        rows,
      ),
    );
  }
  return { name, n: x.n, dim: x.dim, k, kernel: clusterKernel().name, ours, sklearn: sk, ari, times };
}

/** Hashed bag of words of each record's text, 64 signed buckets, L2-normalized. */
function hashedBagOfWords(file: string, dim: number): Matrix {
  const records = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>[];
  const data = new Float32Array(records.length * dim);
  records.forEach((r, i) => {
    const text = `${r.instruction ?? ''} ${r.input ?? ''} ${r.output ?? ''}`.toLowerCase();
    for (const word of text.match(/[a-z0-9']+/g) ?? []) {
      let h = 2166136261;
      for (let c = 0; c < word.length; c++) h = Math.imul(h ^ word.charCodeAt(c), 16777619) >>> 0;
      data[i * dim + (h % dim)] += h & 0x80000000 ? -1 : 1;
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += data[i * dim + j] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < dim; j++) data[i * dim + j] /= norm;
  });
  return { data, n: records.length, dim };
}

async function main() {
  if (args['build-kernel']) return buildKernel();
  const kernel = args.kernel;
  if (kernel !== 'wasm' && kernel !== 'wasm-plain' && kernel !== 'js')
    throw new Error('--kernel must be wasm, wasm-plain or js');
  useClusterKernel(kernel);
  const [n, dim, k, iters, seed] = [args.n, args.dim, args.k, args.iters, args.seed].map(Number);
  mkdirSync(OUT, { recursive: true });
  const t0 = performance.now();
  const { x, labels } = gaussianBlobs({ n, dim, k, seed, spread: 1, sigma: [0.5, 1], noise: 0.05 });
  console.log(
    `# Clustering bench (node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length})\n\nsynthetic: ${k} Gaussian blobs (centers N(0, 1), per-blob σ ∈ [0.5, 1] per coordinate) + 5% background rows N(0, 4), seed ${seed}; generated in ${seconds(t0).toFixed(1)} s`,
  );
  const results = [compare('blobs', x, k, iters, seed, true, labels)];
  // What the pipeline's fit task clusters by default: a 20,000-row sample (cluster.sampleSize).
  const rows = Number(args.sample);
  if (rows > 0 && rows < n)
    results.push(compare(`blobs-sample-${rows}`, sampleRows(x, rows, seed), k, iters, seed, true));
  if (args.real) {
    const file = resolve(ROOT, '../shared/data/alpaca-random-9k.json');
    if (existsSync(file))
      results.push(compare('alpaca-9k-bow64', hashedBagOfWords(file, 64), 16, iters, seed, false));
    else console.log(`\n(skipped --real: ${file} is missing)`);
  }
  writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten: ${join(OUT, 'results.json')}`);
}

await main();
