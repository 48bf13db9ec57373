/**
 * Scheduled re-scoring on the local stack (wrangler dev + workerd): a first scheduled run over
 * alpaca-random-9k, a run after appending 10% more records (923 Dolly records as a new part), and a
 * run with nothing changed, each fired through the local Cron Trigger endpoint. The reference,
 * measured in the same run, is a full job over the grown dataset with the cell cache off.
 *
 *   node bench/schedule.ts [--state dir]
 *
 * Writes bench/out/schedule.md and schedule.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobStatus } from '../schemas/api.ts';
import type { Report } from '../schemas/output.ts';
import type { Run, RunList } from '../schemas/schedule.ts';
import { startLocalStack } from '../workers/cli/local-stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const DATA = resolve(ROOT, '../shared/data');
const MINUTE = 60_000;

const { values } = parseArgs({ options: { state: { type: 'string' } } });
const state = values.state ?? mkdtempSync(join(tmpdir(), 'winnow-bench-schedule-'));
const alpaca = readFileSync(join(DATA, 'alpaca-random-9k.json'));
const dolly = JSON.parse(readFileSync(join(DATA, 'dolly-3k.json'), 'utf8')) as Record<string, unknown>[];
const added = Math.round((JSON.parse(alpaca.toString('utf8')) as unknown[]).length * 0.1);
const part = dolly
  .slice(0, added)
  .map(({ instruction, input, output }) => JSON.stringify({ instruction, input, output }))
  .join('\n');

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
async function tick(time: number, seq: number): Promise<{ run: Run; wall: number; report: Report }> {
  const t0 = performance.now();
  const res = await fetch(`${stack.url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${time}`);
  if (!res.ok) throw new Error(`cron trigger: ${res.status} ${await res.text()}`);
  for (;;) {
    const { runs } = await call<RunList>('GET', '/v1/datasets/alpaca9k/runs');
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
  what: string;
  records: number;
  wall: number;
  seconds: number;
  score: number;
  computed: number;
  cached: number;
  selected: number;
  entered?: number;
  left?: number;
  stages: Record<string, number>;
}
const row = (what: string, wall: number, r: Report): Row => ({
  what,
  records: r.counts.input,
  wall,
  seconds: r.seconds,
  score: r.stages.score?.seconds ?? 0,
  computed: r.scoring.computed,
  cached: r.scoring.cached,
  selected: r.counts.selected,
  ...(r.diff ? { entered: r.diff.counts.entered, left: r.diff.counts.left } : {}),
  stages: Object.fromEntries(Object.entries(r.stages).map(([k, v]) => [k, Number(v.seconds.toFixed(2))])),
});

const rows: Row[] = [];
try {
  await call('PUT', '/v1/datasets/alpaca9k', alpaca);
  const schedule = await call<{ nextDue: string }>(
    'PUT',
    '/v1/datasets/alpaca9k/schedule',
    JSON.stringify({ every: '1m', recipe: { select: { budget: '30%' } } }),
  );
  const t0 = Date.parse(schedule.nextDue);
  const first = await tick(t0, 1);
  rows.push(row('first scheduled run (9,229 records)', first.wall, first.report));
  await call('PUT', '/v1/datasets/alpaca9k/parts/0001', part);
  const second = await tick(t0 + MINUTE, 2);
  rows.push(row(`after appending ${added} records (+10%)`, second.wall, second.report));
  const third = await tick(t0 + 2 * MINUTE, 3);
  rows.push(row('nothing changed', third.wall, third.report));
  // Reference: the grown dataset from scratch (no cell cache), as a re-run without Winnow's cache would be.
  const c0 = performance.now();
  const { id } = await call<{ id: string }>(
    'POST',
    '/v1/jobs',
    JSON.stringify({ dataset: 'alpaca9k', recipe: { cache: false, select: { budget: '30%' } } }),
  );
  for (;;) {
    const s = await call<JobStatus>('GET', `/v1/jobs/${id}`);
    if (s.state !== 'running') break;
    await sleep(200);
  }
  const full = await call<Report>('GET', `/v1/jobs/${id}/outputs/report.json`);
  rows.push(row('reference: the grown dataset, cache off', (performance.now() - c0) / 1000, full));
} finally {
  await stack.stop();
  if (!values.state) rmSync(state, { recursive: true, force: true });
}

const ref = rows[rows.length - 1];
const lines = [
  '| run | records | wall s | pipeline s | score stage s | cells computed | cached | selected | entered | left |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.what} | ${r.records} | ${r.wall.toFixed(1)} | ${r.seconds.toFixed(1)} | ${r.score.toFixed(1)} | ${r.computed} | ${r.cached} | ${r.selected} | ${r.entered ?? ''} | ${r.left ?? ''} |`,
  ),
  '',
  'Seconds per stage:',
  '',
  ...rows.map(
    (r) =>
      `- ${r.what}: ${Object.entries(r.stages)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
  ),
  '',
  `After appending, the run computed ${rows[1].computed} cells (${((100 * rows[1].computed) / ref.computed).toFixed(1)}% of the reference's ${ref.computed}) in ${rows[1].seconds.toFixed(1)} s (×${(rows[1].seconds / ref.seconds).toFixed(2)} of the reference's ${ref.seconds.toFixed(1)} s); its score stage took ${rows[1].score.toFixed(1)} s against ${ref.score.toFixed(1)} s.`,
];
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'schedule.md'), `${lines.join('\n')}\n`);
writeFileSync(join(OUT, 'schedule.json'), JSON.stringify(rows, null, 2));
process.stdout.write(`${lines.join('\n')}\n`);
