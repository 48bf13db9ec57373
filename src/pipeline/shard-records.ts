import type { ShardRecord, StoredRecord } from '../../schemas/record.ts';
import { recordId } from '../formats/index.ts';
import type { ScoreInput } from '../score/types.ts';
import { fromJsonl } from './jsonl.ts';
import { shardKey } from './keys.ts';
import { type BlobStore, getText } from './store.ts';
import type { ShardInfo } from './types.ts';

/**
 * A shard's valid records, as ingest wrote them (empty when the shard has none), each with its id
 * (`recordId`): made from its object, its index in that object (valid or invalid records counted,
 * in input order), its content hash, and for a responses row's members, which share an index, their
 * place in the row. The same records have the same ids whatever the container (JSONL, a JSON array,
 * Parquet) and across runs of the same input.
 */
export async function readShardRecords(
  store: BlobStore,
  job: string,
  info: ShardInfo,
): Promise<ShardRecord[]> {
  const stored = fromJsonl<StoredRecord>(await getText(store, shardKey(job, info.shard, 'records.jsonl')));
  const base = info.partIndex ?? 0;
  const part = info.range.part;
  return stored.map((r) => ({ id: recordId(part, base + r.local, r.hash, r.pair?.sub ?? 0), ...r }));
}
/** What scorers, fitters and embedders see of a record. */
export function scoreInput(r: ShardRecord): ScoreInput {
  return { id: r.id, hash: r.hash, turns: r.turns, record: r.record };
}
