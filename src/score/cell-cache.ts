import { MemoryColumns } from '../util/index.ts';
import type { ScoreRow } from './types.ts';

/**
 * Score cells kept across jobs of one dataset. In workerd a SQLite Durable Object per dataset
 * partition (workers/score-cache.ts); in one process Maps.
 *
 * Two kinds of storage meet here:
 * - per record, keyed by (column, record content hash), where the column names the scorer, its
 *   version and its config (see scorerColumn): `get`/`put`, for model-backed scorers, whose cells
 *   are few and costly;
 * - an index from record hash to the shard whose cell objects hold it (`locate`/`index`), for
 *   offline scorers, whose cells live in one object per (shard, column) in the bucket (see
 *   stages/score/cell-objects.ts). A shard seen before is served by one read per column; the index
 *   is asked only for the records of a shard that changed.
 */
export interface CellCache {
  /** The cached rows among `hashes` for one column; missing hashes are absent from the result. */
  get(column: string, hashes: readonly string[]): Promise<Map<string, ScoreRow>>;
  put(column: string, cells: readonly (readonly [hash: string, row: ScoreRow])[]): Promise<void>;
  /** For each of `hashes` an earlier shard's cells hold, that shard's digest. */
  locate(hashes: readonly string[]): Promise<Map<string, string>>;
  /** The cell objects of shard `digest` hold `hashes`. */
  index(digest: string, hashes: readonly string[]): Promise<void>;
}

/** Index keys: the first 16 hex digits of a record's hash. A collision only costs a read that misses. */
export const indexKey = (hash: string) => hash.slice(0, 16);

export class MemoryCellCache extends MemoryColumns<ScoreRow> implements CellCache {
  readonly shards = new Map<string, string>();

  async locate(hashes: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const h of hashes) {
      const d = this.shards.get(indexKey(h));
      if (d !== undefined) out.set(h, d);
    }
    return out;
  }

  async index(digest: string, hashes: readonly string[]): Promise<void> {
    for (const h of hashes) this.shards.set(indexKey(h), digest);
  }
}
