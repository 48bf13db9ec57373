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
/** A pairs job's stages: the same ingest and scoring, then pairs instead of embed…export. */
const PAIRS_ORDER: Stage[] = ['plan', 'ingest', 'fit', 'score', 'pairs'];

/** Records a task read and wrote, from its result, for progress and the report. */
export function taskRecords(stage: Stage, result: unknown): { recordsIn: number; recordsOut: number } {
  // Steps report different shapes (a reduce, the weights task): a missing count is 0, never NULL.
  const r = (result ?? {}) as Record<string, unknown>;
  const n = (key: string) => (typeof r[key] === 'number' && Number.isFinite(r[key]) ? (r[key] as number) : 0);
  switch (stage) {
    case 'ingest':
      return { recordsIn: n('records'), recordsOut: n('valid') };
    case 'fit':
      return { recordsIn: n('records'), recordsOut: n('sampled') };
    case 'score':
      return { recordsIn: n('records'), recordsOut: n('records') - n('filtered') };
    case 'select':
      return { recordsIn: n('records'), recordsOut: n('records') };
    case 'export':
      return { recordsIn: n('selected') + n('rejected') + n('invalid'), recordsOut: n('selected') };
    case 'pairs':
      return { recordsIn: n('members'), recordsOut: n('pairs') };
    default:
      return { recordsIn: 0, recordsOut: 0 };
  }
}

/** The job status the API serves, from a coordinator snapshot. */
export function jobProgress(spec: JobSpec, snap: Snapshot): JobStatus {
  const byStage = new Map(snap.stages.map((s) => [s.stage, s]));
  const stages: StageProgress[] = (spec.recipe.pairs ? PAIRS_ORDER : ORDER).map((name) => {
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
