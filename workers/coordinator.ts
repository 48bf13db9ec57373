import { DurableObject } from 'cloudflare:workers';
import type { JobStatus } from '../schemas/api.ts';
import type { TaskMessage } from '../schemas/message.ts';
import { type Advance, advance, begin, type Position } from '../src/pipeline/advance.ts';
import { referencedDatasets } from '../src/pipeline/internal-keys.ts';
import { jobPrefix, outputManifestKey, reportKey } from '../src/pipeline/keys.ts';
import { jobProgress } from '../src/pipeline/progress.ts';
import { reportText } from '../src/pipeline/report.ts';
import { keptAfterEnd } from '../src/pipeline/retention.ts';
import { writeReportHtml } from '../src/pipeline/stages/report/html.ts';
import type { JobSpec, Task } from '../src/pipeline/types.ts';
import { CoordinatorDb, type TaskRef } from './coordinator-db.ts';
import { readManifest } from './http/outputs.ts';
import { enqueueTasks } from './queues/send.ts';
import { deletePrefix } from './r2-delete.ts';
import { r2Store } from './r2-store.ts';

/** `context` is null when the task needs no work: done already, stale, leased elsewhere, or the job ended. */
export type LeaseResult = { context: Task | null; reason?: 'done' | 'stale' | 'busy' | 'not_running' };

/** The coordinator of job `id`. */
export function coordinator(env: Env, id: string) {
  return env.JOB_COORDINATOR.get(env.JOB_COORDINATOR.idFromName(id));
}
export type ReportResult = { accepted: boolean; duplicate?: boolean; reason?: string };

/** List pages (1,000 keys each) one alarm reads while dropping intermediates; the next alarm goes on. */
const DROP_PAGES = 8;

/**
 * One per job. Holds the shard table, the done-ledger and the stage barriers in SQLite;
 * the decisions taken at a barrier live in src/pipeline/advance.ts.
 */
