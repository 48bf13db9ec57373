import type { TaskMessage } from '../schemas/message.ts';
import type { Intermediates } from '../schemas/storage.ts';
import {
  type Advance,
  type BarrierInput,
  type PipelineState,
  type Position,
  type StageTimes,
  stepCounts,
  taskFor,
} from '../src/pipeline/advance.ts';
import type { Snapshot } from '../src/pipeline/progress.ts';
import type { JobSpec, ShardInfo, ShardTable, Task } from '../src/pipeline/types.ts';
import { OPEN_TASKS, openSchema } from './coordinator-schema.ts';
import { snapshot, type Times } from './coordinator-snapshot.ts';
import { metaGet, metaSet } from './sql-meta.ts';

/** A task as the queues carry it: where it sits, and the lease token of its attempt. */
export interface TaskRef extends Position {
  shard: number;
  attempt: number;
}

type JobState = 'running' | 'done' | 'failed' | 'cancelled';

/**
 * The coordinator's SQLite state. Every method is synchronous, so a barrier is crossed inside one
 * turn of the Durable Object and at-least-once deliveries cannot interleave with it. What a barrier
 * decides is src/pipeline/advance.ts's; this class keeps the shard table, the tasks of the open step,
 * the done-ledger (keyed `job:stage:iter:shard`; a second report for a key changes nothing) and
 * each stage's state.
 */
export class CoordinatorDb {
  private readonly sql: SqlStorage;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly stackStarted: number;

  /**
   * `stackStarted` (ms, 0 when unknown): when the local stack this object runs in started. Miniflare
   * keeps queue messages in memory, so a message sent, or a lease taken, before it went down with the
   * previous process; on Cloudflare, whose queues are durable, it is 0.
   */
  constructor(sql: SqlStorage, leaseMs: number, maxAttempts: number, stackStarted = 0) {
    this.sql = sql;
    this.leaseMs = leaseMs;
    this.maxAttempts = maxAttempts;
    this.stackStarted = stackStarted;
    openSchema(sql);
  }

  // --- meta -------------------------------------------------------------------------------
  /**
   * Meta values as last read or written: only this object writes its meta table, so a value read
   * once stays true until set() changes it. Every task's lease and result reads the job's state,
   * stage and step; reading SQLite and parsing JSON for each took 0.7 s of a 100k-record job.
   */
  private readonly meta = new Map<string, unknown>();
  private get<T>(key: string): T | undefined {
    if (!this.meta.has(key)) this.meta.set(key, metaGet<T>(this.sql, key));
    return this.meta.get(key) as T | undefined;
  }
  private set(key: string, value: unknown): void {
    metaSet(this.sql, key, value);
    this.meta.set(key, value);
  }
  private touch(now: number): void {
    this.set('updated', now);
  }

  spec(): JobSpec | null {
    return this.get<JobSpec>('spec') ?? null;
  }
  state(): JobState | undefined {
    return this.get<JobState>('state');
  }
  /** The open step: its stage, name and the stage's iteration. */
  current(): Position {
    return {
      stage: this.get<string>('stage')!,
      step: this.get<string>('step') ?? '',
      iter: this.get<number>('iter')!,
    };
  }
  private pipeline(): PipelineState {
    return this.get<PipelineState>('pipeline') ?? {};
  }
  private setPipeline(state: PipelineState): void {
    this.set('pipeline', state);
  }
  /** What became of the ended job's intermediates; `after`: the last key a bounded drop step read. */
  retention(): (Intermediates & { after?: string }) | undefined {
    return this.get<Intermediates & { after?: string }>('retention');
  }
  setRetention(r: Intermediates & { after?: string }): void {
    this.set('retention', r);
  }
  /** How long a task's lease lasts (ms). */
  leaseDuration(): number {
    return this.leaseMs;
  }
  watchdogMs(): number {
    return Math.max(500, Math.min(Math.floor(this.leaseMs / 3), 15_000));
  }

  create(spec: JobSpec, now: number): void {
    this.set('spec', spec);
    this.set('state', 'running');
    this.set('error', null);
    this.set('created', now);
    this.setPipeline({});
    this.set('times', {});
    this.touch(now);
  }

  // --- tasks ------------------------------------------------------------------------------
  /** Open a step: its `tasks` tasks, indexed from 0. */
  openStep(at: Position, tasks: number, now: number): TaskRef[] {
    this.set('stage', at.stage);
    this.set('step', at.step);
    this.set('iter', at.iter);
    const times = this.get<Times>('times') ?? {};
    // A stage reopened for another step keeps its start time and is running again.
    times[at.stage] = { started: times[at.stage]?.started ?? now };
    this.set('times', times);
    for (let shard = 0; shard < tasks; shard++) {
      this.sql.exec(
        'INSERT OR IGNORE INTO tasks (stage, iter, shard, step) VALUES (?, ?, ?, ?)',
        at.stage,
        at.iter,
        shard,
        at.step,
      );
    }
    this.touch(now);
    return Array.from({ length: tasks }, (_, shard) => ({ ...at, shard, attempt: 0 }));
  }

