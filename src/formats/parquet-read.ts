import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { parquetReadObjects, parquetSchema } from 'hyparquet';
import type { RecordError } from '../../schemas/output.ts';
import { formatBytes, MAX_ROW_GROUP_BYTES } from '../limits.ts';
import { PARQUET_CODECS, PARQUET_COMPRESSORS } from './parquet-codecs.ts';
import { dataEnd, type RowGroupSpan, readParquetFooter, rowGroupSpans } from './parquet-footer.ts';
import { RowValueError, stringFromBytes, toJsonValue } from './parquet-row.ts';
import type { RangeSource } from './range-source.ts';
import type { RowItem, ShardRange, ShardTally, UnreadableItem } from './types.ts';

/** The first bytes of a row shown in invalid.jsonl when one of its values has no JSON form. */
const RAW_PREVIEW = 4096;

/** A short read: the file ends before bytes its footer points to. */
class ShortRead extends Error {}

/** The object as hyparquet reads it: every slice is one range read, and a short one is an error. */
function asyncBuffer(src: RangeSource): AsyncBuffer {
  return {
    byteLength: src.size,
    async slice(start, end = src.size) {
      const bytes = await src.read(start, end - start);
      if (bytes.length < end - start) {
        throw new ShortRead(`bytes [${start}, ${end}) run past the end of the file (${src.size} bytes)`);
      }
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
    },
  };
}

/**
 * Read the rows of the row groups a Parquet shard owns, one row group at a time (its column chunks
 * by range reads), each row as one JSON object. A row group that cannot be decoded (an unsupported
 * codec, bytes past the end of the data, a page that does not decode) yields every one of its rows
 * (the footer says how many) as unreadable, with an error naming the file, the row group and the
 * column; a value with no JSON form makes its row unreadable. Every row is accounted for.
 */
export async function* readParquet(
  src: RangeSource,
  range: ShardRange,
  file: string,
): AsyncGenerator<RowItem | UnreadableItem, ShardTally> {
  const metadata = await readParquetFooter(src, file);
  const spans = rowGroupSpans(metadata);
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const buffer = asyncBuffer(src);
  const groups = range.groups ?? { first: 0, count: 0 };
  let local = 0;
  for (let g = groups.first; g < groups.first + groups.count; g++) {
    const span = spans[g];
    if (span === undefined) {
      throw new Error(
        `parquet shard names row group ${g}, but ${file} has ${spans.length} (did the object change after planning?)`,
      );
    }
    const at = (i: number) => ({ row: span.firstRow + i, local: local + i, rowGroup: g });
    const problem = checkRowGroup(metadata, g, span, dataEnd(src.size, metadata));
    const read = problem ? { error: problem } : await readRowGroup(buffer, metadata, span, names);
    if ('error' in read) {
      const error = { ...read.error, message: `${where(file, g, read.error.path)}: ${read.error.message}` };
      for (let i = 0; i < span.rows; i++) yield { unreadable: error, ...at(i), raw: '' };
    } else {
      for (let i = 0; i < read.rows.length; i++) yield toItem(read.rows[i], names, at(i), file);
    }
    local += span.rows;
  }
  return { records: local, lines: 0 };
}

const where = (file: string, group: number, column?: string) =>
  `Parquet file ${file}, row group ${group}${column === undefined ? '' : `, column ${column}`}`;

/**
 * What the footer alone says is wrong with a row group: a codec the reader does not decode, a
 * column chunk whose bytes run past the data (a truncated file), or more uncompressed bytes than a
 * task may decode (MAX_ROW_GROUP_BYTES).
 */
