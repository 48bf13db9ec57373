import type { JobStatus } from '../../schemas/api.ts';

const WIDTH = 28;

function bar(done: number, total: number): string {
  const f = total > 0 ? done / total : 0;
  const n = Math.round(f * WIDTH);
  return `[${'#'.repeat(n)}${'.'.repeat(WIDTH - n)}]`;
}

/** One line per stage: a bar of shards done, records in/out, seconds. */
export function renderStages(s: JobStatus): string[] {
  return s.stages.map((st) => {
    // Stages that run in steps count tasks of their latest step, which need not be one per shard.
    const unit = ['fit', 'embed', 'cluster'].includes(st.name) ? `tasks, step ${st.step}` : 'shards';
    const shards = st.shardsTotal > 0 ? `${st.shardsDone}/${st.shardsTotal} ${unit}` : 'waiting';
    const recs = st.recordsIn > 0 ? `  ${st.recordsIn} in → ${st.recordsOut} out` : '';
    const errs = st.errors > 0 ? `  ${st.errors} retried` : '';
    return `${st.name.padEnd(7)} ${bar(st.shardsDone, st.shardsTotal)} ${shards}${recs}${errs}  ${st.seconds.toFixed(1)}s`;
  });
}

/** Draws progress in place on a terminal; on a pipe, prints a line when a stage finishes. */
export class ProgressView {
  private drawn = 0;
  private finished = new Set<string>();
  /** Restarts already reported. */
  private restarts = 0;
  private readonly tty: boolean;
  private readonly out: NodeJS.WriteStream;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.out = out;
    this.tty = Boolean(out.isTTY);
  }

  update(s: JobStatus): void {
    if (s.resumed && s.resumed.restarts > this.restarts) {
      this.restarts = s.resumed.restarts;
      this.note(
        `resumed after the local stack restarted: ${s.resumed.tasks} task${s.resumed.tasks === 1 ? '' : 's'} sent again (not counted as failures)`,
      );
    }
    const lines = renderStages(s);
    if (this.tty) {
      if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A`);
      for (const l of lines) this.out.write(`\x1b[2K${l}\n`);
      this.drawn = lines.length;
      return;
    }
    this.printed(lines, s);
  }

  /** A line above the bars (on a terminal the bars are drawn again below it). */
  private note(line: string): void {
    if (this.tty && this.drawn > 0) {
      this.out.write(`\x1b[${this.drawn}A\x1b[2K${line}\n`);
      this.drawn = 0;
      return;
    }
    this.out.write(`${line}\n`);
  }

  private printed(lines: string[], s: JobStatus): void {
    s.stages.forEach((st, i) => {
      if (st.state === 'done' && !this.finished.has(st.name)) {
        this.finished.add(st.name);
        this.out.write(`${lines[i]}\n`);
      }
    });
  }
}
