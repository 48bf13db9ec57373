/** A Durable Object's small `meta (key, value)` table: JSON values by key. */
export const META_TABLE = 'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);';

export function metaGet<T>(sql: SqlStorage, key: string): T | undefined {
  const row = sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0];
  return row ? (JSON.parse(row.value) as T) : undefined;
}

export function metaSet(sql: SqlStorage, key: string, value: unknown): void {
  sql.exec('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, JSON.stringify(value));
}