function checkRowGroup(
  metadata: FileMetaData,
  g: number,
  span: RowGroupSpan,
  end: number,
): RecordError | null {
  for (const chunk of metadata.row_groups[g].columns) {
    const meta = chunk.meta_data;
    if (!meta) continue;
    const path = meta.path_in_schema.join('.');
    if (!PARQUET_CODECS.includes(meta.codec)) {
      const message =
        meta.codec === undefined
          ? `compressed with a codec id Parquet does not define: the file is corrupt, or written by a newer writer (Winnow reads ${PARQUET_CODECS.join(', ')})`
          : `compressed with ${meta.codec}, which Winnow does not decode (it reads ${PARQUET_CODECS.join(', ')}): write the file again with one of them`;
      return {
        code: 'unsupported_codec',
        message,
        path,
      };
    }
    const from = Number(meta.dictionary_page_offset || meta.data_page_offset);
    const to = from + Number(meta.total_compressed_size);
    if (to > end || from < 4) {
      return {
        code: 'truncated_row_group',
        message: `its bytes [${from}, ${to}) run past the data, which ends at byte ${end} where the footer starts: the file is truncated or corrupt`,
        path,
      };
    }
  }
  if (span.decoded > MAX_ROW_GROUP_BYTES) {
    return {
      code: 'row_group_too_large',
      message: `it decodes to ${formatBytes(span.decoded)} (${span.decoded} bytes), over the ${formatBytes(MAX_ROW_GROUP_BYTES)} a task may hold: write the file again with smaller row groups (pyarrow: row_group_size=10_000; DuckDB: ROW_GROUP_SIZE 10000)`,
    };
  }
  if (span.rows > 0 && metadata.row_groups[g].columns.length === 0) {
    return { code: 'undecodable_row_group', message: `it has ${span.rows} rows but no column chunks` };
  }
  return null;
}

type GroupRead = { rows: Record<string, unknown>[] } | { error: RecordError };

const readOptions = (buffer: AsyncBuffer, metadata: FileMetaData, span: RowGroupSpan) => ({
  file: buffer,
  metadata,
  rowStart: span.firstRow,
  rowEnd: span.firstRow + span.rows,
  compressors: PARQUET_COMPRESSORS,
  parsers: { stringFromBytes },
});

/**
 * Decode one row group, every column at once. When that fails, each column is read alone to find the
 * one that does not decode, so the error names it.
 */
async function readRowGroup(
  buffer: AsyncBuffer,
  metadata: FileMetaData,
  span: RowGroupSpan,
  names: string[],
): Promise<GroupRead> {
  if (span.rows === 0) return { rows: [] };
  try {
    const rows = await parquetReadObjects(readOptions(buffer, metadata, span));
    if (rows.length !== span.rows) {
      return {
        error: {
          code: 'undecodable_row_group',
          message: `decoded ${rows.length} rows where the footer says ${span.rows}`,
        },
      };
    }
    return { rows };
  } catch (e) {
    for (const name of names) {
      try {
        await parquetReadObjects({ ...readOptions(buffer, metadata, span), columns: [name] });
      } catch (inner) {
        return { error: decodeError(inner, name) };
      }
    }
    return { error: decodeError(e) };
  }
}

function decodeError(e: unknown, column?: string): RecordError {
  const message = (e as Error)?.message ?? String(e);
  const code = e instanceof ShortRead ? 'truncated_row_group' : 'undecodable_row_group';
  return {
    code,
    message: `does not decode: ${message}`,
    ...(column === undefined ? {} : { path: column }),
  };
}

/** One decoded row as a record, or as unreadable when a value has no JSON form. */
function toItem(
  values: Record<string, unknown>,
  names: string[],
  at: { row: number; local: number; rowGroup: number },
  file: string,
): RowItem | UnreadableItem {
  const value: Record<string, unknown> = {};
  let failed: RowValueError | null = null;
  for (let c = 0; c < names.length; c++) {
    const x = values[names[c]];
    if (x === null || x === undefined) continue;
    try {
      const v = toJsonValue(x, names[c]);
      if (names[c] === '__proto__')
        Object.defineProperty(value, '__proto__', { value: v, enumerable: true, writable: true });
      else value[names[c]] = v;
    } catch (e) {
      if (!(e instanceof RowValueError)) throw e;
      failed ??= e;
    }
  }
  if (failed === null) return { value, ...at };
  const error = {
    ...failed.error,
    message: `${where(file, at.rowGroup, failed.error.path)}, row ${at.row}: ${failed.error.message}`,
  };
  return { unreadable: error, ...at, raw: JSON.stringify(value).slice(0, RAW_PREVIEW) };
}
