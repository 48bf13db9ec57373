/**
 * The select stage of the in-process reference, step by step: the default recipe with `--budget 30%`
 * (as bench/reference.ts), each select task timed by its step, the dedup files' sizes, and the band
 * buckets' sizes. With `--dump <dir>` the dedup map's partition files are written there, so
 * `bench/select-reduce.ts` can time dedup-reduce and dedup-resolve alone.
 *
 *   node bench/select-probe.ts <input.jsonl> [--dump <dir>]
 *
 * Prints one JSON line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecipeSchema } from '../schemas/recipe.ts';
import { memoryJob, runLocal } from '../src/pipeline/index.ts';
import { decodeEntries } from '../src/select/dedup/index.ts';
import { peakRssMb } from './proc.ts';

const args = process.argv.slice(2);
const input = args[0];
const dumpAt = args.indexOf('--dump');
const dump = dumpAt >= 0 ? args[dumpAt + 1] : undefined;
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
const report = await runLocal(
  store,
  spec,
  {},
  {
    afterTask(task, dt) {
      if (task.stage !== 'select') return;
      const s = (steps[task.step] ??= { seconds: 0, tasks: 0, max: 0 });
      s.seconds += dt;
      s.tasks++;
      s.max = Math.max(s.max, dt);
    },
  },
);

const bytes: Record<string, { files: number; bytes: number; max: number }> = {};
const kindOf = (key: string) =>
  key.includes('/dedup/edges/')
    ? 'edges'
    : key.endsWith('losers.bin')
      ? 'losers'
      : key.includes('/select/dedup/')
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
  if (kind === 'entries') {
    const [p, s] = key.split('/').slice(-2);
    const list = partitions.get(Number(p)) ?? [];
    list[Number.parseInt(s, 10)] = v;
    partitions.set(Number(p), list);
    if (dump) {
      mkdirSync(join(dump, p), { recursive: true });
      writeFileSync(join(dump, p, s), v);
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
  bytes,
  bandBuckets: Object.fromEntries([...hist].sort((a, b) => a[0] - b[0])),
  peakRssMb: peakRssMb(),
};
if (dump) writeFileSync(join(dump, 'probe.json'), JSON.stringify(out, null, 1));
process.stdout.write(`${JSON.stringify(out)}\n`);
