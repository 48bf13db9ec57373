/**
 * The select stage of the in-process reference, step by step: the default recipe with `--budget 30%`
 * (as bench/reference.ts), each select task timed by its step, the dedup files' sizes, and the band
 * buckets' sizes. With `--dump <dir>` the dedup map's partition files are written there, so
 * `bench/select-reduce.ts` can time dedup-reduce and dedup-resolve alone. With `--repeat N`, every
 * select task of the run is run again N more times in order (they overwrite their own outputs) and
 * `repeats` has each step's median seconds; `--profile <file.cpuprofile>` profiles those repeats only.
 *
 *   node bench/select-probe.ts <input.jsonl> [--dump <dir>] [--repeat N] [--profile <file>]
 *
 * Prints one JSON line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { RecipeSchema } from '../schemas/recipe.ts';
import { memoryJob, runLocal, runTask, type Task } from '../src/pipeline/index.ts';
import { decodeEntries, packedIndexLength, packedSpan } from '../src/select/dedup/index.ts';
import { peakRssMb } from './proc.ts';

const args = process.argv.slice(2);
const input = args[0];
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const dump = option('--dump');
const repeat = Number(option('--repeat') ?? 0);
const profile = option('--profile');
if (!input) {
  process.stderr.write('usage: node bench/select-probe.ts <input.jsonl> [--dump <dir>]\n');
  process.exit(2);
}

const { store, spec } = await memoryJob(
  { input: readFileSync(input) },
  RecipeSchema.parse({ select: { budget: '30%' } }),
  { id: 'bench', dataset: 'bench' },
);
const steps: Record<string, { seconds: number; tasks: number; max: number }> = {};
const tasks: Task[] = [];
const report = await runLocal(
  store,
  spec,
  {},
  {
    afterTask(task, dt) {
      if (task.stage !== 'select') return;
      tasks.push(task);
      const s = (steps[task.step] ??= { seconds: 0, tasks: 0, max: 0 });
      s.seconds += dt;
      s.tasks++;
      s.max = Math.max(s.max, dt);
    },
  },
);

const repeats: Record<string, number[]> = {};
const session = profile ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
for (let r = 0; r < repeat; r++) {
  const run: Record<string, number> = {};
  for (const task of tasks) {
    const t0 = performance.now();
    await runTask(store, task, {});
    run[task.step] = (run[task.step] ?? 0) + (performance.now() - t0) / 1000;
  }
  for (const [step, s] of Object.entries(run)) (repeats[step] ??= []).push(s);
}
if (session && profile) {
  const { profile: p } = await session.post('Profiler.stop');
  writeFileSync(profile, JSON.stringify(p));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const bytes: Record<string, { files: number; bytes: number; max: number }> = {};
const kindOf = (key: string) =>
  key.includes('/dedup/edges/')
    ? 'edges'
    : key.includes('/dedup/losers/')
      ? 'losers'
      : key.includes('/select/dedup/map/')
        ? 'entries'
        : undefined;
const partitions = new Map<number, Uint8Array[]>();
for (const [key, v] of store.objects) {
  const kind = kindOf(key);
  if (!kind) continue;
  const b = (bytes[kind] ??= { files: 0, bytes: 0, max: 0 });
  b.files++;
  b.bytes += v.byteLength;
  b.max = Math.max(b.max, v.byteLength);
  if (kind !== 'entries') continue;
  // A shard's packed partitions: its index says how many.
  const shard = key.split('/').pop()!.replace('.bin', '');
  const count = new DataView(v.buffer, v.byteOffset).getUint32(8, true);
  for (let p = 0; p < count; p++) {
    const { offset, length } = packedSpan(v.subarray(0, packedIndexLength(count)), count, p);
    const part = v.subarray(offset, offset + length);
    const list = partitions.get(p) ?? [];
    list[Number.parseInt(shard, 10)] = part;
    partitions.set(p, list);
    if (dump) {
      const dir = join(dump, String(p).padStart(5, '0'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${shard}.bin`), part);
    }
  }
}

// Band buckets by size: how many, and the pairs inside them.
const hist = new Map<number, { buckets: number; members: number; pairs: number }>();
for (const files of partitions.values()) {
  const count = new Map<string, Set<number>>();
  for (const bytes of files) {
    const e = decodeEntries(bytes);
    for (let i = 0; i < e.count; i++) {
      if (e.kind[i] !== 1) continue;
      const key = `${e.keyHi[i]}:${e.keyLo[i]}`;
      let s = count.get(key);
      if (!s) count.set(key, (s = new Set()));
      s.add(e.node[i]);
    }
  }
  for (const s of count.values()) {
    if (s.size < 2) continue;
    const bin = 2 ** Math.floor(Math.log2(s.size));
    const h = hist.get(bin) ?? { buckets: 0, members: 0, pairs: 0 };
    h.buckets++;
    h.members += s.size;
    h.pairs += (s.size * (s.size - 1)) / 2;
    hist.set(bin, h);
  }
}

const out = {
  records: report.counts.input,
  selectSeconds: report.stages.select?.seconds,
  dedup: report.selection.dedup,
  selected: report.counts.selected,
  steps,
  ...(repeat
    ? {
        repeats: Object.fromEntries(
          Object.entries(repeats).map(([k, v]) => [k, { median: median(v), all: v }]),
        ),
      }
    : {}),
  bytes,
  bandBuckets: Object.fromEntries([...hist].sort((a, b) => a[0] - b[0])),
  peakRssMb: peakRssMb(),
};
if (dump) writeFileSync(join(dump, 'probe.json'), JSON.stringify(out, null, 1));
process.stdout.write(`${JSON.stringify(out)}\n`);
