/**
 * A shard's members file: one fixed-width entry per valid record, sorted by record id, with the
 * start of each of 256 id buckets (the id's top byte) in the header, so a diff task reads just its
 * bucket range of every shard with two range reads (header, then entries).
 *
 * Layout (little endian): magic "WMB1", u32 entries, u32 terms, u32 reserved; u32 × 257 bucket starts
 * (entry indices); then entries of 24 + 4·terms bytes: u32 id high, u32 id low, f64 rank, u32 input
 * index, u8 reason code, u8 flags (bit 0: a reserve took it), 2 pad bytes, f32 × terms (the rank
 * terms' scores, NaN when missing). Files written before the flags byte hold 0 there.
 */
export const BUCKETS = 256;
const MAGIC = 0x31424d57; // "WMB1"
export const MEMBERS_HEADER_BYTES = 16 + (BUCKETS + 1) * 4;

export interface Member {
  /** The record id's 64 bits as two unsigned 32-bit halves (ids are 16 hex digits). */
  hi: number;
  lo: number;
  rank: number;
  index: number;
  /** Index into the run's reason table (see memberReasons); 0 is `selected`. */
  reason: number;
  /** Selected because a reserve (recipe `select.reserve`) took it. */
  reserved?: boolean;
  terms: number[];
}

export const entryBytes = (terms: number) => 24 + 4 * terms;

/** Value of each lowercase hex digit's char code, -1 for any other code below 128. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

/** The 32-bit value of the 8 lowercase hex digits of `id` from `at`; -1 when one is not. */
function hexWord(id: string, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const c = id.charCodeAt(i);
    const d = c < 128 ? HEX[c] : -1;
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v >>> 0;
}

export function idHalves(id: string): [hi: number, lo: number] {
  const hi = id.length === 16 ? hexWord(id, 0) : -1;
  const lo = hi < 0 ? -1 : hexWord(id, 8);
  if (lo < 0) throw new TypeError(`record id must be 16 hex digits, got "${id}"`);
  return [hi, lo];
}

export const idText = (hi: number, lo: number) =>
  hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');

export const compareMembers = (a: Member, b: Member) => a.hi - b.hi || a.lo - b.lo;

/** Members as columns (what export fills, one row per valid record, without an object per record). */
export interface MemberColumns {
  n: number;
  hi: Uint32Array;
  lo: Uint32Array;
  rank: Float64Array;
  index: Uint32Array;
  reason: Uint8Array;
  /** 1: a reserve took it. */
  reserved: Uint8Array;
  /** n × terms, row-major: the rank terms' scores (NaN when missing). */
  terms: Float32Array;
}

export function memberColumns(n: number, terms: number): MemberColumns {
  return {
    n,
    hi: new Uint32Array(n),
    lo: new Uint32Array(n),
    rank: new Float64Array(n),
    index: new Uint32Array(n),
    reason: new Uint8Array(n),
    reserved: new Uint8Array(n),
    terms: new Float32Array(n * terms),
  };
}

/** Encode members (any order; sorted here) with `terms` term scores each. */
export function encodeMembers(members: Member[], terms: number): Uint8Array {
  const c = memberColumns(members.length, terms);
  members.forEach((m, i) => {
    c.hi[i] = m.hi;
    c.lo[i] = m.lo;
    c.rank[i] = m.rank;
    c.index[i] = m.index;
    c.reason[i] = m.reason;
    c.reserved[i] = m.reserved ? 1 : 0;
    for (let t = 0; t < terms; t++) c.terms[i * terms + t] = m.terms[t] ?? Number.NaN;
  });
  return encodeMemberColumns(c, terms);
}

/** Encode member columns (any order; sorted here by id). */
export function encodeMemberColumns(c: MemberColumns, terms: number): Uint8Array {
  const { n, hi, lo } = c;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => hi[a] - hi[b] || lo[a] - lo[b]);
  const size = entryBytes(terms);
  const out = new Uint8Array(MEMBERS_HEADER_BYTES + n * size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, n, true);
  dv.setUint32(8, terms, true);
  let b = 0;
  for (let i = 0; i < n; i++) {
    const m = order[i];
    const bucket = hi[m] >>> 24;
    while (b <= bucket) dv.setUint32(16 + 4 * b++, i, true);
    const at = MEMBERS_HEADER_BYTES + i * size;
    dv.setUint32(at, hi[m], true);
    dv.setUint32(at + 4, lo[m], true);
    dv.setFloat64(at + 8, c.rank[m], true);
    dv.setUint32(at + 16, c.index[m], true);
    dv.setUint8(at + 20, c.reason[m]);
    dv.setUint8(at + 21, c.reserved[m]);
    for (let t = 0; t < terms; t++) dv.setFloat32(at + 24 + 4 * t, c.terms[m * terms + t], true);
  }
  while (b <= BUCKETS) dv.setUint32(16 + 4 * b++, n, true);
  return out;
}

