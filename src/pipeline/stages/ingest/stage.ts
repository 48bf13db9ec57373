import type { JobView, ShardInfo, StageDef } from '../../types.ts';
import { type IngestTally, ingest } from './ingest.ts';
import { assignOffsets } from './offsets.ts';

/** Every shard's tally added up. */
export type IngestState = IngestTally;

/** Parse each shard into normalized records (invalid ones located); then every shard's global offsets. */
export const ingestStage: StageDef<IngestState, { shard: ShardInfo }, { ingest: IngestTally }> = {
  id: 'ingest',
  queue: 'ingest',
  summary: 'parse every shard into normalized records and invalid lines with their errors',
  applies: () => true,
  start: () => ({ step: 'ingest', state: { records: 0, valid: 0, invalid: 0, lines: 0 } }),
  steps: {
    ingest: {
      fan: 'shards',
      run: (t, env) => ingest(env.store, t.spec, t.input.shard),
      counts: (r) => ({ in: r.records, out: r.valid }),
    },
  },
  input: (view, _state, _step, index) => ({ shard: view.table.shard(index) }),
  next(view, { results }) {
    const table = assignOffsets(
      view.table.all().map((s) => s.range),
      results,
    );
    const state = results.reduce(
      (a, t) => ({
        records: a.records + t.records,
        valid: a.valid + t.valid,
        invalid: a.invalid + t.invalid,
        lines: a.lines + t.lines,
      }),
      { records: 0, valid: 0, invalid: 0, lines: 0 },
    );
    return { done: true, state, table };
  },
  report: (_view, s) => ({
    counts: { input: s?.records ?? 0, valid: s?.valid ?? 0, invalid: s?.invalid ?? 0 },
  }),
};

/** Valid records of the job (0 before ingest). */
export const validRecords = (view: JobView): number => view.of(ingestStage)?.valid ?? 0;
