import { parquetWriteBuffer } from 'hyparquet-writer';
import { WINNOW_VERSION } from '../version.ts';

/**
 * Parquet output. Every column has one declared type in every part of a file (a part with no rows
 * too), so a loader that reads the parts as one table (`datasets`, DuckDB, pandas) never meets two.
 */

/** A column's type: a scalar, JSON text (values of any shape), or one of the chat shapes. */
export type ColumnKind =
  | 'string'
  | 'double'
  | 'int64'
  /** Any JSON value, stored as its JSON text (Parquet's JSON converted type). */
  | 'json'
  /** `[{role, content}]` */
  | 'messages'
  /** `{role, content}` */
  | 'message'
  /** `[{from, value}]` (ShareGPT) */
  | 'conversations'
  /** `[[user, assistant]]` (Alpaca's history) */
  | 'pairs'
  /** `[string]` */
  | 'strings';

export interface ParquetColumn {
  name: string;
  kind: ColumnKind;
}

type SchemaElement = {
  name: string;
  type?: 'BYTE_ARRAY' | 'DOUBLE' | 'INT64';
  converted_type?: 'UTF8' | 'JSON' | 'LIST';
  repetition_type?: 'OPTIONAL' | 'REPEATED' | 'REQUIRED';
  num_children?: number;
};

const text = (name: string): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  repetition_type: 'OPTIONAL',
});
/** A LIST group whose elements are `element` (the three-level layout the Parquet spec gives). */
const list = (name: string, element: SchemaElement[]): SchemaElement[] => [
  { name, repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  ...element,
];
const struct = (fields: string[]): SchemaElement[] => [
  { name: 'element', repetition_type: 'OPTIONAL', num_children: fields.length },
  ...fields.map(text),
];

function elements({ name, kind }: ParquetColumn): SchemaElement[] {
  switch (kind) {
    case 'string':
      return [text(name)];
    case 'double':
      return [{ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' }];
    case 'int64':
      return [{ name, type: 'INT64', repetition_type: 'OPTIONAL' }];
    case 'json':
      return [{ name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'OPTIONAL' }];
    case 'messages':
      return list(name, struct(['role', 'content']));
    case 'message':
      return [{ name, repetition_type: 'OPTIONAL', num_children: 2 }, text('role'), text('content')];
    case 'conversations':
      return list(name, struct(['from', 'value']));
    case 'strings':
      return list(name, [text('element')]);
    case 'pairs':
      return list(name, list('element', [text('element')]));
  }
}

/** The Parquet schema of `columns`, root first. */
export function parquetSchema(columns: readonly ParquetColumn[]): SchemaElement[] {
  return [{ name: 'root', num_children: columns.length }, ...columns.flatMap(elements)];
}

/** A value as its column stores it: int64 as bigint; absent as null. */
function cellValue(kind: ColumnKind, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (kind === 'int64') return BigInt(v as number);
  return v;
}

/**
 * One Parquet file of `rows` with exactly `columns` (a row's other fields are not written; a missing
 * field is null). Snappy-compressed, row groups of up to 100,000 rows, Winnow named as its writer.
 */
export function parquetFile(
  columns: readonly ParquetColumn[],
  rows: readonly Record<string, unknown>[],
): Uint8Array {
  const columnData = columns.map(({ name, kind }) => ({
    name,
    data: rows.map((r) => cellValue(kind, r[name])),
  }));
  const buffer = parquetWriteBuffer({
    columnData,
    // biome-ignore lint/suspicious/noExplicitAny: hyparquet-writer's SchemaElement has more optional fields than we use
    schema: parquetSchema(columns) as any,
    rowGroupSize: 100_000,
    createdBy: `winnow ${WINNOW_VERSION}`,
  });
  return new Uint8Array(buffer);
}

/** A part's name as the Hugging Face Hub lays parquet out: `<config>/train-00003-of-00012.parquet`. */
export const PARQUET = 'application/vnd.apache.parquet';

/** A Parquet part's name as parquetPartName makes it: its config folder in group 1. */
export const PARQUET_PART_NAME = /^([a-z]+)\/train-\d{5}-of-\d{5}\.parquet$/;

export function parquetPartName(config: string, part: number, parts: number): string {
  const five = (n: number) => String(n).padStart(5, '0');
  return `${config}/train-${five(part)}-of-${five(parts)}.parquet`;
}
