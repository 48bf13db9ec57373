import type { Snapshot } from '../src/pipeline/progress.ts';

type JobState = Snapshot['state'];

/** When each stage opened its first step, and when its last barrier was crossed. */
export type Times = Record<string, { started: number; finished?: number }>;

/**
 * Per-stage progress from the task table and the ledger: what GET /v1/jobs/:id shows. Tasks are those
 * of the stage's current step; records are what every task of the stage counted (src/pipeline/advance.ts
 * stepCounts), the same sums runLocal keeps.
 */
export function snapshot(sql: SqlStorage, get: <T>(key: string) => T | undefined): Snapshot {
  const times = get<Times>('times') ?? {};
  const rows = sql
    .exec<{ stage: string; failures: number; iter: number }>(
      'SELECT stage, SUM(failures) AS failures, MAX(iter) AS iter FROM tasks GROUP BY stage',
    )
    .toArray();
  const now = Date.now();
  const stages = rows.map((r) => {
    const tasks = sql
      .exec<{ n: number }>('SELECT COUNT(*) AS n FROM tasks WHERE stage = ? AND iter = ?', r.stage, r.iter)
      .one().n;
    const done = sql
      .exec<{ n: number }>('SELECT COUNT(*) AS n FROM ledger WHERE stage = ? AND iter = ?', r.stage, r.iter)
      .one().n;
    const records = sql
      .exec<{ rin: number | null; rout: number | null }>(
        'SELECT SUM(records_in) AS rin, SUM(records_out) AS rout FROM ledger WHERE stage = ?',
        r.stage,
      )
      .one();
    const t = times[r.stage];
    const end = t?.finished ?? (get<JobState>('state') === 'running' ? now : (get<number>('updated') ?? now));
    return {
      stage: r.stage,
      iter: r.iter,
      total: tasks,
      done,
      recordsIn: records.rin ?? 0,
      recordsOut: records.rout ?? 0,
      errors: r.failures ?? 0,
      seconds: t ? (end - t.started) / 1000 : 0,
      finished: t?.finished !== undefined,
    };
  });
  return {
    state: get<JobState>('state') ?? 'running',
    stage: get<string>('stage') ?? 'plan',
    error: get<string | null>('error') ?? null,
    created: get<number>('created') ?? now,
    updated: get<number>('updated') ?? now,
    stages,
    resumed: get<Snapshot['resumed']>('resumed') ?? null,
  };
}
