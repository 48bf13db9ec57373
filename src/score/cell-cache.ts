import { MemoryColumns } from '../util/index.ts';
import type { ScoreRow } from './types.ts';

/**
 * Score cells kept across jobs of one dataset, keyed by (record content hash, column) where the column
 * names the scorer, its version and its config (see scorerColumn). In workerd a SQLite Durable Object
 * per dataset (workers/score-cache.ts); in one process a Map.
 */
export interface CellCache {
  /** The cached rows among `hashes` for one column; missing hashes are absent from the result. */
  get(column: string, hashes: readonly string[]): Promise<Map<string, ScoreRow>>;
  put(column: string, cells: readonly (readonly [hash: string, row: ScoreRow])[]): Promise<void>;
}

export class MemoryCellCache extends MemoryColumns<ScoreRow> implements CellCache {}
