/**
 * Does the default offline embedder find topics? (issue #18, part 2.) For each dataset: Winnow's
 * pipeline in this process (`memoryJob` + `runLocal` over a MemoryStore, as bench/reference.ts)
 * with the default recipe plus `cluster: { algorithm: 'kmeans', k }`, against scikit-learn's
 * TF-IDF → TruncatedSVD(64) → k-means (bench/embed_sklearn.py); the adjusted Rand index of each
 * against the topic labels, and the embed stage's throughput. See bench/README.md.
 *
 *   npx node bench/embed-topics.ts                        # every dataset, the recipe's default embedder
 *   npx node bench/embed-topics.ts --embedder hashed      # another embedder by id (recipe `embed: {id}`)
 *   npx node bench/embed-topics.ts --only en-2k,dolly     # some datasets
 *   npx node bench/embed-topics.ts --seeds 20 --seeds-100k 3   # seeds per side (the defaults)
 *   npx node bench/embed-topics.ts --skip-sklearn         # Winnow's side only
 *
 * Seeds: each side runs once per seed s = 0 … N−1 (`--seeds`; en-100k: `--seeds-100k`, at most N).
 * Winnow: the recipe's `seed`, `cluster.seed` and the embedder's `config.seed` (tfidf: its feature
 * hashes and the SVD's sketch) = s, so k-means++ (and its restarts) and the embedding both vary; the
 * fit and cluster samples are drawn by record hash. scikit-learn: `random_state` = s for both
 * TruncatedSVD and KMeans, over one TF-IDF matrix. A single seed moves either side's ARI by ±0.1 on
 * these sets, so the table gives each side's mean and median ARI, its min–max, and the differences
 * of the means and of the medians; the JSON keeps
 * every seed's values.
 *
 * Each record's cluster is its `cluster` field in selected.jsonl or rejected.jsonl, placed by
 * `source.index`: every valid record is embedded and clustered before selection, so filtered,
 * deduplicated and budget-cut records carry it too (the budget is 100% all the same). A record with
 * no cluster (invalid) counts as a cluster of its own (-1) on both ARI computations.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RecipeSchema } from '../schemas/recipe.ts';
import { adjustedRandIndex } from '../src/cluster/index.ts';
import {
  memoryJob,
  type OutputManifest,
  outputChunks,
  outputManifestKey,
  runLocal,
} from '../src/pipeline/index.ts';
import { writeTopics } from './gen-topics.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const WORK = join(OUT, 'embed-topics');
const PYTHON = '/usr/bin/python3';
const DOLLY = resolve(ROOT, '../shared/data/dolly-3k.json');

interface Dataset {
  name: string;
  lang: 'en' | 'zh';
  /** Writes the data file and its labels; returns the data file and the labels. */
  make: () => { file: string; labels: Int32Array };
}

function generated(name: string, records: number, lang: 'en' | 'zh', topics = 8): Dataset {
  return {
    name,
    lang,
    make() {
      const file = join(WORK, `${name}.jsonl`);
      return { file, labels: writeTopics(file, records, { lang, topics, seed: 1 }).labels };
    },
  };
}

const DATASETS: Dataset[] = [
  generated('en-2k', 2_000, 'en'),
  generated('en-10k', 10_000, 'en'),
  generated('en-10k-k20', 10_000, 'en', 20),
  generated('en-100k', 100_000, 'en'),
  generated('zh-2k', 2_000, 'zh'),
  generated('zh-10k', 10_000, 'zh'),
  {
    name: 'dolly',
    lang: 'en',
    make() {
      // Labels: the `category` field, numbered in sorted order; Winnow reads the file as it is.
      const records = JSON.parse(readFileSync(DOLLY, 'utf8')) as { category: string }[];
      const names = [...new Set(records.map((r) => r.category))].sort();
      const labels = Int32Array.from(records, (r) => names.indexOf(r.category));
      writeFileSync(join(WORK, 'dolly.labels'), `${labels.join('\n')}\n`);
      return { file: DOLLY, labels };
    },
  },
];

interface SklearnRun {
  seed: number;
  ari: number;
  seconds: number;
  stages: Record<string, number>;
}

interface SklearnResult {
  sklearn: string;
  k: number;
  features: number;
  runs: SklearnRun[];
  winnowAri?: number[];
  winnowUnassigned?: number[];
}

/** The median (the mean of the middle two for an even count). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs the pipeline on `file` with recipe `seed` and `cluster.seed` = `seed`; returns each record's
 * cluster (-1: none), the report's embed stage and the job's seconds.
 */
