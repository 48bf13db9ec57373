import type { JobStatus, StageProgress } from '../../schemas/api.ts';

const WIDTH = 28;

function bar(done: number, total: number): string {
  const f = total > 0 ? done / total : 0;
  const n = Math.round(f * WIDTH);
  return `[${'#'.repeat(n)}${'.'.repeat(WIDTH - n)}]`;
}

/** Stages that run in steps: their counts are tasks of the latest step, which need not be one per shard. */
const STEPPED = ['fit', 'embed', 'cluster'];

/** A rate per second: one decimal under 10, whole above, thousands as `12.3k`. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 10_000) return `${(perSecond / 1000).toFixed(1)}k`;
  return perSecond < 10 ? perSecond.toFixed(1) : String(Math.round(perSecond));
}

/** A duration: `45s`, `3m05s`, `2h07m` (rounded up to the second: an ETA is not shorter than it says). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
}

/** No ETA before this many tasks are done, nor before this share of them: early rates mislead. */
const ETA_MIN_DONE = 2;
const ETA_MIN_SHARE = 0.05;
/** Nor before the stage has run this long (s). */
const ETA_MIN_SECONDS = 1;

/**
 * How fast a stage goes, from its progress so far over the seconds it has run (the server's clock,
 * `seconds` of the job's status): records read per second once it has read any, else tasks per second;
 * and, while it runs and once enough is done, the time left at that pace. A stage that runs in steps has
 * an ETA in its first step only (later steps' counts are of that step, its seconds of the whole stage).
 */
export function stageRate(st: StageProgress): { rate?: string; eta?: string } {
  if (st.seconds <= 0 || st.shardsDone <= 0) return {};
  const stepped = STEPPED.includes(st.name);
  const rate =
    st.recordsIn > 0
      ? `${formatRate(st.recordsIn / st.seconds)} rec/s`
      : `${formatRate(st.shardsDone / st.seconds)} ${stepped ? 'tasks' : 'shards'}/s`;
  const left = st.shardsTotal - st.shardsDone;
  const enough =
    st.shardsDone >= ETA_MIN_DONE &&
    st.shardsDone >= ETA_MIN_SHARE * st.shardsTotal &&
    st.seconds >= ETA_MIN_SECONDS;
  if (st.state !== 'running' || left <= 0 || !enough || st.step > 1) return { rate };
  return { rate, eta: formatDuration((st.seconds * left) / st.shardsDone) };
}

/** One line per stage: a bar of shards done, records in/out, seconds, rate and (running) ETA. */
export function renderStages(s: JobStatus): string[] {
  return s.stages.map((st) => {
    const unit = STEPPED.includes(st.name) ? `tasks, step ${st.step}` : 'shards';
    const shards = st.shardsTotal > 0 ? `${st.shardsDone}/${st.shardsTotal} ${unit}` : 'waiting';
    const recs = st.recordsIn > 0 ? `  ${st.recordsIn} in → ${st.recordsOut} out` : '';
    const errs = st.errors > 0 ? `  ${st.errors} retried` : '';
    const { rate, eta } = stageRate(st);
    const pace = `${rate ? `  ${rate}` : ''}${eta ? `  ETA ${eta}` : ''}`;
    return `${st.name.padEnd(7)} ${bar(st.shardsDone, st.shardsTotal)} ${shards}${recs}${errs}  ${st.seconds.toFixed(1)}s${pace}`;
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
