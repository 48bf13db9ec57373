/**
 * `npm run bench -- --only select`: time and memory of the select stage (dedup + strategy + the
 * exact top-k cut) against a reference measured in the same run: the same pipeline with
 * `dedup: false` and `strategy: topk`, i.e. the old selection (exact global top-k only).
 *
 *   node bench/select.ts [--only alpaca,planted,planted-quadratic,demo] [--records N] [--clustered-records N]
 *                        [--demo-records N] [--runs N] [--configs a,b] [--timeout S] [--out name]
 *   node bench/select.ts --child 9k|planted|demo <config> [--records N] [--via timed|runLocal]
 *
 * Every (dataset, configuration) runs in its own child process, so peak RSS is that run's own.
 * See bench/select-README.md.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Report } from '../schemas/output.ts';
import { RecipeSchema } from '../schemas/recipe.ts';
import { generateDemo, mulberry32 } from '../src/demo/index.ts';
import type { PipelineState } from '../src/pipeline/advance.ts';
import { type MemoryStore, memoryJob, runLocal } from '../src/pipeline/index.ts';
import type { SelectStageState } from '../src/pipeline/stages/select/stage.ts';
import type { Task } from '../src/pipeline/types.ts';
import { validateRecipe } from '../src/pipeline/validate-recipe.ts';
import { type AlpacaLike, plantDuplicates } from '../test/fixtures/planted-dups.ts';
import { runChild as runChildProcess } from './proc.ts';
import { writeResults } from './table.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const SELF = join(ROOT, 'bench', 'select.ts');
const ALPACA = resolve(ROOT, '../shared/data/alpaca-random-9k.json');
const MB = 1024;

/** Cheap scorers, so scoring does not dominate the run. */
const SCORERS = [{ id: 'length' }, { id: 'lexical' }];
const CLUSTER = { algorithm: 'kmeans', k: 16, seed: 1 };

interface Config {
  name: string;
  /** The reference this configuration's ratios are taken against. */
  ref: string;
  clustered: boolean;
  select: Record<string, unknown>;
}

/**
 * The references are the old selection (no dedup, exact global top-k); `reference+cluster` is the same
 * with the clustering the clustered strategies need, so their memory ratio compares like with like
 * (embeddings and labels in the store). Dedup is left at its default: exact + near (MinHash-LSH), plus
 * semantic (cosine ≥ 0.95 within a cluster) when the recipe clusters. `balanced-lexical` is `balanced`
 * with semantic dedup off: its group-reduce only orders each cluster, so it runs at 1M where the
 * O(n²/k) cosine passes (semantic dedup, diverse, kcenter) do not.
 */
const CONFIGS: Config[] = [
  {
    name: 'reference',
    ref: 'reference',
    clustered: false,
    select: { dedup: false, strategy: { id: 'topk' } },
  },
  { name: 'topk+dedup', ref: 'reference', clustered: false, select: {} },
  {
    name: 'reference+cluster',
    ref: 'reference+cluster',
    clustered: true,
    select: { dedup: false, strategy: { id: 'topk' } },
  },
  {
    name: 'balanced-lexical',
    ref: 'reference+cluster',
    clustered: true,
    select: { dedup: { semantic: false }, strategy: { id: 'balanced' } },
  },
  { name: 'balanced', ref: 'reference+cluster', clustered: true, select: { strategy: { id: 'balanced' } } },
  { name: 'diverse', ref: 'reference+cluster', clustered: true, select: { strategy: { id: 'diverse' } } },
  { name: 'kcenter', ref: 'reference+cluster', clustered: true, select: { strategy: { id: 'kcenter' } } },
];
const configOf = (name: string) => CONFIGS.find((c) => c.name === name);

function recipeOf(c: Config) {
  return RecipeSchema.parse({
    scorers: SCORERS,
    ...(c.clustered ? { cluster: CLUSTER } : {}),
    select: { budget: '30%', ...c.select },
  });
}

/** What the bench runs: each section is one dataset at one size, with a set of configurations. */
interface Section {
  key: 'alpaca' | 'planted' | 'planted-quadratic' | 'demo';
  dataset: Dataset;
  records: number;
  configs: string[];
  runs: number;
}
type Dataset = '9k' | 'planted' | 'demo';

/** The select steps, in plan order (src/pipeline/stages/select/plan.ts). */
const PHASES = [
  'prepare',
  'dedup-reduce',
  'dedup-resolve',
  'group-map',
  'group-reduce',
  'scatter',
  'round',
] as const;

