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

export class MemoryCellCache implements CellCache {
  readonly columns = new Map<string, Map<string, ScoreRow>>();

  async get(column: string, hashes: readonly string[]): Promise<Map<string, ScoreRow>> {
    const col = this.columns.get(column);
    const out = new Map<string, ScoreRow>();
    if (col)
      for (const h of hashes) {
        const row = col.get(h);
        if (row) out.set(h, row);
      }
    return out;
  }

  async put(column: string, cells: readonly (readonly [string, ScoreRow])[]): Promise<void> {
    let col = this.columns.get(column);
    if (!col) this.columns.set(column, (col = new Map()));
    for (const [h, row] of cells) col.set(h, row);
  }
}
