import { strategyReasons } from '../../../select/strategies/index.ts';

/**
 * Small binary files of the select stage: a shard's record ids, and a cluster partition's verdicts
 * for one shard (fate). Little-endian, a 4-byte magic and a count, then columns.
 */

const ID_MAGIC = 0x31444957; // "WID1"
const FATE_MAGIC = 0x31544657; // "WFT1"

/** A record id (16 hex digits) per record, as 8 bytes each. */
export function encodeIds(ids: readonly string[]): Uint8Array {
  const out = new Uint8Array(8 + ids.length * 8);
  const view = new DataView(out.buffer);
  view.setUint32(0, ID_MAGIC, true);
  view.setUint32(4, ids.length, true);
  ids.forEach((id, i) => {
    if (!/^[0-9a-f]{16}$/.test(id)) throw new TypeError(`record id must be 16 hex digits, got "${id}"`);
    view.setUint32(8 + i * 8, Number.parseInt(id.slice(0, 8), 16), true);
    view.setUint32(12 + i * 8, Number.parseInt(id.slice(8), 16), true);
  });
  return out;
}

/** One record id of an ids file, without decoding the others. */
export function idAt(bytes: Uint8Array, i: number): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || view.getUint32(0, true) !== ID_MAGIC) throw new Error('not a record-id file');
  const n = view.getUint32(4, true);
  if (!(Number.isInteger(i) && i >= 0 && i < n))
    throw new RangeError(`record ${i} is not in an ids file of ${n}`);
  const hex8 = (x: number) => x.toString(16).padStart(8, '0');
  return hex8(view.getUint32(8 + i * 8, true)) + hex8(view.getUint32(12 + i * 8, true));
}

export function decodeIds(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || view.getUint32(0, true) !== ID_MAGIC) throw new Error('not a record-id file');
  const n = view.getUint32(4, true);
  if (bytes.byteLength !== 8 + n * 8)
    throw new Error(`record-id file holds ${bytes.byteLength} bytes, expected ${8 + n * 8}`);
  const hex8 = (x: number) => x.toString(16).padStart(8, '0');
  return Array.from(
    { length: n },
    (_, i) => hex8(view.getUint32(8 + i * 8, true)) + hex8(view.getUint32(12 + i * 8, true)),
  );
}

/** What a cluster partition can decide about a candidate, by code: kept, a semantic duplicate, or a strategy's refusal. */
export function fateReasons(): string[] {
  return ['candidate', 'semantic_duplicate', ...strategyReasons()];
}

export interface Fates {
  count: number;
  node: Uint32Array;
  /** Index into fateReasons(). */
  code: Uint8Array;
  /** The cluster of the record. */
  cluster: Uint32Array;
  /** For a refusal: the kept record it was too similar to, and the cosine similarity. */
  by: Uint32Array;
  sim: Float32Array;
  /** For a candidate: the strategy's value (rank, coverage, or position in its cluster for `balanced`). */
  priority: Float64Array;
}

export function emptyFates(n: number): Fates {
  return {
    count: n,
    node: new Uint32Array(n),
    code: new Uint8Array(n),
    cluster: new Uint32Array(n),
    by: new Uint32Array(n),
    sim: new Float32Array(n),
    priority: new Float64Array(n),
  };
}

const ROW = 4 + 1 + 4 + 4 + 4 + 8;

export function encodeFates(f: Fates): Uint8Array {
  const out = new Uint8Array(8 + f.count * ROW);
  const v = new DataView(out.buffer);
  v.setUint32(0, FATE_MAGIC, true);
  v.setUint32(4, f.count, true);
  for (let i = 0, o = 8; i < f.count; i++, o += ROW) {
    v.setUint32(o, f.node[i], true);
    v.setUint8(o + 4, f.code[i]);
    v.setUint32(o + 5, f.cluster[i], true);
    v.setUint32(o + 9, f.by[i], true);
    v.setFloat32(o + 13, f.sim[i], true);
    v.setFloat64(o + 17, f.priority[i], true);
  }
  return out;
}

export function decodeFates(bytes: Uint8Array): Fates {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || v.getUint32(0, true) !== FATE_MAGIC)
    throw new Error('not a selection fate file');
  const n = v.getUint32(4, true);
  if (bytes.byteLength !== 8 + n * ROW)
    throw new Error(`fate file holds ${bytes.byteLength} bytes, expected ${8 + n * ROW}`);
  const f = emptyFates(n);
  for (let i = 0, o = 8; i < n; i++, o += ROW) {
    f.node[i] = v.getUint32(o, true);
    f.code[i] = v.getUint8(o + 4);
    f.cluster[i] = v.getUint32(o + 5, true);
    f.by[i] = v.getUint32(o + 9, true);
    f.sim[i] = v.getFloat32(o + 13, true);
    f.priority[i] = v.getFloat64(o + 17, true);
  }
  return f;
}

/** The shard holding global record index `node`, given every shard's first index (ascending). */
export function shardOf(starts: readonly number[], node: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= node) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
