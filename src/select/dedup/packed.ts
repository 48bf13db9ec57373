import { decodeColumns, encodeColumns } from './entries.ts';

/*
 * One shard's dedup map output in one object: its per-partition entries files behind a small index, so
 * a shard writes one object instead of one per partition, and each reducer reads its partition's part
 * with two range reads (the index, then the part). Layout ('WDDP', count = partitions): u32 start[count],
 * u32 length[count], then the parts, each a whole 'WDDE' file starting at an 8-aligned offset.
 */
const PACKED = 'WDDP';
const WHAT = 'packed dedup partitions';

/** Bytes of the index at the start of a packed file of `partitions` parts: read these first. */
export function packedIndexLength(partitions: number): number {
  return 16 + 8 * partitions;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** The parts (partitionEntries' files, in partition order) in one file. */
export function packPartitions(parts: readonly Uint8Array[]): Uint8Array {
  const n = parts.length;
  const start = new Uint32Array(n);
  const length = new Uint32Array(n);
  let at = align8(packedIndexLength(n));
  for (let p = 0; p < n; p++) {
    start[p] = at;
    length[p] = parts[p].byteLength;
    at = align8(at + parts[p].byteLength);
  }
  const out = new Uint8Array(at);
  out.set(encodeColumns(PACKED, n, 0, [start, length]));
  for (let p = 0; p < n; p++) out.set(parts[p], start[p]);
  return out;
}

/**
 * Where part `partition` lies in a packed file, from its first packedIndexLength(partitions) bytes.
 * Throws for foreign bytes, another partition count, or a partition out of range.
 */
export function packedSpan(
  index: Uint8Array,
  partitions: number,
  partition: number,
): { offset: number; length: number } {
  const { count, columns } = decodeColumns(index, PACKED, WHAT, (n) => [
    ['u32', n],
    ['u32', n],
  ]);
  if (count !== partitions) throw new RangeError(`${WHAT}: ${count} partitions, expected ${partitions}`);
  if (!(Number.isInteger(partition) && partition >= 0 && partition < count))
    throw new RangeError(`${WHAT}: no partition ${partition} of ${count}`);
  return { offset: columns[0][partition], length: columns[1][partition] };
}
