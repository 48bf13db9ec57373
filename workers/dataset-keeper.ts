import { DurableObject } from 'cloudflare:workers';
import type { DatasetInfo } from '../schemas/api.ts';
import type { Report } from '../schemas/output.ts';
import { type Recipe, RecipeSchema } from '../schemas/recipe.ts';
import type { Latest, Run, RunList, Schedule, ScheduleBody, TickResult } from '../schemas/schedule.ts';
import type { DatasetDeleted, Freed } from '../schemas/storage.ts';
import { type DatasetObject, leftOver, withPart } from '../src/pipeline/dataset-objects.ts';
import {
  datasetLatestKey,
  jobPrefix,
  jobSpecKey,
  reportKey,
  scheduleMarkerKey,
} from '../src/pipeline/keys.ts';
import type { ObjectInfo } from '../src/pipeline/store.ts';
import type { JobSpec } from '../src/pipeline/types.ts';
import { nextDue } from '../src/schedule/index.ts';
import { coordinator } from './coordinator.ts';
import { deleteDatasetObjects } from './dataset-delete.ts';
import { readManifest, refreshManifest, writeManifest } from './dataset-manifest.ts';
import { maxUploadBytes } from './http/upload.ts';
import { KeeperDb } from './keeper-db.ts';
import { newId, startJob } from './start-job.ts';

/** A run that stayed `starting` this long without a coordinator never started (the object was evicted mid-start). */
const START_GRACE_MS = 120_000;

export function keeper(env: Env, dataset: string) {
  return env.DATASET_KEEPER.get(env.DATASET_KEEPER.idFromName(dataset));
}

/**
 * One per dataset: the only writer of its manifest (appends and refreshes are serialized here), its
 * re-scoring schedule, its scheduled runs and its `latest` pointer. Tick decisions are taken in one
 * synchronous turn (src/schedule/tick.ts), so overlapping ticks never start two runs.
 */
