import type { Report } from '../../schemas/output.ts';
import type { Recipe } from '../../schemas/recipe.ts';
import type { VectorCache } from '../embed/vector-cache.ts';
import type { ShardRange } from '../formats/types.ts';
import type { ProviderSet } from '../providers/types.ts';
import type { CellCache } from '../score/cell-cache.ts';
import type { OutputFile } from './outputs.ts';
import type { BlobStore, ObjectInfo } from './store.ts';

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
  /**
   * Index of the shard's first record within its own object (0 before ingest counted the shards): a
   * record's id is made from its index in its object and its content, so a dataset's JSONL, JSON
   * array and Parquet forms give their records the same ids.
   */
  partIndex?: number;
  /** Lines of the same object before the shard (JSONL only). */
  lineOffset: number;
  /** The dataset has several objects: sources carry `part`. */
  multipart: boolean;
}

/** The shard table, as the host keeps it (an array in one process, SQLite in the coordinator). */
export interface ShardTable {
  count(): number;
  shard(n: number): ShardInfo;
  /** Every shard, in order (reads the whole table: for barriers, not for each task). */
  all(): ShardInfo[];
}

/** What the host keeps between barriers besides the shard table and the ledger: each stage's state, by id. */
export type PipelineState = Record<string, unknown>;

/** Per stage: records it counted, its wall time and the tasks of its last step (report.json `stages`). */
export type StageTimes = Report['stages'];

/** The queues stages run on (each has its consumer and dead-letter queue in wrangler.toml). */
export type QueueName = 'ingest' | 'score' | 'select' | 'export';

/** What a stage may need besides the object store; each host (workerd, one process) supplies its own. */
export interface TaskDeps {
  /** The cell cache of a dataset. */
  cells?: (dataset: string) => CellCache;
  /** The embedding vectors of a dataset (model embedders only). */
  vectors?: (dataset: string) => VectorCache;
  /**
   * Model endpoints for the recipe's `providers` (absent: model-backed scorers fail clearly), each
   * with a 1/`budgetParts` share of its request budget (`ProviderDeps.budgetParts`).
   */
  providers?: (configs: Recipe['providers'], budgetParts?: number) => ProviderSet;
}

/** Where a task sits in its job. Plain data: the coordinator hands it to the consumer over RPC. */
export interface TaskHead {
  spec: JobSpec;
  stage: string;
  /** The named step of the stage this task runs. */
  step: string;
  /** The stage's iteration: 0 when it opens, one more at each step it opens after. */
  iter: number;
  /** The task's index in its step: its shard for per-shard steps. */
  index: number;
  /** Shards of the job. */
  shards: number;
}

/** A task: where it sits, and what its stage hands it (see StageDef.input). */
export interface Task<I = unknown> extends TaskHead {
  input: I;
}

/** What a task runs with: the object store and the host's services. */
export interface TaskEnv {
  store: BlobStore;
  deps: TaskDeps;
  /**
   * Model endpoints for the recipe's providers, the job's request budget split evenly over `parts`
   * tasks so that they never exceed it together. Undefined when the recipe or the host has none.
   */
  providers(parts: number): ProviderSet | undefined;
}

/** Records a task read and wrote: progress and the report's per-stage `records`. */
export interface RecordCounts {
  in: number;
  out: number;
}

/** How many tasks a step runs: one per shard (task i reads shard i), one, or a number from the state. */
export type Fan<S> = 'shards' | 'one' | ((state: S, view: JobView) => number);

/** One named step of a stage: its fan-out, what a task does, and what it counts. */
export interface StepDef<S, I, R> {
  fan: Fan<S>;
  run(task: Task<I>, env: TaskEnv): Promise<R>;
  counts?(result: R): RecordCounts;
}

/** The job as a stage sees it at a barrier: its spec, its shards, and the state of every stage so far. */
export interface JobView {
  spec: JobSpec;
  table: ShardTable;
  /** A stage's state once it has opened; undefined when it has not run (or does not apply). */
  // biome-ignore lint/suspicious/noExplicitAny: any stage's input and steps
  of<S>(stage: StageDef<S, any, any>): S | undefined;
}

export type StepName<Steps> = keyof Steps & string;

/** A stage's decision: open `step` (its tasks run next), or the stage is done. */
export type Decision<S, Steps> =
  | { step: StepName<Steps>; state: S; table?: ShardInfo[] }
  | { done: true; state: S; table?: ShardInfo[] };

/** Every task of `step` has reported: their results in task order, and the stage's state. */
export type Barrier<S, Steps> = {
  [K in StepName<Steps>]: { step: K; iter: number; results: Steps[K][]; state: S };
}[StepName<Steps>];

/** A deep partial of report.json: what one stage contributes to it. */
export type ReportPart = {
  [K in keyof Report]?: Report[K] extends Record<string, unknown> ? Partial<Report[K]> : Report[K];
};

/**
 * A pipeline stage: its named steps (each with its fan-out, its task and its typed result), the queue
 * it runs on, its state between barriers, and what it adds to the report and the outputs. Registered
 * by id in src/pipeline/stages/index.ts; the hosts (runLocal, the coordinator) only look it up.
 *
 * `S` is the stage's state (plain data, kept by the host between barriers and readable by later
 * stages through `view.of(stage)`); `I` what each task gets besides its head; `Steps` maps each step
 * name to its task result.
 */
export interface StageDef<S = unknown, I = unknown, Steps = Record<string, unknown>> {
  id: string;
  /** The queue its tasks run on. */
  queue: QueueName;
  /** One line: what it does (for docs and errors). */
  summary: string;
  /** Whether the stage is part of this kind of job: progress lists it and its report part counts. */
  applies(spec: JobSpec): boolean;
  /** Whether it runs, asked when the stages before it are done (default: it runs). */
  runs?(view: JobView): boolean;
  /** Its first step (or done at once), when it opens. */
  start(view: JobView): Decision<S, Steps>;
  steps: { [K in StepName<Steps>]: StepDef<S, I, Steps[K]> };
  /** What task `index` of `step` gets besides its head: plain data. */
  input(view: JobView, state: S, step: StepName<Steps>, index: number): I;
  /** After every task of a step reported: the next step, or done with the stage's final state. */
  next(view: JobView, barrier: Barrier<S, Steps>): Decision<S, Steps>;
  /** Its part of report.json (`state` is undefined when it did not run). */
  report?(view: JobView, state: S | undefined): ReportPart;
  /**
   * The output files it writes, named in the job's manifest (report.json is added by the pipeline).
   * Asked whether or not it ran (`state` undefined): a file it would have written is then empty.
   */
  outputs?(view: JobView, state: S | undefined): OutputFile[];
  /** Its outputs go after every other stage's (the card and provenance, which describe the rest). */
  trailer?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds stages of every state and result type
export type AnyStage = StageDef<any, any, any>;
