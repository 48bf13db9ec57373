import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { type ParquetColumn, parquetFile, parquetPartName } from '../../../src/export/parquet.ts';

const dir = mkdtempSync(join(tmpdir(), 'winnow-parquet-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const columns: ParquetColumn[] = [
  { name: 'id', kind: 'string' },
  { name: 'messages', kind: 'messages' },
  { name: 'conversations', kind: 'conversations' },
  { name: 'history', kind: 'pairs' },
  { name: 'flags', kind: 'strings' },
  { name: 'weight', kind: 'double' },
  { name: 'offset', kind: 'int64' },
  { name: 'record', kind: 'json' },
];

const rows = [
  {
    id: 'a',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi, “there” 你好' },
      { role: 'assistant', content: 'Hello.' },
    ],
    conversations: [
      { from: 'human', value: 'q' },
      { from: 'gpt', value: 'a' },
    ],
    history: [
      ['u1', 'a1'],
      ['u2', 'a2'],
    ],
    flags: ['cut_off'],
    weight: 1.25,
    offset: 7,
    record: { instruction: 'x', n: [1, 2] },
  },
  {
    id: 'b',
    messages: [],
    conversations: [],
    history: [],
    flags: [],
    weight: 0.5,
    offset: 0,
    record: 'text',
  },
  { id: 'c', extra: 'not written' },
];

async function duck(sql: string) {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  return (await c.runAndReadAll(sql)).getRowObjectsJson();
}

describe('Parquet out', () => {
  it('declares one type per column, and DuckDB and hyparquet read back every value', async () => {
    const file = join(dir, 'a.parquet');
    writeFileSync(file, parquetFile(columns, rows));
    const types = await duck(`DESCRIBE SELECT * FROM '${file}'`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual({
      id: 'VARCHAR',
      messages: 'STRUCT("role" VARCHAR, "content" VARCHAR)[]',
      conversations: 'STRUCT("from" VARCHAR, "value" VARCHAR)[]',
      history: 'VARCHAR[][]',
      flags: 'VARCHAR[]',
      weight: 'DOUBLE',
      offset: 'BIGINT',
      record: 'JSON',
    });
    const back = await duck(`SELECT * FROM '${file}' ORDER BY id`);
    expect(back[0]).toMatchObject({
      id: 'a',
      messages: rows[0].messages,
      conversations: rows[0].conversations,
      history: rows[0].history,
      flags: ['cut_off'],
      weight: 1.25,
      offset: '7',
    });
    expect(JSON.parse(String(back[0].record))).toEqual(rows[0].record);
    expect(back[1]).toMatchObject({ id: 'b', messages: [], history: [], weight: 0.5, record: '"text"' });
    expect(back[2]).toMatchObject({ id: 'c', messages: null, weight: null, record: null });

    const bytes = parquetFile(columns, rows);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const objects = await parquetReadObjects({ file: buffer });
    expect(objects.map((o) => o.id)).toEqual(['a', 'b', 'c']);
    expect(objects[0].messages).toEqual(rows[0].messages);
    expect(objects[0].history).toEqual(rows[0].history);
    expect(parquetMetadata(buffer).created_by).toMatch(/^winnow /);
  });

  it('a part with no rows has the same schema', async () => {
    const empty = join(dir, 'empty.parquet');
    const full = join(dir, 'full.parquet');
    writeFileSync(empty, parquetFile(columns, []));
    writeFileSync(full, parquetFile(columns, rows));
    const both = await duck(`DESCRIBE SELECT * FROM read_parquet(['${empty}', '${full}'])`);
    expect(both.map((t) => t.column_name)).toEqual(columns.map((c) => c.name));
    expect(await duck(`SELECT count(*)::INT AS n FROM read_parquet(['${empty}', '${full}'])`)).toEqual([
      { n: 3 },
    ]);
  });

  it('names parts as the Hub does', () => {
    expect(parquetPartName('data', 3, 12)).toBe('data/train-00003-of-00012.parquet');
  });
});
