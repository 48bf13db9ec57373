import type { Recipe } from '../../schemas/recipe.ts';
import type { DiffCounts } from '../../schemas/schedule.ts';
import type { ShardRange } from '../formats/index.ts';
import type { PairCut } from '../pairs/budget.ts';
import type { Cut } from '../select/index.ts';
import type { ClusterState, ClusterStep } from './stages/cluster/plan.ts';
import type { ModelRef } from './stages/fit/fit.ts';
import type { SelectState } from './stages/select/plan.ts';
import type { ObjectInfo } from './store.ts';

/** What a job is: fixed when it is created, stored by its coordinator. */
export interface JobSpec {
  id: string;
  dataset: string;
  /** Snapshot of the dataset's objects at job creation, in input order. */
  objects: ObjectInfo[];
  recipe: Recipe;
  createdAt: string;
  /** An earlier job of the dataset to compare with: export then writes diff.json (scheduled runs set it). */
  previous?: string;
  /** A pair set's round (POST /v1/pairs/:set/rounds): written on every line of pairs.jsonl. */
  round?: number;
}

/** One shard as the coordinator knows it after planning (and, after ingest, with its global offsets). */
export interface ShardInfo {
  shard: number;
  range: ShardRange;
  /** Global index of the shard's first record (valid or invalid). */
  indexOffset: number;
  /** Lines of the same object before the shard (JSONL only). */
  lineOffset: number;
  /** The dataset has several objects: sources carry `part`. */
  multipart: boolean;
}

/** What a leased task gets from the coordinator besides its message. */
export type TaskContext =
  | { stage: 'plan'; spec: JobSpec }
  | { stage: 'ingest'; spec: JobSpec; shard: ShardInfo }
  | { stage: 'fit'; spec: JobSpec; iter: 0; shard: ShardInfo; rate: number }
  | { stage: 'fit'; spec: JobSpec; iter: 1; index: number; shards: number }
  | { stage: 'score'; spec: JobSpec; shard: ShardInfo; shards: number; models: Record<string, ModelRef> }
  | { stage: 'embed'; spec: JobSpec; iter: number; shard: ShardInfo; shards: number }
  | {
      stage: 'cluster';
      spec: JobSpec;
      iter: number;
      step: ClusterStep;
      plan: ClusterState;
      /** The task's index: its shard for map steps, its group for merge steps, 0 otherwise. */
      index: number;
      shard: ShardInfo;
      shards: number;
      rate: number;
    }
  | {
      stage: 'select';
      spec: JobSpec;
      iter: number;
      /** The step plan; `state.step` is what this task runs. */
      state: SelectState;
      /** The task's index: its shard for map steps, its partition for reduces, 0 otherwise. */
      index: number;
      shard: ShardInfo;
      /** Every shard's first global record index, in shard order. */
      starts: number[];
      stats: Record<string, { min: number; max: number }>;
      /** The budget in records. */
      target: number;
      /** Fitted models (the in-context scorer's). */
      models: Record<string, ModelRef>;
    }
  | {
      stage: 'export';
      spec: JobSpec;
      /**
       * 0: one task per shard writes its output parts; 1: one task writes weights.jsonl; with a
       * `previous` job, 2: a task per id-bucket range diffs the two runs, 3: one task writes diff.json.
       */
      iter: number;
      /** The task's index: its shard in step 0, its diff part in step 2. */
      index: number;
      shard: ShardInfo;
      shards: number;
      cut: Cut;
      totals: Record<string, unknown>;
      stats: Record<string, { min: number; max: number }>;
      /** Diff steps: the number of parts, then (step 3) their merged counts and diff.jsonl bytes. */
      diff?: { parts: number; counts?: DiffCounts; bytes?: number };
    }
  | {
      stage: 'pairs';
      spec: JobSpec;
      /** The step (PAIRS_ITER in stages/pairs-scatter.ts). */
      iter: number;
      /** Its shard in step 0, its partition in steps 1 and 3. */
      index: number;
      shard: ShardInfo;
      shards: number;
      partitions: number;
      cut: PairCut;
    };
