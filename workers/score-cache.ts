import { DurableObject } from 'cloudflare:workers';
import { textToVector, type VectorCache, vectorToText } from '../src/embed/index.ts';
import { type CellCache, indexKey, type ScoreRow } from '../src/score/index.ts';

/**
 * `idx` is the shard index: a record's key as an integer (the first 52 bits of its index key, exact
 * in a JavaScript number) to the id of the shard digest that holds it, in `digests`. Integer keys on
 * the rowid insert in about half the time of the text rows they replaced (`shards`: the 16-hex key to
 * the 32-hex digest, 1M rows a 1M-record dataset), which objects written before keep and are still
 * read. Two records whose keys share 52 bits share a row: the reader checks the shard's hash list, so
 * the one that lost its row is only computed again.
 */
const SCHEMA = `CREATE TABLE IF NOT EXISTS cells (
  col TEXT NOT NULL, hash TEXT NOT NULL, row TEXT NOT NULL, PRIMARY KEY (col, hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS shards (h TEXT PRIMARY KEY, shard TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idx (k INTEGER PRIMARY KEY, d INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS digests (id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE)`;

/** Which shard's cell objects hold a record (by its integer key), one seek per key as in LOOKUP. */
export const LOCATE =
  'SELECT i.k AS k, d.digest AS shard FROM idx i JOIN digests d ON d.id = i.d WHERE i.k IN (SELECT value FROM json_each(?))';
/** The same in the text index of objects written before `idx`. */
const LOCATE_TEXT = 'SELECT h, shard FROM shards WHERE h IN (SELECT value FROM json_each(?))';

/** A record's integer key in `idx`: the first 13 hex digits (52 bits) of its index key. */
export const intKey = (key: string) => Number.parseInt(key.slice(0, 13), 16);

/**
 * `IN (SELECT …)` makes SQLite seek the primary key once per hash. A join with json_each put the
 * table in the outer loop and rescanned the JSON for every cached row: quadratic, minutes at 100k.
 */
export const LOOKUP =
  'SELECT hash, row FROM cells WHERE col = ? AND hash IN (SELECT value FROM json_each(?))';

/** Bytes of cell JSON per insert statement: SQLite rows and arguments stay well under the 2 MB limit. */
const PUT_BYTES = 512 * 1024;