  markEnqueued(tasks: readonly TaskRef[], now: number): void {
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

  private task(m: { stage: string; iter: number; shard: number }) {
    return this.sql
      .exec<{ attempt: number; failures: number; lease_until: number | null }>(
        'SELECT attempt, failures, lease_until FROM tasks WHERE stage = ? AND iter = ? AND shard = ?',
        m.stage,
        m.iter,
        m.shard,
      )
      .toArray()[0];
  }

  private ledgerKey(m: { stage: string; iter: number; shard: number }): string {
    return `${this.spec()!.id}:${m.stage}:${m.iter}:${m.shard}`;
  }

  private isDone(m: { stage: string; iter: number; shard: number }): boolean {
    return this.sql.exec('SELECT 1 FROM ledger WHERE key = ?', this.ledgerKey(m)).toArray().length > 0;
  }

  /** The message is for the open step (stage, step and iteration all match). */
  private isCurrent(m: Position): boolean {
    const cur = this.current();
    return cur.stage === m.stage && cur.iter === m.iter && cur.step === m.step;
  }

  lease(
    m: TaskMessage,
    now: number,
  ): { ok: true } | { ok: false; reason: 'done' | 'stale' | 'busy' | 'not_running' } {
    if (this.state() !== 'running') return { ok: false, reason: 'not_running' };
    if (this.isDone(m)) return { ok: false, reason: 'done' };
    const task = this.task(m);
    if (!this.isCurrent(m) || !task || m.attempt < task.attempt) return { ok: false, reason: 'stale' };
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

  /**
   * The shard table, read once and kept in memory (frozen): every lease of a select step asks for
   * every shard's offset, which was a query and a JSON parse per shard per task (2.3 s of a 1M-record
   * job). Only `apply` writes the table, and it drops this copy.
   */
  private shardInfos: readonly ShardInfo[] | null = null;

  private shards(): readonly ShardInfo[] {
    this.shardInfos ??= this.sql
      .exec<{ info: string }>('SELECT info FROM shards ORDER BY shard')
      .toArray()
      .map((r) => Object.freeze(JSON.parse(r.info) as ShardInfo));
    return this.shardInfos;
  }

  /** The shard table. */
  table(): ShardTable {
    return {
      count: () => this.shards().length,
      shard: (n) => {
        const info = this.shards()[n];
        if (!info || info.shard !== n) throw new Error(`shard ${n} is not in the plan`);
        return info;
      },
      all: () => [...this.shards()],
    };
  }

  /** What a leased task runs with (src/pipeline/advance.ts taskFor, as runLocal computes it). */
  context(m: TaskMessage): Task {
    return taskFor(this.spec()!, m, m.shard, this.table(), this.pipeline());
  }

  /** Record a report in the ledger. Returns the barrier when this was the step's last task. */
  record(
    m: TaskMessage,
    result: unknown,
    now: number,
  ): { accepted: boolean; duplicate?: boolean; reason?: string; barrier?: Position } {
    if (this.state() !== 'running') return { accepted: false, reason: `job is ${this.state()}` };
    if (this.isDone(m)) return { accepted: true, duplicate: true };
    if (!this.isCurrent(m)) return { accepted: false, reason: 'stale' };
    const counts = stepCounts(m.stage, m.step, result);
    this.sql.exec(
      `INSERT OR IGNORE INTO ledger (key, stage, iter, shard, step, attempt, records_in, records_out, result, done_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      this.ledgerKey(m),
      m.stage,
      m.iter,
      m.shard,
      m.step,
      m.attempt,
      counts.in,
      counts.out,
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
    const open = this.sql.exec<{ n: number }>(OPEN_TASKS, m.stage, m.iter).one().n;
    return open === 0 ? { accepted: true, barrier: this.current() } : { accepted: true };
  }

  failure(m: TaskMessage, error: string, fatal: boolean, now: number): boolean {
    if (this.state() !== 'running' || this.isDone(m)) return false;
    const task = this.task(m);
    if (!task || !this.isCurrent(m) || m.attempt < task.attempt) return false;
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

  /**
   * Tasks of the open step whose lease expired, or whose message seems lost. On a restarted local
   * stack (`stackStarted`), a lease taken before the restart has expired with its worker, and a
   * message sent before it is lost: neither waits out its lease or the lost-message delay. A task the
   * restart interrupted does not spend one of its `maxAttempts` failures; it is counted apart
   * (`interrupted`), and a task interrupted `maxAttempts` times fails the job (it may be what stops
   * the stack). What is sent again because of the restart is kept in `resumed`, which status shows.
   */
  expired(now: number): TaskRef[] {
    const at = this.current();
    const { stage, iter } = at;
    const rows = this.sql
      .exec<{
        shard: number;
        attempt: number;
        failures: number;
        interrupted: number;
        lease_until: number | null;
        enqueued_at: number | null;
      }>(
        `SELECT shard, attempt, failures, interrupted, lease_until, enqueued_at FROM tasks t WHERE stage = ? AND iter = ?
         AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.stage = t.stage AND l.iter = t.iter AND l.shard = t.shard)`,
        stage,
        iter,
      )
      .toArray();
    const due: TaskRef[] = [];
    const beforeRestart = (t: number) => t < this.stackStarted;
    let resent = 0;
    for (const r of rows) {
      if (r.lease_until !== null && (r.lease_until <= now || beforeRestart(r.lease_until - this.leaseMs))) {
        // Leased before a restart: its worker died with the stack (a lease that ran out is a failure).
        const cut = r.lease_until > now || beforeRestart(r.lease_until - this.leaseMs);
        const failures = r.failures + (cut ? 0 : 1);
        const interrupted = r.interrupted + (cut ? 1 : 0);
        const error = cut
          ? 'the local stack stopped while it ran'
          : `lease expired: no report within ${this.leaseMs / 1000}s`;
        this.sql.exec(
          `UPDATE tasks SET attempt = ?, failures = ?, interrupted = ?, lease_until = NULL, last_error = ?
           WHERE stage = ? AND iter = ? AND shard = ?`,
          r.attempt + 1,
          failures,
          interrupted,
          error,
          stage,
          iter,
          r.shard,
        );
        if (failures >= this.maxAttempts || interrupted >= this.maxAttempts) {
          const times = cut ? `interrupted ${interrupted} times` : `failed ${failures} times`;
          this.failJob(`${stage} shard ${r.shard} (${times}): ${error}`, now);
          return [];
        }
        if (cut) resent++;
        due.push({ ...at, shard: r.shard, attempt: r.attempt + 1 });
      } else if (
        r.lease_until === null &&
        (r.enqueued_at === null || r.enqueued_at + 10 * this.leaseMs <= now || beforeRestart(r.enqueued_at))
      ) {
        // Never leased: the send failed or the message was lost. Same attempt: a late copy still counts.
        if (r.enqueued_at !== null && beforeRestart(r.enqueued_at)) resent++;
        due.push({ ...at, shard: r.shard, attempt: r.attempt });
      }
    }
    if (resent > 0) {
      const before = this.get<{ at: number; tasks: number; restarts: number[] }>('resumed');
      const restarts = [...new Set([...(before?.restarts ?? []), this.stackStarted])];
      this.set('resumed', { at: now, tasks: (before?.tasks ?? 0) + resent, restarts });
    }
    return due;
  }

  /**
   * The open step when every one of its tasks is in the ledger although its barrier was not crossed:
   * the object stopped between recording the last report and the barrier's effects. Null otherwise.
   */
  uncrossed(): Position | null {
    if (this.state() !== 'running' || this.get<string>('stage') === undefined) return null;
    const at = this.current();
    const { total, done } = this.sql
      .exec<{ total: number; done: number }>(
        `SELECT COUNT(*) AS total, COUNT(l.key) AS done FROM tasks t
         LEFT JOIN ledger l ON l.stage = t.stage AND l.iter = t.iter AND l.shard = t.shard
         WHERE t.stage = ? AND t.iter = ?`,
        at.stage,
        at.iter,
      )
      .one();
    return total > 0 && done === total ? at : null;
  }

  // --- barriers ---------------------------------------------------------------------------
  private results(b: Position): unknown[] {
    return this.sql
      .exec<{ result: string }>(
        'SELECT result FROM ledger WHERE stage = ? AND iter = ? ORDER BY shard',
        b.stage,
        b.iter,
      )
      .toArray()
      .map((r) => JSON.parse(r.result));
  }

  barrierInput(b: Position): BarrierInput {
    const snap = this.snapshot();
    const stages: StageTimes = {};
    for (const s of snap.stages)
      stages[s.stage] = { records: s.recordsIn, seconds: s.seconds, shards: s.total };
    return {
      ...b,
      spec: this.spec()!,
      results: this.results(b),
      table: this.table(),
      state: this.pipeline(),
      stages,
      seconds: (Date.now() - snap.created) / 1000,
    };
  }

  /** Take a barrier's decision: the stage's time, the shard table, the state, and the next step's tasks. */
  apply(b: Position, step: Advance, now: number): TaskRef[] {
    const times = this.get<Times>('times') ?? {};
    if (times[b.stage]) times[b.stage].finished = now;
    this.set('times', times);
    if (step.table) {
      this.shardInfos = null;
      for (const info of step.table) {
        this.sql.exec(
          'INSERT OR REPLACE INTO shards (shard, info) VALUES (?, ?)',
          info.shard,
          JSON.stringify(info),
        );
      }
    }
    this.setPipeline(step.state);
    if (step.kind === 'finish') return [];
    return this.openStep(step, step.tasks, now);
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
