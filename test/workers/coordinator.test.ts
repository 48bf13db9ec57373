import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { TaskMessage } from '../../schemas/message.ts';
import { RecipeSchema } from '../../schemas/recipe.ts';
import { generateDemo } from '../../src/demo/index.ts';
import { runTask } from '../../src/pipeline/run-task.ts';
import type { JobSpec } from '../../src/pipeline/types.ts';
import type { JobCoordinator } from '../../workers/coordinator.ts';
import { CoordinatorDb } from '../../workers/coordinator-db.ts';
import { OPEN_TASKS } from '../../workers/coordinator-schema.ts';
import worker from '../../workers/index.ts';
import { r2Store } from '../../workers/r2-store.ts';
import { taskDeps } from '../../workers/task-deps.ts';
import { json, output, startJob, upload, waitForJob } from './helpers.ts';

const LEASE = 60_000; // LEASE_MS in the test bindings
const MAX_ATTEMPTS = 4;

function stubFor(job: string) {
  return env.JOB_COORDINATOR.get(env.JOB_COORDINATOR.idFromName(job));
}

async function specFor(job: string, dataset: string, recipe: unknown = {}): Promise<JobSpec> {
  const info = await (await env.DATA_BUCKET.get(`datasets/${dataset}/manifest.json`))!.json<{
    objects: JobSpec['objects'];
  }>();
  return {
    id: job,
    dataset,
    objects: info.objects,
    recipe: RecipeSchema.parse(recipe),
    createdAt: new Date().toISOString(),
  };
}

/** A task message; each of these stages' first step is named after the stage. */
const msg = (job: string, stage: string, shard: number, attempt = 0, iter = 0): TaskMessage => ({
  v: 2,
  job,
  stage,
  step: stage,
  iter,
  shard,
  attempt,
});
const at = (stage: string) => ({ stage, step: stage, iter: 0 });

const tally = { records: 10, valid: 9, invalid: 1, lines: 10 };

