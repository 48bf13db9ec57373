import { WinnowError } from '../../errors.ts';

/** A candidate record on its way to the reduce step of its cluster. */
export interface GroupItem {
  node: number;
  cluster: number;
  rank: number;
  /** Length `dim`. */
  vec: Float32Array;
}

/** A decoded group-entries file: columns of `count` entries, vectors row-major. */
export interface GroupEntries {
  count: number;
  dim: number;
  node: Uint32Array;
  cluster: Uint32Array;
  rank: Float64Array;
  vecs: Float32Array;
}

/** One cluster's members, sorted by (rank desc, node asc); `vecs` is row-major, `dim` numbers per member. */
export interface ClusterMembers {
  cluster: number;
  node: Uint32Array;
  rank: Float64Array;
  vecs: Float32Array;
  dim: number;
}

/**
 * A group-entries file: a 16-byte header, then four columns. Header: the ASCII magic `WGRE`, version
 * u16 (1), a reserved u16 (0), dim u32, count u32. Columns: rank f64[count], node u32[count],
 * cluster u32[count], vecs f32[count × dim], all little-endian. Every column starts aligned to its
 * element size, so decoding views the bytes in place. (Typed arrays are little-endian on every
 * platform Winnow runs on.)
 */
export const GROUP_HEADER_BYTES = 16;
const MAGIC = [0x57, 0x47, 0x52, 0x45]; // WGRE
const VERSION = 1;
const U32 = 2 ** 32;

function fileBytes(count: number, dim: number): number {
  return GROUP_HEADER_BYTES + count * (16 + 4 * dim);
}

/** One file per partition (empty ones too); an item goes to partition `cluster % partitions`, in input order. */
export function partitionGroups(items: readonly GroupItem[], dim: number, partitions: number): Uint8Array[] {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions >= U32)
    throw new RangeError(`partitions must be an integer in [1, 2^32), got ${partitions}`);
  const counts = new Array<number>(partitions).fill(0);
  items.forEach((it, i) => {
    for (const key of ['node', 'cluster'] as const) {
      const v = it[key];
      if (!Number.isInteger(v) || v < 0 || v >= U32)
        throw new RangeError(`items[${i}].${key} must be an integer in [0, 2^32), got ${v}`);
    }
    if (!Number.isFinite(it.rank)) throw new RangeError(`items[${i}].rank must be finite, got ${it.rank}`);
    if (it.vec.length !== dim) {
      throw new WinnowError('dim_mismatch', {
        path: `items[${i}].vec`,
        detail: `has ${it.vec.length} numbers, expected dim = ${dim}`,
      });
    }
    counts[it.cluster % partitions]++;
  });
  const files = counts.map((count) => {
    const out = new Uint8Array(fileBytes(count, dim));
    out.set(MAGIC, 0);
    const view = new DataView(out.buffer);
    view.setUint16(4, VERSION, true);
    view.setUint32(8, dim, true);
    view.setUint32(12, count, true);
    return out;
  });
  const cols = files.map((f, p) => columns(f.buffer as ArrayBuffer, 0, counts[p], dim));
  const fill = new Array<number>(partitions).fill(0);
  for (const it of items) {
    const p = it.cluster % partitions;
    const c = cols[p];
    const j = fill[p]++;
    c.rank[j] = it.rank;
    c.node[j] = it.node;
    c.cluster[j] = it.cluster;
    c.vecs.set(it.vec, j * dim);
  }
  return files;
}

function columns(buffer: ArrayBuffer, at: number, count: number, dim: number): GroupEntries {
  const base = at + GROUP_HEADER_BYTES;
  return {
    count,
    dim,
    rank: new Float64Array(buffer, base, count),
    node: new Uint32Array(buffer, base + 8 * count, count),
    cluster: new Uint32Array(buffer, base + 12 * count, count),
    vecs: new Float32Array(buffer, base + 16 * count, count * dim),
  };
}

