import { checkParams, MINHASH_DEFAULTS, type MinHashParams, type Signature } from './minhash.ts';

/*
 * The binary files of distributed dedup share one layout: a 16-byte little-endian header (4-byte ASCII
 * magic, uint32 version = 1, uint32 count, uint32 extra) and then columns, float64 ones first, then
 * uint32, then uint8, so every column is aligned when the file starts at an 8-aligned offset and decode
 * can view it without copying (it copies otherwise).
 */
const HEADER = 16;
const VERSION = 1;
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export type Column = Float64Array | Uint32Array | Uint8Array;
export type ColumnType = 'f64' | 'u32' | 'u8';
const WIDTH = { f64: 8, u32: 4, u8: 1 } as const;

function header(total: number, magic: string, count: number, extra: number): Uint8Array {
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = magic.charCodeAt(i);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, count, true);
  view.setUint32(12, extra, true);
  return bytes;
}

/** Header, then the columns' bytes in order (little-endian). */
export function encodeColumns(magic: string, count: number, extra: number, columns: Column[]): Uint8Array {
  let total = HEADER;
  for (const c of columns) total += c.byteLength;
  const bytes = header(total, magic, count, extra);
  const view = new DataView(bytes.buffer);
  let at = HEADER;
  for (const c of columns) {
    if (LITTLE || c instanceof Uint8Array)
      bytes.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at);
    else if (c instanceof Float64Array)
      for (let i = 0; i < c.length; i++) view.setFloat64(at + i * 8, c[i], true);
    else for (let i = 0; i < c.length; i++) view.setUint32(at + i * 4, c[i], true);
    at += c.byteLength;
  }
  return bytes;
}

/**
 * Empty columns to fill and `finish` to get the file: on little-endian hosts the columns are views of the
 * file itself, so nothing is copied.
 */
export function allocColumns(
  magic: string,
  count: number,
  extra: number,
  spec: [ColumnType, number][],
): { columns: Column[]; finish: () => Uint8Array } {
  const make = (type: ColumnType, buffer: ArrayBufferLike | undefined, at: number, n: number): Column =>
    type === 'f64'
      ? buffer
        ? new Float64Array(buffer, at, n)
        : new Float64Array(n)
      : type === 'u32'
        ? buffer
          ? new Uint32Array(buffer, at, n)
          : new Uint32Array(n)
        : buffer
          ? new Uint8Array(buffer, at, n)
          : new Uint8Array(n);
  if (!LITTLE) {
    const columns = spec.map(([type, n]) => make(type, undefined, 0, n));
    return { columns, finish: () => encodeColumns(magic, count, extra, columns) };
  }
  let total = HEADER;
  for (const [type, n] of spec) total += WIDTH[type] * n;
  const bytes = header(total, magic, count, extra);
  let at = HEADER;
  const columns = spec.map(([type, n]) => {
    const c = make(type, bytes.buffer, at, n);
    at += WIDTH[type] * n;
    return c;
  });
  return { columns, finish: () => bytes };
}

/**
 * Checks the magic, version and total length against `layout(count, extra)` (column types and lengths)
 * and returns the columns, viewing `bytes` where alignment allows. Throws a TypeError for foreign bytes
 * and a RangeError for an unknown version or a wrong length.
 */
