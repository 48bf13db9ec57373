/**
 * Latency and throughput of a sampler run's `next` and `feedback` under `wrangler dev` (workerd on
 * loopback, Durable Objects in local SQLite). A clustered job over part of alpaca-random-9k (kmeans
 * k 8, budget 100%), then runs with batch 1,024 and policy `loss`:
 * - sequential: `next` then `feedback` (synthetic losses), each timed; `next` with `records: true`;
 *   `next` for a step already served (a resuming trainer); the same loop with policy `uniform`; and
 *   `GET /v1/health`, the floor every request pays (HTTP on loopback, the Worker's router, no
 *   Durable Object);
 * - concurrent: 4 and 16 callers for a bounded time, each on its own run, and all on one shared run.
 *
 *   node bench/sampler-latency.ts [--records 3000] [--steps 300] [--seconds 20] [--state dir]
 *
 * Writes bench/out/sampler-latency.md and sampler-latency.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RecipeInput } from '../schemas/recipe.ts';
import type { Batch, SamplerStatus } from '../schemas/sampler.ts';
import { WinnowClient } from '../src/client/client.ts';
import { startLocalStack } from '../workers/cli/local-stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const BATCH = 1024;

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '3000' },
    steps: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '20' },
    state: { type: 'string' },
  },
});
const RECORDS = Number(values.records);
const STEPS = Number(values.steps);
const SECONDS = Number(values.seconds);
const state = values.state ?? mkdtempSync(join(tmpdir(), 'winnow-bench-sampler-'));
const alpaca = JSON.parse(
  readFileSync(resolve(ROOT, '../shared/data/alpaca-random-9k.json'), 'utf8'),
) as unknown[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A trainer's losses, deterministic: each component falls at its own speed, with a little jitter. */
function lossesOf(b: Batch): number[] {
  return b.components.map((c, n) => {
    const jitter = (((b.step * 7919 + n * 104729) % 1000) / 1000 - 0.5) * 0.1;
    return (1 + 0.25 * c) * Math.exp(-b.step / (50 + 40 * c)) + 0.5 + jitter;
  });
}

interface Stats {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  return {
    n: s.length,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: s[s.length - 1],
  };
}
async function timed<T>(into: number[], f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const v = await f();
  into.push(performance.now() - t0);
  return v;
}

const stack = await startLocalStack(state);
const client = new WinnowClient({ url: stack.url, token: stack.token });

async function waitReady(id: string): Promise<SamplerStatus> {
  for (let i = 0; i < 600; i++) {
    const s = await client.run(id);
    if (s.state !== 'loading') return s;
    await sleep(100);
  }
  throw new Error(`run ${id} still loading after 60 s`);
}
async function newRun(seed: number, policy: 'loss' | 'uniform' = 'loss'): Promise<SamplerStatus> {
  const s = await client.createRun({ job, batchSize: BATCH, seed, policy: { id: policy } });
  const ready = s.state === 'loading' ? await waitReady(s.id) : s;
  if (ready.state !== 'ready') throw new Error(`run ${s.id} is ${ready.state}: ${ready.error}`);
  return ready;
}
/** One training step: fetch the next batch, report its losses. */
async function step(id: string, next: number[], fb: number[]): Promise<Batch> {
  const b = await timed(next, () => client.nextBatch(id));
  await timed(fb, () => client.feedback(id, { step: b.step, ids: b.ids, losses: lossesOf(b) }));
  return b;
}

