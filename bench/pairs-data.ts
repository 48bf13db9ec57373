/**
 * bench/pairs.ts's data: bench/pairs-gen.ts's trajectories for the given options, written once to
 * bench/out/traj-1m.jsonl (defaults) or traj-<tasks>x<rollouts>x<steps>[-st<states>][-s<seed>].jsonl, with
 * the options and totals in `<file>.meta.json`.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { generateTrajectories, type TrajectoryGenOptions, writeTrajectories } from './pairs-gen.ts';
import { note, OUT } from './pairs-runs.ts';

/** The dataset file for these options: generated once (through a temporary file) and reused. */
export function ensureData(opts: TrajectoryGenOptions): {
  file: string;
  steps: number;
  rollouts: number;
  bytes: number;
} {
  const isDefault =
    opts.tasks === 2000 && opts.rollouts === 10 && opts.steps === 50 && opts.states === 2 && opts.seed === 1;
  const name = isDefault
    ? 'traj-1m'
    : `traj-${opts.tasks}x${opts.rollouts}x${opts.steps}${opts.states === 2 ? '' : `-st${opts.states}`}${opts.seed === 1 ? '' : `-s${opts.seed}`}`;
  const file = join(OUT, `${name}.jsonl`);
  const meta = `${file}.meta.json`;
  mkdirSync(OUT, { recursive: true });
  const want = JSON.stringify(opts);
  if (existsSync(file)) {
    const size = statSync(file).size;
    if (existsSync(meta)) {
      const m = JSON.parse(readFileSync(meta, 'utf8'));
      if (JSON.stringify(m.options) === want && m.stats.bytes === size) return { file, ...m.stats };
    } else {
      // Made by someone else (pairs-gen.ts's CLI): adopt it when it is what these options generate.
      const stats = adopt(file, opts);
      if (stats) {
        writeFileSync(meta, `${JSON.stringify({ options: opts, stats }, null, 2)}\n`);
        return { file, ...stats };
      }
    }
    note(`${file} is not what ${want} generates: generating it again`);
  }
  note(`generating ${file} (${want}) …`);
  const t0 = performance.now();
  const tmp = `${file}.tmp-${process.pid}`;
  const stats = writeTrajectories(tmp, opts);
  renameSync(tmp, file);
  writeFileSync(meta, `${JSON.stringify({ options: opts, stats }, null, 2)}\n`);
  note(
    `  ${stats.rollouts} rollouts, ${stats.steps} steps, ${(stats.bytes / 2 ** 20).toFixed(1)} MiB, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { file, ...stats };
}

/** The generator's totals if `file` is byte for byte what `opts` generates (compared line by line), else null. */
function adopt(file: string, opts: TrajectoryGenOptions) {
  const fd = openSync(file, 'r');
  try {
    const gen = generateTrajectories(opts);
    const buf = Buffer.alloc(1 << 20);
    let pending = '';
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      pos += n;
      const chunk = pending + buf.toString('utf8', 0, n);
      const lines = chunk.split('\n');
      pending = n === 0 ? '' : lines.pop()!;
      for (const line of n === 0 ? lines.filter((l) => l) : lines) {
        const next = gen.next();
        if (next.done || next.value !== line) return null;
      }
      if (n === 0) break;
    }
    const end = gen.next();
    return end.done ? end.value : null;
  } finally {
    closeSync(fd);
  }
}