interface ChildResult {
  dataset: string;
  config: string;
  via: 'timed' | 'runLocal';
  records: number;
  shards: number;
  counts: Report['counts'];
  candidates: number;
  dedup: Report['selection']['dedup'];
  diversity: number;
  /** report.stages.<stage>.seconds */
  stages: Record<string, number>;
  /** Select phases: seconds and tasks per step kind (only with via = timed). */
  phases: Record<string, { seconds: number; tasks: number; max: number }>;
  /** Seconds of the whole pipeline (report.seconds). */
  pipelineSeconds: number;
  /** VmRSS when the select stage starts (after a full GC), its VmHWM during select, the run's VmHWM. */
  rss: { selectStartMb: number; selectPeakMb: number; peakMb: number };
}

// ---------------------------------------------------------------------------------------------
// Child: one configuration on one dataset.

function status(field: 'VmHWM' | 'VmRSS'): number {
  const m = readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) / MB : 0;
}

/** Reset VmHWM to the current RSS (Linux ≥ 4.0), so the next reading is the peak since now. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Share of the generated records that are planted copies: 1% per kind of test/fixtures/planted-dups.ts. */
const PLANTED_PER_KIND = 0.01;

/**
 * `records` Alpaca-shaped rows of Zipf-distributed pseudo-words (lengths like alpaca-random-9k:
 * instruction 5–15 words, an input on 40% of rows, answers log-normal around 31 words), of which 6%
 * are planted copies of other rows (plantDuplicates: exact, case, whitespace, punctuation, drop_word,
 * swap_words, 1% each). Unlike generateDemo, whose handful of templates makes most rows near-duplicates
 * of each other, the rows are distinct apart from the planted copies.
 */
