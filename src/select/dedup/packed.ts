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

/**
 * Where each part starts in a packed file, given every part's length (so a reader told the lengths
 * needs no index read); the last value is the file's length.
 */
export function packedOffsets(lengths: readonly number[]): number[] {
  const out = new Array<number>(lengths.length + 1);
  let at = align8(packedIndexLength(lengths.length));
  for (let p = 0; p < lengths.length; p++) {
    out[p] = at;
    at = align8(at + lengths[p]);
  }
  out[lengths.length] = at;
  return out;
}

/** The parts (partitionEntries' files, in partition order) in one file. */
export function packPartitions(parts: readonly Uint8Array[]): Uint8Array {
  const n = parts.length;
  const length = Uint32Array.from(parts, (p) => p.byteLength);
  const offsets = packedOffsets(Array.from(length));
  const start = Uint32Array.from(offsets.slice(0, n));
  const out = new Uint8Array(offsets[n]);
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
