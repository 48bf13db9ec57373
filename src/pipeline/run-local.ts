import type { Stage } from '../../schemas/message.ts';
import type { Report } from '../../schemas/output.ts';
import { type Advance, advance, type BarrierInput, type PipelineState } from './advance.ts';
import { jobSpecKey, outputManifestKey, reportKey } from './keys.ts';
import { runTask, type TaskDeps } from './run-task.ts';
import type { JobSpec, ShardInfo, TaskContext } from './spec.ts';
import { MAP_STEPS } from './stages/cluster/plan.ts';
import { PAIRS_ITER } from './stages/pairs/scatter.ts';
import { SELECT_MAP_STEPS } from './stages/select/plan.ts';
import type { BlobStore } from './store.ts';

/**
 * The whole pipeline in one process: the same stages and the same barrier decisions as the
 * distributed run, without queues or a coordinator. Used by tests and as the benchmark reference.
 */
export interface RunLocalHooks {
  /** Before each task, with the pipeline state it runs in (benchmarks: memory around a stage). */
  beforeTask?(ctx: TaskContext, state: PipelineState): void;
  /** After each task, with its wall time in seconds (benchmarks: time by step). */
  afterTask?(ctx: TaskContext, seconds: number): void;
}

export async function runLocal(
  store: BlobStore,
  spec: JobSpec,
  deps: TaskDeps = {},
  hooks: RunLocalHooks = {},
): Promise<Report> {
  const started = Date.now();
  /** Every iteration's results, by `stage:iter`, and each stage's last iteration. */
  const history = new Map<string, unknown[]>();
  const lastIter = new Map<Stage, number>();
  const stageSeconds: BarrierInput['stageSeconds'] = {};
  let shards: ShardInfo[] = [];
  let state: PipelineState = {};
  let stage: Stage = 'plan';
  let iter = 0;
  let todo = [0];
  // As the API does: the spec beside the job, so a later job can compare itself with this one.
  if (!(await store.head(jobSpecKey(spec.id)))) await store.put(jobSpecKey(spec.id), JSON.stringify(spec));
  for (;;) {
    const t0 = Date.now();
    const results: unknown[] = [];
    const table = { shard: (n: number) => shards[n], count: () => shards.length };
    for (const n of todo) {
      const ctx = taskContext(spec, stage, iter, n, table, state);
      hooks.beforeTask?.(ctx, state);
      const p0 = performance.now();
      results.push(await runTask(store, ctx, deps));
      hooks.afterTask?.(ctx, (performance.now() - p0) / 1000);
    }
    history.set(`${stage}:${iter}`, results);
    lastIter.set(stage, iter);
    const prev = stageSeconds[stage];
    stageSeconds[stage] = {
      records:
        stage === 'select' || (stage !== 'ingest' && stage !== 'score' && iter > 0)
          ? (prev?.records ?? 0)
          : sumRecords(stage, results),
      seconds: (prev?.seconds ?? 0) + (Date.now() - t0) / 1000,
      shards: todo.length,
    };
    const step: Advance = advance({
      spec,
      stage,
      iter,
      results,
      shards,
      state,
      history: (s, i) => history.get(`${s}:${i ?? lastIter.get(s)}`) ?? [],
      stageSeconds,
      seconds: (Date.now() - started) / 1000,
    });
    if (step.table) shards = step.table;
    state = step.state;
    if (step.kind === 'finish') {
      await store.put(reportKey(spec.id), JSON.stringify(step.report, null, 2));
      await store.put(outputManifestKey(spec.id), JSON.stringify(step.manifest));
      return step.report;
    }
    ({ stage, iter } = step);
    todo = step.shards;
  }
}

/** The shard table, as the host keeps it (an array here, SQLite in the coordinator). */
export interface ShardTable {
  shard(n: number): ShardInfo;
  count(): number;
}

/** What a task (stage, iter, n) is handed in this pipeline state: the same in-process and in the coordinator. */
export function taskContext(
  spec: JobSpec,
  stage: Stage,
  iter: number,
  n: number,
  shards: ShardTable,
  state: PipelineState,
): TaskContext {
  switch (stage) {
    case 'plan':
      return { stage, spec };
    case 'ingest':
      return { stage, spec, shard: shards.shard(n) };
    case 'fit':
      return iter === 0
        ? { stage, spec, iter: 0, shard: shards.shard(n), rate: state.fitRate ?? 1 }
        : { stage, spec, iter: 1, index: n, shards: shards.count() };
    case 'score':
      return { stage, spec, shard: shards.shard(n), shards: shards.count(), models: state.models ?? {} };
    case 'embed':
      return { stage, spec, iter, shard: shards.shard(n), shards: shards.count() };
    case 'cluster':
      return {
        stage,
        spec,
        iter,
        step: state.plan!.step,
        plan: state.plan!,
        index: n,
        shard: shards.shard(MAP_STEPS.has(state.plan!.step.kind) ? n : 0),
        shards: shards.count(),
        rate: state.clusterRate ?? 1,
      };
    case 'select': {
      const sel = state.select!;
      const starts = Array.from({ length: shards.count() }, (_, s) => shards.shard(s).indexOffset);
      return {
        stage,
        spec,
        iter,
        state: sel,
        index: n,
        shard: shards.shard(SELECT_MAP_STEPS.has(sel.step.kind) ? n : 0),
        starts,
        stats: state.stats ?? {},
        target: state.budget?.target ?? 0,
        models: state.models ?? {},
      };
    }
    case 'export':
      return {
        stage,
        spec,
        iter,
        index: n,
        shard: shards.shard(iter === 0 ? n : 0),
        shards: shards.count(),
        cut: state.cut!,
        totals: state.totals ?? {},
        stats: state.stats ?? {},
        ...(state.diff ? { diff: state.diff } : {}),
      };
    case 'pairs':
      return {
        stage,
        spec,
        iter,
        index: n,
        shard: shards.shard(iter === PAIRS_ITER.scatter ? n : 0),
        shards: shards.count(),
        partitions: state.pairs!.partitions,
        cut: state.pairs!.cut ?? { kind: 'all' },
      };
  }
}

function sumRecords(stage: Stage, results: unknown[]): number {
  const key = stage === 'export' ? 'selected' : stage === 'pairs' ? 'members' : 'records';
  return results.reduce<number>((a, r) => a + (((r as Record<string, number>)[key] ?? 0) as number), 0);
}