/** The entries in `bytes`: views into them when they are 8-byte aligned (no copy), else one copy. */
export function decodeGroupEntries(bytes: Uint8Array): GroupEntries {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('group entries must be a Uint8Array');
  if (bytes.length < GROUP_HEADER_BYTES) {
    throw new TypeError(`not a group-entries file: ${bytes.length} bytes, shorter than the 16-byte header`);
  }
  if (MAGIC.some((b, i) => bytes[i] !== b))
    throw new TypeError('not a group-entries file: bad magic bytes (want WGRE)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== VERSION)
    throw new TypeError(`group-entries file version ${version} is not supported (want ${VERSION})`);
  const dim = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  if (dim < 1) throw new TypeError('group-entries file has dim 0');
  const want = fileBytes(count, dim);
  if (bytes.length < want) {
    throw new TypeError(
      `group-entries file is truncated: ${count} entries of dim ${dim} need ${want} bytes, got ${bytes.length}`,
    );
  }
  if (bytes.length > want) {
    throw new TypeError(`group-entries file has ${bytes.length - want} bytes past its ${count} entries`);
  }
  const entries =
    bytes.byteOffset % 8 === 0
      ? columns(bytes.buffer as ArrayBuffer, bytes.byteOffset, count, dim)
      : columns(bytes.slice().buffer, 0, count, dim);
  for (let j = 0; j < count; j++) {
    if (!Number.isFinite(entries.rank[j]))
      throw new TypeError(`group-entries file: entry ${j} has rank ${entries.rank[j]}, not a finite number`);
  }
  return entries;
}

/**
 * The members of every cluster in `files` (one reduce's files from all shards), clusters ascending,
 * each cluster's members by (rank desc, node asc). All files with entries must share `dim`
 * (`dim_mismatch`); the dim of an empty file is ignored.
 * The clusters' arrays are views into three shared buffers.
 */
export function groupByCluster(files: readonly GroupEntries[]): ClusterMembers[] {
  // An empty file holds no vectors, so its dim cannot disagree (an empty shard may not know the dim).
  const first = files.findIndex((f) => f.count > 0);
  if (first < 0) return [];
  const dim = files[first].dim;
  files.forEach((f, i) => {
    if (f.count > 0 && f.dim !== dim) {
      throw new WinnowError('dim_mismatch', {
        path: `files[${i}]`,
        detail: `has dim ${f.dim}, but files[${first}] has dim ${dim}`,
        details: { expected: dim, got: f.dim },
      });
    }
  });
  const sizes = new Map<number, number>();
  let total = 0;
  for (const f of files) {
    total += f.count;
    for (let j = 0; j < f.count; j++) sizes.set(f.cluster[j], (sizes.get(f.cluster[j]) ?? 0) + 1);
  }
  const ids = [...sizes.keys()].sort((a, b) => a - b);
  const cursor = new Map<number, number>();
  let at = 0;
  for (const id of ids) {
    cursor.set(id, at);
    at += sizes.get(id)!;
  }
  // Scatter every entry to its cluster's range, remembering where its vector lives.
  const src = new Uint32Array(total);
  const loc = new Uint32Array(total);
  const rank = new Float64Array(total);
  const node = new Uint32Array(total);
  files.forEach((f, fi) => {
    for (let j = 0; j < f.count; j++) {
      const pos = cursor.get(f.cluster[j])!;
      cursor.set(f.cluster[j], pos + 1);
      src[pos] = fi;
      loc[pos] = j;
      rank[pos] = f.rank[j];
      node[pos] = f.node[j];
    }
  });
  const outNode = new Uint32Array(total);
  const outRank = new Float64Array(total);
  const outVecs = new Float32Array(total * dim);
  const out: ClusterMembers[] = [];
  let start = 0;
  for (const id of ids) {
    const end = start + sizes.get(id)!;
    const perm = new Uint32Array(end - start);
    for (let p = 0; p < perm.length; p++) perm[p] = start + p;
    // Ties on (rank, node) keep file order, which is deterministic too.
    perm.sort((x, y) => rank[y] - rank[x] || node[x] - node[y] || x - y);
    for (let p = 0; p < perm.length; p++) {
      const q = perm[p];
      outNode[start + p] = node[q];
      outRank[start + p] = rank[q];
      const v = files[src[q]].vecs;
      const from = loc[q] * dim;
      const to = (start + p) * dim;
      for (let k = 0; k < dim; k++) outVecs[to + k] = v[from + k];
    }
    out.push({
      cluster: id,
      node: outNode.subarray(start, end),
      rank: outRank.subarray(start, end),
      vecs: outVecs.subarray(start * dim, end * dim),
      dim,
    });
    start = end;
  }
  return out;
}
