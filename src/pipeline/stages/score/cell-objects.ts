import type { CellCache, ScoreRow } from '../../../score/index.ts';
import { shortHash } from '../../../util/hex.ts';
import { cellColumnKey, cellHashesKey } from '../../keys.ts';
import type { BlobStore } from '../../store.ts';

/**
 * Offline scorers' cells, one object per (shard, column) in the bucket.
 *
 * A shard is named by its digest: SHA-256 over its distinct record hashes in order. A job that reads
 * the same records again (the same dataset, an appended part, a re-run with one scorer changed)
 * gets each column of each unchanged shard in one read: no per-record lookups and no per-record
 * writes. Only a shard whose digest is new (a record in it changed, or its bounds moved because an
 * earlier record grew) asks the dataset's index which earlier shards hold its records, reads those
 * shards' objects, and computes the rest. Cells of model-backed scorers stay per record
 * (CellCache.get/put): they are few, and each one is a paid request.
 *
 * Objects are written whole and deterministically (a retry overwrites them with the same bytes),
 * columns first, then the digest's hash list, then the index, so a reader never follows the index to
 * a shard whose hash list is missing; a missing column object only means computing it.
 */

/** Earlier shards read for one changed shard, at most (the ones holding most of its records). */
export const LOCATE_SHARDS = 16;
/**
 * An earlier shard is read only for this many of the shard's records or more: reading a shard's hash
 * list and a column costs about what scoring a few dozen records does. A shard whose bounds moved
 * shares hundreds of records with each of its one or two predecessors; an exact copy of a record
 * from far away is cheaper to score again.
 */
export const LOCATE_MIN_RECORDS = 32;
/** … or for a tenth of them, in a small shard. */
export const LOCATE_MIN_SHARE = 0.1;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The shard's digest: its distinct record hashes, in order. */
export function shardDigest(hashes: readonly string[]): string {
  return shortHash(hashes.join('\n'), 32);
}

interface Header {
  /** Rows. */
  n: number;
  /** Score names, in the order of the float64 blocks after the header. */
  names: string[];
  /** Per name, the rows without that score (rare: each scorer writes all of its outputs). */
  absent?: Record<string, number[]>;
  flags?: [row: number, flags: string[]][];
  notes?: [row: number, note: string][];
}

/**
 * Rows as one object: a JSON header (names, the rare flags, notes and absent scores), then one
 * little-endian float64 block per score name. Exact for every number, NaN and ±Infinity included.
 */
export function encodeRows(rows: readonly ScoreRow[]): Uint8Array {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of rows)
    for (const name in r.scores)
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
  const header: Header = { n: rows.length, names };
  const values = new Float64Array(names.length * rows.length);
  names.forEach((name, j) => {
    const block = j * rows.length;
    rows.forEach((r, i) => {
      const v = r.scores[name];
      if (v === undefined) {
        const absent = (header.absent ??= {});
        (absent[name] ??= []).push(i);
      } else values[block + i] = v;
    });
  });
  rows.forEach((r, i) => {
    if (r.flags?.length) (header.flags ??= []).push([i, r.flags]);
    if (r.note !== undefined) (header.notes ??= []).push([i, r.note]);
  });
  const head = encoder.encode(JSON.stringify(header));
  const start = 4 + head.byteLength + ((8 - ((4 + head.byteLength) % 8)) % 8);
  const out = new Uint8Array(start + values.byteLength);
  new DataView(out.buffer).setUint32(0, head.byteLength, true);
  out.set(head, 4);
  out.set(new Uint8Array(values.buffer), start);
  return out;
}

export function decodeRows(bytes: Uint8Array): ScoreRow[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(0, true);
  const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + headLength))) as Header;
  const start = 4 + headLength + ((8 - ((4 + headLength) % 8)) % 8);
  const { n, names } = header;
  const rows: ScoreRow[] = Array.from({ length: n }, () => ({ scores: {} }));
  names.forEach((name, j) => {
    const absent = new Set(header.absent?.[name] ?? []);
    const at = start + j * n * 8;
    for (let i = 0; i < n; i++) if (!absent.has(i)) rows[i].scores[name] = view.getFloat64(at + i * 8, true);
  });
  for (const [i, flags] of header.flags ?? []) rows[i].flags = flags;
  for (const [i, note] of header.notes ?? []) rows[i].note = note;
  return rows;
}

/**
 * Rows `at` (indices into the object's rows) of an object of `expected` rows, in that order; null when
 * the object holds another number of rows (not that hash list's). Decodes only those rows: a shard
 * whose bounds moved needs a few hundred of an earlier shard's thousands.
 */
export function decodeRowsAt(bytes: Uint8Array, at: readonly number[], expected: number): ScoreRow[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(0, true);
  const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + headLength))) as Header;
  if (header.n !== expected) return null;
  const start = 4 + headLength + ((8 - ((4 + headLength) % 8)) % 8);
  const { n, names } = header;
  const rows: ScoreRow[] = at.map(() => ({ scores: {} }));
  names.forEach((name, j) => {
    const absent = header.absent?.[name];
    const skip = absent ? new Set(absent) : null;
    const block = start + j * n * 8;
    at.forEach((i, k) => {
      if (!skip?.has(i)) rows[k].scores[name] = view.getFloat64(block + i * 8, true);
    });
  });
  if (header.flags || header.notes) {
    const index = new Map(at.map((i, k) => [i, k]));
    for (const [i, flags] of header.flags ?? []) {
      const k = index.get(i);
      if (k !== undefined) rows[k].flags = flags;
    }
    for (const [i, note] of header.notes ?? []) {
      const k = index.get(i);
      if (k !== undefined) rows[k].note = note;
    }
  }
  return rows;
}

