import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/**
 * The column types of a JSONL file as DuckDB reads it: `DESCRIBE … read_json_auto` with inference over
 * every row (`sample_size=-1`), and every row's own JSON structure (`json_structure`), unified. DuckDB
 * merges differing types into one column type (an integer and a float become DOUBLE); the unified
 * structures do not: a row whose value has another type than the others throws, naming the path.
 */

/** Two rows' JSON structures as one; an empty list (`["NULL"]`) fits a list of anything. Throws on a conflict. */
export function unify(a: unknown, b: unknown, at = '$'): unknown {
  const empty = (x: unknown) => Array.isArray(x) && x.length === 1 && x[0] === 'NULL';
  if (empty(a) && Array.isArray(b)) return b;
  if (empty(b) && Array.isArray(a)) return a;
  if (Array.isArray(a) && Array.isArray(b)) return [unify(a[0], b[0], `${at}[]`)];
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a);
    if (JSON.stringify(ka) !== JSON.stringify(Object.keys(b)))
      throw new Error(`${at}: keys ${ka} in one row, ${Object.keys(b)} in another`);
    return Object.fromEntries(
      ka.map((k) => [
        k,
        unify((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`),
      ]),
    );
  }
  if (a !== b) throw new Error(`${at}: ${JSON.stringify(a)} in one row, ${JSON.stringify(b)} in another`);
  return a;
}

export interface ColumnTypes {
  /** Write `text` as `name` in a temporary directory and read its types. */
  types(
    name: string,
    text: string,
  ): Promise<{ columns: Record<string, string>; rows: number; structure: unknown }>;
  close(): void;
}

/** An in-memory DuckDB and a temporary directory for the files it reads. */
export async function columnTypes(): Promise<ColumnTypes> {
  const dir = mkdtempSync(join(tmpdir(), 'winnow-export-'));
  const db = await DuckDBInstance.create(':memory:');
  return {
    async types(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const c = await db.connect();
      try {
        const described = await c.runAndReadAll(
          `DESCRIBE SELECT * FROM read_json_auto('${file}', sample_size=-1)`,
        );
        const columns = Object.fromEntries(
          described.getRowObjectsJson().map((r) => [r.column_name as string, r.column_type as string]),
        );
        const structures = await c.runAndReadAll(
          `SELECT json_structure(json) AS s FROM read_ndjson_objects('${file}')`,
        );
        const rows = structures.getRowObjectsJson().map((r) => JSON.parse(r.s as string));
        return {
          columns,
          rows: rows.length,
          structure: rows.length > 0 ? rows.reduce((a, b) => unify(a, b)) : null,
        };
      } finally {
        c.closeSync();
      }
    },
    close() {
      db.closeSync();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
