/** The coordinator's tables (workers/coordinator-db.ts): the job's meta, its shard table, the open steps' tasks and the done-ledger. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shards (shard INTEGER PRIMARY KEY, info TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
  stage TEXT NOT NULL, iter INTEGER NOT NULL, shard INTEGER NOT NULL, step TEXT NOT NULL DEFAULT '',
  attempt INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,
  interrupted INTEGER NOT NULL DEFAULT 0, lease_until INTEGER, enqueued_at INTEGER, last_error TEXT,
  PRIMARY KEY (stage, iter, shard));
CREATE TABLE IF NOT EXISTS ledger (
  key TEXT PRIMARY KEY, stage TEXT NOT NULL, iter INTEGER NOT NULL, shard INTEGER NOT NULL,
  step TEXT NOT NULL DEFAULT '',
  attempt INTEGER NOT NULL, records_in INTEGER NOT NULL, records_out INTEGER NOT NULL,
  result TEXT NOT NULL, done_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_task ON ledger (stage, iter, shard);
`;

/**
 * The tasks of a step not yet in the ledger. Every report runs it: without the ledger's index on
 * (stage, iter, shard) each task rescanned the whole ledger, which grows by a row a task (7.5 s of a
 * 1M-record job's 196 s on the local stack went to this one statement).
 */
export const OPEN_TASKS = `SELECT COUNT(*) AS n FROM tasks t WHERE t.stage = ? AND t.iter = ?
  AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.stage = t.stage AND l.iter = t.iter AND l.shard = t.shard)`;

/** Jobs created before tasks had named steps: their tables get the column (empty for old rows). */
function migrate(sql: SqlStorage): void {
  for (const table of ['tasks', 'ledger']) {
    const cols = sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
    if (!cols.some((c) => c.name === 'step'))
      sql.exec(`ALTER TABLE ${table} ADD COLUMN step TEXT NOT NULL DEFAULT ''`);
  }
  const tasks = sql.exec<{ name: string }>('PRAGMA table_info(tasks)').toArray();
  if (!tasks.some((c) => c.name === 'interrupted'))
    sql.exec('ALTER TABLE tasks ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0');
}

/** Create the tables where they are missing, and bring an older object's up to date. */
export function openSchema(sql: SqlStorage): void {
  sql.exec(SCHEMA);
  migrate(sql);
}
