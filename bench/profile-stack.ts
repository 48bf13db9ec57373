/**
 * A CPU profile of the local stack's runtime (workerd) while it runs one job: where a stage's time
 * goes when the queues, Durable Objects and R2 emulation are in the picture.
 *
 *   node bench/profile-stack.ts <input> [--recipe <file>] [--budget 30%] [--stage score] [--top 40]
 *
 * Starts a fresh stack with a known DevTools inspector port, uploads the input, starts the profiler
 * over the inspector protocol, runs the job, and writes bench/out/stack.cpuprofile (open it in
 * Chrome DevTools or speedscope). Prints each stage's seconds and the functions with the most self
 * time, all told and, with --stage, under that stage's task function (`score`, `scatter`, …).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Report } from '../schemas/output.ts';
import { WinnowClient } from '../src/client/index.ts';
import { outputText, pollJob } from '../test/support/crash.ts';
import { startLocalStack } from '../workers/cli/local-stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    recipe: { type: 'string' },
    budget: { type: 'string', default: '30%' },
    stage: { type: 'string' },
    top: { type: 'string', default: '40' },
  },
});
const input = positionals[0];
if (!input) {
  process.stderr.write(
    'usage: node bench/profile-stack.ts <input> [--recipe f] [--budget 30%] [--stage fn]\n',
  );
  process.exit(2);
}
const note = (s: string) => process.stderr.write(`${s}\n`);

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** A DevTools protocol session over the inspector's WebSocket. */
async function inspector(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    webSocketDebuggerUrl: string;
    title?: string;
  }[];
  if (!targets.length) throw new Error('the inspector lists no target');
  // wrangler's inspector proxy accepts a local Origin only (Node's WebSocket sends none by itself).
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, {
    headers: { Origin: 'http://localhost' },
  } as unknown as string[]);
  await new Promise((ok, bad) => {
    ws.addEventListener('open', ok);
    ws.addEventListener('error', bad);
  });
  let next = 1;
  const waiting = new Map<number, (r: unknown) => void>();
  ws.addEventListener('message', (e: MessageEvent) => {
    const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown; error?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.error ? Promise.reject(msg.error) : msg.result);
  });
  return {
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = next++;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise((ok) => waiting.set(id, ok as (r: unknown) => void));
    },
    close: () => ws.close(),
  };
}

/** Self time per function, overall and under frames named `under`. */
function summarize(p: Profile, under?: string, top = 40): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const time = new Map<number, number>();
  p.samples.forEach((s, i) => {
    time.set(s, (time.get(s) ?? 0) + p.timeDeltas[i]);
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, us] of time) {
    const chain: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      chain.push(byId.get(at)!.callFrame.functionName || '(anonymous)');
    if (under && !chain.includes(under)) continue;
    total += us;
    const f = byId.get(id)!.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + us);
    for (const fn of new Set(chain)) inclusive.set(fn, (inclusive.get(fn) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          `${(us / 1e3).toFixed(0).padStart(8)} ms  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`,
      )
      .join('\n');
  return `${under ? `under ${under}` : 'all'}: ${(total / 1e3).toFixed(0)} ms sampled\n-- self\n${rows(self)}\n-- inclusive\n${rows(inclusive)}`;
}

const state = join(OUT, 'profile-state');
rmSync(state, { recursive: true, force: true });
const inspectorPort = await freePort();
const stack = await startLocalStack(state, { inspectorPort });
try {
  const client = new WinnowClient(stack);
  await client.uploadDataset('profiled', readFileSync(input));
  const recipe = values.recipe ? JSON.parse(readFileSync(values.recipe, 'utf8')) : {};
  recipe.select = { ...recipe.select, budget: values.budget };
  const session = await inspector(inspectorPort);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 500 });
  await session.send('Profiler.start');
  const t0 = performance.now();
  const { id } = await client.createJob('profiled', recipe);
  const done = await pollJob(client, id, () => false, { everyMs: 250, timeoutMs: 3_600_000 });
  const seconds = (performance.now() - t0) / 1000;
  const { profile } = await session.send<{ profile: Profile }>('Profiler.stop');
  session.close();
  if (done.state !== 'done') throw new Error(`job ${done.state}: ${done.error}`);
  writeFileSync(join(OUT, 'stack.cpuprofile'), JSON.stringify(profile));
  const report = JSON.parse(await outputText(client, id, 'report.json')) as Report;
  const stages = Object.entries(report.stages)
    .map(([k, s]) => `${k} ${s.seconds.toFixed(2)} s`)
    .join(', ');
  process.stdout.write(`job ${seconds.toFixed(1)} s: ${stages}\n`);
  process.stdout.write(`${summarize(profile, undefined, Number(values.top))}\n`);
  if (values.stage) process.stdout.write(`\n${summarize(profile, values.stage, Number(values.top))}\n`);
  note(`profile in ${join(OUT, 'stack.cpuprofile')}`);
} finally {
  await stack.stop();
  rmSync(state, { recursive: true, force: true });
}