export function decodeColumns(
  bytes: Uint8Array,
  magic: string,
  what: string,
  layout: (count: number, extra: number) => [ColumnType, number][],
): { count: number; extra: number; columns: Column[] } {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (bytes.length < HEADER)
    throw new RangeError(`${what} is truncated (${bytes.length} bytes, header is 16)`);
  const found = String.fromCharCode(...bytes.subarray(0, 4));
  if (found !== magic)
    throw new TypeError(`not a ${what} (expected magic ${magic}, found ${JSON.stringify(found)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION)
    throw new RangeError(`unsupported ${what} version ${version} (expected ${VERSION})`);
  const count = view.getUint32(8, true);
  const extra = view.getUint32(12, true);
  const spec = layout(count, extra);
  let expected = HEADER;
  for (const [type, length] of spec) expected += WIDTH[type] * length;
  if (bytes.length < expected)
    throw new RangeError(`${what} is truncated (${bytes.length} of ${expected} bytes for count ${count})`);
  if (bytes.length > expected)
    throw new RangeError(`${what} has ${bytes.length - expected} trailing bytes (count ${count})`);
  let at = HEADER;
  const columns = spec.map(([type, length]): Column => {
    const start = at;
    at += WIDTH[type] * length;
    if (type === 'u8') return bytes.subarray(start, at);
    const offset = bytes.byteOffset + start;
    if (LITTLE && offset % WIDTH[type] === 0)
      return type === 'f64'
        ? new Float64Array(bytes.buffer, offset, length)
        : new Uint32Array(bytes.buffer, offset, length);
    const out = type === 'f64' ? new Float64Array(length) : new Uint32Array(length);
    if (LITTLE) new Uint8Array(out.buffer).set(bytes.subarray(start, at));
    else if (type === 'f64') for (let i = 0; i < length; i++) out[i] = view.getFloat64(start + i * 8, true);
    else for (let i = 0; i < length; i++) out[i] = view.getUint32(start + i * 4, true);
    return out;
  });
  return { count, extra, columns };
}

export interface DedupItem {
  /** Global record index (u32). */
  node: number;
  /** Selection rank in [0, 1]: of duplicates the highest survives. */
  rank: number;
  /** hash64(exactNormal(text)). */
  exact: [hi: number, lo: number];
  /** minhashSignature(nearNormal(text)). */
  sig: Signature;
}

export interface Entries {
  count: number;
  sketchLen: number;
  keyHi: Uint32Array;
  keyLo: Uint32Array;
  /** 0: exact key, 1: band key. */
  kind: Uint8Array;
  node: Uint32Array;
  rank: Float64Array;
  /** count * sketchLen bytes, entry i at i * sketchLen. */
  sketch: Uint8Array;
}

const ENTRIES = 'WDDE';
const isU32 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Dedup items as columns (what prepare fills, without an object per record). */
export interface DedupColumns {
  count: number;
  /** Global record index. */
  node: Uint32Array;
  /** Selection rank: of duplicates the highest survives. */
  rank: Float64Array;
  /** hash64 of the exact text: (hi, lo) at 2i. */
  exact: Uint32Array;
  /** Band keys: (hi, lo) per band, item i's at 2·bands·i. */
  bands: Uint32Array;
  /** Sketches, item i's at sketch·i. */
  sketch: Uint8Array;
}

/** Empty columns for `count` items. */
export function dedupColumns(count: number, p: MinHashParams = MINHASH_DEFAULTS): DedupColumns {
  return {
    count,
    node: new Uint32Array(count),
    rank: new Float64Array(count),
    exact: new Uint32Array(2 * count),
    bands: new Uint32Array(2 * p.bands * count),
    sketch: new Uint8Array(p.sketch * count),
  };
}

/**
 * One kind-0 (exact) entry keyed by `exact`, one kind-1 entry per band;
 * partition = (key lo >>> 0) % partitions.
 * Returns `partitions` files (empty ones too). Every entry carries the item's sketch. File layout ('WDDE',
 * extra = sketch length): rank f64, keyHi u32, keyLo u32, node u32, kind u8, sketch u8[count·sketch].
 */
export function partitionEntries(
  items: readonly DedupItem[],
  partitions: number,
  p: MinHashParams = MINHASH_DEFAULTS,
): Uint8Array[] {
  checkParams(p);
  const c = dedupColumns(items.length, p);
  for (let i = 0; i < items.length; i++) {
    const { node, rank, exact, sig } = items[i];
    if (!isU32(node)) throw new RangeError(`item ${i}: node must be an integer in [0, 2^32)`);
    if (!isU32(exact[0]) || !isU32(exact[1])) throw new RangeError(`item ${i}: exact must be two u32 halves`);
    if (sig.bands.length !== 2 * p.bands || sig.sketch.length !== p.sketch)
      throw new RangeError(
        `item ${i}: signature does not match ${p.bands} bands and a ${p.sketch}-byte sketch`,
      );
    c.node[i] = node;
    c.rank[i] = rank;
    c.exact[2 * i] = exact[0];
    c.exact[2 * i + 1] = exact[1];
    c.bands.set(sig.bands, 2 * p.bands * i);
    c.sketch.set(sig.sketch, p.sketch * i);
  }
  return partitionColumns(c, partitions, p);
}

/** partitionEntries over columns. */
export function partitionColumns(
  c: DedupColumns,
  partitions: number,
  p: MinHashParams = MINHASH_DEFAULTS,
): Uint8Array[] {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 65536)
    throw new RangeError('partitions must be an integer in [1, 65536]');
  checkParams(p);
  const n = c.count;
  const B = p.bands;
  const S = p.sketch;
  if (c.node.length < n || c.rank.length < n || c.exact.length < 2 * n)
    throw new RangeError(`dedup columns hold fewer than ${n} items`);
  if (c.bands.length < 2 * B * n || c.sketch.length < S * n)
    throw new RangeError(`dedup columns do not match ${B} bands and a ${S}-byte sketch`);
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(c.rank[i])) throw new RangeError(`item ${i}: rank must be finite`);
  // Each entry's partition, computed once: keys are u32, often past 2^31, where % is a double fmod.
  const per = 1 + B;
  const part = new Uint16Array(n * per);
  const counts = new Uint32Array(partitions);
  const mod = (v: number) => v - Math.floor(v / partitions) * partitions;
  for (let i = 0; i < n; i++) {
    let q = mod(c.exact[2 * i + 1]);
    part[i * per] = q;
    counts[q]++;
    for (let b = 0, o = 2 * B * i; b < B; b++) {
      q = mod(c.bands[o + 2 * b + 1]);
      part[i * per + 1 + b] = q;
      counts[q]++;
    }
  }
  const files = Array.from(counts, (count) => {
    const file = allocColumns(ENTRIES, count, S, layout(count, S));
    const [rank, keyHi, keyLo, node, kind, sketch] = file.columns as [
      Float64Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint8Array,
      Uint8Array,
    ];
    return { at: 0, rank, keyHi, keyLo, node, kind, sketch, finish: file.finish };
  });
  const sk = c.sketch;
  for (let i = 0; i < n; i++) {
    for (let e = 0; e <= B; e++) {
      const f = files[part[i * per + e]];
      const at = f.at++;
      f.rank[at] = c.rank[i];
      f.node[at] = c.node[i];
      if (e === 0) {
        f.keyHi[at] = c.exact[2 * i];
        f.keyLo[at] = c.exact[2 * i + 1];
        f.kind[at] = 0;
      } else {
        f.keyHi[at] = c.bands[2 * B * i + 2 * (e - 1)];
        f.keyLo[at] = c.bands[2 * B * i + 2 * (e - 1) + 1];
        f.kind[at] = 1;
      }
      const out = f.sketch; // a loop beats .set() for a few dozen bytes
      for (let k = 0, o = at * S, from = i * S; k < S; k++) out[o + k] = sk[from + k];
    }
  }
  return files.map((f) => f.finish());
}

const layout = (n: number, s: number): [ColumnType, number][] => [
  ['f64', n],
  ['u32', n],
  ['u32', n],
  ['u32', n],
  ['u8', n],
  ['u8', n * s],
];

/**
 * Validates the magic/version header, the length, the kinds and ranks; throws an Error naming what is
 * wrong. The columns view `bytes` when it is 8-aligned (copies otherwise).
 */
export function decodeEntries(bytes: Uint8Array): Entries {
  const { count, extra, columns } = decodeColumns(bytes, ENTRIES, 'dedup entries file', layout);
  const [rank, keyHi, keyLo, node, kind, sketch] = columns;
  for (let i = 0; i < count; i++) {
    if (kind[i] > 1) throw new RangeError(`dedup entries: entry ${i} has kind ${kind[i]} (expected 0 or 1)`);
    if (!Number.isFinite(rank[i])) throw new RangeError(`dedup entries: entry ${i} has rank ${rank[i]}`);
  }
  return {
    count,
    sketchLen: extra,
    keyHi: keyHi as Uint32Array,
    keyLo: keyLo as Uint32Array,
    kind: kind as Uint8Array,
    node: node as Uint32Array,
    rank: rank as Float64Array,
    sketch: sketch as Uint8Array,
  };
}
