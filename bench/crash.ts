/**
 * Crash and resume on the local stack (wrangler dev + workerd, the repository's wrangler.toml): a job
 * on alpaca-random-9k in 16 shards, with the default scorers, k-means and a 30% top-k, is killed
 * (`kill -9` of the stack's process group) in each stage, and the stack is started again on the same
 * state. For each stage: whether the job finished by itself, the time from the restart to done, and
 * whether its outputs equal those of an uninterrupted run (measured first, in the same run). Then the
 * same for `winnow run`, killed alone or with its stack, and run again.
 *
 *   node bench/crash.ts [--stages ingest,fit,…] [--into 0.5] [--no-cli] [--unmarked]
 *
 * `--into f`: kill at f of the stage's duration in the uninterrupted run, after it is first seen.
 * `--unmarked`: one more run killed in score, restarted without STACK_STARTED (as plain `wrangler dev`).
 * Writes bench/out/crash.md and crash.json. See bench/README.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Report } from '../schemas/output.ts';
import type { RecipeInput } from '../schemas/recipe.ts';
import { WinnowClient } from '../src/client/index.ts';
import { killGroup, outputText, pollJob } from '../test/support/crash.ts';
import { type LocalStack, startLocalStack } from '../workers/cli/local-stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const CLI = join(ROOT, 'workers', 'cli', 'winnow.js');
const DATA = resolve(ROOT, '../shared/data/alpaca-random-9k.json');
const RECIPE: RecipeInput = {
  shardBytes: 256 * 1024,
  cluster: { algorithm: 'kmeans', k: 16, dim: 64, seed: 1 },
  select: { budget: '30%' },
};
const FILES = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl', 'weights.jsonl', 'clusters.json'];
const ALL = ['ingest', 'fit', 'score', 'embed', 'cluster', 'select', 'export'];

const { values } = parseArgs({
  options: {
    stages: { type: 'string', default: ALL.join(',') },
    into: { type: 'string', default: '0.5' },
    'no-cli': { type: 'boolean', default: false },
    unmarked: { type: 'boolean', default: false },
  },
});
const stages = values.stages!.split(',');
const into = Number(values.into);
const note = (s: string) => process.stderr.write(`${s}\n`);
const seconds = (from: number) => (performance.now() - from) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
mkdirSync(OUT, { recursive: true });
const data = readFileSync(DATA);

/** What two runs must share: every output file (by hash), the report's counts and reasons. */
interface Outcome {
  files: Record<string, string>;
  counts: Report['counts'];
  rejectedByReason: Report['rejectedByReason'];
  job: string;
  /** Every input record once across selected, rejected and invalid. */
  once: boolean;
}

function outcome(files: Record<string, string>, report: Report): Outcome {
  const lines = (f: string) => files[f].split('\n').filter((l) => l);
  const idx = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl']
    .flatMap((f) => lines(f).map((l) => JSON.parse(l).source.index as number))
    .sort((a, b) => a - b);
  const hash = (t: string) => createHash('sha256').update(t).digest('hex').slice(0, 16);
  return {
    files: Object.fromEntries(FILES.map((f) => [f, hash(files[f])])),
    counts: report.counts,
    rejectedByReason: report.rejectedByReason,
    job: report.job,
    once: idx.length === report.counts.input && idx.every((v, i) => v === i),
  };
}

async function apiOutcome(client: WinnowClient, id: string): Promise<Outcome> {
  const files: Record<string, string> = {};
  for (const f of FILES) files[f] = await outputText(client, id, f);
  return outcome(files, JSON.parse(await outputText(client, id, 'report.json')));
}

const equal = (a: Outcome, b: Outcome) =>
  a.once &&
  JSON.stringify([a.files, a.counts, a.rejectedByReason]) ===
    JSON.stringify([b.files, b.counts, b.rejectedByReason]);

function fresh(name: string): string {
  const state = join(OUT, `crash-${name}`);
  rmSync(state, { recursive: true, force: true });
  return state;
}

/** The uninterrupted run: its outcome, its seconds, and when each stage was first seen (s after creation). */
async function baseline() {
  const state = fresh('baseline');
  const stack = await startLocalStack(state);
  const client = new WinnowClient(stack);
  await client.uploadDataset('alpaca-9k', data);
  const t0 = performance.now();
  const { id } = await client.createJob('alpaca-9k', RECIPE);
  const seen: Record<string, number> = {};
  const done = await pollJob(client, id, () => false, {
    everyMs: 100,
    onStatus: (s) => {
      seen[s.stage] ??= seconds(t0);
    },
  });
  const total = seconds(t0);
  if (done.state !== 'done') throw new Error(`the uninterrupted run ${done.state}: ${done.error}`);
  const result = { outcome: await apiOutcome(client, id), total, seen };
  await stack.stop();
  rmSync(state, { recursive: true, force: true });
  return result;
}
type Baseline = Awaited<ReturnType<typeof baseline>>;