/**
 * One per dataset partition (see CACHE_PARTITIONS), in SQLite: model-backed scorers' cells and model
 * embedders' vectors keyed by (column, record content hash), and the index from a record to the
 * shard whose cell objects in R2 hold its offline scores (src/score/cell-cache.ts). Lookups and
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

  /** Whether the text index of an older object holds rows (asked once per instance). */
  private textIndex?: boolean;

  /** Which shard holds each of `keys` (index keys), where one does. */
  async locate(keys: string[]): Promise<Record<string, string>> {
    const sql = this.ctx.storage.sql;
    const byInt = groupBy(keys, intKey);
    const out: Record<string, string> = {};
    for (const r of sql.exec<{ k: number; shard: string }>(LOCATE, JSON.stringify([...byInt.keys()])))
      for (const key of byInt.get(r.k) ?? []) out[key] = r.shard;
    this.textIndex ??= sql.exec('SELECT 1 FROM shards LIMIT 1').toArray().length > 0;
    if (this.textIndex) {
      const rest = keys.filter((key) => out[key] === undefined);
      for (const r of sql.exec<{ h: string; shard: string }>(LOCATE_TEXT, JSON.stringify(rest)))
        out[r.h] = r.shard;
    }
    return out;
  }

  /** Shard `digest` holds `keys` (index keys); one statement per 20,000 keys. */
  async index(digest: string, keys: string[]): Promise<void> {
    const sql = this.ctx.storage.sql;
    sql.exec('INSERT OR IGNORE INTO digests (digest) VALUES (?)', digest);
    const id = sql.exec<{ id: number }>('SELECT id FROM digests WHERE digest = ?', digest).one().id;
    for (let i = 0; i < keys.length; i += 20_000)
      sql.exec(
        'INSERT OR REPLACE INTO idx (k, d) SELECT value, ? FROM json_each(?)',
        id,
        JSON.stringify(keys.slice(i, i + 20_000).map(intKey)),
      );
  }

  /** Records in the shard index, for inspection. */
  async indexed(): Promise<number> {
    const count = (table: string) =>
      this.ctx.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
    return count('idx') + count('shards');
  }

  /** Delete every cell (the dataset is deleted); the bytes of storage it held. */
  async destroy(): Promise<number> {
    const sql = this.ctx.storage.sql;
    const cells = sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM cells').one().n + (await this.indexed());
    // An object that never held a cell has only its empty table: nothing freed worth counting.
    const bytes = cells > 0 ? sql.databaseSize : 0;
    await this.ctx.storage.deleteAll();
    this.ctx.storage.sql.exec(SCHEMA);
    this.textIndex = undefined;
    return bytes;
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

/**
 * A dataset's cells are spread over this many ScoreCache objects by the first hex digit of the
 * content hash, so the score tasks of a large job do not all queue on one object.
 */
export const CACHE_PARTITIONS = 16;

export function cachePartition(env: Env, dataset: string, p: number) {
  return env.SCORE_CACHE.get(env.SCORE_CACHE.idFromName(`${dataset}#${p.toString(16)}`));
}

function byPartition<T>(items: readonly T[], hashOf: (t: T) => string): Map<number, T[]> {
  const parts = new Map<number, T[]>();
  for (const item of items) {
    const p = Number.parseInt(hashOf(item)[0] ?? '0', 16) % CACHE_PARTITIONS || 0;
    const list = parts.get(p);
    if (list) list.push(item);
    else parts.set(p, [item]);
  }
  return parts;
}

/** Cells of one kind over a dataset's ScoreCache objects (queried in parallel), as text in SQLite. */
function cellsOver<V>(env: Env, dataset: string, encode: (v: V) => string, decode: (text: string) => V) {
  return {
    async get(column: string, hashes: readonly string[]): Promise<Map<string, V>> {
      const out = new Map<string, V>();
      const parts = [...byPartition(hashes, (h) => h)];
      const found = await Promise.all(
        parts.map(([p, hs]) => cachePartition(env, dataset, p).get(column, hs)),
      );
      for (const rows of found) for (const [h, text] of Object.entries(rows)) out.set(h, decode(text));
      return out;
    },
    async put(column: string, cells: readonly (readonly [string, V])[]): Promise<void> {
      const parts = [...byPartition(cells, ([h]) => h)];
      await Promise.all(
        parts.map(([p, cs]) =>
          cachePartition(env, dataset, p).put(
            column,
            cs.map(([h, v]): [string, string] => [h, encode(v)]),
          ),
        ),
      );
    },
  };
}

/** `items` by `keyOf`, in order within each key. */
function groupBy<K>(items: readonly string[], keyOf: (item: string) => K): Map<K, string[]> {
  const groups = new Map<K, string[]>();
  for (const item of items) {
    const k = keyOf(item);
    const same = groups.get(k);
    if (same) same.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The CellCache of a dataset: model scorers' rows as JSON, and the shard index of offline cells. */
export function scoreCache(env: Env, dataset: string): CellCache {
  return {
    ...cellsOver<ScoreRow>(env, dataset, JSON.stringify, (t) => JSON.parse(t) as ScoreRow),
    async locate(hashes) {
      const byKey = groupBy(hashes, indexKey);
      const parts = [...byPartition([...byKey.keys()], (k) => k)];
      const found = await Promise.all(parts.map(([p, ks]) => cachePartition(env, dataset, p).locate(ks)));
      const out = new Map<string, string>();
      for (const rows of found)
        for (const [k, shard] of Object.entries(rows)) for (const h of byKey.get(k) ?? []) out.set(h, shard);
      return out;
    },
    async index(digest, hashes) {
      const parts = [...byPartition(hashes.map(indexKey), (k) => k)];
      await Promise.all(parts.map(([p, ks]) => cachePartition(env, dataset, p).index(digest, ks)));
    },
  };
}

/**
 * The VectorCache of a dataset: model embedders' vectors in the same ScoreCache objects, as base64
 * text in columns named `embed:<embedder>@<version>:<config hash>`.
 */
export function vectorCache(env: Env, dataset: string): VectorCache {
  return cellsOver(env, dataset, vectorToText, textToVector);
}
