import { DuckDBInstance } from '@duckdb/node-api';

/** A query's rows as JSON values, on a fresh in-memory DuckDB (tests that read exported files). */
export async function duckRows(query: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(query)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    c.closeSync();
  }
}
