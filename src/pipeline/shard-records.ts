import type { ShardRecord, StoredRecord } from '../../schemas/record.ts';
import { recordId } from '../formats/index.ts';
import type { ScoreInput } from '../score/types.ts';
import { fromJsonl } from './jsonl.ts';
import { shardKey } from './keys.ts';
import { type BlobStore, getText } from './store.ts';
import type { ShardInfo } from './types.ts';

export interface ReadRecordsOptions {
  /**
   * Also read each record's input row as given (`record`, from rows.jsonl). Default true. The rows
   * are about 45% of a shard's record bytes, and only export, the pairs stages, fitters and scorers
   * that read `record` need them: the hot paths that read only turns pass false.
   */
  rows?: boolean;
}

/**
 * A shard's valid records, as ingest wrote them (empty when the shard has none), each with its id
 * (`recordId`): made from its object, its index in that object (valid or invalid records counted,
 * in input order), its content hash, and for a responses row's members, which share an index, their
 * place in the row. The same records have the same ids whatever the container (JSONL, a JSON array,
 * Parquet) and across runs of the same input. With `rows: false`, `record` is absent.
 */
export async function readShardRecords(
  store: BlobStore,
  job: string,
  info: ShardInfo,
  { rows = true }: ReadRecordsOptions = {},
): Promise<ShardRecord[]> {
  const [text, rowText] = await Promise.all([
    getText(store, shardKey(job, info.shard, 'records.jsonl')),
    rows ? getText(store, shardKey(job, info.shard, 'rows.jsonl')) : null,
  ]);
  const stored = fromJsonl<StoredRecord>(text);
  const base = info.partIndex ?? 0;
  const part = info.range.part;
  const out: ShardRecord[] = stored.map((r) => ({
    id: recordId(part, base + r.local, r.hash, r.pair?.sub ?? 0),
    ...r,
  }));
  if (!rows) return out;
  const given = fromJsonl<unknown>(rowText);
  if (given.length !== out.length)
    throw new Error(
      `shard ${info.shard} of job ${job}: rows.jsonl has ${given.length} rows for ${out.length} records`,
    );
  for (let i = 0; i < out.length; i++) out[i].record = given[i];
  return out;
}
/** What scorers, fitters and embedders see of a record. */
export function scoreInput(r: ShardRecord): ScoreInput {
  return { id: r.id, hash: r.hash, turns: r.turns, record: r.record };
}
