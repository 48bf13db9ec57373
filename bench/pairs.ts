/**
 * Preference pairs (recipe section `pairs`) on trajectory data: time and peak memory of Winnow against
 * the naive single-process reference (bench/pairs-reference.ts), and the pairs checked against it.
 *
 *   node bench/pairs.ts [--tasks 2000] [--rollouts 10] [--steps 50] [--seed 1]
 *                       [--runs reference,runLocal/best-worst,…] [--timeout S] [--keep-state] [--out pairs]
 *   node bench/pairs.ts --child <run> --file <jsonl> --idx <tsv>      (one measurement; used by the parent)
 *
 * Every run is its own child process (this script with --child), so its peak RSS is its own. The data
 * is bench/pairs-gen.ts's (`--steps` is the mean steps per rollout, as there), written once to
 * bench/out/traj-1m.jsonl (defaults) or traj-<tasks>x<rollouts>x<steps>[-s<seed>].jsonl. See
 * bench/pairs-README.md.
 *
 * This file is the parent (options, orchestration, checks, output). The runs, the child result and the
 * pair-index files are in bench/pairs-runs.ts; the data file in bench/pairs-data.ts; the children in
 * bench/pairs-children.ts and bench/pairs-workers.ts; the tables in bench/pairs-render.ts.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { child } from './pairs-children.ts';
import { ensureData } from './pairs-data.ts';
import type { TrajectoryGenOptions } from './pairs-gen.ts';
import { int, type Row, render } from './pairs-render.ts';
import {
  type ChildResult,
  CONFIGS,
  idxFile,
  note,
  OUT,
  ROOT,
  RUNS,
  type RunName,
  readIdx,
  recipeOf,
} from './pairs-runs.ts';
import { runChild as runChildProcess } from './proc.ts';
import { writeResults } from './table.ts';

const SELF = fileURLToPath(import.meta.url);

const failures: string[] = [];
const checks: string[] = [];
function fail(msg: string): void {
  failures.push(msg);
  process.stderr.write(`FAIL ${msg}\n`);
}

const runChild = (args: string[], timeoutS: number) =>
  runChildProcess(SELF, ['--child', ...args], { timeoutS, cwd: ROOT });

async function measure(
  run: string,
  file: string,
  timeoutS: number,
  keepState: boolean,
): Promise<ChildResult | null> {
  note(`${run} …`);
  rmSync(idxFile(run), { force: true });
  const r = await runChild(
    [run, '--file', file, '--idx', idxFile(run), ...(keepState ? ['--keep-state'] : [])],
    timeoutS,
  );
  if (r.timedOut) {
    fail(`${run}: killed after ${timeoutS} s (--timeout)`);
    return null;
  }
  if (r.code !== 0) {
    fail(`${run} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
    return null;
  }
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
  const extra = Object.entries(res.timings)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
  note(
    `  ${res.seconds.toFixed(2)} s (${extra}), peak ${res.peakRssMb.toFixed(0)} MB, ${res.pairs} pairs, child wall ${r.seconds.toFixed(1)} s`,
  );
  return res;
}

/** Compare two pair sets; MATCH or FAIL with counts. */
function compare(what: string, a: string, b: string, sa: Set<string>, sb: Set<string>, linesB: number): void {
  let common = 0;
  for (const k of sa) if (sb.has(k)) common++;
  const onlyA = sa.size - common;
  const onlyB = sb.size - common;
  const dup = linesB - sb.size;
  const ok = onlyA === 0 && onlyB === 0 && dup === 0;
  const line =
    `${ok ? 'MATCH' : 'FAIL'} ${what}: ${a} ${sa.size} pairs, ${b} ${sb.size}` +
    `${dup ? ` (+${dup} duplicate lines)` : ''}; common ${common}, only in ${a} ${onlyA}, only in ${b} ${onlyB}`;
  checks.push(line);
  if (ok) note(line);
  else fail(line.slice('FAIL '.length));
}

/** Each Winnow run on its own: pairs.jsonl agrees with the report, and a budget is met exactly. */
function checkRun(r: ChildResult): void {
  if (r.mode === 'reference') return;
  if (r.lines !== r.pairs) fail(`${r.run}: pairs.jsonl has ${r.lines} lines, report.pairs.pairs ${r.pairs}`);
  const budget = CONFIGS[r.config].budget as number | undefined;
  if (budget !== undefined && r.report) {
    const want = Math.min(budget, r.report.candidates);
    if (r.pairs !== want)
      fail(
        `${r.run}: ${r.pairs} pairs, expected min(budget ${budget}, ${r.report.candidates} candidates) = ${want}`,
      );
  }
}

function sourceState() {
  const git = (...args: string[]) =>
    spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const hash = createHash('sha1');
  const dirs = ['src', 'schemas', 'workers'];
  for (const dir of dirs) {
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
    modified: git('status', '--porcelain', '--', ...dirs)
      .split('\n')
      .filter(Boolean),
    hash: hash.digest('hex').slice(0, 12),
  };
}

