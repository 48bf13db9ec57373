import type { Stage, TaskMessage } from '../schemas/message.ts';
import type { Advance, Barrier, BarrierInput, PipelineState } from '../src/pipeline/advance.ts';
import type { Snapshot } from '../src/pipeline/progress.ts';
import { taskRecords } from '../src/pipeline/progress.ts';
import { taskContext } from '../src/pipeline/run-local.ts';
import type { JobSpec, ShardInfo, TaskContext } from '../src/pipeline/spec.ts';
import { snapshot } from './coordinator-snapshot.ts';
import { metaGet, metaSet } from './sql-meta.ts';

export interface Task {
  stage: Stage;
  iter: number;
  shard: number;
  attempt: number;
}

type JobState = 'running' | 'done' | 'failed' | 'cancelled';
export type Times = Record<string, { started: number; finished?: number }>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shards (shard INTEGER PRIMARY KEY, info TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
  stage TEXT NOT NULL, iter INTEGER NOT NULL, shard INTEGER NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER, enqueued_at INTEGER, last_error TEXT,
  PRIMARY KEY (stage, iter, shard));
CREATE TABLE IF NOT EXISTS ledger (
  key TEXT PRIMARY KEY, stage TEXT NOT NULL, iter INTEGER NOT NULL, shard INTEGER NOT NULL,
  attempt INTEGER NOT NULL, records_in INTEGER NOT NULL, records_out INTEGER NOT NULL,
  result TEXT NOT NULL, done_at INTEGER NOT NULL);
