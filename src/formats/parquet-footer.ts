import { type FileMetaData, parquetMetadata } from 'hyparquet';
import { WinnowError } from '../errors.ts';
import { concatBytes } from './bytes.ts';
import type { RangeSource } from './range-source.ts';

/** `PAR1`: the first and the last four bytes of every Parquet file. */
export const PARQUET_MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31);

/** Magic, then at the end the footer's length (4 bytes) and the magic again: the least a file can be. */
const MIN_PARQUET_BYTES = 12;

/** `PARE`: the magic of a Parquet file with an encrypted footer. */
const ENCRYPTED_MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x45);

const hasMagic = (magic: Uint8Array, bytes: Uint8Array, at: number) =>
  magic.every((b, i) => bytes[at + i] === b);

export function isParquetMagic(bytes: Uint8Array, at = 0): boolean {
  return hasMagic(PARQUET_MAGIC, bytes, at);
}

/** A Parquet file, plain (`PAR1`) or with an encrypted footer (`PARE`), by its first four bytes. */
export function startsLikeParquet(bytes: Uint8Array): boolean {
  return hasMagic(PARQUET_MAGIC, bytes, 0) || hasMagic(ENCRYPTED_MAGIC, bytes, 0);
}

/** A Parquet file that cannot be read at all: the job stops, naming the file. */
export function parquetFileError(file: string, detail: string, cause?: unknown): WinnowError {
  return new WinnowError('malformed_input', { path: `Parquet file ${file}`, detail, cause });
}

/** Where a row group lies: its rows (and the file's row number of its first), its bytes. */
export interface RowGroupSpan {
  rows: number;
  firstRow: number;
  /** Byte range [start, end) of its column chunks. */
  start: number;
  end: number;
  /** Its column chunks' compressed size: what a task reads. */
  bytes: number;
  /** Their uncompressed size: what a task decodes and holds, what a shard is packed by. */
  decoded: number;
}

/**
 * Read a Parquet file's footer (FileMetaData) with two range reads: the last 8 bytes (the footer's
 * length and `PAR1`), then the footer. A file too short, not ending in `PAR1` (truncated, or not
 * Parquet) or whose footer does not parse is a `malformed_input` error naming `file`.
 */
export async function readParquetFooter(src: RangeSource, file: string): Promise<FileMetaData> {
  const size = src.size;
  if (size < MIN_PARQUET_BYTES) {
    throw parquetFileError(
      file,
      `is ${size} bytes, too short for a Parquet file (${MIN_PARQUET_BYTES} at least)`,
    );
  }
  const tail = await src.read(size - 8, 8);
  if (tail.length === 8 && hasMagic(ENCRYPTED_MAGIC, tail, 4)) {
    throw parquetFileError(
      file,
      'is encrypted Parquet (its footer is encrypted, magic PARE), which Winnow does not read: decrypt it first',
    );
  }
  if (tail.length < 8 || !isParquetMagic(tail, 4)) {
    throw parquetFileError(
      file,
      'starts with the Parquet magic PAR1 but does not end with it: the file is truncated or not Parquet, and its footer (the schema and where the row groups are) cannot be read',
    );
  }
  const length = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
  if (length > size - MIN_PARQUET_BYTES) {
    throw parquetFileError(
      file,
      `its footer claims ${length} bytes, more than the ${size - MIN_PARQUET_BYTES} the file has before it: the file is truncated or corrupt`,
    );
  }
  const footer = await src.read(size - 8 - length, length);
  if (footer.length < length) {
    throw parquetFileError(file, `its footer ends early (${footer.length} of ${length} bytes read)`);
  }
  try {
    return parquetMetadata(concatBytes([footer, tail]));
  } catch (e) {
    throw parquetFileError(file, `its footer (${length} bytes) does not parse: ${(e as Error).message}`, e);
  }
}

/** Every row group's rows and bytes, in file order. */
export function rowGroupSpans(metadata: FileMetaData): RowGroupSpan[] {
  let firstRow = 0;
  return metadata.row_groups.map((group) => {
    let start = Number.POSITIVE_INFINITY;
    let end = 0;
    let bytes = 0;
    let decoded = 0;
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta) continue;
      const from = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const size = Number(meta.total_compressed_size);
      start = Math.min(start, from);
      end = Math.max(end, from + size);
      bytes += size;
      decoded += Number(meta.total_uncompressed_size);
    }
    const rows = Number(group.num_rows);
    const span = { rows, firstRow, start: Number.isFinite(start) ? start : 0, end, bytes, decoded };
    firstRow += rows;
    return span;
  });
}

/** Where a file's data ends: the footer, its length and the magic follow. */
export const dataEnd = (size: number, metadata: FileMetaData): number => size - 8 - metadata.metadata_length;
