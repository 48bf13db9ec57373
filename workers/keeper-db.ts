import type { Report } from '../schemas/output.ts';
import type { Run, RunState, Schedule, ScheduleBody } from '../schemas/schedule.ts';
import { decideTick, firstDue, type TickDecision } from '../src/schedule/index.ts';
import { META_TABLE, metaGet, metaSet } from './sql-meta.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS schedule (
  id INTEGER PRIMARY KEY CHECK (id = 0), body TEXT NOT NULL, due_at INTEGER,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  seq INTEGER PRIMARY KEY, run TEXT UNIQUE NOT NULL, state TEXT NOT NULL, error TEXT,
  trigger TEXT NOT NULL, tick INTEGER NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER,
  previous TEXT, objects INTEGER NOT NULL DEFAULT 0, summary TEXT);
CREATE TABLE IF NOT EXISTS pins (
  job TEXT NOT NULL, key TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (job, key));
CREATE TABLE IF NOT EXISTS retired (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
`;

type RunRow = {
  seq: number;
  run: string;
  state: RunState;
  error: string | null;
  trigger: Run['trigger'];
  tick: number;
  started_at: number;
  finished_at: number | null;
  previous: string | null;
  objects: number;
  summary: string | null;
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ACTIVE = "state IN ('starting', 'running')";

/**
 * The DatasetKeeper's SQLite state: the schedule (one row), the runs, and a small meta table (the
 * latest finished run). Synchronous, so a tick's check-and-start happens inside one turn.
 */
export class KeeperDb {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(META_TABLE);
    sql.exec(SCHEMA);
  }

  meta<T>(key: string): T | undefined {
    return metaGet<T>(this.sql, key);
  }
  setMeta(key: string, value: unknown): void {
    metaSet(this.sql, key, value);
  }
  deleteMeta(key: string): void {
    this.sql.exec('DELETE FROM meta WHERE key = ?', key);
  }

  // --- versions: which objects unfinished jobs read, and which wait to be deleted ----------
  pin(job: string, keys: readonly string[], now: number): void {
    for (const key of keys)
      this.sql.exec('INSERT OR IGNORE INTO pins (job, key, at) VALUES (?, ?, ?)', job, key, now);
  }
  unpin(job: string): void {
    this.sql.exec('DELETE FROM pins WHERE job = ?', job);
  }
  /** Jobs holding pins, with when they pinned. */
  pinned(): { job: string; at: number }[] {
    return this.sql
      .exec<{ job: string; at: number }>('SELECT job, MIN(at) AS at FROM pins GROUP BY job')
      .toArray();
  }
  /** Jobs holding a pin on `key`, with when they pinned. */
  pinnedTo(key: string): { job: string; at: number }[] {
    return this.sql
      .exec<{ job: string; at: number }>('SELECT job, at FROM pins WHERE key = ? ORDER BY job', key)
      .toArray();
  }
  retire(keys: readonly string[], now: number): void {
    for (const key of keys) this.sql.exec('INSERT OR IGNORE INTO retired (key, at) VALUES (?, ?)', key, now);
  }
  retired(): Set<string> {
    return new Set(
      this.sql
        .exec<{ key: string }>('SELECT key FROM retired')
        .toArray()
        .map((r) => r.key),
    );
  }
  /** Retired objects no unfinished job reads: safe to delete. */
  unread(): string[] {
    return this.sql
      .exec<{ key: string }>('SELECT key FROM retired WHERE key NOT IN (SELECT key FROM pins) ORDER BY key')
      .toArray()
      .map((r) => r.key);
  }
  deleted(keys: readonly string[]): void {
    for (const key of keys) this.sql.exec('DELETE FROM retired WHERE key = ?', key);
  }

  // --- schedule ---------------------------------------------------------------------------
  private row() {
    return this.sql
      .exec<{ body: string; due_at: number | null; created_at: number; updated_at: number }>(
        'SELECT body, due_at, created_at, updated_at FROM schedule WHERE id = 0',
      )
      .toArray()[0];
  }

  body(): ScheduleBody | null {
    const r = this.row();
    return r ? (JSON.parse(r.body) as ScheduleBody) : null;
  }

  schedule(dataset: string): Schedule | null {
    const r = this.row();
    if (!r) return null;
    const b = JSON.parse(r.body) as ScheduleBody;
    return {
      dataset,
      ...(b.cron !== undefined ? { cron: b.cron } : {}),
      ...(b.every !== undefined ? { every: b.every } : {}),
      ...(b.recipe !== undefined ? { recipe: b.recipe } : {}),
      ...(b.recipeRef !== undefined ? { recipeRef: b.recipeRef } : {}),
      enabled: b.enabled,
      retries: b.retries,
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
      nextDue: b.enabled ? iso(r.due_at) : null,
    };
  }

  /** Set or replace the schedule. The due time restarts only when the timing or `enabled` changed. */
  setSchedule(body: ScheduleBody, now: number): void {
    const old = this.row();
    const prev = old ? (JSON.parse(old.body) as ScheduleBody) : null;
    const same =
      prev && prev.cron === body.cron && prev.every === body.every && prev.enabled === body.enabled;
    const due = same ? old.due_at : firstDue(body, now);
    this.sql.exec(
      `INSERT OR REPLACE INTO schedule (id, body, due_at, created_at, updated_at) VALUES (0, ?, ?, ?, ?)`,
      JSON.stringify(body),
      due,
      old?.created_at ?? now,
      now,
    );
  }

  deleteSchedule(): boolean {
    const had = this.row() !== undefined;
    this.sql.exec('DELETE FROM schedule');
    return had;
  }

  dueAt(): number | null {
    return this.row()?.due_at ?? null;
  }

  setDue(due: number | null): void {
    this.sql.exec('UPDATE schedule SET due_at = ? WHERE id = 0', due);
  }

  // --- runs -------------------------------------------------------------------------------
  active(): RunRow[] {
    return this.sql.exec<RunRow>(`SELECT * FROM runs WHERE ${ACTIVE} ORDER BY seq`).toArray();
  }

  /** Failed runs since the last one that did not fail, counting back to (and including) the last due run. */
  failuresInRow(): number {
    let n = 0;
    for (const r of this.sql.exec<RunRow>('SELECT * FROM runs ORDER BY seq DESC')) {
      if (r.state !== 'failed') break;
      n++;
      if (r.trigger === 'due') break;
    }
    return n;
  }

  /** What a tick at `now` does (pure decision on this state). */
  decide(now: number, force: boolean): TickDecision {
    const body = this.body();
    if (!body) return { start: false, action: 'disabled' };
    return decideTick(
      {
        enabled: body.enabled,
        retries: body.retries,
        dueAt: this.row()!.due_at,
        active: this.active().length > 0,
        failuresInRow: this.failuresInRow(),
        force,
      },
      now,
    );
  }

  insertRun(r: { run: string; trigger: Run['trigger']; tick: number; now: number; previous: string | null }) {
    this.sql.exec(
      `INSERT INTO runs (run, state, trigger, tick, started_at, previous) VALUES (?, 'starting', ?, ?, ?, ?)`,
      r.run,
      r.trigger,
      r.tick,
      r.now,
      r.previous,
    );
  }

  /** The run's job exists (its coordinator answered); `objects`, when known, is the dataset's object count. */
  started(run: string, objects?: number): void {
    this.sql.exec(`UPDATE runs SET state = 'running' WHERE run = ? AND ${ACTIVE}`, run);
    if (objects !== undefined) this.sql.exec('UPDATE runs SET objects = ? WHERE run = ?', objects, run);
  }

  /** A run ended (or could not start): its state, error and summary. Idempotent. */
  ended(run: string, state: RunState, error: string | null, report: Report | null, now: number): void {
    const summary = report
      ? {
          input: report.counts.input,
          selected: report.counts.selected,
          computed: report.scoring.computed,
          cached: report.scoring.cached,
          seconds: report.seconds,
          ...(report.diff ? { entered: report.diff.counts.entered, left: report.diff.counts.left } : {}),
        }
      : null;
    this.sql.exec(
      `UPDATE runs SET state = ?, error = ?, finished_at = ?, summary = ? WHERE run = ? AND ${ACTIVE}`,
      state,
      error,
      now,
      summary ? JSON.stringify(summary) : null,
      run,
    );
  }

  runs(dataset: string, limit = 100): Run[] {
    return this.sql
      .exec<RunRow>('SELECT * FROM runs ORDER BY seq DESC LIMIT ?', limit)
      .toArray()
      .map((r) => toRun(dataset, r));
  }

  run(dataset: string, run: string): Run | null {
    const r = this.sql.exec<RunRow>('SELECT * FROM runs WHERE run = ?', run).toArray()[0];
    return r ? toRun(dataset, r) : null;
  }
}

function toRun(dataset: string, r: RunRow): Run {
  const d = encodeURIComponent(dataset);
  return {
    run: r.run,
    seq: r.seq,
    state: r.state,
    error: r.error,
    trigger: r.trigger,
    tick: iso(r.tick)!,
    startedAt: iso(r.started_at)!,
    finishedAt: iso(r.finished_at),
    previous: r.previous,
    objects: r.objects,
    summary: r.summary ? JSON.parse(r.summary) : null,
    links: {
      job: `/v1/jobs/${r.run}`,
      outputs: `/v1/jobs/${r.run}/outputs`,
      diff: `/v1/datasets/${d}/runs/${r.run}/diff`,
    },
  };
}
