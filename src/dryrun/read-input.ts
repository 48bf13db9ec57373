import type { InvalidLine } from '../../schemas/output.ts';
import type { StoredRecord } from '../../schemas/record.ts';
import {
  type Advance,
  advance,
  arrayTable,
  begin,
  type JobSpec,
  type MemoryStore,
  runTask,
  type ShardInfo,
  shardKey,
  taskFor,
} from '../pipeline/index.ts';
import { fromJsonl } from '../pipeline/jsonl.ts';
import type { IngestTally } from '../pipeline/stages/ingest/ingest.ts';

/** One shard of the input as the ingest stage wrote it: valid records, their rows, invalid lines. */
export interface IngestedShard {
  shard: number;
  records: StoredRecord[];
  /** Each valid record's input row as JSON, line for line with `records`. */
  rows: string[];
  /** Records the shard holds, valid or not. */
  count: number;
  /** Lines and records of the input before this shard: `source.line` and `source.index` are shard-local. */
  lineOffset: number;
  indexOffset: number;
  invalid: InvalidLine[];
}

const ONLY = new Set(['plan', 'ingest']);

/**
 * Every record of the job's input, shard by shard, through the pipeline's own plan and ingest stages
 * (the same shards, formats, validation and errors as a job), nothing after them. Each shard's files
 * are dropped from the store once handed to `onShard`, so that memory holds the input and one shard.
 */
export async function readInput(
  store: MemoryStore,
  spec: JobSpec,
  onShard: (shard: IngestedShard) => void,
): Promise<void> {
  let step: Advance = begin(spec);
  let shards: ShardInfo[] = [];
  let lineOffset = 0;
  let indexOffset = 0;
  while (step.kind === 'open' && ONLY.has(step.stage)) {
    if (step.table) shards = step.table;
    const table = arrayTable(shards);
    const results: unknown[] = [];
    for (let n = 0; n < step.tasks; n++) {
      const task = taskFor(spec, step, n, table, step.state);
      const result = await runTask(store, task);
      results.push(result);
      if (step.stage !== 'ingest') continue;
      const file = (name: 'records.jsonl' | 'rows.jsonl' | 'invalid.jsonl') => {
        const key = shardKey(spec.id, n, name);
        const bytes = store.objects.get(key);
        store.objects.delete(key);
        return bytes ? new TextDecoder().decode(bytes) : '';
      };
      const rows = file('rows.jsonl').split('\n');
      rows.pop();
      const tally = result as IngestTally;
      onShard({
        shard: n,
        count: tally.records,
        records: fromJsonl<StoredRecord>(file('records.jsonl')),
        rows,
        invalid: fromJsonl<InvalidLine>(file('invalid.jsonl')),
        lineOffset,
        indexOffset,
      });
      lineOffset += tally.lines;
      indexOffset += tally.records;
    }
    if (step.stage === 'ingest') return;
    step = advance({ spec, ...step, results, table, state: step.state, stages: {}, seconds: 0 });
  }
}
