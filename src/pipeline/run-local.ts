import type { Stage } from '../../schemas/message.ts';
import type { Report } from '../../schemas/output.ts';
import { type Advance, advance, type BarrierInput, type PipelineState } from './advance.ts';
import { reportKey } from './keys.ts';
import type { JobSpec, ShardInfo } from './spec.ts';
import { exportShard, ingest, plan, score, select } from './stages/index.ts';
import type { BlobStore } from './store.ts';

/**
 * The whole pipeline in one process: the same stages and the same barrier decisions as the
 * distributed run, without queues or a coordinator. Used by tests and as the benchmark reference.
 */
export async function runLocal(store: BlobStore, spec: JobSpec): Promise<Report> {
  const started = Date.now();
  const history = new Map<Stage, unknown[]>();
  const stageSeconds: BarrierInput['stageSeconds'] = {};
  let shards: ShardInfo[] = [];
  let state: PipelineState = {};
  let stage: Stage = 'plan';
  let iter = 0;
  let todo = [0];
  for (;;) {
    const t0 = Date.now();
    const results: unknown[] = [];
    for (const n of todo) {
      const info = shards[n];
      switch (stage) {
        case 'plan':
          results.push(await plan(store, spec));
          break;
        case 'ingest':
          results.push(await ingest(store, spec, info));
          break;
        case 'score':
          results.push(await score(store, spec, info));
          break;
        case 'select':
          results.push(await select(store, spec, info, state.round!, state.stats ?? {}));
          break;
        case 'export':
          results.push(await exportShard(store, spec, info, state.cut!));
          break;
      }
    }
    history.set(stage, results);
    const prev = stageSeconds[stage];
    stageSeconds[stage] = {
      records: stage === 'select' ? (prev?.records ?? 0) : sumRecords(stage, results),
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
      history: (s) => history.get(s) ?? [],
      stageSeconds,
      seconds: (Date.now() - started) / 1000,
    });
    if (step.table) shards = step.table;
    state = step.state;
    if (step.kind === 'finish') {
      await store.put(reportKey(spec.id), JSON.stringify(step.report, null, 2));
      return step.report;
    }
    ({ stage, iter } = step);
    todo = step.shards;
  }
}

function sumRecords(stage: Stage, results: unknown[]): number {
  const key = stage === 'export' ? 'selected' : 'records';
  return results.reduce<number>((a, r) => a + (((r as Record<string, number>)[key] ?? 0) as number), 0);
}