interface Row {
  how: string;
  stage: string;
  killedIn: string;
  /** s after the job was created. */
  killedAt: number;
  finished: string;
  equal: boolean;
  /** Restart (or re-run) to done. */
  resume: number;
  /** Restart to the stack answering. */
  ready?: number;
  /** Restart to the job's first progress (a task recorded, or a step opened). */
  moved?: number;
  /** The uninterrupted run's time from the same point to done. */
  remainder: number;
  retried: number;
  /** Tasks the coordinator sent again after the restart (status `resumed`). */
  resent?: number;
}

const nextStage = (stage: string, base: Baseline) => {
  const order = Object.entries(base.seen).sort((a, b) => a[1] - b[1]);
  const i = order.findIndex(([s]) => s === stage);
  return order[i + 1]?.[1] ?? base.total;
};

/**
 * Kill the stack in `stage`, start it again on the same state, wait for the job. The moment is
 * `into` of the stage's uninterrupted duration after the stage is first seen; when the stage ended
 * sooner in this run, the run is started over and killed as soon as the stage is seen.
 */
async function crash(stage: string, base: Baseline, unmarked = false, share = into): Promise<Row> {
  const state = fresh(stage);
  const vars: Record<string, string> = unmarked ? { STACK_STARTED: '' } : {};
  let stack: LocalStack = await startLocalStack(state, { vars });
  let client = new WinnowClient(stack);
  await client.uploadDataset('alpaca-9k', data);
  const t0 = performance.now();
  const { id } = await client.createJob('alpaca-9k', RECIPE);
  const span = nextStage(stage, base) - base.seen[stage];
  let seenAt = 0;
  const at = await pollJob(
    client,
    id,
    (s) => {
      if (s.stage === stage && !seenAt) seenAt = performance.now();
      return seenAt > 0 && (s.stage !== stage || performance.now() - seenAt >= share * span * 1000);
    },
    { everyMs: 50 },
  );
  if (at.state !== 'running') throw new Error(`the job ${at.state} before it could be killed in ${stage}`);
  if (at.stage !== stage && share > 0) {
    note(`  ${stage} ended before ${share} of its time: again, killed as soon as it is seen`);
    await stack.stop();
    return crash(stage, base, unmarked, 0);
  }
  const killedAt = seconds(t0);
  await killGroup(stack.pid);
  const tr = performance.now();
  stack = await startLocalStack(state, { vars });
  const ready = seconds(tr);
  client = new WinnowClient(stack);
  // The job moves again when a task is recorded (or a step opens) after the restart.
  const progress = (s: typeof at) =>
    JSON.stringify([s.state, s.stage, s.stages.map((x) => [x.step, x.shardsDone])]);
  let moved: number | undefined;
  const done = await pollJob(client, id, () => false, {
    everyMs: 100,
    timeoutMs: 1_200_000,
    onStatus: (s) => {
      if (moved === undefined && progress(s) !== progress(at)) moved = seconds(tr);
    },
  });
  const resume = seconds(tr);
  const got = done.state === 'done' ? await apiOutcome(client, id) : null;
  await stack.stop();
  rmSync(state, { recursive: true, force: true });
  return {
    how: unmarked ? 'stack, restarted without STACK_STARTED' : 'stack (wrangler dev + workerd)',
    stage,
    killedIn: at.stage,
    killedAt,
    finished: done.state === 'done' ? 'by itself' : `${done.state}: ${done.error}`,
    equal: got !== null && got.job === id && equal(got, base.outcome),
    resume,
    ready,
    moved,
    remainder: base.total - (base.seen[stage] + (killedAt - (seenAt - t0) / 1000)),
    retried: done.stages.reduce((n, s) => n + s.errors, 0),
    resent: done.resumed?.tasks ?? 0,
  };
}

/** `winnow run` on this bench's state; resolves when it prints `re`, or with its exit code. */
function cli(state: string, out: string, recipe: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'run', DATA, '--recipe', recipe, '--state', state, '--out', out],
    { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  child.stdout!.resume();
  const exited = new Promise<number>((ok) => child.on('exit', (c) => ok(c ?? -1)));
  const waitFor = async (re: RegExp) => {
    while (!re.test(stderr)) {
      if (child.exitCode !== null) throw new Error(`winnow run exited before ${re}:\n${stderr}`);
      await sleep(50);
    }
  };
  return { child, exited, waitFor, stderr: () => stderr };
}