async function winnow(file: string, records: number, k: number, embedder: string | undefined, seed: number) {
  const recipe = RecipeSchema.parse({
    seed,
    cluster: { algorithm: 'kmeans', k, seed },
    select: { budget: '100%' },
    embed: { id: embedder ?? 'tfidf', config: { seed } },
  });
  const t0 = performance.now();
  const { store, spec } = await memoryJob({ input: readFileSync(file) }, recipe, {
    id: 'embed-topics',
    dataset: 'embed-topics',
  });
  const report = await runLocal(store, spec);
  const seconds = (performance.now() - t0) / 1000;
  const manifest = JSON.parse(
    new TextDecoder().decode((await store.get(outputManifestKey(spec.id)))!),
  ) as OutputManifest;
  const assigned = new Int32Array(records).fill(-1);
  let lines = 0;
  for (const f of manifest.files) {
    if (f.name !== 'selected.jsonl' && f.name !== 'rejected.jsonl') continue;
    let text = '';
    const decoder = new TextDecoder();
    const take = (final: boolean) => {
      const end = final ? text.length : text.lastIndexOf('\n') + 1;
      for (const line of text.slice(0, end).split('\n')) {
        if (!line) continue;
        const row = JSON.parse(line) as { source: { index: number }; cluster?: number };
        if (row.cluster !== undefined) assigned[row.source.index] = row.cluster;
        lines++;
      }
      text = text.slice(end);
    };
    for await (const chunk of outputChunks(store, f)) {
      text += decoder.decode(chunk, { stream: true });
      take(false);
    }
    take(true);
  }
  return { assigned, lines, report, seconds };
}

function sklearnAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;
}