`;

/**
 * The coordinator's SQLite state. Every method is synchronous, so a barrier is crossed inside one
 * turn of the Durable Object and at-least-once deliveries cannot interleave with it.
 * The done-ledger is keyed `job:stage:iter:shard`; a second report for a key changes nothing.
 */
export class CoordinatorDb {
  private cachedSpec: JobSpec | null = null;
  private readonly sql: SqlStorage;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;

  constructor(sql: SqlStorage, leaseMs: number, maxAttempts: number) {
    this.sql = sql;
    this.leaseMs = leaseMs;
    this.maxAttempts = maxAttempts;
    sql.exec(SCHEMA);
  }

  // --- meta -------------------------------------------------------------------------------
  private get<T>(key: string): T | undefined {
    return metaGet<T>(this.sql, key);
  }
  private set(key: string, value: unknown): void {
    metaSet(this.sql, key, value);
  }
  private touch(now: number): void {
    this.set('updated', now);
  }

  spec(): JobSpec | null {
    this.cachedSpec ??= this.get<JobSpec>('spec') ?? null;
    return this.cachedSpec;
  }
  state(): JobState | undefined {
    return this.get<JobState>('state');
  }
  private current(): Barrier {
    return { stage: this.get<Stage>('stage')!, iter: this.get<number>('iter')! };
  }
  private pipeline(): PipelineState {
    return this.get<PipelineState>('pipeline') ?? {};
  }
  watchdogMs(): number {
    return Math.max(500, Math.min(Math.floor(this.leaseMs / 3), 15_000));
  }

  create(spec: JobSpec, now: number): void {
    this.set('spec', spec);
    this.set('state', 'running');
    this.set('error', null);
    this.set('created', now);
    this.set('pipeline', {});
    this.set('times', {});
    this.touch(now);
  }

  // --- tasks ------------------------------------------------------------------------------
  openStage(stage: Stage, iter: number, shards: number[], now: number): Task[] {
    this.set('stage', stage);
    this.set('iter', iter);
    const times = this.get<Times>('times') ?? {};
    // A stage reopened for another round keeps its start time and is running again.
    times[stage] = { started: times[stage]?.started ?? now };
    this.set('times', times);
    for (const shard of shards) {
      this.sql.exec('INSERT OR IGNORE INTO tasks (stage, iter, shard) VALUES (?, ?, ?)', stage, iter, shard);
    }
    this.touch(now);
    return shards.map((shard) => ({ stage, iter, shard, attempt: 0 }));
  }

  markEnqueued(tasks: Task[], now: number): void {
    for (const t of tasks) {
      this.sql.exec(
        'UPDATE tasks SET enqueued_at = ? WHERE stage = ? AND iter = ? AND shard = ?',
        now,
        t.stage,
        t.iter,
        t.shard,
      );
    }
  }

  private task(m: Barrier & { shard: number }) {
    return this.sql
      .exec<{ attempt: number; failures: number; lease_until: number | null }>(
        'SELECT attempt, failures, lease_until FROM tasks WHERE stage = ? AND iter = ? AND shard = ?',
        m.stage,
        m.iter,
        m.shard,
      )
      .toArray()[0];
  }

  private ledgerKey(m: Barrier & { shard: number }): string {
    return `${this.spec()!.id}:${m.stage}:${m.iter}:${m.shard}`;
  }

  private isDone(m: Barrier & { shard: number }): boolean {
    return this.sql.exec('SELECT 1 FROM ledger WHERE key = ?', this.ledgerKey(m)).toArray().length > 0;
  }

  lease(
    m: TaskMessage,
    now: number,
  ): { ok: true } | { ok: false; reason: 'done' | 'stale' | 'busy' | 'not_running' } {
    if (this.state() !== 'running') return { ok: false, reason: 'not_running' };
    if (this.isDone(m)) return { ok: false, reason: 'done' };
    const cur = this.current();
    const task = this.task(m);
    if (cur.stage !== m.stage || cur.iter !== m.iter || !task || m.attempt < task.attempt) {
      return { ok: false, reason: 'stale' };
    }
    if (task.lease_until !== null && task.lease_until > now) return { ok: false, reason: 'busy' };
    this.sql.exec(
      'UPDATE tasks SET lease_until = ?, attempt = ? WHERE stage = ? AND iter = ? AND shard = ?',
      now + this.leaseMs,
      Math.max(task.attempt, m.attempt),
      m.stage,
      m.iter,
      m.shard,
    );
    return { ok: true };
  }

  private shard(n: number): ShardInfo {
    const row = this.sql.exec<{ info: string }>('SELECT info FROM shards WHERE shard = ?', n).toArray()[0];
    if (!row) throw new Error(`shard ${n} is not in the plan`);
    return JSON.parse(row.info) as ShardInfo;
  }

  context(m: TaskMessage): TaskContext {
    const table = {
      shard: (n: number) => this.shard(n),
      count: () => this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM shards').one().n,
    };
    return taskContext(this.spec()!, m.stage, m.iter, m.shard, table, this.pipeline());
  }

  /** Record a report in the ledger. Returns the barrier when this was the stage's last task. */
  record(
    m: TaskMessage,
    result: unknown,
    now: number,
  ): { accepted: boolean; duplicate?: boolean; reason?: string; barrier?: Barrier } {
    if (this.state() !== 'running') return { accepted: false, reason: `job is ${this.state()}` };
    const cur = this.current();
    if (this.isDone(m)) return { accepted: true, duplicate: true };
    if (cur.stage !== m.stage || cur.iter !== m.iter) return { accepted: false, reason: 'stale' };
    const { recordsIn, recordsOut } = taskRecords(m.stage, result);
    this.sql.exec(
      `INSERT OR IGNORE INTO ledger (key, stage, iter, shard, attempt, records_in, records_out, result, done_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      this.ledgerKey(m),
      m.stage,
      m.iter,
      m.shard,
      m.attempt,
      recordsIn,
      recordsOut,
      JSON.stringify(result),
      now,
    );
    this.sql.exec(
      'UPDATE tasks SET lease_until = NULL WHERE stage = ? AND iter = ? AND shard = ?',
      m.stage,
      m.iter,
      m.shard,
    );
    this.touch(now);
    const open = this.sql
      .exec<{ n: number }>(
        `SELECT COUNT(*) AS n FROM tasks t WHERE t.stage = ? AND t.iter = ?
         AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.stage = t.stage AND l.iter = t.iter AND l.shard = t.shard)`,
        m.stage,
        m.iter,
      )
      .one().n;
    return open === 0 ? { accepted: true, barrier: cur } : { accepted: true };
  }

  failure(m: TaskMessage, error: string, fatal: boolean, now: number): boolean {
    if (this.state() !== 'running' || this.isDone(m)) return false;
    const task = this.task(m);
    const cur = this.current();
    if (!task || cur.stage !== m.stage || cur.iter !== m.iter || m.attempt < task.attempt) return false;
    const failures = task.failures + 1;
    this.sql.exec(
      'UPDATE tasks SET failures = ?, lease_until = NULL, last_error = ? WHERE stage = ? AND iter = ? AND shard = ?',
      failures,
      error,
      m.stage,
      m.iter,
      m.shard,
    );
    if (fatal || failures >= this.maxAttempts) {
      const times = fatal ? '' : ` (failed ${failures} times)`;
      this.failJob(`${m.stage} shard ${m.shard}${times}: ${error}`, now);
      return false;
    }
    this.touch(now);
    return true;
  }

  failJob(reason: string, now: number): void {
    if (this.state() !== 'running') return;
    this.set('state', 'failed');
    this.set('error', reason);
    this.touch(now);
  }

  cancel(now: number): boolean {
    if (this.state() !== 'running') return false;
    this.set('state', 'cancelled');
    this.set('error', 'cancelled by request');
    this.touch(now);
    return true;
  }

  /** Tasks of the open stage whose lease expired, or whose message seems lost. */
  expired(now: number): Task[] {
    const { stage, iter } = this.current();
    const rows = this.sql
      .exec<{
        shard: number;
        attempt: number;
        failures: number;
        lease_until: number | null;
        enqueued_at: number | null;
      }>(
        `SELECT shard, attempt, failures, lease_until, enqueued_at FROM tasks t WHERE stage = ? AND iter = ?
         AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.stage = t.stage AND l.iter = t.iter AND l.shard = t.shard)`,
        stage,
        iter,
      )
      .toArray();
    const due: Task[] = [];
    for (const r of rows) {
      if (r.lease_until !== null && r.lease_until <= now) {
        const failures = r.failures + 1;
        const error = `lease expired: no report within ${this.leaseMs / 1000}s`;
        this.sql.exec(
          `UPDATE tasks SET attempt = ?, failures = ?, lease_until = NULL, last_error = ?
           WHERE stage = ? AND iter = ? AND shard = ?`,
          r.attempt + 1,
          failures,
          error,
          stage,
          iter,
          r.shard,
        );
        if (failures >= this.maxAttempts) {
          this.failJob(`${stage} shard ${r.shard} (failed ${failures} times): ${error}`, now);
          return [];
        }
        due.push({ stage, iter, shard: r.shard, attempt: r.attempt + 1 });
      } else if (
        r.lease_until === null &&
        (r.enqueued_at === null || r.enqueued_at + 10 * this.leaseMs <= now)
      ) {
        // Never leased: the send failed or the message was lost. Same attempt: a late copy still counts.
        due.push({ stage, iter, shard: r.shard, attempt: r.attempt });
      }
    }
    return due;
  }

  // --- barriers ---------------------------------------------------------------------------
  private results(stage: Stage, iter?: number): unknown[] {
    const it =
      iter ??
      this.sql.exec<{ i: number | null }>('SELECT MAX(iter) AS i FROM ledger WHERE stage = ?', stage).one()
        .i ??
      0;
    return this.sql
      .exec<{ result: string }>(
        'SELECT result FROM ledger WHERE stage = ? AND iter = ? ORDER BY shard',
        stage,
        it,
      )
      .toArray()
      .map((r) => JSON.parse(r.result));
  }

  private table(): ShardInfo[] {
    return this.sql
      .exec<{ info: string }>('SELECT info FROM shards ORDER BY shard')
      .toArray()
      .map((r) => JSON.parse(r.info) as ShardInfo);
  }

  barrierInput(b: Barrier): BarrierInput {
    const snap = this.snapshot();
    const stageSeconds: BarrierInput['stageSeconds'] = {};
    for (const s of snap.stages) {
      stageSeconds[s.stage] = { records: s.recordsIn, seconds: s.seconds, shards: s.total };
    }
    return {
      ...b,
      spec: this.spec()!,
      results: this.results(b.stage, b.iter),
      shards: this.table(),
      state: this.pipeline(),
      history: (stage, iter) => this.results(stage, iter),
      stageSeconds,
      seconds: (Date.now() - snap.created) / 1000,
    };
  }

  apply(b: Barrier, step: Advance, now: number): Task[] {
    const times = this.get<Times>('times') ?? {};
    if (times[b.stage]) times[b.stage].finished = now;
    this.set('times', times);
    if (step.table) {
      for (const info of step.table) {
        this.sql.exec(
          'INSERT OR REPLACE INTO shards (shard, info) VALUES (?, ?)',
          info.shard,
          JSON.stringify(info),
        );
      }
    }
    this.set('pipeline', step.state);
    if (step.kind === 'finish') return [];
    return this.openStage(step.stage, step.iter, step.shards, now);
  }

  finish(now: number): void {
    if (this.state() !== 'running') return;
    this.set('state', 'done');
    this.touch(now);
  }

  snapshot(): Snapshot {
    return snapshot(this.sql, <T>(key: string) => this.get<T>(key));
  }
}