interface Throughput {
  callers: number;
  mode: 'own run each' | 'one shared run';
  seconds: number;
  batches: number;
  /** Examples actually served (a batch may hold fewer than BATCH: see the README section). */
  examples: number;
  batchesPerSecond: number;
  examplesPerSecond: number;
  next: Stats;
  feedback: Stats;
}
/** `callers` loops of next + feedback for `SECONDS` (and at most 100,000 steps in all). */
async function throughput(callers: number, shared: boolean): Promise<Throughput> {
  const runs = shared
    ? Array(callers).fill((await newRun(100)).id)
    : await Promise.all(Array.from({ length: callers }, (_, i) => newRun(200 + i).then((s) => s.id)));
  const next: number[] = [];
  const fb: number[] = [];
  let batches = 0;
  let served = 0;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  await Promise.all(
    runs.map(async (id: string) => {
      while (performance.now() < end && batches < 100_000) {
        const b = await step(id, next, fb);
        served += b.ids.length;
        batches++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return {
    callers,
    mode: shared ? 'one shared run' : 'own run each',
    seconds,
    batches,
    examples: served,
    batchesPerSecond: batches / seconds,
    examplesPerSecond: served / seconds,
    next: stats(next),
    feedback: stats(fb),
  };
}
/** `GET /v1/health` from `callers` loops for 5 s: the request rate with no Durable Object behind it. */
async function healthRate(callers: number): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  const end = t0 + 5000;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end && n < 1_000_000) {
        await client.health();
        n++;
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

let job = '';
const latency: Record<string, Stats> = {};
const bytes: Record<string, number> = {};
/** Mean ids per batch of each sequential series. */
const sizes: Record<string, number> = {};
const rates: Throughput[] = [];
const health: Record<number, number> = {};
let examples = 0;
let components: number[] = [];
const w0 = performance.now();
try {
  const body = new TextEncoder().encode(
    alpaca
      .slice(0, RECORDS)
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );
  await client.uploadDataset('bench-sampler', body, body.length);
  const recipe: RecipeInput = {
    scorers: [{ id: 'length' }, { id: 'lexical' }],
    cluster: { algorithm: 'kmeans', k: 8, dim: 32, maxIter: 5 },
    select: { budget: '100%' },
  };
  job = (await client.createJob('bench-sampler', recipe)).id;
  for (let i = 0; ; i++) {
    const s = await client.job(job);
    if (s.state === 'done') break;
    if (s.state !== 'running' || i > 1200)
      throw new Error(`job ${job} ${s.state} at ${s.stage}: ${s.error}; see ${stack.log}`);
    await sleep(250);
  }

  // Warm-up: the Worker's and the Durable Object's first requests compile and open things.
  const warm = await newRun(1);
  for (let i = 0; i < 10; i++) {
    await client.health();
    await step(warm.id, [], []);
  }

  const h: number[] = [];
  for (let i = 0; i < STEPS; i++) await timed(h, () => client.health());
  latency.health = stats(h);

  /** STEPS steps of next + feedback on a run: timings of each call, mean ids and bytes per batch. */
  const loop = async (id: string) => {
    const next: number[] = [];
    const fb: number[] = [];
    let ids = 0;
    let size = 0;
    for (let i = 0; i < STEPS; i++) {
      const b = await step(id, next, fb);
      ids += b.ids.length;
      size += JSON.stringify(b).length;
    }
    return { next: stats(next), feedback: stats(fb), ids: ids / STEPS, bytes: size / STEPS };
  };
  const run = await newRun(7);
  examples = run.examples;
  components = run.components.map((c) => c.size);
  const main = await loop(run.id);
  latency.next = main.next;
  latency.feedback = main.feedback;
  sizes.next = main.ids;
  bytes.next = main.bytes;

  // The same with `uniform`, a second reference at full batches.
  const uni = await loop((await newRun(9, 'uniform')).id);
  latency.uniformNext = uni.next;
  latency.uniformFeedback = uni.feedback;
  sizes.uniform = uni.ids;
  bytes.uniform = uni.bytes;

  const replay: number[] = [];
  for (let i = 0; i < STEPS; i++)
    await timed(replay, () => client.nextBatch(run.id, { step: (i * 37) % STEPS }));
  latency.replay = stats(replay);

  const rec = await newRun(8);
  const withRecords: number[] = [];
  const recSteps = Math.min(STEPS, 100);
  let ids = 0;
  let size = 0;
  for (let i = 0; i < recSteps; i++) {
    const b = await timed(withRecords, () => client.nextBatch(rec.id, { records: true }));
    ids += b.ids.length;
    size += JSON.stringify(b).length;
    await client.feedback(rec.id, { step: b.step, ids: b.ids, losses: lossesOf(b) });
  }
  latency.records = stats(withRecords);
  sizes.records = ids / recSteps;
  bytes.records = size / recSteps;

  for (const callers of [4, 16]) {
    health[callers] = await healthRate(callers);
    rates.push(await throughput(callers, false));
    rates.push(await throughput(callers, true));
  }
} finally {
  await stack.stop();
  if (!values.state) rmSync(state, { recursive: true, force: true });
}

const f = (n: number, d = 1) => n.toFixed(d);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const row = (what: string, s: Stats, size?: number, kib?: number) =>
  `| ${what} | ${s.n} | ${f(s.p50)} | ${f(s.p90)} | ${f(s.p99)} | ${f(s.max)} | ${f(s.mean)} | ${size === undefined ? '' : f(size, 0)} | ${kib === undefined ? '' : int(kib / 1024)} |`;
const lines = [
  '# Sampler run latency and throughput under wrangler dev',
  '',
  `${RECORDS} Alpaca records, kmeans k 8 (dim 32), budget 100%: ${examples} examples in the run (components ${components.join(', ')}). Batch ${BATCH}, policy \`loss\`. Client: \`WinnowClient\` in one Node process on loopback; times are from the caller's side (request, JSON parse). ${f((performance.now() - w0) / 1000, 0)} s in all.`,
  '',
  'Sequential calls (ms):',
  '',
  '| call | calls | p50 | p90 | p99 | max | mean | mean ids per batch | mean response KiB |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  row('`GET /v1/health` (floor: HTTP + router, no Durable Object)', latency.health),
  row('`next` (a new step)', latency.next, sizes.next, bytes.next),
  row('`feedback` (its losses)', latency.feedback, sizes.next),
  row('`next` with `step` (a step already served)', latency.replay),
  row('`next` with `records: true`', latency.records, sizes.records, bytes.records),
  row('`next`, policy `uniform` (always full batches)', latency.uniformNext, sizes.uniform, bytes.uniform),
  row('`feedback`, policy `uniform`', latency.uniformFeedback, sizes.uniform),
  '',
  ...(sizes.next < BATCH
    ? [
        `Policy \`loss\` served ${f(sizes.next, 0)} ids per batch on average, not ${BATCH}: a batch ends early once a component is drawn more often than it has members left for that batch (see bench/README.md). Its \`next\` and \`feedback\` times are for those shorter batches; the \`uniform\` rows are full batches.`,
        '',
      ]
    : []),
  `Concurrent callers, each looping \`next\` + \`feedback\` for ${SECONDS} s (a batch = one step; \`health\` req/s: the floor's rate with as many callers, 5 s):`,
  '',
  '| callers | runs | batches | mean ids per batch | batches/s | examples/s | next p50 ms | next p99 ms | feedback p50 ms | feedback p99 ms | health req/s |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rates.map(
    (r) =>
      `| ${r.callers} | ${r.mode} | ${r.batches} | ${f(r.examples / r.batches, 0)} | ${f(r.batchesPerSecond)} | ${int(r.examplesPerSecond)} | ${f(r.next.p50)} | ${f(r.next.p99)} | ${f(r.feedback.p50)} | ${f(r.feedback.p99)} | ${int(health[r.callers])} |`,
  ),
  '',
];
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'sampler-latency.md'), `${lines.join('\n')}\n`);
writeFileSync(
  join(OUT, 'sampler-latency.json'),
  JSON.stringify({ records: RECORDS, examples, components, latency, sizes, bytes, rates, health }, null, 2),
);
process.stdout.write(`${lines.join('\n')}\n`);