/** An earlier shard that holds records of this one: its digest, hash list, and the rows of those records. */
interface Source {
  digest: string;
  hashes: readonly string[];
  rows: number[];
}

/** The cells of one shard's distinct records, column by column, through its objects and the index. */
export class ShardCells {
  readonly digest: string;
  private readonly store: BlobStore;
  private readonly dataset: string;
  private readonly cells: CellCache;
  /** The shard's distinct record hashes, in order. */
  readonly hashes: readonly string[];
  /** Earlier shards' hash lists, read once per task. */
  private readonly hashLists = new Map<string, Promise<string[] | null>>();
  /** The earlier shards to read for its records, found once per task (every column reads the same). */
  private sources?: Promise<Source[]>;
  private written = false;

  constructor(store: BlobStore, dataset: string, cells: CellCache, hashes: readonly string[]) {
    this.store = store;
    this.dataset = dataset;
    this.cells = cells;
    this.hashes = hashes;
    this.digest = shardDigest(hashes);
  }

  /**
   * The rows of `column` this shard's object holds (every record's), or else what earlier shards
   * hold for its records (some of them); `whole` tells which.
   */
  async read(column: string): Promise<{ rows: Map<string, ScoreRow>; whole: boolean }> {
    const own = await this.rowsOf(this.digest, column, this.hashes);
    if (own) return { rows: own, whole: true };
    return { rows: await this.fromEarlier(column), whole: false };
  }

  /** Store every record's row of `column` (call with all of them, cached or computed). */
  async write(column: string, rows: ReadonlyMap<string, ScoreRow>): Promise<void> {
    const ordered = this.hashes.map((h) => {
      const row = rows.get(h);
      if (!row) throw new Error(`no ${column} row for record ${h} of shard ${this.digest}`);
      return row;
    });
    await this.store.put(cellColumnKey(this.dataset, this.digest, column), encodeRows(ordered));
    this.written = true;
  }

  /** After the columns: the hash list, then the index, once any column was written. */
  async finish(): Promise<void> {
    if (!this.written) return;
    await this.store.put(cellHashesKey(this.dataset, this.digest), encoder.encode(this.hashes.join('\n')));
    await this.cells.index(this.digest, this.hashes);
  }

  private async rowsOf(
    digest: string,
    column: string,
    hashes: readonly string[],
  ): Promise<Map<string, ScoreRow> | null> {
    const bytes = await this.store.get(cellColumnKey(this.dataset, digest, column));
    if (!bytes) return null;
    const rows = decodeRows(bytes);
    if (rows.length !== hashes.length) return null; // not this hash list's: ignore it
    return new Map(hashes.map((h, i) => [h, rows[i]]));
  }

  private async fromEarlier(column: string): Promise<Map<string, ScoreRow>> {
    this.sources ??= this.findSources();
    const sources = await this.sources;
    const out = new Map<string, ScoreRow>();
    const objects = await Promise.all(
      sources.map((s) => this.store.get(cellColumnKey(this.dataset, s.digest, column))),
    );
    sources.forEach((s, k) => {
      const bytes = objects[k];
      if (!bytes) return;
      // The first shard (most shared records first) that has a record's row gives it.
      const need = s.rows.filter((i) => !out.has(s.hashes[i]));
      const rows = need.length > 0 ? decodeRowsAt(bytes, need, s.hashes.length) : null;
      if (!rows) return;
      need.forEach((i, j) => {
        out.set(s.hashes[i], rows[j]);
      });
    });
    return out;
  }

  /** The earlier shards holding most of this shard's records (the index says which), with those records' rows. */
  private async findSources(): Promise<Source[]> {
    const located = await this.cells.locate(this.hashes);
    const counts = new Map<string, number>();
    for (const d of located.values()) if (d !== this.digest) counts.set(d, (counts.get(d) ?? 0) + 1);
    const shards = [...counts]
      .filter(([, n]) => n >= Math.min(LOCATE_MIN_RECORDS, Math.ceil(LOCATE_MIN_SHARE * this.hashes.length)))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, LOCATE_SHARDS)
      .map(([d]) => d);
    // A new dataset's shards find no earlier one: nothing to read, and no set of their hashes to build.
    if (shards.length === 0) return [];
    const wanted = new Set(this.hashes);
    const lists = await Promise.all(shards.map((d) => this.hashList(d)));
    const sources: Source[] = [];
    shards.forEach((digest, k) => {
      const hashes = lists[k];
      if (!hashes) return;
      const rows: number[] = [];
      for (let i = 0; i < hashes.length; i++) if (wanted.has(hashes[i])) rows.push(i);
      if (rows.length > 0) sources.push({ digest, hashes, rows });
    });
    return sources;
  }

  private hashList(digest: string): Promise<string[] | null> {
    let list = this.hashLists.get(digest);
    if (!list) {
      list = this.store
        .get(cellHashesKey(this.dataset, digest))
        .then((b) => (b ? decoder.decode(b).split('\n') : null));
      this.hashLists.set(digest, list);
    }
    return list;
  }
}