export class JobCoordinator extends DurableObject<Env> {
  db: CoordinatorDb;
  /** A barrier is being crossed (its effects await R2 or the queues): the watchdog leaves it alone. */
  private crossing = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = this.open();
    // On a restarted local stack the first call (a status poll) brings the watchdog forward: what the
    // previous process had leased or queued is gone, and nothing else would run before its alarm.
    if (Number(env.STACK_STARTED) > 0)
      void ctx.blockConcurrencyWhile(async () => {
        if (this.db.state() === 'running') await ctx.storage.setAlarm(Date.now());
      });
  }

  private open(): CoordinatorDb {
    const { env, ctx } = this;
    return new CoordinatorDb(
      ctx.storage.sql,
      Number(env.LEASE_MS),
      Number(env.MAX_ATTEMPTS),
      Number(env.STACK_STARTED) || 0,
    );
  }

  /** Create the job (idempotent) and enqueue its first step (the plan task). */
  async start(spec: JobSpec): Promise<void> {
    if (this.db.spec()) return;
    this.db.create(spec, Date.now());
    const first = begin(spec);
    if (first.kind !== 'open') throw new Error('a job starts with a step to run');
    const tasks = this.db.openStep(first, first.tasks, Date.now());
    // The watchdog first: if the send below fails, the alarm re-sends the plan task.
    await this.ctx.storage.setAlarm(Date.now() + this.db.watchdogMs());
    await this.send(tasks);
  }

  async lease(msg: TaskMessage): Promise<LeaseResult> {
    const check = this.db.lease(msg, Date.now());
    if (!check.ok) return { context: null, reason: check.reason };
    return { context: this.db.context(msg) };
  }

  /** A task's output is in R2: record it once, and cross the barrier when it was the last one. */
  async complete(msg: TaskMessage, result: unknown): Promise<ReportResult> {
    const now = Date.now();
    const rec = this.db.record(msg, result, now);
    if (!rec.accepted || rec.duplicate || !rec.barrier) return rec;
    await this.cross(rec.barrier, now);
    return { accepted: true };
  }

  /** A task failed: retry it (the consumer re-delivers) or, past the attempt limit, fail the job. */
  async fail(msg: TaskMessage, error: string, fatal: boolean): Promise<{ retry: boolean }> {
    const retry = this.db.failure(msg, error, fatal, Date.now());
    await this.ended();
    return { retry };
  }

  /** A message exhausted its queue retries. */
  async deadLetter(msg: TaskMessage): Promise<void> {
    this.db.failJob(`${msg.stage} shard ${msg.shard}: message exhausted its queue retries`, Date.now());
    await this.ended();
  }

  async cancel(): Promise<boolean> {
    const ok = this.db.cancel(Date.now());
    if (ok) await this.ctx.storage.deleteAlarm();
    await this.ended();
    return ok;
  }

  /**
   * Once the job has ended: tell the keepers of its dataset and of the datasets it referenced, which
   * delete replaced versions only this job still read (best effort: a keeper that is not told asks
   * this coordinator when it next sweeps); then drop its intermediates, unless the recipe keeps them.
   */
  private async ended(): Promise<void> {
    const spec = this.db.spec();
    if (!spec || this.db.state() === 'running') return;
    const datasets = referencedDatasets(spec.recipe).filter((d) => d !== spec.dataset);
    if (spec.round === undefined) datasets.unshift(spec.dataset);
    for (const name of datasets) {
      try {
        const ns = this.env.DATASET_KEEPER;
        await ns.get(ns.idFromName(name)).release(spec.id);
      } catch {
        // The keeper's own sweep drops this job's pins later.
      }
    }
    if (this.db.retention()) return;
    if ((spec.recipe.keep ?? 'outputs') === 'all') {
      this.db.setRetention({ state: 'kept', objects: 0, bytes: 0 });
      return;
    }
    this.db.setRetention({ state: 'dropping', objects: 0, bytes: 0 });
    // A failed or cancelled job's open step may still have tasks writing: they end within a lease.
    const wait = this.db.state() === 'done' ? 0 : this.db.leaseDuration();
    await this.ctx.storage.setAlarm(Date.now() + wait);
  }

  /**
   * One bounded step of dropping the ended job's intermediates (src/pipeline/retention.ts says what
   * stays), from where the last step stopped; the alarm repeats it until every key was read. Deleting
   * is idempotent, so a step that failed is simply run again.
   */
  private async drop(): Promise<void> {
    const spec = this.db.spec();
    const r = this.db.retention();
    if (!spec || r?.state !== 'dropping') return;
    const done = this.db.state() === 'done';
    let manifest = null;
    try {
      manifest = done ? await readManifest(this.env.DATA_BUCKET, spec.id) : null;
    } catch {
      // A manifest of an older Winnow: keptAfterEnd keeps everything.
    }
    const kept = keptAfterEnd(spec.id, { done, manifest });
    const step = await deletePrefix(this.env.DATA_BUCKET, jobPrefix(spec.id), {
      select: (key) => !kept(key),
      startAfter: r.after,
      pages: DROP_PAGES,
    });
    // The job was deleted meanwhile (destroy): nothing is left to record.
    if (!this.db.spec()) return;
    this.db.setRetention({
      state: step.done ? 'dropped' : 'dropping',
      objects: r.objects + step.objects,
      bytes: r.bytes + step.bytes,
      ...(step.done || !step.last ? {} : { after: step.last }),
    });
    if (!step.done) await this.ctx.storage.setAlarm(Date.now());
  }

  async status(): Promise<JobStatus | null> {
    const spec = this.db.spec();
    if (!spec) return null;
    const r = this.db.retention();
    const status = jobProgress(spec, this.db.snapshot());
    return r ? { ...status, intermediates: { state: r.state, objects: r.objects, bytes: r.bytes } } : status;
  }

  /**
   * Delete the job's state (the route deletes its objects first). Refused while it runs: cancel it
   * first. Afterwards the object answers as one that never held a job.
   */
  async destroy(): Promise<'deleted' | 'running' | 'absent'> {
    const state = this.db.state();
    if (state === 'running') return 'running';
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.db = this.open();
    return state === undefined ? 'absent' : 'deleted';
  }

  /**
   * Watchdog: re-enqueue expired leases and lost messages, and cross a barrier left uncrossed by a
   * stop; fail the job after too many attempts.
   */
  override async alarm(): Promise<void> {
    if (this.db.state() !== 'running') return this.drop();
    const due = this.db.expired(Date.now());
    if (due.length > 0) await this.send(due);
    if (this.db.state() !== 'running') return this.ended();
    const barrier = this.crossing ? null : this.db.uncrossed();
    if (barrier) await this.cross(barrier, Date.now());
    if (this.db.state() === 'running') await this.ctx.storage.setAlarm(Date.now() + this.db.watchdogMs());
  }

  private async cross(barrier: Position, now: number): Promise<void> {
    let step: Advance;
    try {
      step = advance(this.db.barrierInput(barrier));
    } catch (e) {
      this.db.failJob(`${barrier.stage}: ${e instanceof Error ? e.message : String(e)}`, now);
      await this.ended();
      return;
    }
    if (step.kind === 'finish') {
      // The report and manifest first, then the state, in one turn: a stop between them leaves the
      // last step uncrossed, and the watchdog crosses it again (uncrossed()).
      this.crossing = true;
      try {
        const id = this.db.spec()!.id;
        const json = { httpMetadata: { contentType: 'application/json' } };
        const manifest = await writeReportHtml(r2Store(this.env.DATA_BUCKET), step.report, step.manifest);
        await this.env.DATA_BUCKET.put(reportKey(id), reportText(step.report), json);
        await this.env.DATA_BUCKET.put(outputManifestKey(id), JSON.stringify(manifest), json);
      } finally {
        this.crossing = false;
      }
      this.db.apply(barrier, step, now);
      this.db.finish(Date.now());
      await this.ctx.storage.deleteAlarm();
      await this.ended();
      return;
    }
    // The next step opens in the same turn as the last report was recorded; its messages follow
    // (a send that never happened is re-sent by the watchdog: enqueued_at is still null).
    await this.send(this.db.apply(barrier, step, now));
  }

  private async send(tasks: TaskRef[]): Promise<void> {
    const spec = this.db.spec();
    if (!spec || tasks.length === 0) return;
    await enqueueTasks(this.env, spec.id, tasks);
    this.db.markEnqueued(tasks, Date.now());
  }
}
