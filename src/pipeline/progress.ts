import type { JobStatus, StageProgress } from '../../schemas/api.ts';
import type { Stage } from '../../schemas/message.ts';
import type { JobSpec } from './spec.ts';

export interface StageSnapshot {
  stage: Stage;
  iter: number;
  total: number;
  done: number;
  recordsIn: number;
  recordsOut: number;
  errors: number;
  seconds: number;
  finished: boolean;
}

export interface Snapshot {
  state: JobStatus['state'];
  stage: Stage;
  error: string | null;
  created: number;
  updated: number;
  stages: StageSnapshot[];
}

const ORDER: Stage[] = ['plan', 'ingest', 'fit', 'score', 'embed', 'cluster', 'select', 'export'];

/** Records a task read and wrote, from its result, for progress and the report. */
export function taskRecords(stage: Stage, result: unknown): { recordsIn: number; recordsOut: number } {
  const r = result as Record<string, number>;
  switch (stage) {
    case 'ingest':
      return { recordsIn: r.records, recordsOut: r.valid };
    case 'fit':
      return {
        recordsIn: typeof r.records === 'number' ? r.records : 0,
        recordsOut: typeof r.sampled === 'number' ? r.sampled : 0,
      };
    case 'score':
      return { recordsIn: r.records, recordsOut: r.records - (r.filtered ?? 0) };
    case 'select': {
      const n = typeof r.n === 'number' ? r.n : 0;
      return { recordsIn: n, recordsOut: n };
    }
    case 'export':
      return { recordsIn: r.selected + r.rejected + r.invalid, recordsOut: r.selected };
    default:
      return { recordsIn: 0, recordsOut: 0 };
  }
}

/** The job status the API serves, from a coordinator snapshot. */
export function jobProgress(spec: JobSpec, snap: Snapshot): JobStatus {
  const byStage = new Map(snap.stages.map((s) => [s.stage, s]));
  const stages: StageProgress[] = ORDER.map((name) => {
    const s = byStage.get(name);
    if (!s) {
      return {
        name,
        state: 'waiting',
        shardsDone: 0,
        shardsTotal: 0,
        step: 0,
        recordsIn: 0,
        recordsOut: 0,
        errors: 0,
        seconds: 0,
      };
    }
    return {
      name,
      state: s.finished ? 'done' : 'running',
      shardsDone: s.done,
      shardsTotal: s.total,
      step: s.iter + 1,
      recordsIn: s.recordsIn,
      recordsOut: s.recordsOut,
      errors: s.errors,
      seconds: s.seconds,
    };
  });
  return {
    id: spec.id,
    dataset: spec.dataset,
    state: snap.state,
    stage: snap.stage,
    error: snap.error,
    createdAt: new Date(snap.created).toISOString(),
    updatedAt: new Date(snap.updated).toISOString(),
    stages,
  };
}
