import type { Report } from '../../schemas/output.ts';
import { finish } from './finish.ts';
import type { OutputManifest } from './outputs.ts';
import { getStage, listStages } from './registry.ts';
import './stages/index.ts';
import type {
  AnyStage,
  Decision,
  JobSpec,
  JobView,
  PipelineState,
  RecordCounts,
  ShardInfo,
  ShardTable,
  StageTimes,
  Task,
} from './types.ts';

export type { PipelineState, StageTimes } from './types.ts';

/** Where a job is: a stage, its named step and the stage's iteration (its tasks run now). */
export interface Position {
  stage: string;
  step: string;
  iter: number;
}

export interface BarrierInput extends Position {
  spec: JobSpec;
  /** This step's task results, in task order. */
  results: unknown[];
  table: ShardTable;
  state: PipelineState;
  /** For the report when the job ends here. */
  stages: StageTimes;
  seconds: number;
}

export type Advance =
  | ({ kind: 'open'; tasks: number; state: PipelineState; table?: ShardInfo[] } & Position)
  | { kind: 'finish'; state: PipelineState; report: Report; manifest: OutputManifest; table?: ShardInfo[] };

/** A table over an array of shards. */
export function arrayTable(shards: readonly ShardInfo[]): ShardTable {
  return { count: () => shards.length, shard: (n) => shards[n], all: () => [...shards] };
}

export function jobView(spec: JobSpec, table: ShardTable, state: PipelineState): JobView {
  return { spec, table, of: (stage) => state[stage.id] as never };
}

/** How many tasks `step` of `stage` runs in this state. */
function fanOut(stage: AnyStage, step: string, state: unknown, view: JobView): number {
  const fan = stepOf(stage, step).fan;
  if (fan === 'shards') return view.table.count();
  if (fan === 'one') return 1;
  return fan(state, view);
}

function stepOf(stage: AnyStage, step: string) {
  const def = stage.steps[step];
  if (!def) throw new Error(`stage "${stage.id}" has no step "${step}"`);
  return def;
}

interface Ctx {
  spec: JobSpec;
  table: ShardTable;
  state: PipelineState;
  newTable?: ShardInfo[];
  stages: StageTimes;
  seconds: number;
}

/** Apply a stage's decision: its state, and the shard table when it set one. */
function take(ctx: Ctx, stage: AnyStage, d: Decision<unknown, Record<string, unknown>>): void {
  ctx.state = { ...ctx.state, [stage.id]: d.state };
  if (d.table) {
    ctx.newTable = d.table;
    ctx.table = arrayTable(d.table);
  }
}

/** Open `step` of `stage`; a step with no task is crossed at once with no results. */
function open(ctx: Ctx, stage: AnyStage, step: string, iter: number, depth = 0): Advance {
  const view = jobView(ctx.spec, ctx.table, ctx.state);
  const tasks = fanOut(stage, step, ctx.state[stage.id], view);
  if (tasks > 0) {
    const table = ctx.newTable ? { table: ctx.newTable } : {};
    return { kind: 'open', stage: stage.id, step, iter, tasks, state: ctx.state, ...table };
  }
  if (depth > 1000) throw new Error(`stage "${stage.id}" keeps opening steps without tasks`);
  return decide(ctx, stage, { step, iter, results: [] }, depth + 1);
}

/** The stage's decision at a barrier: its next step, or the next stage. */
function decide(
  ctx: Ctx,
  stage: AnyStage,
  barrier: { step: string; iter: number; results: unknown[] },
  depth = 0,
): Advance {
  const view = jobView(ctx.spec, ctx.table, ctx.state);
  const d = stage.next(view, { ...barrier, state: ctx.state[stage.id] });
  take(ctx, stage, d);
  if ('done' in d) return openAfter(ctx, stage.id);
  return open(ctx, stage, d.step, barrier.iter + 1, depth);
}

/** The first stage after `after` (or the first of all) that applies and runs; the job's end when none is left. */
function openAfter(ctx: Ctx, after: string | null): Advance {
  const stages = listStages();
  const from = after === null ? 0 : stages.findIndex((s) => s.id === after) + 1;
  for (const stage of stages.slice(from)) {
    if (!stage.applies(ctx.spec)) continue;
    // Stages run over the plan's shards: a dataset with none ends once planned.
    if (after !== null && ctx.table.count() === 0) break;
    const view = jobView(ctx.spec, ctx.table, ctx.state);
    if (stage.runs && !stage.runs(view)) continue;
    const d = stage.start(view);
    take(ctx, stage, d);
    if ('done' in d) continue;
    return open(ctx, stage, d.step, 0);
  }
  const view = jobView(ctx.spec, ctx.table, ctx.state);
  const { report, manifest } = finish(view, ctx.stages, ctx.seconds);
  return {
    kind: 'finish',
    state: ctx.state,
    report,
    manifest,
    ...(ctx.newTable ? { table: ctx.newTable } : {}),
  };
}

/** A new job's first step. Pure. */
export function begin(spec: JobSpec): Advance {
  return openAfter({ spec, table: arrayTable([]), state: {}, stages: {}, seconds: 0 }, null);
}

/** Decide what happens when every task of (stage, step, iter) has reported. Pure. */
export function advance(input: BarrierInput): Advance {
  const ctx: Ctx = {
    spec: input.spec,
    table: input.table,
    state: input.state,
    stages: input.stages,
    seconds: input.seconds,
  };
  const { step, iter, results } = input;
  return decide(ctx, getStage(input.stage), { step, iter, results });
}

/** What task `index` of (stage, step, iter) is handed: the same in one process and in the coordinator. */
export function taskFor(
  spec: JobSpec,
  at: Position,
  index: number,
  table: ShardTable,
  state: PipelineState,
): Task {
  const stage = getStage(at.stage);
  stepOf(stage, at.step);
  const view = jobView(spec, table, state);
  return {
    spec,
    stage: at.stage,
    step: at.step,
    iter: at.iter,
    index,
    shards: table.count(),
    input: stage.input(view, state[stage.id], at.step, index),
  };
}

/** What a task's result counts: records in and out (0 for steps that count none). */
export function stepCounts(stage: string, step: string, result: unknown): RecordCounts {
  const counts = stepOf(getStage(stage), step).counts;
  if (!counts || result === null || result === undefined) return { in: 0, out: 0 };
  const c = counts(result);
  const n = (x: number) => (Number.isFinite(x) ? x : 0);
  return { in: n(c.in), out: n(c.out) };
}

/** The queue a stage's tasks run on. */
export function queueOf(stage: string) {
  return getStage(stage).queue;
}
