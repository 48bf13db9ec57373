/**
 * `npm run bench`: end-to-end time and peak memory of Winnow on the local stack (the real CLI:
 * wrangler dev + workerd) against the reference (the same core in one Node process).
 *
 *   node bench/run.ts [--only 9k|100k|1m|scoring|cluster|cluster-stage|cluster-sample|embed|select|pairs|crash|integrity|recovery|hops|parquet|upload] [--runs N]
 *                    [--embedder <id>]   (with --only embed: the embedder to measure)
 *                    [--seeds N] [--seeds-100k M]   (with --only embed: seeds per side, default 20; en-100k's, default 3)
 *
 * See bench/README.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Report } from '../schemas/output.ts';
import { generateDemo } from '../src/demo/index.ts';
import { writeAlpacaLike } from './gen-alpaca.ts';
import { sampleTreeRss } from './proc.ts';
import { type Row, renderTables } from './table.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const CLI = join(ROOT, 'workers', 'cli', 'winnow.js');
const REFERENCE = join(ROOT, 'bench', 'reference.ts');

interface Dataset {
  key: '9k' | '100k' | '1m';
  name: string;
  file: string;
  /** Only with `--only <key>` (too long for the default run). */
  onRequest?: boolean;
  /** Create the file when it is missing; without it a missing file is skipped. */
  make?: () => void;
}

const DATASETS: Dataset[] = [
  { key: '9k', name: 'alpaca-random-9k', file: resolve(ROOT, '../shared/data/alpaca-random-9k.json') },
  {
    key: '100k',
    name: 'gen-100k',
    file: join(OUT, 'gen-100k.jsonl'),
    make() {
      writeFileSync(this.file, generateDemo({ records: 100_000, seed: 1 }));
    },
  },
  {
    key: '1m',
    name: 'gen-1m',
    file: join(OUT, 'gen-1m.jsonl'),
    onRequest: true,
    make() {
      writeAlpacaLike(this.file, 1_000_000, 1);
    },
  },
];

type Counts = Report['counts'];
interface Run {
  seconds: number;
  peakRssMb: number;
  counts: Counts;
  pipelineSeconds: number;
  stages: Report['stages'];
  /** winnow: RSS MB per process of the tree at its peak. */
  atPeak?: Record<string, number>;
  /** winnow: CPU seconds per process of the tree. */
  cpu?: Record<string, number>;
}

const failures: string[] = [];
function fail(msg: string): void {
  failures.push(msg);
  process.stderr.write(`FAIL ${msg}\n`);
}
const note = (msg: string) => process.stderr.write(`${msg}\n`);

/** Run `node <args>` from the repo root; resolves with its output and wall-clock seconds. */
function runNode(args: string[], onStart?: (pid: number) => void) {
  return new Promise<{ code: number; stdout: string; stderr: string; seconds: number }>((ok, bad) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', bad);
    if (child.pid !== undefined) onStart?.(child.pid);
    child.on('close', (code) =>
      ok({ code: code ?? 1, stdout, stderr, seconds: (performance.now() - t0) / 1000 }),
    );
  });
}

async function reference(ds: Dataset): Promise<Run | null> {
  const out = join(OUT, `reference-${ds.key}`);
  rmSync(out, { recursive: true, force: true });
  const r = await runNode([REFERENCE, ds.file, out]);
  if (r.code !== 0) {
    fail(`${ds.name} reference exited ${r.code}:\n${r.stderr.slice(-2000)}`);
    return null;
  }
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
  checkCounts(`${ds.name} reference`, out);
  return {
    seconds: r.seconds,
    peakRssMb: res.peakRssMb,
    counts: res.counts,
    pipelineSeconds: res.seconds,
    stages: res.stages,
  };
}

