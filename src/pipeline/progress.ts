import type { JobStatus, StageProgress } from '../../schemas/api.ts';
import { listStages } from './registry.ts';
import './stages/index.ts';
import type { JobSpec } from './types.ts';

/** One stage as its host sees it: its current iteration's tasks, and what all of its tasks counted. */
export interface StageSnapshot {
  stage: string;
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
  stage: string;
  error: string | null;
  created: number;
  updated: number;
  stages: StageSnapshot[];
  /** Tasks sent again after restarts of the local stack (ms times), and the last time; null if none. */
  resumed?: { at: number; tasks: number; restarts: number[] } | null;
}

/** The job status the API serves, from a coordinator snapshot: every stage of this kind of job, in order. */
export function jobProgress(spec: JobSpec, snap: Snapshot): JobStatus {
  const byStage = new Map(snap.stages.map((s) => [s.stage, s]));
  const stages: StageProgress[] = listStages()
    .filter((stage) => stage.applies(spec))
    .map(({ id: name }) => {
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
    ...(snap.resumed
      ? {
          resumed: {
            at: new Date(snap.resumed.at).toISOString(),
            tasks: snap.resumed.tasks,
            restarts: snap.resumed.restarts.length,
          },
        }
      : {}),
  };
}