/** `winnow run` killed once the stage before `stage` is done (alone, or with its stack), then run again. */
async function crashCli(stage: string, base: Baseline, alone: boolean): Promise<Row> {
  const state = fresh(`cli-${stage}`);
  const recipe = join(state, 'recipe.json');
  mkdirSync(state, { recursive: true });
  writeFileSync(recipe, JSON.stringify(RECIPE));
  const before = ALL[ALL.indexOf(stage) - 1] ?? 'plan';
  const t0 = performance.now();
  const first = cli(state, join(state, 'out1'), recipe);
  await first.waitFor(new RegExp(`^${before}\\s+\\[#+\\]`, 'm'));
  const killedAt = seconds(t0);
  const stackFile = JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8'));
  await killGroup(first.child.pid!);
  if (!alone) await killGroup(stackFile.pid);
  const tr = performance.now();
  const out = join(state, 'out2');
  const again = cli(state, out, recipe);
  const code = await again.exited;
  const resume = seconds(tr);
  const files = Object.fromEntries(FILES.map((f) => [f, readFileSync(join(out, f), 'utf8')]));
  const got = code === 0 ? outcome(files, JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))) : null;
  const job = /^job (j[0-9a-z]+)$/m.exec(first.stderr())?.[1];
  const reattached = /^job (j[0-9a-z]+) \(started .*\) is (still running|done)/m.exec(again.stderr());
  rmSync(state, { recursive: true, force: true });
  return {
    how: alone ? '`winnow run` alone (its stack stops with it)' : '`winnow run` and its stack',
    stage,
    killedIn: `after ${before}`,
    killedAt,
    finished:
      code !== 0
        ? `re-run exited ${code}`
        : reattached && reattached[1] === job
          ? `re-run reattached (${reattached[2]})`
          : 're-run started a new job',
    equal: got !== null && got.job === job && equal(got, base.outcome),
    resume,
    remainder: base.total - base.seen[stage],
    retried: 0,
  };
}

function table(rows: Row[]): string {
  const head = [
    '| killed | stage | killed in | at s | finished | outputs equal | restart → done s | stack start s | restart → moving s | uninterrupted remainder s | retried tasks | sent again |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const f = (n: number | undefined) => (n === undefined ? '' : n.toFixed(1));
  return [
    ...head,
    ...rows.map(
      (r) =>
        `| ${r.how} | ${r.stage} | ${r.killedIn} | ${f(r.killedAt)} | ${r.finished} | ${r.equal ? 'yes' : 'NO'} | ${f(r.resume)} | ${f(r.ready)} | ${f(r.moved)} | ${f(r.remainder)} | ${r.how.startsWith('`') ? '' : r.retried} | ${r.resent ?? ''} |`,
    ),
  ].join('\n');
}

note('uninterrupted run …');
const base = await baseline();
note(`  ${base.total.toFixed(1)} s; stages first seen at ${JSON.stringify(base.seen)}`);
const rows: Row[] = [];
const record = (r: Row) => {
  rows.push(r);
  note(
    `  ${r.how} in ${r.killedIn}: ${r.finished}, equal ${r.equal}, restart → done ${r.resume.toFixed(1)} s`,
  );
};
for (const stage of stages) {
  note(`kill -9 in ${stage} …`);
  record(await crash(stage, base));
}
if (!values['no-cli']) {
  note('winnow run killed alone after fit …');
  record(await crashCli('score', base, true));
  note('winnow run killed with its stack after cluster …');
  record(await crashCli('select', base, false));
}
if (values.unmarked) {
  note('kill -9 in score, restarted without STACK_STARTED (up to 20 minutes) …');
  record(await crash('score', base, true));
}
const md = `${table(rows)}\n\nUninterrupted run: ${base.total.toFixed(1)} s from job creation to done.\n`;
process.stdout.write(md);
writeFileSync(join(OUT, 'crash.md'), md);
const results = { date: new Date().toISOString(), recipe: RECIPE, into, baseline: base, rows };
writeFileSync(join(OUT, 'crash.json'), `${JSON.stringify(results, null, 2)}\n`);
const bad = rows.filter((r) => !r.equal || !/^(by itself|re-run reattached)/.test(r.finished));
if (bad.length) process.stdout.write(`\nFAIL: ${bad.length} run(s) did not finish with equal outputs\n`);
process.exitCode = bad.length ? 1 : 0;
