import type { Report } from '../../schemas/output.ts';
import {
  type Advance,
  advance,
  arrayTable,
  begin,
  type PipelineState,
  type StageTimes,
  stepCounts,
  taskFor,
} from './advance.ts';
import { jobSpecKey, outputManifestKey, reportKey } from './keys.ts';
import { reportText } from './report.ts';
import { runTask } from './run-task.ts';
import { writeReportHtml } from './stages/report/html.ts';
import type { BlobStore } from './store.ts';
import type { JobSpec, ShardInfo, Task, TaskDeps } from './types.ts';

/**
 * The whole pipeline in one process: the same stages and the same barrier decisions as the
 * distributed run, without queues or a coordinator. Used by tests and as the benchmark reference.
 */
export interface RunLocalHooks {
  /** Before each task, with the pipeline state it runs in (benchmarks: memory around a stage). */
  beforeTask?(task: Task, state: PipelineState): void;
  /** After each task, with its wall time in seconds (benchmarks: time by step). */
  afterTask?(task: Task, seconds: number): void;
}

export async function runLocal(
  store: BlobStore,
  spec: JobSpec,
  deps: TaskDeps = {},
  hooks: RunLocalHooks = {},
): Promise<Report> {
  const started = Date.now();
  const stages: StageTimes = {};
  let shards: ShardInfo[] = [];
  // As the API does: the spec beside the job, so a later job can compare itself with this one.
  if (!(await store.head(jobSpecKey(spec.id)))) await store.put(jobSpecKey(spec.id), JSON.stringify(spec));
  let step: Advance = begin(spec);
  for (;;) {
    if (step.table) shards = step.table;
    const state = step.state;
    if (step.kind === 'finish') {
      const manifest = await writeReportHtml(store, step.report, step.manifest);
      await store.put(reportKey(spec.id), reportText(step.report));
      await store.put(outputManifestKey(spec.id), JSON.stringify(manifest));
      return step.report;
    }
    const t0 = Date.now();
    const table = arrayTable(shards);
    const results: unknown[] = [];
    let records = 0;
    for (let n = 0; n < step.tasks; n++) {
      const task = taskFor(spec, step, n, table, state);
      hooks.beforeTask?.(task, state);
      const p0 = performance.now();
      const result = await runTask(store, task, deps);
      hooks.afterTask?.(task, (performance.now() - p0) / 1000);
      records += stepCounts(step.stage, step.step, result).in;
      results.push(result);
    }
    const prev = stages[step.stage];
    stages[step.stage] = {
      records: (prev?.records ?? 0) + records,
      seconds: (prev?.seconds ?? 0) + (Date.now() - t0) / 1000,
      shards: step.tasks,
    };
    step = advance({
      spec,
      stage: step.stage,
      step: step.step,
      iter: step.iter,
      results,
      table,
      state,
      stages,
      seconds: (Date.now() - started) / 1000,
    });
  }
}
