import type { ShardRecord } from '../../schemas/record.ts';
import type { ScoreInput } from '../score/types.ts';
import { fromJsonl } from './jsonl.ts';
import { shardKey } from './keys.ts';
import { type BlobStore, getText } from './store.ts';

/** A shard's valid records, as ingest wrote them (empty when the shard has none). */
export async function readShardRecords(store: BlobStore, job: string, shard: number): Promise<ShardRecord[]> {
  return fromJsonl<ShardRecord>(await getText(store, shardKey(job, shard, 'records.jsonl')));
}

/** What scorers, fitters and embedders see of a record. */
export function scoreInput(r: ShardRecord): ScoreInput {
  return { id: r.id, hash: r.hash, turns: r.turns, record: r.record };
}
