import { DurableObject } from 'cloudflare:workers';
import type { CellCache, ScoreRow } from '../src/score/index.ts';

const SCHEMA = `CREATE TABLE IF NOT EXISTS cells (
  col TEXT NOT NULL, hash TEXT NOT NULL, row TEXT NOT NULL, PRIMARY KEY (col, hash)
) WITHOUT ROWID`;

/**
 * `IN (SELECT …)` makes SQLite seek the primary key once per hash. A join with json_each put the
 * table in the outer loop and rescanned the JSON for every cached row: quadratic, minutes at 100k.
 */
export const LOOKUP =
  'SELECT hash, row FROM cells WHERE col = ? AND hash IN (SELECT value FROM json_each(?))';

/** Bytes of cell JSON per insert statement: SQLite rows and arguments stay well under the 2 MB limit. */
const PUT_BYTES = 512 * 1024;

/**
 * One per dataset: its score cells in SQLite, keyed by (column, record content hash). Lookups and
 * inserts pass the hashes as one JSON argument (`json_each`), not one bound parameter per hash.
 */
export class ScoreCache extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  /** Cached rows (as JSON text) of `hashes` in `column`. */
  async get(column: string, hashes: string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const rows = this.ctx.storage.sql.exec<{ hash: string; row: string }>(
      LOOKUP,
      column,
      JSON.stringify(hashes),
    );
    for (const r of rows) out[r.hash] = r.row;
    return out;
  }

  async put(column: string, cells: [hash: string, row: string][]): Promise<number> {
    let chunk: [string, string][] = [];
    let bytes = 0;
    const flush = () => {
      if (chunk.length === 0) return;
      this.ctx.storage.sql.exec(
        `INSERT OR REPLACE INTO cells (col, hash, row)
         SELECT ?, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') FROM json_each(?) AS j`,
        column,
        JSON.stringify(chunk),
      );
      chunk = [];
      bytes = 0;
    };
    for (const cell of cells) {
      chunk.push(cell);
      bytes += cell[0].length + cell[1].length + 8;
      if (bytes >= PUT_BYTES) flush();
    }
    flush();
    return cells.length;
  }

  /** Cells per column, for inspection. */
  async columns(): Promise<{ column: string; cells: number }[]> {
    return this.ctx.storage.sql
      .exec<{ column: string; cells: number }>(
        'SELECT col AS column, COUNT(*) AS cells FROM cells GROUP BY col',
      )
      .toArray();
  }
}

/** The CellCache of a dataset, backed by its ScoreCache object. */
export function scoreCache(env: Env, dataset: string): CellCache {
  const stub = env.SCORE_CACHE.get(env.SCORE_CACHE.idFromName(dataset));
  return {
    async get(column, hashes) {
      const found = await stub.get(column, [...hashes]);
      return new Map(Object.entries(found).map(([h, row]) => [h, JSON.parse(row) as ScoreRow]));
    },
    async put(column, cells) {
      await stub.put(
        column,
        cells.map(([h, row]): [string, string] => [h, JSON.stringify(row)]),
      );
    },
  };
}