function sklearn(
  file: string,
  labels: string,
  assignments: string[],
  lang: string,
  seeds: number[],
): SklearnResult {
  const py = spawnSync(
    PYTHON,
    [
      join(ROOT, 'bench', 'embed_sklearn.py'),
      '--data',
      file,
      '--labels',
      labels,
      '--lang',
      lang,
      '--seeds',
      seeds.join(','),
      '--assignments',
      ...assignments,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (py.status !== 0) throw new Error(`embed_sklearn.py failed:\n${py.stderr}`);
  return JSON.parse(py.stdout.trim().split('\n').at(-1) ?? '{}') as SklearnResult;
}

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      embedder: { type: 'string' },
      only: { type: 'string' },
      seeds: { type: 'string', default: '20' },
      'seeds-100k': { type: 'string', default: '3' },
      'skip-sklearn': { type: 'boolean', default: false },
    },
  });
  const count = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
    return n;
  };
  const seedCount = count('seeds', args.seeds);
  const seedCount100k = Math.min(seedCount, count('seeds-100k', args['seeds-100k']));
  const embedder = args.embedder ?? RecipeSchema.parse({}).embed.id;
  const only = args.only?.split(',');
  const unknown = only?.filter((n) => !DATASETS.some((d) => d.name === n)) ?? [];
  if (unknown.length)
    throw new Error(
      `--only: unknown ${unknown.join(', ')}; known: ${DATASETS.map((d) => d.name).join(', ')}`,
    );
  const withSklearn = !args['skip-sklearn'] && sklearnAvailable();
  if (!args['skip-sklearn'] && !withSklearn)
    process.stderr.write('scikit-learn is missing (apt-get install -y python3-sklearn): Winnow only\n');
  mkdirSync(WORK, { recursive: true });

  const results = [];
  for (const ds of DATASETS) {
    if (only && !only.includes(ds.name)) continue;
    process.stderr.write(`${ds.name}: writing the data …\n`);
    const { file, labels } = ds.make();
    const k = new Set(labels).size;
    const seeds = Array.from({ length: ds.name === 'en-100k' ? seedCount100k : seedCount }, (_, i) => i);
    const labelsFile = ds.name === 'dolly' ? join(WORK, 'dolly.labels') : `${file}.labels`;
    const runs = [];
    const assignFiles = [];
    for (const seed of seeds) {
      process.stderr.write(
        `${ds.name}: ${labels.length} records, k = ${k}, Winnow (embedder ${embedder}, seed ${seed}) …\n`,
      );
      const w = await winnow(file, labels.length, k, args.embedder, seed);
      const embed = w.report.stages.embed;
      const assignFile = join(WORK, `${ds.name}.${embedder}.seed${seed}.assign`);
      writeFileSync(assignFile, `${w.assigned.join('\n')}\n`);
      assignFiles.push(assignFile);
      runs.push({
        seed,
        ari: adjustedRandIndex(labels, w.assigned),
        embedSeconds: embed?.seconds ?? null,
        embedRecordsPerSecond: embed ? embed.records / embed.seconds : null,
        jobSeconds: w.seconds,
        unassigned: w.assigned.filter((c) => c < 0).length,
        outputLines: w.lines,
        invalid: w.report.counts.invalid,
      });
      process.stderr.write(`  ARI ${runs.at(-1)!.ari.toFixed(3)}, job ${w.seconds.toFixed(1)} s\n`);
    }
    let sk: SklearnResult | null = null;
    if (withSklearn) {
      process.stderr.write(`${ds.name}: scikit-learn, random_state ${seeds.join(', ')} …\n`);
      sk = sklearn(file, labelsFile, assignFiles, ds.lang, seeds);
      runs.forEach((r, i) => {
        const theirs = sk?.winnowAri?.[i];
        if (theirs !== undefined && Math.abs(theirs - r.ari) > 1e-9)
          throw new Error(
            `${ds.name} seed ${r.seed}: Winnow's ARI is ${r.ari} here but ${theirs} in scikit-learn`,
          );
      });
    }
    const nums = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
    const medianOf = (xs: (number | null)[]) => (nums(xs).length ? median(nums(xs)) : null);
    const winnowAris = runs.map((r) => r.ari);
    const sklearnAris = sk?.runs.map((r) => r.ari) ?? [];
    const winnowAri = median(winnowAris);
    const sklearnAri = sk ? median(sklearnAris) : null;
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const winnowAriMean = mean(winnowAris);
    const sklearnAriMean = sk ? mean(sklearnAris) : null;
    const row = {
      dataset: ds.name,
      lang: ds.lang,
      records: labels.length,
      k,
      embedder,
      seeds,
      winnowAri,
      winnowAriMin: Math.min(...winnowAris),
      winnowAriMax: Math.max(...winnowAris),
      sklearnAri,
      sklearnAriMin: sk ? Math.min(...sklearnAris) : null,
      sklearnAriMax: sk ? Math.max(...sklearnAris) : null,
      /** Difference of the medians. */
      difference: sklearnAri === null ? null : winnowAri - sklearnAri,
      winnowAriMean,
      sklearnAriMean,
      /** Difference of the means. */
      differenceOfMeans: sklearnAriMean === null ? null : winnowAriMean - sklearnAriMean,
      embedSeconds: medianOf(runs.map((r) => r.embedSeconds)),
      embedRecordsPerSecond: medianOf(runs.map((r) => r.embedRecordsPerSecond)),
      jobSeconds: median(runs.map((r) => r.jobSeconds)),
      sklearnSeconds: sk ? median(sk.runs.map((r) => r.seconds)) : null,
      sklearnFeatures: sk?.features ?? null,
      sklearnVersion: sk?.sklearn ?? null,
      winnowRuns: runs,
      sklearnRuns: sk?.runs ?? null,
    };
    process.stderr.write(`  ${JSON.stringify(row)}\n`);
    results.push(row);
  }

  const f = (v: number | null, digits: number) => (v === null ? '' : v.toFixed(digits));
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
  const range = (lo: number | null, hi: number | null) =>
    lo === null || hi === null ? '' : `${lo.toFixed(3)}–${hi.toFixed(3)}`;
  const md = table(
    [
      'dataset',
      'records',
      'K',
      'seeds',
      `Winnow ARI (${embedder}), mean / median`,
      'Winnow min–max',
      'scikit-learn ARI, mean / median',
      'sklearn min–max',
      'Winnow − sklearn (means / medians)',
      'embed stage s',
      'embed records/s',
      'Winnow job s',
      'sklearn s',
    ],
    results.map((r) => [
      r.dataset,
      r.records.toLocaleString('en-US'),
      r.k,
      r.seeds.length,
      `${r.winnowAriMean.toFixed(3)} / ${r.winnowAri.toFixed(3)}`,
      range(r.winnowAriMin, r.winnowAriMax),
      r.sklearnAriMean === null ? '' : `${r.sklearnAriMean.toFixed(3)} / ${f(r.sklearnAri, 3)}`,
      range(r.sklearnAriMin, r.sklearnAriMax),
      r.difference === null || r.differenceOfMeans === null
        ? ''
        : `${signed(r.differenceOfMeans)} / ${signed(r.difference)}`,
      f(r.embedSeconds, 2),
      r.embedRecordsPerSecond === null ? '' : Math.round(r.embedRecordsPerSecond).toLocaleString('en-US'),
      r.jobSeconds.toFixed(1),
      f(r.sklearnSeconds, 2),
    ]),
  );
  process.stdout.write(`${md}\n`);
  const machine = { node: process.version, cpus: availableParallelism(), cpu: cpus()[0]?.model };
  const json = {
    date: new Date().toISOString(),
    embedder,
    seeds: seedCount,
    seeds100k: seedCount100k,
    machine,
    results,
  };
  writeFileSync(join(OUT, 'embed-topics.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(OUT, 'embed-topics.md'), `${md}\n`);
  process.stderr.write(`results in ${join(OUT, 'embed-topics.json')} and embed-topics.md\n`);
  return 0;
}

process.exitCode = await main();
