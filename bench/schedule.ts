/**
 * Scheduled re-scoring on the local stack (wrangler dev + workerd): a first scheduled run, a run
 * after appending 10% more records (Dolly records as a new part), and a run with nothing changed,
 * each fired through the local Cron Trigger endpoint. The reference, measured in the same run, is a
 * full job over the grown dataset with the cell cache off. Two scenarios:
 * - `offline`: alpaca-random-9k with the default recipe (five offline scorers);
 * - `judge`: 2,000 Alpaca records with the LLM judge as well, against the stand-in model server
 *   (a real HTTP server, 100 ms per answer, 8 requests at a time), where a cell is a model request.
 *
 *   node bench/schedule.ts [--state dir] [--only offline|judge]
 *
 * Writes bench/out/schedule.md and schedule.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobStatus } from '../schemas/api.ts';
import type { Report } from '../schemas/output.ts';
import type { Diff, Run, RunList } from '../schemas/schedule.ts';
import { startStandin } from '../test/support/standin-lm/index.ts';
import { startLocalStack } from '../workers/cli/local-stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const DATA = resolve(ROOT, '../shared/data');
const MINUTE = 60_000;

const { values } = parseArgs({ options: { state: { type: 'string' }, only: { type: 'string' } } });
const state = values.state ?? mkdtempSync(join(tmpdir(), 'winnow-bench-schedule-'));
const alpaca = JSON.parse(readFileSync(join(DATA, 'alpaca-random-9k.json'), 'utf8')) as unknown[];
const dolly = JSON.parse(readFileSync(join(DATA, 'dolly-3k.json'), 'utf8')) as Record<string, unknown>[];
const jsonl = (rows: Record<string, unknown>[]) =>
  rows.map(({ instruction, input, output }) => JSON.stringify({ instruction, input, output })).join('\n');
const lm = await startStandin({ delayMs: 100 });

const stack = await startLocalStack(state);
const auth = { authorization: `Bearer ${stack.token}` };
async function call<T>(method: string, path: string, body?: BodyInit): Promise<T> {
  const res = await fetch(`${stack.url}${path}`, { method, headers: auth, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fire the local Cron Trigger at `time`, then wait for the run it starts; wall seconds from the trigger. */
async function tick(
  dataset: string,
  time: number,
  seq: number,
): Promise<{ run: Run; wall: number; report: Report }> {
  const t0 = performance.now();
  const res = await fetch(`${stack.url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${time}`);
  if (!res.ok) throw new Error(`cron trigger: ${res.status} ${await res.text()}`);
  for (;;) {
    const { runs } = await call<RunList>('GET', `/v1/datasets/${dataset}/runs`);
    const run = runs.find((r) => r.seq === seq);
    if (run && run.state !== 'starting' && run.state !== 'running') {
      if (run.state !== 'done') throw new Error(`run ${run.run} ${run.state}: ${run.error}`);
      const report = await call<Report>('GET', `/v1/jobs/${run.run}/outputs/report.json`);
      return { run, wall: (performance.now() - t0) / 1000, report };
    }
    await sleep(200);
  }
}

interface Row {
  scenario: string;
  what: string;
  records: number;
  wall: number;
  seconds: number;
  score: number;
  computed: number;
  cached: number;
  selected: number;
  requests: number;
  entered?: number;
  left?: number;
  stages: Record<string, number>;
}
const row = (scenario: string, what: string, wall: number, r: Report): Row => ({
  scenario,
  what,
  records: r.counts.input,
  wall,
  seconds: r.seconds,
  score: r.stages.score?.seconds ?? 0,
  computed: r.scoring.computed,
  cached: r.scoring.cached,
  selected: r.counts.selected,
  requests: r.scoring.model.requests,
  ...(r.diff ? { entered: r.diff.counts.entered, left: r.diff.counts.left } : {}),
  stages: Object.fromEntries(Object.entries(r.stages).map(([k, v]) => [k, Number(v.seconds.toFixed(2))])),
});

const rows: Row[] = [];
const diffs: Record<
  string,
  Pick<Diff, 'counts' | 'threshold'> & { example: Diff['entered'][number] | null }
> = {};