async function winnow(ds: Dataset, run: number): Promise<Run | null> {
  const out = join(OUT, `winnow-${ds.key}`);
  const state = join(OUT, `state-${ds.key}-${run}`);
  rmSync(out, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
  let sampler: ReturnType<typeof sampleTreeRss> | undefined;
  const args = [CLI, 'run', ds.file, '--budget', '30%', '--out', out, '--state', state, '--quiet'];
  const r = await runNode(args, (pid) => {
    sampler = sampleTreeRss(pid, 100);
  });
  const mem = sampler!.stop();
  if (r.code !== 0) {
    fail(`${ds.name} winnow exited ${r.code} (log: ${state}/wrangler.log):\n${r.stderr.slice(-2000)}`);
    return null;
  }
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  checkCounts(`${ds.name} winnow`, out);
  rmSync(state, { recursive: true, force: true }); // R2/DO state of a 100k run is large
  const top = Object.entries(mem.atPeak).map(([p, mb]) => `${p.split(' ')[1]} ${mb.toFixed(0)}`);
  note(`  ${mem.pids} processes seen; at the peak: ${top.join(', ')} MB`);
  // How many cores the run kept busy: workerd runs every stage on one thread.
  const busy = Object.entries(mem.cpu)
    .filter(([, s]) => s >= 1)
    .map(([p, s]) => `${p.split(' ')[1]} ${s.toFixed(0)} s (${(s / r.seconds).toFixed(2)} of a core)`);
  note(`  CPU over ${r.seconds.toFixed(0)} s: ${busy.join(', ')}`);
  return {
    seconds: r.seconds,
    peakRssMb: mem.peakMb,
    counts: report.counts,
    pipelineSeconds: report.seconds,
    stages: report.stages,
    atPeak: mem.atPeak,
    cpu: mem.cpu,
  };
}

function lines(file: string): number {
  const buf = readFileSync(file);
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * selected = round(30% of valid), or every candidate when dedup and the filters left fewer (the
 * generated data repeats its templates); the counts add up; the output files hold that many lines.
 */
function checkCounts(what: string, out: string): void {
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  const c = report.counts;
  const target = Math.round((c.valid * 3) / 10);
  const want = Math.min(target, report.selection.candidates);
  if (c.selected !== want)
    fail(
      `${what}: selected ${c.selected}, expected min(round(30% of ${c.valid}) = ${target}, ${report.selection.candidates} candidates)`,
    );
  if (c.selected + c.rejected + c.invalid !== c.input)
    fail(`${what}: selected+rejected+invalid = ${c.selected + c.rejected + c.invalid} ≠ input ${c.input}`);
  for (const [file, n] of [
    ['selected.jsonl', c.selected],
    ['rejected.jsonl', c.rejected],
    ['invalid.jsonl', c.invalid],
  ] as const) {
    const got = lines(join(out, file));
    if (got !== n) fail(`${what}: ${file} has ${got} lines, report says ${n}`);
  }
}

/**
 * The stack's score stage against the same scorers in one process on the same file, in the same
 * run (issue #17: at least half). The in-process pass times the scorers only, not reading or writing.
 */
function scoreStageShare(ds: Dataset, win: Row): void {
  note(`${ds.name}: in-process scoring throughput (bench/scoring.ts --file) …`);
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'scoring.ts'), '--file', ds.file], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) {
    fail(`scoring --file exited ${r.status}: ${r.stderr.slice(-1000)}`);
    return;
  }
  const inProcess = JSON.parse(r.stdout.trim().split('\n').pop()!).recordsPerSecond as number;
  const stage = win.counts.valid / (win.stages.score ?? Number.NaN);
  const line = `score stage on the stack: ${Math.round(stage).toLocaleString('en-US')} records/s; the same scorers in one process: ${Math.round(inProcess).toLocaleString('en-US')} records/s; share ${(stage / inProcess).toFixed(2)}`;
  note(`  ${line}`);
  process.stdout.write(`\n${line}\n`);
  win.scoreShare = stage / inProcess;
}

/** The `id`s of a selected.jsonl, streamed line by line (a 1M-record output is large). */
function selectedIds(dir: string): Set<string> {
  const buf = readFileSync(join(dir, 'selected.jsonl'));
  const ids = new Set<string>();
  let start = 0;
  for (let end = buf.indexOf(10); end !== -1; start = end + 1, end = buf.indexOf(10, start))
    ids.add((JSON.parse(buf.toString('utf8', start, end)) as { id: string }).id);
  return ids;
}

