import type { UploadedPart, UploadState } from '../schemas/upload.ts';
import type { SessionRecord } from '../src/upload/index.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, part TEXT, size INTEGER NOT NULL, sha256 TEXT, part_bytes INTEGER NOT NULL,
  key TEXT NOT NULL, upload_id TEXT NOT NULL, state TEXT NOT NULL, error TEXT, object TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, lease_until INTEGER);
CREATE TABLE IF NOT EXISTS parts (
  id TEXT NOT NULL, n INTEGER NOT NULL, bytes INTEGER NOT NULL, etag TEXT NOT NULL,
  PRIMARY KEY (id, n));
`;

type Row = {
  id: string;
  part: string | null;
  size: number;
  sha256: string | null;
  part_bytes: number;
  key: string;
  upload_id: string;
  state: UploadState;
  error: string | null;
  object: string | null;
  created_at: number;
  updated_at: number;
  lease_until: number | null;
};

/** The UploadSessions object's SQLite state: its sessions and the parts each has stored. */
export class UploadDb {
  private readonly sql: SqlStorage;
  private readonly dataset: () => string;

  constructor(sql: SqlStorage, dataset: () => string) {
    this.sql = sql;
    this.dataset = dataset;
    sql.exec(SCHEMA);
  }

  private record(r: Row): SessionRecord {
    return {
      id: r.id,
      dataset: this.dataset(),
      part: r.part,
      size: r.size,
      sha256: r.sha256,
      partBytes: r.part_bytes,
      key: r.key,
      uploadId: r.upload_id,
      state: r.state,
      error: r.error,
      object: r.object === null ? null : JSON.parse(r.object),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      leaseUntil: r.lease_until,
    };
  }

  insert(s: SessionRecord): void {
    this.sql.exec(
      `INSERT INTO sessions (id, part, size, sha256, part_bytes, key, upload_id, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.id,
      s.part,
      s.size,
      s.sha256,
      s.partBytes,
      s.key,
      s.uploadId,
      s.state,
      s.createdAt,
      s.updatedAt,
    );
  }

  get(id: string): SessionRecord | null {
    const r = this.sql.exec<Row>('SELECT * FROM sessions WHERE id = ?', id).toArray()[0];
    return r ? this.record(r) : null;
  }

  /** Sessions, newest first. */
  all(): SessionRecord[] {
    return this.sql
      .exec<Row>('SELECT * FROM sessions ORDER BY created_at DESC, id DESC')
      .toArray()
      .map((r) => this.record(r));
  }

  /** The open session for the same file (part, hash and size), if there is one. */
  openFor(part: string | null, sha256: string, size: number): SessionRecord | null {
    const r = this.sql
      .exec<Row>(
        `SELECT * FROM sessions WHERE state = 'open' AND sha256 = ? AND size = ? AND part IS ?
         ORDER BY created_at DESC LIMIT 1`,
        sha256,
        size,
        part,
      )
      .toArray()[0];
    return r ? this.record(r) : null;
  }

  setState(
    id: string,
    state: UploadState,
    now: number,
    fields: { error?: string; object?: SessionRecord['object']; leaseUntil?: number | null } = {},
  ): void {
    this.sql.exec(
      'UPDATE sessions SET state = ?, updated_at = ?, error = ?, object = ?, lease_until = ? WHERE id = ?',
      state,
      now,
      fields.error ?? null,
      fields.object ? JSON.stringify(fields.object) : null,
      fields.leaseUntil ?? null,
      id,
    );
  }

  parts(id: string): UploadedPart[] {
    return this.sql
      .exec<{ n: number; bytes: number; etag: string }>(
        'SELECT n, bytes, etag FROM parts WHERE id = ? ORDER BY n',
        id,
      )
      .toArray()
      .map((p) => ({ part: p.n, bytes: p.bytes, etag: p.etag }));
  }

  putPart(id: string, n: number, bytes: number, etag: string, now: number): void {
    this.sql.exec(
      'INSERT OR REPLACE INTO parts (id, n, bytes, etag) VALUES (?, ?, ?, ?)',
      id,
      n,
      bytes,
      etag,
    );
    this.sql.exec('UPDATE sessions SET updated_at = ? WHERE id = ?', now, id);
  }

  dropParts(id: string): void {
    this.sql.exec('DELETE FROM parts WHERE id = ?', id);
  }
}