describe('JobCoordinator ledger and leases', () => {
  it('counts a report delivered twice only once, and crosses the barrier once', async () => {
    const job = 'jdupdelivery01';
    await runInDurableObject(
      stubFor(job) as DurableObjectStub<JobCoordinator>,
      async (instance: JobCoordinator, state) => {
        const db = instance.db;
        db.create(await specFor(job, 'none-needed').catch(() => ({ id: job }) as JobSpec), 1000);
        db.openStep(at('ingest'), 2, 1000);
        expect(db.lease(msg(job, 'ingest', 0), 1001)).toEqual({ ok: true });
        expect(db.lease(msg(job, 'ingest', 0), 1002)).toEqual({ ok: false, reason: 'busy' });
        expect(db.record(msg(job, 'ingest', 0), tally, 1003)).toEqual({ accepted: true });
        expect(db.record(msg(job, 'ingest', 0), tally, 1004)).toEqual({ accepted: true, duplicate: true });
        expect(db.lease(msg(job, 'ingest', 0), 1005)).toEqual({ ok: false, reason: 'done' });
        const sum = state.storage.sql
          .exec<{ n: number; rin: number }>(
            "SELECT COUNT(*) AS n, SUM(records_in) AS rin FROM ledger WHERE stage = 'ingest'",
          )
          .one();
        expect(sum).toEqual({ n: 1, rin: 10 });
        expect(db.record(msg(job, 'ingest', 1), tally, 1006)).toEqual({
          accepted: true,
          barrier: { stage: 'ingest', step: 'ingest', iter: 0 },
        });
        // A late duplicate of the last report does not cross the barrier again.
        expect(db.record(msg(job, 'ingest', 1), tally, 1007)).toEqual({ accepted: true, duplicate: true });
        // Reports for a stage that is not open are stale.
        expect(db.record(msg(job, 'score', 0), tally, 1008)).toEqual({ accepted: false, reason: 'stale' });
      },
    );
  });

  it('finds the open tasks of a step through the ledger index, not a scan of the ledger per task', async () => {
    const job = 'jledgerindex01';
    await runInDurableObject(
      stubFor(job) as DurableObjectStub<JobCoordinator>,
      async (instance: JobCoordinator, state) => {
        instance.db.create({ id: job } as JobSpec, 1000);
        const plan = state.storage.sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${OPEN_TASKS}`, 'ingest', 0)
          .toArray()
          .map((r) => r.detail);
        // The correlated subquery seeks the index; a full scan of the ledger would read `SCAN l`.
        expect(plan.some((d) => /SEARCH l USING (COVERING )?INDEX ledger_task/.test(d))).toBe(true);
        expect(plan.some((d) => /SCAN l\b/.test(d))).toBe(false);
      },
    );
  });

  it('re-leases an expired task with a new attempt, fences the old one, and fails after the limit', async () => {
    const job = 'jexpiredlease1';
    await runInDurableObject(
      stubFor(job) as DurableObjectStub<JobCoordinator>,
      (instance: JobCoordinator) => {
        const db = instance.db;
        db.create({ id: job } as JobSpec, 0);
        db.openStep(at('score'), 3, 0);
        db.markEnqueued(
          [0, 1, 2].map((shard) => ({ ...at('score'), shard, attempt: 0 })),
          0,
        );
        expect(db.lease(msg(job, 'score', 1), 0)).toEqual({ ok: true });
        expect(db.expired(LEASE - 1)).toEqual([]);
        expect(db.expired(LEASE)).toEqual([{ ...at('score'), shard: 1, attempt: 1 }]);
        expect(db.lease(msg(job, 'score', 1, 0), LEASE + 1)).toEqual({ ok: false, reason: 'stale' });
        let now = LEASE + 1;
        for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
          expect(db.lease(msg(job, 'score', 1, attempt), now)).toEqual({ ok: true });
          now += LEASE;
          const due = db.expired(now);
          if (attempt < MAX_ATTEMPTS - 1)
            expect(due).toEqual([{ ...at('score'), shard: 1, attempt: attempt + 1 }]);
        }
        expect(db.state()).toBe('failed');
        expect(db.snapshot().error).toBe(
          'score shard 1 (failed 4 times): lease expired: no report within 60s',
        );
      },
    );
  });

  it('fails the job at once on a fatal error and after N ordinary failures', async () => {
    const job = 'jfailures00001';
    await runInDurableObject(
      stubFor(job) as DurableObjectStub<JobCoordinator>,
      (instance: JobCoordinator) => {
        const db = instance.db;
        db.create({ id: job } as JobSpec, 0);
        db.openStep(at('ingest'), 1, 0);
        for (let i = 1; i < MAX_ATTEMPTS; i++)
          expect(db.failure(msg(job, 'ingest', 0), 'R2 hiccup', false, i)).toBe(true);
        expect(db.failure(msg(job, 'ingest', 0), 'R2 hiccup', false, 9)).toBe(false);
        expect(db.snapshot().error).toBe('ingest shard 0 (failed 4 times): R2 hiccup');
      },
    );
  });
});

describe('JobCoordinator after a stop (a restarted local stack)', () => {
  it('re-sends at once what was queued or leased before the local stack restarted', async () => {
    const job = 'jrestarted0001';
    await runInDurableObject(
      stubFor(job) as DurableObjectStub<JobCoordinator>,
      (_instance: JobCoordinator, state) => {
        // Before the restart: shard 0 leased (its worker died with the process), shard 1 done, shard 2
        // queued (the message was in Miniflare's memory).
        const before = new CoordinatorDb(state.storage.sql, LEASE, MAX_ATTEMPTS);
        before.create({ id: job } as JobSpec, 0);
        before.openStep(at('score'), 3, 0);
        before.markEnqueued(
          [0, 1, 2].map((shard) => ({ ...at('score'), shard, attempt: 0 })),
          0,
        );
        expect(before.lease(msg(job, 'score', 0), 100)).toEqual({ ok: true });
        expect(before.lease(msg(job, 'score', 1), 200)).toEqual({ ok: true });
        expect(before.record(msg(job, 'score', 1), tally, 300)).toEqual({ accepted: true });
        // Without the restart mark (Cloudflare), nothing is due before the lease or the lost-message delay.
        expect(before.expired(1001)).toEqual([]);

        const after = new CoordinatorDb(state.storage.sql, LEASE, MAX_ATTEMPTS, 1000);
        const due = after.expired(1001);
        expect(due).toEqual([
          { ...at('score'), shard: 0, attempt: 1 },
          { ...at('score'), shard: 2, attempt: 0 },
        ]);
        after.markEnqueued(due, 1001);
        // Sent again after the restart: not due again; the dead worker's attempt is fenced.
        expect(after.expired(1002)).toEqual([]);
        expect(after.lease(msg(job, 'score', 0, 0), 1003)).toEqual({ ok: false, reason: 'stale' });
        expect(after.lease(msg(job, 'score', 0, 1), 1003)).toEqual({ ok: true });
        expect(after.expired(1004)).toEqual([]);
        const lost = state.storage.sql
          .exec<{ failures: number; interrupted: number; last_error: string }>(
            "SELECT failures, interrupted, last_error FROM tasks WHERE stage = 'score' AND shard = 0",
          )
          .one();
        // Interrupted, not failed: the restart spends none of the task's MAX_ATTEMPTS.
        expect(lost).toEqual({
          failures: 0,
          interrupted: 1,
          last_error: 'the local stack stopped while it ran',
        });
        // Status says so: two tasks sent again (the leased one and the queued one), one restart.
        expect(after.snapshot().resumed).toEqual({ at: 1001, tasks: 2, restarts: [1000] });
        expect(after.snapshot().stages.find((s) => s.stage === 'score')!.errors).toBe(0);
      },
    );
  });

  it('fails the job when one task was interrupted by MAX_ATTEMPTS restarts in a row', async () => {
    const job = 'jrestarted0002';
    await runInDurableObject(
      stubFor(job) as DurableObjectStub<JobCoordinator>,
      (_instance: JobCoordinator, state) => {
        new CoordinatorDb(state.storage.sql, LEASE, MAX_ATTEMPTS).create({ id: job } as JobSpec, 0);
        new CoordinatorDb(state.storage.sql, LEASE, MAX_ATTEMPTS).openStep(at('score'), 1, 0);
        for (let restart = 1; restart <= MAX_ATTEMPTS; restart++) {
          // Leased at 1000·restart - 10, then the stack restarts at 1000·restart.
          const db = new CoordinatorDb(state.storage.sql, LEASE, MAX_ATTEMPTS, 1000 * (restart - 1) + 1);
          expect(db.lease(msg(job, 'score', 0, restart - 1), 1000 * restart - 10)).toEqual({ ok: true });
          const next = new CoordinatorDb(state.storage.sql, LEASE, MAX_ATTEMPTS, 1000 * restart);
          const due = next.expired(1000 * restart + 1);
          if (restart < MAX_ATTEMPTS) expect(due).toEqual([{ ...at('score'), shard: 0, attempt: restart }]);
          else {
            expect(due).toEqual([]);
            expect(next.snapshot().error).toBe(
              `score shard 0 (interrupted ${MAX_ATTEMPTS} times): the local stack stopped while it ran`,
            );
          }
        }
      },
    );
  });

  it('finds a step whose every task is in the ledger while its barrier was not crossed', async () => {
    const job = 'juncrossed0001';
    await runInDurableObject(
      stubFor(job) as DurableObjectStub<JobCoordinator>,
      (instance: JobCoordinator) => {
        const db = instance.db;
        db.create({ id: job } as JobSpec, 0);
        expect(db.uncrossed()).toBeNull();
        db.openStep(at('ingest'), 2, 0);
        db.record(msg(job, 'ingest', 0), tally, 1);
        expect(db.uncrossed()).toBeNull();
        expect(db.record(msg(job, 'ingest', 1), tally, 2).barrier).toEqual(at('ingest'));
        expect(db.uncrossed()).toEqual(at('ingest'));
        db.openStep(at('score'), 2, 3);
        expect(db.uncrossed()).toBeNull();
        db.failJob('gone', 4);
        expect(db.uncrossed()).toBeNull();
      },
    );
  });
});

describe('watchdog and queue consumer on the real runtime', () => {
  it('recovers an expired lease and a lost message through the alarm, and the job finishes exactly', async () => {
    await upload('watchdog', generateDemo({ records: 200, seed: 5 }));
    const job = 'jwatchdog00001';
    const stub = stubFor(job) as DurableObjectStub<JobCoordinator>;
    const spec = await specFor(job, 'watchdog', { shardBytes: 4096, select: { dedup: false, budget: 50 } });
    await runInDurableObject(stub, async (instance: JobCoordinator, state) => {
      const db = instance.db;
      db.create(spec, Date.now());
      await state.storage.setAlarm(Date.now() + LEASE);
      // The plan message is "lost" (never sent) and its lease, taken by a worker that died, has expired.
      db.openStep(at('plan'), 1, Date.now());
      expect(db.lease(msg(job, 'plan', 0), Date.now() - 2 * LEASE)).toEqual({ ok: true });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const status = await waitForJob(job);
    expect(status.state).toBe('done');
    expect(status.stages[0]).toMatchObject({ name: 'plan', errors: 1, shardsDone: 1 });
    const report = JSON.parse(await output(job, 'report.json'));
    expect(report.counts.selected).toBe(50);
    expect(report.counts.selected + report.counts.rejected + report.counts.invalid).toBe(report.counts.input);
  });

  it('crosses, from the alarm, a barrier whose last report was recorded before a stop', async () => {
    await upload('uncrossed', generateDemo({ records: 200, seed: 6 }));
    const job = 'juncrossed0002';
    const stub = stubFor(job) as DurableObjectStub<JobCoordinator>;
    const spec = await specFor(job, 'uncrossed', { shardBytes: 4096, select: { dedup: false, budget: 40 } });
    await runInDurableObject(stub, async (instance: JobCoordinator, state) => {
      const db = instance.db;
      db.create(spec, Date.now());
      await state.storage.setAlarm(Date.now() + LEASE);
      // The plan task ran and its report was recorded; the object stopped before crossing the barrier.
      db.openStep(at('plan'), 1, Date.now());
      expect(db.lease(msg(job, 'plan', 0), Date.now())).toEqual({ ok: true });
      const result = await runTask(r2Store(env.DATA_BUCKET), db.context(msg(job, 'plan', 0)), taskDeps(env));
      expect(db.record(msg(job, 'plan', 0), result, Date.now()).barrier).toEqual(at('plan'));
      expect(db.current()).toEqual(at('plan'));
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const status = await waitForJob(job);
    expect(status.state).toBe('done');
    const report = JSON.parse(await output(job, 'report.json'));
    expect(report.counts.selected).toBe(40);
    expect(report.counts.selected + report.counts.rejected + report.counts.invalid).toBe(report.counts.input);
    expect(report.counts.input).toBe(200);
  });

  it('acks a redelivered message for finished work without doing it again', async () => {
    await upload('redeliver', generateDemo({ records: 100, seed: 9 }));
    const id = await startJob('redeliver', { shardBytes: 2048 });
    expect((await waitForJob(id)).state).toBe('done');
    const before = await output(id, 'report.json');
    const batch = createMessageBatch<unknown>('winnow-score', [
      { id: 'dup-1', timestamp: new Date(), attempts: 2, body: msg(id, 'score', 0) },
      { id: 'junk-1', timestamp: new Date(), attempts: 1, body: { hello: 'world' } },
      { id: 'other-1', timestamp: new Date(), attempts: 1, body: msg('jnosuchjob0000', 'ingest', 0) },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(['dup-1', 'junk-1', 'other-1']);
    expect(result.retryMessages).toEqual([]);
    expect(await output(id, 'report.json')).toBe(before);
  });

  it('retries a task whose coordinator accepted the failure, and keeps the message otherwise', async () => {
    const job = 'jretrytask0001';
    const stub = stubFor(job) as DurableObjectStub<JobCoordinator>;
    await runInDurableObject(stub, (instance: JobCoordinator) => {
      // An ingest task whose input object is gone: R2 fails the read, the task is retried. (No
      // version pinned: with an etag, a gone object is input_changed, which fails the job at once.)
      instance.db.create(
        {
          id: job,
          dataset: 'x',
          objects: [{ key: 'gone', size: 10, etag: '' }],
          recipe: RecipeSchema.parse({}),
          createdAt: '',
        },
        Date.now(),
      );
      instance.db.openStep(at('plan'), 1, Date.now());
    });
    const batch = createMessageBatch<unknown>('winnow-ingest', [
      { id: 'plan-1', timestamp: new Date(), attempts: 1, body: msg(job, 'plan', 0) },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['plan-1']);
    const status = await json(
      await exports.default.fetch(
        new Request(`http://x/v1/jobs/${job}`, { headers: { authorization: 'Bearer test-token' } }),
      ),
    );
    expect(status.stages[0].errors).toBe(1);
    expect(status.state).toBe('running');
  });
});