export class DatasetKeeper extends DurableObject<Env> {
  private db: KeeperDb;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = new KeeperDb(ctx.storage.sql);
  }

  /** Read-modify-write of the manifest, one at a time (awaits inside would otherwise interleave). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => {});
    return next;
  }

  /**
   * A new upload or registration replaces the dataset's objects. The objects it replaces stay in the
   * bucket until no unfinished job reads them.
   */
  async replace(info: DatasetInfo): Promise<DatasetInfo> {
    return this.serial(async () => {
      const before = await readManifest(this.env.DATA_BUCKET, info.name);
      await writeManifest(this.env.DATA_BUCKET, info);
      // New objects: no job has read them yet.
      this.db.setMeta('read', 0);
      this.db.retire(leftOver(info.name, before?.objects ?? [], info.objects), Date.now());
      await this.sweep();
      return this.withLatest(info);
    });
  }

  /**
   * A part put through the API (already stored at its own version's key): it takes the place of the
   * part of the same name, or is appended. Null (and the object deleted) when the dataset is gone.
   */
  async putPart(name: string, part: string, object: ObjectInfo): Promise<DatasetInfo | null> {
    return this.serial(async () => {
      const current = await this.current(name);
      if (!current) {
        await this.env.DATA_BUCKET.delete(object.key);
        return null;
      }
      const read = this.db.meta<number>('read') ?? 0;
      const { objects, replaced } = withPart(name, current.objects, part, object, read);
      const info: DatasetInfo = {
        ...current,
        objects,
        bytes: objects.reduce((a, o) => a + o.size, 0),
        updatedAt: new Date().toISOString(),
      };
      await writeManifest(this.env.DATA_BUCKET, info);
      if (replaced) this.db.retire(leftOver(name, [replaced], objects), Date.now());
      await this.sweep();
      return this.withLatest(info);
    });
  }

  /**
   * An object dropped into the bucket (`incoming/<name>/<part>`, workers/queues/incoming.ts): the
   * dataset's part `part`, created with it when the dataset does not exist. The same object again
   * (its key and etag, or for a decompressed copy its original's) changes nothing: notifications
   * arrive at least once. `object.source` is the gzip original of a decompressed copy.
   */
  async adopt(
    name: string,
    part: string,
    object: DatasetObject,
  ): Promise<{ state: 'created' | 'appended' | 'unchanged'; info: DatasetInfo }> {
    return this.serial(async () => {
      const origin = object.source ?? { key: object.key, etag: object.etag };
      const current = await this.current(name);
      if (!current) {
        const info: DatasetInfo = {
          name,
          objects: [{ ...object, part }],
          bytes: object.size,
          origin: 'register',
          createdAt: new Date().toISOString(),
        };
        await writeManifest(this.env.DATA_BUCKET, info);
        this.db.setMeta('read', 0);
        return { state: 'created', info: this.withLatest(info) };
      }
      const same = current.objects.some(
        (o) =>
          o.part === part &&
          (o.source?.key ?? o.key) === origin.key &&
          (o.source?.etag ?? o.etag) === origin.etag,
      );
      if (same) return { state: 'unchanged', info: this.withLatest(current) };
      const read = this.db.meta<number>('read') ?? 0;
      const placed = withPart(name, current.objects, part, object, read);
      const objects = placed.objects.map((o) =>
        o.key === object.key && object.source ? { ...o, source: object.source } : o,
      );
      const info: DatasetInfo = {
        ...current,
        objects,
        bytes: objects.reduce((a, o) => a + o.size, 0),
        updatedAt: new Date().toISOString(),
      };
      await writeManifest(this.env.DATA_BUCKET, info);
      if (placed.replaced) this.db.retire(leftOver(name, [placed.replaced], objects), Date.now());
      await this.sweep();
      return { state: 'appended', info: this.withLatest(info) };
    });
  }

  /** The dataset with whatever was put under its prefix since; null when it does not exist. */
  async refresh(name: string): Promise<DatasetInfo | null> {
    const info = await this.serial(() => this.current(name));
    return info && this.withLatest(info);
  }

  /**
   * The dataset as job `job` will read it, pinned: none of these objects is deleted before the job
   * ends, whatever replaces them meanwhile. In one turn with the refresh, so nothing is swept between.
   * `previous`: the earlier job of this dataset that `job` compares with, pinned too (jobs/{id}/), so
   * that it is not deleted while `job` runs.
   */
  async snapshot(name: string, job: string, previous?: string): Promise<DatasetInfo | null> {
    const info = await this.serial(async () => {
      const info = await this.current(name);
      if (info) {
        const keys = info.objects.map((o) => o.key);
        this.db.pin(job, previous ? [...keys, jobPrefix(previous)] : keys, Date.now());
        // Objects a job has read keep their positions from now on (record ids depend on them).
        this.db.setMeta('read', Math.max(this.db.meta<number>('read') ?? 0, info.objects.length));
      }
      return info;
    });
    return info && this.withLatest(info);
  }

  /** What keeps job `job` of this dataset: unfinished jobs that compare with it, and whether it is `latest`. */
  async holds(job: string): Promise<{ running: string[]; latest: boolean }> {
    return this.serial(async () => {
      await this.prune();
      return {
        running: this.db.pinnedTo(jobPrefix(job)).map((p) => p.job),
        latest: this.db.meta<string>('latest') === job,
      };
    });
  }

  /**
   * Job `job` is being deleted: its pins go, and when it is the `latest` run the pointer goes too (the
   * next scheduled run then has nothing to compare with, as a first run). Its row in the runs stays.
   */
  async forget(name: string, job: string): Promise<void> {
    await this.serial(async () => {
      this.db.unpin(job);
      if (this.db.meta<string>('latest') !== job) return;
      this.db.deleteMeta('latest');
      await this.env.DATA_BUCKET.delete(datasetLatestKey(name));
    });
  }

  /** gc: delete (or, dry, count) the replaced versions no unfinished job reads. */
  async collect(dryRun: boolean): Promise<Freed> {
    return this.serial(() => this.sweep({ dryRun, measure: true }));
  }

  /**
   * Delete the dataset (dataset-delete.ts says what goes) and this object's state: its schedule, runs,
   * pins and `latest`. Refused (the running jobs listed) while an unfinished job reads it, compares
   * with one of its jobs, or references it. Its jobs stay: their outputs are theirs.
   */
  async destroy(
    name: string,
  ): Promise<
    { state: 'absent' } | { state: 'running'; jobs: string[] } | ({ state: 'deleted' } & DatasetDeleted)
  > {
    return this.serial(async () => {
      if (!(await this.current(name))) return { state: 'absent' };
      await this.prune();
      const jobs = this.db.pinned().map((p) => p.job);
      if (jobs.length > 0) return { state: 'running', jobs };
      const deleted = await deleteDatasetObjects(this.env, name);
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      this.db = new KeeperDb(this.ctx.storage.sql);
      return { state: 'deleted', ...deleted };
    });
  }

  /** Job `job` ended (or never started): what only it read can go. */
  async release(job: string): Promise<void> {
    await this.serial(async () => {
      this.db.unpin(job);
      await this.sweep();
    });
  }

  /** The manifest brought up to date with the bucket (inside `serial`). */
  private async current(name: string): Promise<DatasetInfo | null> {
    const { info, left } = await refreshManifest(
      this.env.DATA_BUCKET,
      name,
      new Date(),
      maxUploadBytes(this.env),
      this.db.retired(),
    );
    if (left.length) {
      this.db.retire(left, Date.now());
      await this.sweep();
    }
    return info;
  }

  /**
   * Drop the pins of jobs that ended (or never started within START_GRACE_MS): their coordinators are
   * asked, so a job that ended without calling `release` still lets go.
   */
  private async prune(): Promise<void> {
    for (const { job, at } of this.db.pinned()) {
      const status = await coordinator(this.env, job).status();
      if (status ? status.state !== 'running' : Date.now() - at > START_GRACE_MS) this.db.unpin(job);
    }
  }

  /**
   * Delete the replaced objects no unfinished job reads (after `prune`). `measure`: their sizes are
   * read first, for gc's report; `dryRun`: nothing is deleted.
   */
  private async sweep({ dryRun = false, measure = false } = {}): Promise<Freed> {
    const freed = { objects: 0, bytes: 0 };
    if (this.db.retired().size === 0) return freed;
    await this.prune();
    const unread = this.db.unread();
    for (let i = 0; i < unread.length; i += 1000) {
      const keys = unread.slice(i, i + 1000);
      if (measure)
        for (const key of keys) {
          const head = await this.env.DATA_BUCKET.head(key);
          if (head) freed.bytes += head.size;
        }
      freed.objects += keys.length;
      if (dryRun) continue;
      await this.env.DATA_BUCKET.delete(keys);
      this.db.deleted(keys);
    }
    return freed;
  }

  /**
   * `refRecipe`: the recipe of the `recipeRef` job, read when the schedule is set and kept here, so
   * the schedule keeps running when that job is deleted.
   */
  async setSchedule(name: string, body: ScheduleBody, refRecipe?: Recipe): Promise<Schedule> {
    this.db.setSchedule(body, Date.now());
    if (refRecipe) this.db.setMeta('refRecipe', refRecipe);
    else this.db.deleteMeta('refRecipe');
    await this.env.DATA_BUCKET.put(scheduleMarkerKey(name), '');
    return this.db.schedule(name)!;
  }

  async getSchedule(name: string): Promise<Schedule | null> {
    return this.db.schedule(name);
  }

  async deleteSchedule(name: string): Promise<boolean> {
    const had = this.db.deleteSchedule();
    await this.env.DATA_BUCKET.delete(scheduleMarkerKey(name));
    return had;
  }

  /**
   * One tick at `now` (the Cron Trigger's scheduled time): bring active runs up to date, then start
   * a run when one is due, a failed one may be retried, or `force` asks for one.
   */
  async tick(name: string, now: number, force = false): Promise<TickResult> {
    await this.sync(name);
    // From here to insertRun nothing awaits: the check and the start are one turn.
    const result = (
      action: TickResult['action'],
      run: string | null = null,
      error: string | null = null,
    ) => ({
      dataset: name,
      action,
      run,
      error,
      nextDue: this.db.schedule(name)?.nextDue ?? null,
    });
    if (!this.db.body()) return result('none');
    const decision = this.db.decide(now, force);
    if (!decision.start)
      return result(decision.action, decision.action === 'busy' ? this.db.active()[0].run : null);
    const body = this.db.body()!;
    const run = newId('j');
    const previous = this.db.meta<string>('latest') ?? null;
    this.db.insertRun({ run, trigger: decision.trigger, tick: now, now: Date.now(), previous });
    if (decision.advance) this.db.setDue(nextDue(body, this.db.dueAt() ?? now, now));
    try {
      const recipe = await this.recipe(body);
      const dataset = await this.snapshot(name, run, previous ?? undefined);
      if (!dataset) throw new Error(`dataset "${name}" does not exist`);
      await startJob(this.env, dataset, recipe, { id: run, ...(previous ? { previous } : {}) });
      this.db.started(run, dataset.objects.length);
      return result('started', run);
    } catch (e) {
      const error = `could not start: ${e instanceof Error ? e.message : String(e)}`;
      this.db.unpin(run);
      this.db.ended(run, 'failed', error, null, Date.now());
      return result('failed', run, error);
    }
  }

  async runs(name: string): Promise<RunList> {
    await this.sync(name);
    return { dataset: name, latest: this.db.meta<string>('latest') ?? null, runs: this.db.runs(name) };
  }

  /** One run, brought up to date; null when the dataset has no such run. */
  async run(name: string, id: string): Promise<Run | null> {
    await this.sync(name);
    return this.db.run(name, id);
  }

  private async recipe(body: ScheduleBody): Promise<Recipe> {
    if (body.recipe) return body.recipe;
    if (!body.recipeRef) return RecipeSchema.parse({});
    const kept = this.db.meta<Recipe>('refRecipe');
    if (kept) return kept;
    // A schedule set before the recipe was kept here reads it from the job.
    const o = await this.env.DATA_BUCKET.get(jobSpecKey(body.recipeRef));
    if (!o) throw new Error(`recipeRef job "${body.recipeRef}" does not exist`);
    return ((await o.json()) as JobSpec).recipe;
  }

  /** Ask the coordinators of active runs how they are; record the ones that ended, and move `latest`. */
  private async sync(name: string): Promise<void> {
    for (const r of this.db.active()) {
      const status = await coordinator(this.env, r.run).status();
      if (!status) {
        if (r.state === 'starting' && Date.now() - r.started_at > START_GRACE_MS)
          this.db.ended(r.run, 'failed', 'the run did not start', null, Date.now());
        continue;
      }
      if (status.state === 'running') {
        this.db.started(r.run);
        continue;
      }
      const report =
        status.state === 'done'
          ? ((await (await this.env.DATA_BUCKET.get(reportKey(r.run)))?.json()) as Report | null)
          : null;
      const finished = Date.parse(status.updatedAt) || Date.now();
      this.db.ended(r.run, status.state, status.error, report, finished);
      if (status.state === 'done') await this.point(name, r.run, finished);
    }
  }

  /** The dataset as served: its manifest and the `latest` pointer this object keeps. */
  private withLatest(info: DatasetInfo): DatasetInfo {
    const latest = this.db.meta<string>('latest');
    return latest ? { ...info, latest } : info;
  }

  /** The dataset's `latest` pointer: kept here (served with the dataset), and in latest.json for other tools. */
  private async point(name: string, run: string, finished: number): Promise<void> {
    this.db.setMeta('latest', run);
    const latest: Latest = {
      dataset: name,
      run,
      finishedAt: new Date(finished).toISOString(),
      outputs: `/v1/jobs/${run}/outputs`,
    };
    await this.env.DATA_BUCKET.put(datasetLatestKey(name), JSON.stringify(latest), {
      httpMetadata: { contentType: 'application/json' },
    });
  }
}
