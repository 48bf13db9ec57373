import type { Stage } from '../schemas/message.ts';
import type { Snapshot } from '../src/pipeline/progress.ts';
import type { Times } from './coordinator-db.ts';

type JobState = Snapshot['state'];

/** Per-stage progress from the task table and the ledger: what GET /v1/jobs/:id shows. */
export function snapshot(sql: SqlStorage, get: <T>(key: string) => T | undefined): Snapshot {
  const times = get<Times>('times') ?? {};
  const rows = sql
    .exec<{ stage: string; total: number; failures: number; iter: number }>(
      'SELECT stage, COUNT(*) AS total, SUM(failures) AS failures, MAX(iter) AS iter FROM tasks GROUP BY stage',
    )
    .toArray();
  const now = Date.now();
  const stages = rows.map((r) => {
    const tasks = sql
      .exec<{ n: number }>('SELECT COUNT(*) AS n FROM tasks WHERE stage = ? AND iter = ?', r.stage, r.iter)
      .one().n;
    const done = sql
      .exec<{ n: number; rin: number | null; rout: number | null }>(
        'SELECT COUNT(*) AS n, SUM(records_in) AS rin, SUM(records_out) AS rout FROM ledger WHERE stage = ? AND iter = ?',
        r.stage,
        r.iter,
      )
      .one();
    const t = times[r.stage];
    const end = t?.finished ?? (get<JobState>('state') === 'running' ? now : (get<number>('updated') ?? now));
    return {
      stage: r.stage as Stage,
      iter: r.iter,
      total: tasks,
      done: done.n,
      recordsIn: done.rin ?? 0,
      recordsOut: done.rout ?? 0,
      errors: r.failures ?? 0,
      seconds: t ? (end - t.started) / 1000 : 0,
      finished: t?.finished !== undefined,
    };
  });
  return {
    state: get<JobState>('state') ?? 'running',
    stage: get<Stage>('stage') ?? 'plan',
    error: get<string | null>('error') ?? null,
    created: get<number>('created') ?? now,
    updated: get<number>('updated') ?? now,
    stages,
  };
}