async function parent(values: Record<string, string | boolean | undefined>): Promise<number> {
  const num = (k: string, min = 1) => {
    const v = Number(values[k]);
    if (!Number.isInteger(v) || v < min)
      throw new Error(`--${k} must be an integer ≥ ${min}, got ${values[k]}`);
    return v;
  };
  const opts: TrajectoryGenOptions = {
    tasks: num('tasks'),
    rollouts: num('rollouts'),
    steps: num('steps'),
    states: num('states'),
    seed: num('seed', 0),
  };
  const timeoutS = num('timeout');
  const keepState = values['keep-state'] === true;
  const runs = (typeof values.runs === 'string' ? values.runs.split(',') : [...RUNS]) as RunName[];
  for (const r of runs)
    if (!(RUNS as readonly string[]).includes(r))
      throw new Error(`unknown run ${r}; known: ${RUNS.join(', ')}`);
  if (!runs.includes('reference')) runs.unshift('reference'); // the ratios and the check need it

  const t0 = performance.now();
  const source = sourceState();
  const data = ensureData(opts);
  note(
    `${data.file}: ${int(data.rollouts)} rollouts, ${int(data.steps)} steps, ${(data.bytes / 2 ** 20).toFixed(1)} MiB`,
  );
  const load = [loadavg()[0]];
  const base = await runChild(['baseline'], 60);
  const baselineMb =
    base.code === 0 ? (JSON.parse(base.stdout) as { peakRssMb: number }).peakRssMb : Number.NaN;
  const results: ChildResult[] = [];
  for (const run of runs) {
    const r = await measure(run, data.file, timeoutS, keepState);
    load.push(loadavg()[0]);
    if (!r) continue;
    checkRun(r);
    results.push(r);
  }

  const ref = results.find((r) => r.mode === 'reference');
  if (ref) {
    if (ref.rollouts !== data.rollouts || ref.steps !== data.steps)
      fail(
        `reference counted ${ref.rollouts} rollouts and ${ref.steps} steps; the generator wrote ${data.rollouts} and ${data.steps}`,
      );
    const refSet = readIdx('reference');
    for (const r of results.filter((x) => x.config === 'best-worst' && x.mode !== 'reference')) {
      compare(`${r.run} vs reference`, 'reference', r.run, refSet, readIdx(r.run), r.lines);
      const g = r.report!.groups;
      if (g.total !== ref.groups || (g.skipped.single_response ?? 0) !== ref.skipped?.single_response)
        fail(
          `${r.run}: ${g.total} groups (${JSON.stringify(g.skipped)}); reference ${ref.groups} (${JSON.stringify(ref.skipped)})`,
        );
    }
  }
  // The same recipe in-process and on the stack: the same pairs.
  for (const w of results.filter((x) => x.mode === 'workers' && x.config !== 'best-worst')) {
    const l = results.find((x) => x.mode === 'runLocal' && x.config === w.config);
    if (l) compare(`${w.run} vs ${l.run}`, l.run, w.run, readIdx(l.run), readIdx(w.run), w.lines);
  }

  const rows: Row[] = results.map((r) => ({
    ...r,
    totalSteps: data.steps,
    stepsPerSecond: data.steps / r.seconds,
    rolloutsPerSecond: r.rollouts / r.seconds,
    timeRatio: ref ? r.seconds / ref.seconds : Number.NaN,
    memoryRatio: ref ? r.peakRssMb / ref.peakRssMb : Number.NaN,
  }));
  const sourceAtEnd = sourceState();
  const changed = sourceAtEnd.hash !== source.hash;
  const provenance =
    `Data: ${data.file.replace(`${ROOT}/`, '')} (${JSON.stringify(opts)}: ${int(data.rollouts)} rollouts, ` +
    `${int(data.steps)} steps, ${(data.bytes / 2 ** 20).toFixed(1)} MiB). Measured at ${source.commit}` +
    `${source.modified.length ? ` + ${source.modified.length} modified file(s) under src/, schemas/, workers/` : ''} (sources ${source.hash})` +
    `${changed ? `; WARNING: the sources changed during the run (now ${sourceAtEnd.commit}, ${sourceAtEnd.hash}), so rows may mix versions` : ''}. ` +
    `A bare child (this script, nothing run): ${baselineMb.toFixed(0)} MB peak RSS. ` +
    `1-minute load average before/after each run: ${load.map((l) => l.toFixed(2)).join(', ')} on ${availableParallelism()} CPUs.`;
  const text = [render(rows), checks.join('\n'), provenance].filter(Boolean).join('\n\n');
  process.stdout.write(`${text}\n`);
  const out = {
    date: new Date().toISOString(),
    seconds: (performance.now() - t0) / 1000,
    machine: {
      node: process.version,
      cpus: availableParallelism(),
      cpu: cpus()[0]?.model,
      memoryMb: Math.round(totalmem() / 2 ** 20),
      loadavg: load,
    },
    data: { ...data, options: opts },
    baselineRssMb: baselineMb,
    configs: Object.fromEntries(
      await Promise.all(Object.keys(CONFIGS).map(async (c) => [c, (await recipeOf(c)).pairs])),
    ),
    source,
    sourceAtEnd: changed ? sourceAtEnd : undefined,
    rows,
    checks,
    failures,
  };
  return writeResults(OUT, typeof values.out === 'string' ? values.out : 'pairs', out, text);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      child: { type: 'boolean', default: false },
      file: { type: 'string' },
      idx: { type: 'string' },
      tasks: { type: 'string', default: '2000' },
      rollouts: { type: 'string', default: '10' },
      steps: { type: 'string', default: '50' },
      states: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      runs: { type: 'string' },
      timeout: { type: 'string', default: '1800' },
      'keep-state': { type: 'boolean', default: false },
      out: { type: 'string', default: 'pairs' },
    },
  });
  if (values.child) {
    if (positionals[0] !== 'baseline' && (!values.file || !values.idx || positionals.length !== 1))
      throw new Error('usage: node bench/pairs.ts --child <run> --file <jsonl> --idx <tsv>');
    await child(positionals[0], values.file ?? '', values.idx ?? '', values['keep-state'] === true);
  } else {
    process.exitCode = await parent(values);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) await main();