export function plantedRows(records: number, seed = 1): AlpacaLike[] {
  const rand = mulberry32(seed);
  const C = 'bcdfghjklmnprstvwz';
  const V = 'aeiou';
  const seen = new Set<string>();
  const vocab: string[] = [];
  while (vocab.length < 50_000) {
    const syll = 1 + Math.floor(-Math.log(1 - rand()) * 0.9);
    let w = '';
    for (let k = 0; k < Math.min(syll, 5); k++)
      w +=
        C[Math.floor(rand() * C.length)] +
        V[Math.floor(rand() * V.length)] +
        (rand() < 0.3 ? C[Math.floor(rand() * C.length)] : '');
    if (!seen.has(w)) {
      seen.add(w);
      vocab.push(w);
    }
  }
  // Word frequency by a seeded shuffle of the vocabulary: Zipf over ranks, independent of length.
  for (let i = vocab.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [vocab[i], vocab[j]] = [vocab[j], vocab[i]];
  }
  const cum = new Float64Array(vocab.length);
  for (let r = 0, acc = 0; r < vocab.length; r++) cum[r] = acc += 1 / (r + 1);
  const word = () => {
    const x = rand() * cum[cum.length - 1];
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return vocab[lo];
  };
  const sentence = (n: number, end: string) => {
    const ws = Array.from({ length: n }, word);
    ws[0] = ws[0][0].toUpperCase() + ws[0].slice(1);
    return ws.join(' ') + end;
  };
  const text = (n: number) => {
    const out: string[] = [];
    for (let left = n; left > 0; ) {
      const k = Math.min(left, 6 + Math.floor(rand() * 14));
      out.push(sentence(k, rand() < 0.85 ? '.' : rand() < 0.5 ? ',' : ';'));
      left -= k;
    }
    return out.join(' ');
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const perKind = Math.round(records * PLANTED_PER_KIND);
  const base = records - 6 * perKind;
  const rows: AlpacaLike[] = [];
  for (let i = 0; i < base; i++) {
    const words = Math.max(1, Math.min(400, Math.round(Math.exp(3.4 + 0.8 * gauss()))));
    rows.push({
      instruction: sentence(5 + Math.floor(rand() * 11), rand() < 0.5 ? '?' : '.'),
      input: rand() < 0.4 ? text(3 + Math.floor(rand() * 18)) : '',
      output: text(words),
    });
  }
  return plantDuplicates(rows, { seed: seed + 1, perKind }).rows;
}

const GENERATORS = {
  planted: (records: number) =>
    `${plantedRows(records)
      .map((r) => JSON.stringify(r))
      .join('\n')}\n`,
  demo: (records: number) => generateDemo({ records, seed: 1 }),
};
type Generator = keyof typeof GENERATORS;

/** A generated dataset, written once per generator and size and reused (bench/out is not committed). */
function ensureGen(gen: Generator, records: number): string {
  const file = join(OUT, `select-${gen}-${records}.jsonl`);
  if (!existsSync(file)) {
    mkdirSync(OUT, { recursive: true });
    process.stderr.write(`generating ${file} …\n`);
    writeFileSync(file, GENERATORS[gen](records));
  }
  return file;
}

/**
 * runLocal (src/pipeline/run-local.ts) through its task hooks: each select task timed by its step, and
 * the peak RSS read around the select stage. The parent checks that the counts equal a plain runLocal's
 * on alpaca-random-9k.
 */
async function runTimed(store: MemoryStore, spec: Parameters<typeof runLocal>[1]) {
  const phases: ChildResult['phases'] = {};
  const rss = { selectStartMb: 0, selectPeakMb: 0, peakMb: 0 };
  let inSelect = false;
  let peakReset = false;
  let last: { ctx: Task; state: PipelineState } | undefined;
  const enter = (stage: string) => {
    if (stage === 'select' && !inSelect) {
      inSelect = true;
      rss.peakMb = Math.max(rss.peakMb, status('VmHWM'));
      gc?.();
      rss.selectStartMb = status('VmRSS');
      peakReset = resetPeak();
    }
    if (stage !== 'select' && inSelect) {
      inSelect = false;
      rss.peakMb = Math.max(rss.peakMb, status('VmHWM'));
      // Without the reset, VmHWM is the run's peak so far, not select's.
      rss.selectPeakMb = peakReset ? status('VmHWM') : Number.NaN;
    }
  };
  try {
    const report = await runLocal(
      store,
      spec,
      {},
      {
        beforeTask(ctx, state) {
          enter(ctx.stage);
          last = { ctx, state };
        },
        afterTask(ctx, dt) {
          if (ctx.stage !== 'select') return;
          const ph = (phases[ctx.step] ??= { seconds: 0, tasks: 0, max: 0 });
          ph.seconds += dt;
          ph.max = Math.max(ph.max, dt);
          ph.tasks++;
        },
      },
    );
    enter('done');
    rss.peakMb = Math.max(rss.peakMb, status('VmHWM'));
    return { report, phases, rss };
  } catch (e) {
    // Where it failed and what the select stage had counted so far, for the parent's FAIL line.
    const where = {
      stage: last?.ctx.stage,
      step: last?.ctx.step,
      counts: (last?.state.select as SelectStageState | undefined)?.plan.counts,
      phases,
      rss,
    };
    process.stderr.write(`failed at ${JSON.stringify(where)}\n`);
    throw e;
  }
}

async function child(dataset: string, configName: string, records: number, via: 'timed' | 'runLocal') {
  const config = CONFIGS.find((c) => c.name === configName);
  if (!config) throw new Error(`unknown configuration ${configName}`);
  const file = dataset === '9k' ? ALPACA : ensureGen(dataset as Generator, records);
  const { store, spec } = await memoryJob({ input: readFileSync(file) }, recipeOf(config), {
    id: 'bench',
    dataset: 'bench',
  });
  validateRecipe(spec.recipe);
  let report: Report;
  let phases: ChildResult['phases'] = {};
  let rss = { selectStartMb: Number.NaN, selectPeakMb: Number.NaN, peakMb: 0 };
  if (via === 'runLocal') report = await runLocal(store, spec);
  else ({ report, phases, rss } = await runTimed(store, spec));
  rss.peakMb = Math.max(rss.peakMb, status('VmHWM'));
  const result: ChildResult = {
    dataset,
    config: configName,
    via,
    records: report.counts.input,
    shards: report.stages.ingest?.shards ?? 0,
    counts: report.counts,
    candidates: report.selection.candidates,
    dedup: report.selection.dedup,
    diversity: report.selection.diversity,
    stages: Object.fromEntries(Object.entries(report.stages).map(([s, v]) => [s, v.seconds])),
    phases,
    pipelineSeconds: report.seconds,
    rss,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Parent: every configuration in a child, then the tables.

interface Row extends ChildResult {
  label: string;
  /** Runs the row is the median of. */
  runs: number;
  /** Select-stage seconds of every run. */
  selectRuns: number[];
  /** Input records per select-stage second. */
  recordsPerSecond: number;
  timeRatio: number;
  memoryRatio: number;
}

const failures: string[] = [];
const note = (msg: string) => process.stderr.write(`${msg}\n`);
function fail(msg: string): void {
  failures.push(msg);
  process.stderr.write(`FAIL ${msg}\n`);
}

const runChild = (args: string[], timeoutS: number) =>
  runChildProcess(SELF, ['--child', ...args], { timeoutS, nodeArgs: ['--expose-gc'], cwd: ROOT });

async function measure(
  sec: Section,
  label: string,
  config: string,
  timeoutS: number,
  via: 'timed' | 'runLocal' = 'timed',
): Promise<ChildResult | null> {
  note(`${label}: ${config}${via === 'runLocal' ? ' (runLocal)' : ''} …`);
  const r = await runChild([sec.dataset, config, '--records', String(sec.records), '--via', via], timeoutS);
  if (r.timedOut) {
    fail(`${label} ${config}: killed after ${timeoutS} s (--timeout)`);
    return null;
  }
  if (r.code !== 0) {
    fail(`${label} ${config} exited ${r.code}:\n${r.stderr.slice(-2000)}`);
    return null;
  }
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
  note(
    `  select ${res.stages.select.toFixed(2)} s, pipeline ${res.pipelineSeconds.toFixed(1)} s, ` +
      `wall ${r.seconds.toFixed(1)} s, peak ${res.rss.peakMb.toFixed(0)} MB`,
  );
  return res;
}

/** Every run is checked: the counts add up, the budget is met (or every candidate is taken). */
function check(label: string, r: ChildResult): void {
  const c = r.counts;
  if (c.selected + c.rejected + c.invalid !== c.input)
    fail(`${label} ${r.config}: selected+rejected+invalid ≠ input (${JSON.stringify(c)})`);
  const want = Math.min(Math.round((c.valid * 3) / 10), r.candidates);
  if (c.selected !== want)
    fail(
      `${label} ${r.config}: selected ${c.selected}, expected min(round(30% of ${c.valid}), ${r.candidates} candidates)`,
    );
  const d = r.dedup;
  if (
    r.config.startsWith('reference') &&
    d.duplicate + d.near_duplicate + d.semantic_duplicate + r.diversity !== 0
  )
    fail(`${label} ${r.config}: the reference deduplicated`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One row from N runs of a configuration: the run with the median select time; peak memory: max of the runs. */
function summarize(
  runs: ChildResult[],
): Omit<Row, 'label' | 'recordsPerSecond' | 'timeRatio' | 'memoryRatio'> {
  const selectRuns = runs.map((r) => r.stages.select);
  const mid = median(selectRuns);
  const pick = runs.reduce((a, r) =>
    Math.abs(r.stages.select - mid) < Math.abs(a.stages.select - mid) ? r : a,
  );
  const max = (f: (r: ChildResult) => number) => Math.max(...runs.map(f));
  return {
    ...pick,
    stages: { ...pick.stages, select: mid },
    runs: runs.length,
    selectRuns,
    rss: {
      selectStartMb: max((r) => r.rss.selectStartMb),
      selectPeakMb: max((r) => r.rss.selectPeakMb),
      peakMb: max((r) => r.rss.peakMb),
    },
  };
}

function rowsOf(label: string, results: ReturnType<typeof summarize>[]): Row[] {
  const byName = new Map(results.map((r) => [r.config, r]));
  return results.map((r) => {
    const ref = byName.get(configOf(r.config)!.ref);
    return {
      ...r,
      label,
      recordsPerSecond: r.records / r.stages.select,
      timeRatio: ref ? r.stages.select / ref.stages.select : Number.NaN,
      memoryRatio: ref ? r.rss.peakMb / ref.rss.peakMb : Number.NaN,
    };
  });
}

function table(head: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}
const fixed = (n: number | undefined, d: number) => (n === undefined || Number.isNaN(n) ? '' : n.toFixed(d));
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function render(rows: Row[]): string {
  const main = table(
    [
      'dataset',
      'config',
      'select s',
      'records/s',
      'time ×',
      'duplicate',
      'near_dup',
      'semantic_dup',
      'diversity',
      'candidates',
      'selected',
      'RSS at select MB',
      'select peak MB',
      'run peak MB',
      'memory ×',
    ],
    rows.map((r) => [
      r.label,
      r.config,
      fixed(r.stages.select, 2),
      int(r.recordsPerSecond),
      fixed(r.timeRatio, 1),
      int(r.dedup.duplicate),
      int(r.dedup.near_duplicate),
      int(r.dedup.semantic_duplicate),
      int(r.diversity),
      int(r.candidates),
      int(r.counts.selected),
      fixed(r.rss.selectStartMb, 0),
      fixed(r.rss.selectPeakMb, 0),
      fixed(r.rss.peakMb, 0),
      fixed(r.memoryRatio, 2),
    ]),
  );
  const phases = table(
    ['dataset', 'config', ...PHASES.map((p) => `${p} s`), 'slowest task s', 'rounds', 'edges', 'compared'],
    rows.map((r) => {
      const slowest = Object.entries(r.phases).sort((a, b) => b[1].max - a[1].max)[0];
      return [
        r.label,
        r.config,
        ...PHASES.map((p) => fixed(r.phases[p]?.seconds, 2)),
        slowest ? `${slowest[1].max.toFixed(2)} (${slowest[0]})` : '',
        String(r.phases.round ? r.phases.round.tasks / r.shards : 0),
        int(r.dedup.edges),
        int(r.dedup.compared),
      ];
    }),
  );
  const stageNames = ['ingest', 'score', 'embed', 'cluster', 'select', 'export'];
  const stages = table(
    ['dataset', 'config', 'shards', ...stageNames.map((s) => `${s} s`), 'pipeline s'],
    rows.map((r) => [
      r.label,
      r.config,
      String(r.shards),
      ...stageNames.map((s) => fixed(r.stages[s], 2)),
      fixed(r.pipelineSeconds, 2),
    ]),
  );
  return [
    main,
    'Select-stage phases, from the run shown above (seconds summed over each step’s tasks, which run one after another here; ' +
      '`slowest task`: the longest single task, a floor on the step when tasks run in parallel; `rounds`: top-k rounds after the scatter):',
    phases,
    'Whole pipeline, seconds per stage (report.stages):',
    stages,
  ].join('\n\n');
}

/**
 * The code measured: the commit, files under src/ and schemas/ that differ from it, and a hash of their
 * contents. Taken at the start and the end, since src/ may be edited while the bench runs.
 */
function sourceState() {
  const git = (...args: string[]) =>
    spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const hash = createHash('sha1');
  for (const dir of ['src', 'schemas']) {
    const files = (readdirSync(join(ROOT, dir), { recursive: true }) as string[]).sort();
    for (const f of files) {
      const path = join(ROOT, dir, f);
      if (!statSync(path).isFile()) continue;
      hash.update(`${dir}/${f}\0`);
      hash.update(readFileSync(path));
    }
  }
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    modified: git('status', '--porcelain', '--', 'src', 'schemas').split('\n').filter(Boolean),
    hash: hash.digest('hex').slice(0, 12),
  };
}

async function parent(values: Record<string, string | boolean | undefined>): Promise<number> {
  const num = (k: string) => {
    const v = Number(values[k]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer, got ${values[k]}`);
    return v;
  };
  const [records, quadratic, demo, runs, timeoutS] = [
    num('records'),
    num('clustered-records'),
    num('demo-records'),
    num('runs'),
    num('timeout'),
  ];
  const sections: Section[] = [
    {
      key: 'alpaca',
      dataset: '9k',
      records: 0,
      configs: ['reference', 'topk+dedup', 'reference+cluster', 'balanced', 'diverse', 'kcenter'],
      runs,
    },
    {
      key: 'planted',
      dataset: 'planted',
      records,
      configs: ['reference', 'topk+dedup', 'reference+cluster', 'balanced-lexical'],
      runs: 1,
    },
    {
      key: 'planted-quadratic',
      dataset: 'planted',
      records: quadratic,
      configs: ['reference+cluster', 'balanced', 'diverse', 'kcenter'],
      runs: 1,
    },
    { key: 'demo', dataset: 'demo', records: demo, configs: ['reference', 'topk+dedup'], runs: 1 },
  ];
  const only = typeof values.only === 'string' ? values.only.split(',') : undefined;
  for (const o of only ?? [])
    if (!sections.some((s) => s.key === o))
      throw new Error(`--only must list some of ${sections.map((s) => s.key).join(',')}, got ${o}`);
  const wanted = typeof values.configs === 'string' ? values.configs.split(',') : undefined;
  for (const w of wanted ?? [])
    if (!configOf(w))
      throw new Error(`unknown configuration ${w}; known: ${CONFIGS.map((c) => c.name).join(', ')}`);

  const rows: Row[] = [];
  const t0 = performance.now();
  const load = [loadavg()[0]];
  const source = sourceState();
  for (const sec of sections) {
    if (only && !only.includes(sec.key)) continue;
    // A configuration's reference always runs with it.
    const names = sec.configs.filter(
      (n) =>
        !wanted ||
        wanted.includes(n) ||
        wanted.some((w) => sec.configs.includes(w) && configOf(w)!.ref === n),
    );
    if (!names.length) continue;
    if (sec.dataset === '9k' && !existsSync(ALPACA)) {
      note(`skipping alpaca-random-9k: ${ALPACA} not found`);
      continue;
    }
    const label = sec.dataset === '9k' ? 'alpaca-random-9k' : `${sec.dataset}-${int(sec.records)}`;
    if (sec.dataset !== '9k') ensureGen(sec.dataset, sec.records);
    // Runs go round the configurations (all of run 1, then all of run 2…), so load from other work on
    // the machine falls on every configuration alike.
    const done = new Map<string, ChildResult[]>(names.map((n) => [n, []]));
    for (let i = 0; i < sec.runs; i++) {
      for (const name of names) {
        const r = await measure(
          sec,
          sec.runs > 1 ? `${label} (run ${i + 1}/${sec.runs})` : label,
          name,
          timeoutS,
        );
        if (!r) continue;
        check(label, r);
        done.get(name)!.push(r);
      }
    }
    const results = [...done.values()].filter((d) => d.length).map(summarize);
    if (sec.key === 'alpaca') {
      // The hooks only observe: the counts must equal a plain runLocal's.
      const mine = results.find((r) => r.config === 'topk+dedup');
      const theirs = mine && (await measure(sec, label, 'topk+dedup', timeoutS, 'runLocal'));
      const key = (r: ChildResult) => JSON.stringify([r.counts, r.candidates, r.dedup, r.diversity]);
      if (mine && theirs && key(theirs) !== key(mine))
        fail(`${label}: the timed run's counts ${key(mine)} ≠ runLocal's ${key(theirs)}`);
    }
    rows.push(...rowsOf(label, results));
    load.push(loadavg()[0]);
  }
  const sourceAtEnd = sourceState();
  const changed = sourceAtEnd.hash !== source.hash;
  const provenance = `Measured at ${source.commit}${source.modified.length ? ` + ${source.modified.length} modified file(s) under src/ and schemas/` : ''} (sources ${source.hash})${changed ? `; WARNING: the sources changed during the run (now ${sourceAtEnd.commit}, ${sourceAtEnd.hash}), so rows may mix versions` : ''}.`;
  const text = `${render(rows)}\n\n${provenance}`;
  process.stdout.write(`${text}\n`);
  const machine = {
    node: process.version,
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model,
    memoryMb: Math.round(totalmem() / 2 ** 20),
    /** 1-minute load average at the start and after each section: other work on the machine skews times. */
    loadavg: load,
  };
  mkdirSync(OUT, { recursive: true });
  const out = {
    date: new Date().toISOString(),
    seconds: (performance.now() - t0) / 1000,
    machine,
    scorers: SCORERS,
    cluster: CLUSTER,
    budget: '30%',
    plantedPerKind: PLANTED_PER_KIND,
    configs: CONFIGS.map((c) => ({ ...c, recipe: recipeOf(c) })),
    source,
    sourceAtEnd: changed ? sourceAtEnd : undefined,
    rows,
    failures,
  };
  return writeResults(OUT, typeof values.out === 'string' ? values.out : 'select', out, text);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      child: { type: 'boolean', default: false },
      via: { type: 'string', default: 'timed' },
      only: { type: 'string' },
      records: { type: 'string', default: '1000000' },
      'clustered-records': { type: 'string', default: '100000' },
      'demo-records': { type: 'string', default: '100000' },
      runs: { type: 'string', default: '3' },
      configs: { type: 'string' },
      timeout: { type: 'string', default: '900' },
      out: { type: 'string', default: 'select' },
    },
  });
  if (values.child) {
    const [dataset, config] = positionals;
    await child(dataset, config, Number(values.records), values.via === 'runLocal' ? 'runLocal' : 'timed');
  } else {
    process.exitCode = await parent(values);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