export interface MembersHeader {
  entries: number;
  terms: number;
  /** Entry index where each bucket starts; starts[256] = entries. */
  starts: Uint32Array;
}

export function decodeHeader(bytes: Uint8Array, what = 'members file'): MembersHeader {
  if (bytes.byteLength < MEMBERS_HEADER_BYTES) throw new RangeError(`${what}: truncated header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new RangeError(`${what}: not a members file (bad magic)`);
  const starts = new Uint32Array(BUCKETS + 1);
  for (let b = 0; b <= BUCKETS; b++) starts[b] = dv.getUint32(16 + 4 * b, true);
  return { entries: dv.getUint32(4, true), terms: dv.getUint32(8, true), starts };
}

/** Byte range of buckets [b0, b1) in the file. */
export function bucketRange(h: MembersHeader, b0: number, b1: number): { offset: number; length: number } {
  const size = entryBytes(h.terms);
  return {
    offset: MEMBERS_HEADER_BYTES + h.starts[b0] * size,
    length: (h.starts[b1] - h.starts[b0]) * size,
  };
}

/** Decode consecutive entries (as read by bucketRange). */
export function decodeEntries(bytes: Uint8Array, terms: number): Member[] {
  const size = entryBytes(terms);
  if (bytes.byteLength % size !== 0)
    throw new RangeError(`members entries: ${bytes.byteLength} bytes is not a multiple of ${size}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Member[] = [];
  for (let at = 0; at < bytes.byteLength; at += size) {
    const t: number[] = [];
    for (let k = 0; k < terms; k++) t.push(dv.getFloat32(at + 24 + 4 * k, true));
    out.push({
      hi: dv.getUint32(at, true),
      lo: dv.getUint32(at + 4, true),
      rank: dv.getFloat64(at + 8, true),
      index: dv.getUint32(at + 16, true),
      reason: dv.getUint8(at + 20),
      ...((dv.getUint8(at + 21) & 1) !== 0 ? { reserved: true } : {}),
      terms: t,
    });
  }
  return out;
}

/** The bucket range [b0, b1) of diff task `p` of `parts`. */
export function partBuckets(p: number, parts: number): [number, number] {
  return [Math.floor((BUCKETS * p) / parts), Math.floor((BUCKETS * (p + 1)) / parts)];
}

const INDEX_MAGIC = 0x31494d57; // "WMI1"

/**
 * A run's members index: every shard's bucket starts in one small object (u32 magic, u32 shards,
 * u32 terms, then shards × 257 u32), so a diff task reads one object per run instead of a header
 * per shard.
 */
export function encodeIndex(headers: readonly MembersHeader[], terms: number): Uint8Array {
  const out = new Uint8Array(12 + headers.length * (BUCKETS + 1) * 4);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, INDEX_MAGIC, true);
  dv.setUint32(4, headers.length, true);
  dv.setUint32(8, terms, true);
  headers.forEach((h, s) => {
    for (let b = 0; b <= BUCKETS; b++) dv.setUint32(12 + 4 * (s * (BUCKETS + 1) + b), h.starts[b], true);
  });
  return out;
}

export function decodeIndex(bytes: Uint8Array, what = 'members index'): MembersHeader[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || dv.getUint32(0, true) !== INDEX_MAGIC)
    throw new RangeError(`${what}: not a members index (bad magic)`);
  const shards = dv.getUint32(4, true);
  const terms = dv.getUint32(8, true);
  if (bytes.byteLength !== 12 + shards * (BUCKETS + 1) * 4) throw new RangeError(`${what}: truncated`);
  return Array.from({ length: shards }, (_, s) => {
    const starts = new Uint32Array(BUCKETS + 1);
    for (let b = 0; b <= BUCKETS; b++) starts[b] = dv.getUint32(12 + 4 * (s * (BUCKETS + 1) + b), true);
    return { entries: starts[BUCKETS], terms, starts };
  });
}