/** Why the two runs' selections differ, or null when they hold the same ids. */
function differentIds(refDir: string, winDir: string): string | null {
  const a = selectedIds(refDir);
  const b = selectedIds(winDir);
  const onlyRef = [...a].filter((id) => !b.has(id));
  const onlyWin = [...b].filter((id) => !a.has(id));
  if (!onlyRef.length && !onlyWin.length) return null;
  return `${onlyRef.length} only in the reference (${onlyRef.slice(0, 3).join(', ')}), ${onlyWin.length} only in winnow (${onlyWin.slice(0, 3).join(', ')})`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One table row from N runs: median seconds (and stage seconds), max peak memory. */
function summarize(ds: Dataset, mode: Row['mode'], runs: Run[]): Row {
  const seconds = median(runs.map((r) => r.seconds));
  const stages: Row['stages'] = {};
  for (const stage of Object.keys(runs[0].stages))
    stages[stage] = median(runs.map((r) => r.stages[stage]?.seconds ?? 0));
  return {
    dataset: ds.name,
    records: runs[0].counts.input,
    mode,
    runs: runs.map((r) => r.seconds),
    seconds,
    recordsPerSecond: runs[0].counts.input / seconds,
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    pipelineSeconds: median(runs.map((r) => r.pipelineSeconds)),
    stages,
    counts: runs[0].counts,
    atPeak: runs.find((r) => r.peakRssMb === Math.max(...runs.map((x) => x.peakRssMb)))?.atPeak,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      runs: { type: 'string', default: '1' },
      embedder: { type: 'string' },
      seeds: { type: 'string' },
      'seeds-100k': { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const extra = [
    'scoring',
    'cluster',
    'cluster-stage',
    'cluster-sample',
    'embed',
    'select',
    'pairs',
    'crash',
    'integrity',
    'recovery',
    'hops',
    'parquet',
    'upload',
  ];
  if (values.only && !extra.includes(values.only) && !DATASETS.some((d) => d.key === values.only))
    throw new Error(
      `--only must be one of ${[...DATASETS.map((d) => d.key), ...extra].join('|')}, got ${values.only}`,
    );
  if (!values.only || values.only === 'cluster') {
    // k-means and GMM against scikit-learn on one matrix; scikit-learn comes from Debian's python3-sklearn.
    const sklearn = spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;
    if (!sklearn) note('scikit-learn is missing (apt-get install -y python3-sklearn): timing ours only');
    note('clustering against scikit-learn (bench/cluster.ts) …');
    const r = await runNode([join(ROOT, 'bench', 'cluster.ts'), ...(sklearn ? [] : ['--skip-sklearn'])]);
    if (r.code !== 0) fail(`cluster bench exited ${r.code}:\n${r.stderr.slice(-2000)}`);
    else process.stdout.write(`${r.stdout}\n`);
    if (values.only === 'cluster') return failures.length ? 1 : 0;
  }
  if (!values.only || values.only === 'cluster-stage') {
    // Issue #17's case on the local stack: 2,000 records, GMM k = 8, the cluster stage against
    // scikit-learn's fit + predict on the same matrix, fit on the sample and over every shard (~2 min a run).
    note('the cluster stage on the local stack against scikit-learn (bench/cluster-stage.ts) …');
    const r = await runNode([join(ROOT, 'bench', 'cluster-stage.ts'), '--runs', String(runs)]);
    if (r.code !== 0) fail(`cluster-stage bench exited ${r.code}:\n${r.stderr.slice(-2000)}`);
    else process.stdout.write(`${r.stdout}\n`);
    if (values.only === 'cluster-stage') return failures.length ? 1 : 0;
  }
  mkdirSync(OUT, { recursive: true });
  if (values.only === 'embed') {
    // Issue #18: does the default embedder find topics? Winnow's embed → k-means against scikit-learn's
    // TF-IDF → SVD → k-means, ARI against topic labels, on generated topic sets up to 100k records and
    // Dolly's categories, over 20 seeds per side (3 on 100k) (~20 minutes; only on request). scikit-learn comes from Debian's python3-sklearn.
    const sklearn = spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;
    if (!sklearn) note('scikit-learn is missing (apt-get install -y python3-sklearn): Winnow only');
    note('embeddings against topic labels (bench/embed-topics.ts) …');
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bench', 'embed-topics.ts'),
        ...(sklearn ? [] : ['--skip-sklearn']),
        ...(values.embedder ? ['--embedder', values.embedder] : []),
        ...(values.seeds ? ['--seeds', values.seeds] : []),
        ...(values['seeds-100k'] ? ['--seeds-100k', values['seeds-100k']] : []),
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
    return r.status ?? 1;
  }
  if (
    [
      'cluster-sample',
      'select',
      'pairs',
      'crash',
      'integrity',
      'recovery',
      'hops',
      'parquet',
      'upload',
    ].includes(values.only ?? '')
  ) {
    // The fit on a sample against the fit over every record at 100k records, ~10 minutes.
    // Selection (dedup + strategies) against the old top-k, ~15 minutes; preference pairs at 1M
    // rollout steps against a naive reference, ~2 minutes; kill -9 of the local stack in every stage,
    // ~8 minutes. Only on request. They inherit stdio, so their progress shows as they run; options:
    // bench/select-README.md, bench/pairs-README.md, bench/README.md (crash).
    const bench = `${values.only}.ts`;
    note(`${values.only} (bench/${bench}) …`);
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', bench)], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    return r.status ?? 1;
  }
  if (!values.only || values.only === 'scoring') {
    note('offline scoring throughput (bench/scoring.ts) …');
    const r = await runNode([join(ROOT, 'bench', 'scoring.ts')]);
    if (r.code !== 0) fail(`scoring bench exited ${r.code}:\n${r.stderr.slice(-2000)}`);
    else process.stdout.write(`${r.stdout}\n`);
    if (values.only === 'scoring') return failures.length ? 1 : 0;
  }

  const rows: Row[] = [];
  for (const ds of DATASETS) {
    if (values.only ? ds.key !== values.only : ds.onRequest) continue;
    if (!existsSync(ds.file)) {
      if (!ds.make) {
        note(`skipping ${ds.name}: ${ds.file} not found`);
        continue;
      }
      note(`generating ${ds.file} …`);
      ds.make();
    }
    const ref: Run[] = [];
    const win: Run[] = [];
    for (let i = 1; i <= runs; i++) {
      note(`${ds.name}: reference run ${i}/${runs} …`);
      const r = await reference(ds);
      if (r) ref.push(r);
    }
    for (let i = 1; i <= runs; i++) {
      note(`${ds.name}: winnow run ${i}/${runs} …`);
      const r = await winnow(ds, i);
      if (r) win.push(r);
      if (r) note(`  ${r.seconds.toFixed(1)} s, peak ${r.peakRssMb.toFixed(0)} MB`);
    }
    const refRow = ref.length ? summarize(ds, 'reference', ref) : null;
    const winRow = win.length ? summarize(ds, 'winnow', win) : null;
    if (refRow && winRow) {
      winRow.timeRatio = winRow.seconds / refRow.seconds;
      winRow.memoryRatio = winRow.peakRssMb / refRow.peakRssMb;
      if (JSON.stringify(refRow.counts) !== JSON.stringify(winRow.counts))
        fail(
          `${ds.name}: winnow counts ${JSON.stringify(winRow.counts)} ≠ reference ${JSON.stringify(refRow.counts)}`,
        );
      const differ = differentIds(join(OUT, `reference-${ds.key}`), join(OUT, `winnow-${ds.key}`));
      if (differ) fail(`${ds.name}: selected ids differ from the reference's: ${differ}`);
      else note(`  ${ds.name}: winnow selected the same ids as the reference`);
    }
    for (const row of [refRow, winRow]) if (row) rows.push(row);
    if (ds.key === '1m' && winRow) scoreStageShare(ds, winRow);
  }

  process.stdout.write(`${renderTables(rows)}\n`);
  const machine = {
    node: process.version,
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model,
    memoryMb: Math.round(totalmem() / 2 ** 20),
  };
  const results = { date: new Date().toISOString(), runs, machine, rows, failures };
  writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  note(`results in ${join(OUT, 'results.json')}`);
  if (failures.length) {
    process.stdout.write(`\nFAIL: ${failures.length} check(s) failed\n`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