/** One scenario: first run, +10% appended, nothing changed, then the cache-off reference. */
async function scenario(key: string, base: unknown[], more: Record<string, unknown>[], recipe: object) {
  const ds = `bench-${key}`;
  await call('PUT', `/v1/datasets/${ds}`, JSON.stringify(base));
  const schedule = await call<{ nextDue: string }>(
    'PUT',
    `/v1/datasets/${ds}/schedule`,
    JSON.stringify({ every: '1m', recipe }),
  );
  const t0 = Date.parse(schedule.nextDue);
  const first = await tick(ds, t0, 1);
  rows.push(row(key, `first scheduled run (${base.length} records)`, first.wall, first.report));
  await call('PUT', `/v1/datasets/${ds}/parts/0001`, jsonl(more));
  const second = await tick(ds, t0 + MINUTE, 2);
  rows.push(row(key, `after appending ${more.length} records (+10%)`, second.wall, second.report));
  const d = await call<Diff>('GET', `/v1/datasets/${ds}/runs/${second.run.run}/diff`);
  diffs[key] = { counts: d.counts, threshold: d.threshold, example: d.left[0] ?? d.entered[0] ?? null };
  const third = await tick(ds, t0 + 2 * MINUTE, 3);
  rows.push(row(key, 'nothing changed', third.wall, third.report));
  // Reference: the grown dataset from scratch (no cell cache), as a re-run without Winnow's cache would be.
  const c0 = performance.now();
  const { id } = await call<{ id: string }>(
    'POST',
    '/v1/jobs',
    JSON.stringify({ dataset: ds, recipe: { ...recipe, cache: false } }),
  );
  for (;;) {
    const s = await call<JobStatus>('GET', `/v1/jobs/${id}`);
    if (s.state !== 'running') break;
    await sleep(200);
  }
  const full = await call<Report>('GET', `/v1/jobs/${id}/outputs/report.json`);
  rows.push(row(key, 'reference: the grown dataset, cache off', (performance.now() - c0) / 1000, full));
}

try {
  if (!values.only || values.only === 'offline')
    await scenario('offline', alpaca, dolly.slice(0, Math.round(alpaca.length * 0.1)), {
      select: { budget: '30%' },
    });
  if (!values.only || values.only === 'judge') {
    const judge = {
      scorers: [
        { id: 'length' },
        { id: 'lexical' },
        { id: 'heuristics' },
        { id: 'identity' },
        { id: 'perplexity' },
        { id: 'judge', config: { provider: 'lm' } },
      ],
      providers: { lm: { kind: 'openai', baseUrl: lm.url, model: lm.modelName, concurrency: 8 } },
      select: { budget: '30%' },
    };
    await scenario('judge', alpaca.slice(0, 2000), dolly.slice(1000, 1200), judge);
  }
} finally {
  await stack.stop();
  await lm.close();
  if (!values.state) rmSync(state, { recursive: true, force: true });
}

const lines = [
  '| scenario | run | records | wall s | pipeline s | score stage s | cells computed | cached | model requests | selected | entered | left |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${r.what} | ${r.records} | ${r.wall.toFixed(1)} | ${r.seconds.toFixed(1)} | ${r.score.toFixed(1)} | ${r.computed} | ${r.cached} | ${r.requests} | ${r.selected} | ${r.entered ?? ''} | ${r.left ?? ''} |`,
  ),
  '',
  'Seconds per stage:',
  '',
  ...rows.map(
    (r) =>
      `- ${r.scenario}, ${r.what}: ${Object.entries(r.stages)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
  ),
  '',
];
for (const key of new Set(rows.map((r) => r.scenario))) {
  const [, grown, , ref] = rows.filter((r) => r.scenario === key);
  lines.push(
    `${key}: after appending, the run computed ${grown.computed} cells (${((100 * grown.computed) / ref.computed).toFixed(1)}% of the reference's ${ref.computed}) and sent ${grown.requests} model requests (reference ${ref.requests}) in ${grown.seconds.toFixed(1)} s (×${(grown.seconds / ref.seconds).toFixed(2)} of the reference's ${ref.seconds.toFixed(1)} s); its score stage took ${grown.score.toFixed(1)} s against ${ref.score.toFixed(1)} s.`,
  );
}
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'schedule.md'), `${lines.join('\n')}\n`);
writeFileSync(join(OUT, 'schedule.json'), JSON.stringify({ rows, diffs }, null, 2));
process.stdout.write(`${lines.join('\n')}\n`);
