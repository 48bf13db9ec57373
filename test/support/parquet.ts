/**
 * Parquet files for tests, written with hyparquet-writer (plain JavaScript: it runs in Node and in
 * workerd alike). Rows are JSON objects; every column is optional, so a row without a key writes null.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';

/** The writer's own types (it depends on an older hyparquet than the reader's). */
type Options = Parameters<typeof parquetWriteBuffer>[0];
type SchemaElement = NonNullable<Options['schema']>[number];

export interface WriteOptions {
  rowGroupSize?: number;
  codec?: Options['codec'];
  /** Compressors for codecs other than SNAPPY: `(input) => compressed`. */
  compressors?: Options['compressors'];
  /** Columns holding a list of `{role, content}` structs (LIST<STRUCT>), such as `messages`. */
  messageColumns?: string[];
}

/**
 * Parquet bytes of `rows`: string columns as STRING, numbers as DOUBLE, turn lists as LIST<STRUCT>,
 * any other value (objects, arrays) as a JSON column.
 */
export function writeParquet(rows: Record<string, unknown>[], opts: WriteOptions = {}): Uint8Array {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lists = new Set(opts.messageColumns ?? []);
  const schema: SchemaElement[] = [{ name: 'root', num_children: names.length }];
  for (const name of names) {
    if (lists.has(name)) schema.push(...turnListSchema(name));
    else if (rows.some((r) => typeof r[name] === 'number'))
      schema.push({ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
    else if (rows.some((r) => typeof r[name] === 'object' && r[name] !== null))
      schema.push({ name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'OPTIONAL' });
    else schema.push({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
  }
  const columnData = names.map((name) => ({ name, data: rows.map((r) => r[name] ?? null) }));
  const buffer = parquetWriteBuffer({
    columnData,
    schema,
    rowGroupSize: opts.rowGroupSize ?? 1000,
    ...(opts.codec ? { codec: opts.codec } : {}),
    ...(opts.compressors ? { compressors: opts.compressors } : {}),
  });
  return new Uint8Array(buffer);
}

/** A column of `{role, content}` lists, as the Hugging Face Hub stores `messages`: LIST<STRUCT<role, content>>. */
function turnListSchema(name: string): SchemaElement[] {
  return [
    { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'role', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    { name: 'content', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ];
}

/** JSONL text of the same rows: the JSONL form of a Parquet file written by `writeParquet`. */
export const toJsonlText = (rows: unknown[]): string => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
