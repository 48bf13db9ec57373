import type { ShardRange } from '../../../formats/index.ts';
import type { StageDef } from '../../types.ts';
import { plan } from './plan.ts';

/** The plan stage's state: how many shards the dataset was cut into. */
export interface PlanState {
  shards: number;
}

/** Cut the dataset's objects into shard byte ranges; the shard table starts here. */
export const planStage: StageDef<PlanState, Record<string, never>, { plan: ShardRange[] }> = {
  id: 'plan',
  queue: 'ingest',
  summary: 'cut every object of the dataset into shards that end on record boundaries',
  applies: () => true,
  start: () => ({ step: 'plan', state: { shards: 0 } }),
  steps: {
    plan: { fan: 'one', run: (t, env) => plan(env.store, t.spec) },
  },
  input: () => ({}),
  next(_view, { results }) {
    const ranges = results[0] ?? [];
    const multipart = new Set(ranges.map((r) => r.part)).size > 1;
    const table = ranges.map((range, shard) => ({ shard, range, indexOffset: 0, lineOffset: 0, multipart }));
    return { done: true, state: { shards: table.length }, table };
  },
};
