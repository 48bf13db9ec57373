import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WinnowError } from '../../../src/errors.ts';
import {
  bytesSource,
  detectContainer,
  normalizeValue,
  planShards,
  readParquetFooter,
  readShard,
  rowGroupSpans,
  type ShardItem,
  type ShardRange,
} from '../../../src/formats/index.ts';
import { dataFile } from '../../support/data.ts';
import { writeParquet } from '../../support/parquet.ts';

type Row = Record<string, unknown>;
const alpaca = (JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as Row[]).slice(0, 1000);
const dolly = JSON.parse(readFileSync(dataFile('dolly-3k.json'), 'utf8')) as Row[];
const FILE = 'data.parquet';

async function plan(bytes: Uint8Array, shardBytes = 1 << 20): Promise<ShardRange[]> {
  return planShards(bytesSource(bytes), { part: 0, shardBytes, name: FILE });
}

async function readItems(bytes: Uint8Array, shardBytes?: number): Promise<ShardItem[]> {
  const items: ShardItem[] = [];
  for (const range of await plan(bytes, shardBytes)) {
    for await (const item of readShard(bytesSource(bytes), range, { name: FILE })) items.push(item);
  }
  return items;
}

const values = (items: ShardItem[]) => items.map((i) => ('value' in i ? i.value : i));
const unreadable = (items: ShardItem[]) => items.filter((i) => 'unreadable' in i);

function thrown(p: Promise<unknown>): Promise<WinnowError> {
  return p.then(
    () => {
      throw new Error('expected an error');
    },
    (e) => e as WinnowError,
  );
}

describe('Parquet: detection, plan and read', () => {
  const bytes = writeParquet(alpaca, { rowGroupSize: 150 });

  it('is told by its PAR1 magic, not its name', async () => {
    expect(await detectContainer(bytesSource(bytes))).toBe('parquet');
    expect(await detectContainer(bytesSource(new TextEncoder().encode('{"PAR1": 1}\n')))).toBe('jsonl');
  });

  it('reads every row of every row group as the JSON object it was written from', async () => {
    const items = await readItems(bytes, 1);
    expect(items).toHaveLength(1000);
    expect(values(items)).toEqual(alpaca);
    expect(items.map((i) => ('row' in i ? i.row : -1))).toEqual(alpaca.map((_, i) => i));
    expect(items.map((i) => ('rowGroup' in i ? i.rowGroup : -1))).toEqual(
      alpaca.map((_, i) => Math.floor(i / 150)),
    );
  });

  it('makes a shard of whole row groups, packed up to shardBytes by uncompressed size', async () => {
    const metadata = await readParquetFooter(bytesSource(bytes), FILE);
    const spans = rowGroupSpans(metadata);
    expect(spans.map((s) => s.rows)).toEqual([150, 150, 150, 150, 150, 150, 100]);
    // One row group per shard when each is over the limit; all in one when they fit.
    expect((await plan(bytes, 1)).map((s) => s.groups)).toEqual(
      spans.map((_, g) => ({ first: g, count: 1 })),
    );
    expect((await plan(bytes, 1 << 30)).map((s) => s.groups)).toEqual([{ first: 0, count: 7 }]);
    // In between: consecutive groups while their bytes stay within the limit, never a group split.
    const limit = spans[0].decoded + spans[1].decoded + spans[2].decoded;
    const shards = await plan(bytes, limit);
    expect(shards.length).toBeGreaterThan(1);
    expect(shards.length).toBeLessThan(7);
    let next = 0;
    let row = 0;
    for (const s of shards) {
      const groups = spans.slice(s.groups!.first, s.groups!.first + s.groups!.count);
      expect(s.groups!.first).toBe(next);
      expect(groups.reduce((n, g) => n + g.decoded, 0)).toBeLessThanOrEqual(limit);
      expect(s.firstIndex).toBe(row);
      expect(s.count).toBe(groups.reduce((n, g) => n + g.rows, 0));
      next += s.groups!.count;
      row += s.count!;
    }
    expect(next).toBe(7);
    expect(values(await readItems(bytes, limit))).toEqual(alpaca);
  });

  it('reads a LIST<STRUCT> messages column as arrays of objects, detected as messages', async () => {
    const rows = alpaca.slice(0, 40).map((r, i) => ({
      messages: [
        { role: 'user', content: r.instruction },
        { role: 'assistant', content: r.output },
      ],
      ...(i % 2 ? { source: 'alpaca' } : {}),
    }));
    const items = await readItems(writeParquet(rows, { rowGroupSize: 16, messageColumns: ['messages'] }));
    // A null column (no `source` on even rows) is left out, as the JSONL form has no key there.
    expect(values(items)).toEqual(rows);
    const norm = normalizeValue((items[1] as { value: Row }).value, 'auto');
    expect(norm).toMatchObject({ ok: true, format: 'messages' });
  });

  it('is empty when the file has no rows', async () => {
    const empty = writeParquet([{ instruction: 'x', output: 'y' }], { rowGroupSize: 1 });
    expect(await plan(empty)).toHaveLength(1);
    const none = new Uint8Array(
      (await import('hyparquet-writer')).parquetWriteBuffer({
        columnData: [{ name: 'instruction', data: [], type: 'STRING' }],
      }),
    );
    expect(await plan(none)).toEqual([]);
  });
});

describe('Parquet written by DuckDB, in every codec the reader decodes', () => {
  let dir: string;
  let db: DuckDBInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'winnow-parquet-'));
    db = await DuckDBInstance.create(':memory:');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function duckdb(select: string, codec: string): Promise<Uint8Array> {
    const out = join(dir, `${codec}.parquet`);
    const c = await db.connect();
    await c.run(`COPY (${select}) TO '${out}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 500)`);
    c.closeSync();
    return new Uint8Array(readFileSync(out));
  }
  const dollyJson = `SELECT * FROM read_json_auto('${dataFile('dolly-3k.json')}')`;

  for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'brotli', 'lz4_raw']) {
    it(`${codec}: every Dolly row, as the JSON it came from`, async () => {
      const bytes = await duckdb(dollyJson, codec);
      const metadata = await readParquetFooter(bytesSource(bytes), FILE);
      // Several row groups (DuckDB rounds ROW_GROUP_SIZE up to its vectors of 2048 rows).
      expect(metadata.row_groups.length).toBeGreaterThan(1);
      const expected = codec === 'lz4_raw' ? 'LZ4_RAW' : codec.toUpperCase();
      expect(metadata.row_groups[0].columns.map((c) => c.meta_data?.codec)).toContain(expected);
      expect(values(await readItems(bytes, 1))).toEqual(dolly);
    });
  }

  it('reads a messages list of structs DuckDB wrote', async () => {
    const bytes = await duckdb(
      `SELECT [{'role': 'user', 'content': instruction}, {'role': 'assistant', 'content': output}] AS messages, category FROM (${dollyJson})`,
      'zstd',
    );
    const items = await readItems(bytes);
    expect(items).toHaveLength(dolly.length);
    expect(values(items)[7]).toEqual({
      messages: [
        { role: 'user', content: dolly[7].instruction },
        { role: 'assistant', content: dolly[7].output },
      ],
      category: dolly[7].category,
    });
  });
});

describe('Parquet: broken files', () => {
  const rows = alpaca.slice(0, 300);
  const bytes = writeParquet(rows, { rowGroupSize: 100 });
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true);
  const footer = bytes.subarray(bytes.length - 8 - footerLength);

  it('a file whose footer is cut off fails with an error naming the file', async () => {
    const e = await thrown(plan(bytes.subarray(0, bytes.length - 100)));
    expect(e).toBeInstanceOf(WinnowError);
    expect(e.code).toBe('malformed_input');
    expect(e.message).toMatchInlineSnapshot(
      `"Parquet file data.parquet: starts with the Parquet magic PAR1 but does not end with it: the file is truncated or not Parquet, and its footer (the schema and where the row groups are) cannot be read"`,
    );
  });

  it('an encrypted file (PARE) fails naming the file, rather than being read as JSONL', async () => {
    const pare = bytes.slice();
    pare.set(new TextEncoder().encode('PARE'), 0);
    pare.set(new TextEncoder().encode('PARE'), pare.length - 4);
    expect(await detectContainer(bytesSource(pare))).toBe('parquet');
    expect((await thrown(plan(pare))).message).toMatchInlineSnapshot(
      `"Parquet file data.parquet: is encrypted Parquet (its footer is encrypted, magic PARE), which Winnow does not read: decrypt it first"`,
    );
  });

  it('a footer that does not parse, or claims more bytes than the file has, fails naming the file', async () => {
    const garbled = bytes.slice();
    garbled.fill(0xff, bytes.length - 8 - footerLength, bytes.length - 8 - footerLength + 40);
    const e = await thrown(plan(garbled));
    expect(e.code).toBe('malformed_input');
    expect(e.message).toMatch(/^Parquet file data\.parquet: its footer \(\d+ bytes\) does not parse: /);
    const long = bytes.slice();
    new DataView(long.buffer).setUint32(long.length - 8, long.length, true);
    expect((await thrown(plan(long))).message).toMatch(
      /^Parquet file data\.parquet: its footer claims \d+ bytes/,
    );
  });

  it('a truncated row group: its rows are invalid with an error naming file, row group and column', async () => {
    const spans = rowGroupSpans(await readParquetFooter(bytesSource(bytes), FILE));
    // The data cut in the middle of row group 1, the footer put back after it.
    const cut = new Uint8Array(spans[1].start + 50 + footer.length);
    cut.set(bytes.subarray(0, spans[1].start + 50));
    cut.set(footer, spans[1].start + 50);
    const items = await readItems(cut);
    expect(items).toHaveLength(300);
    expect(values(items.slice(0, 100))).toEqual(rows.slice(0, 100));
    const bad = unreadable(items);
    expect(bad).toHaveLength(200);
    expect(bad[0]).toMatchObject({ row: 100, rowGroup: 1, raw: '' });
    expect((bad[0] as { unreadable: unknown }).unreadable).toMatchObject({
      code: 'truncated_row_group',
      path: 'instruction',
    });
    expect((bad[0] as { unreadable: { message: string } }).unreadable.message).toMatch(
      /^Parquet file data\.parquet, row group 1, column instruction: its bytes \[\d+, \d+\) run past the data, which ends at byte \d+ where the footer starts: the file is truncated or corrupt$/,
    );
    expect(bad[199]).toMatchObject({ row: 299, rowGroup: 2 });
  });

  it('a row group over MAX_ROW_GROUP_BYTES uncompressed: its rows are invalid, the limit named; the others are read', async () => {
    // 20 rows per row group: the middle one holds 20 answers of 0.9 MiB, 18 MiB uncompressed.
    const big = Array.from({ length: 60 }, (_, i) => ({
      instruction: `Question ${i}?`,
      output: i >= 20 && i < 40 ? `${'long answer '.repeat(78_700)}${i}` : `Answer ${i}.`,
    }));
    const items = await readItems(writeParquet(big, { rowGroupSize: 20 }));
    expect(items).toHaveLength(60);
    expect(values(items.slice(0, 20))).toEqual(big.slice(0, 20));
    expect(values(items.slice(40))).toEqual(big.slice(40));
    const bad = unreadable(items);
    expect(bad).toHaveLength(20);
    expect(bad[0]).toMatchObject({ row: 20, rowGroup: 1 });
    const error = (bad[0] as { unreadable: { code: string; message: string } }).unreadable;
    expect(error.code).toBe('row_group_too_large');
    expect(error.message).toMatch(
      /^Parquet file data\.parquet, row group 1: it decodes to 18(\.\d)? MiB \(\d+ bytes\), over the 16 MiB a task may hold: write the file again with smaller row groups/,
    );
  });

  it('a row group whose pages do not decode names the column; the other row groups are read', async () => {
    const metadata = await readParquetFooter(bytesSource(bytes), FILE);
    const output = metadata.row_groups[1].columns.find((c) => c.meta_data?.path_in_schema[0] === 'output')!;
    const at = Number(output.meta_data!.dictionary_page_offset || output.meta_data!.data_page_offset);
    const torn = bytes.slice();
    torn.fill(0xff, at, at + 24);
    const items = await readItems(torn);
    expect(items).toHaveLength(300);
    expect(values(items.slice(0, 100))).toEqual(rows.slice(0, 100));
    expect(values(items.slice(200))).toEqual(rows.slice(200));
    const bad = unreadable(items);
    expect(bad).toHaveLength(100);
    const error = (bad[0] as { unreadable: { code: string; path: string; message: string } }).unreadable;
    expect(error).toMatchObject({ code: 'undecodable_row_group', path: 'output' });
    expect(error.message).toMatch(
      /^Parquet file data\.parquet, row group 1, column output: does not decode: /,
    );
  });

  it('an unknown codec id patched into the footer names the column and codec; rows are counted', async () => {
    // LZO (id 3) through a pass-through compressor, then the id patched to 42 in the footer: a column
    // chunk's `codec` (field 4, an i32) follows its path, so "output" then 0x15 0x06 (zigzag 3).
    const lzo = writeParquet(rows, {
      rowGroupSize: 100,
      codec: 'LZO',
      compressors: { LZO: (input: Uint8Array) => input } as never,
    });
    const lzoItems = await readItems(lzo);
    expect(unreadable(lzoItems)).toHaveLength(300);
    expect((lzoItems[0] as { unreadable: { message: string } }).unreadable.message).toMatchInlineSnapshot(
      `"Parquet file data.parquet, row group 0, column instruction: compressed with LZO, which Winnow does not decode (it reads UNCOMPRESSED, SNAPPY, GZIP, ZSTD, BROTLI, LZ4, LZ4_RAW): write the file again with one of them"`,
    );
    const patched = lzo.slice();
    const name = new TextEncoder().encode('instruction');
    let hits = 0;
    for (let i = patched.length - 8 - footerLength * 2; i < patched.length - 8; i++) {
      if (name.every((b, k) => patched[i + k] === b) && patched[i + name.length] === 0x15) {
        if (patched[i + name.length + 1] !== 0x06) continue;
        patched[i + name.length + 1] = 0x54; // zigzag 42
        hits++;
      }
    }
    expect(hits).toBe(3);
    const items = await readItems(patched);
    expect(items).toHaveLength(300);
    expect(unreadable(items)).toHaveLength(300);
    expect((items[150] as { unreadable: unknown }).unreadable).toMatchObject({
      code: 'unsupported_codec',
      path: 'instruction',
      message: expect.stringMatching(
        /^Parquet file data\.parquet, row group 1, column instruction: compressed with a codec id Parquet does not define/,
      ),
    });
  });

  it('a column with no JSON form (raw FIXED_LEN_BYTE_ARRAY) makes its non-null rows invalid, naming it', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const fixed = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'instruction', data: ['a', 'b', 'c'] },
          { name: 'output', data: ['x', 'y', 'z'] },
          { name: 'digest', data: [Uint8Array.of(1, 2, 3, 4), null, Uint8Array.of(5, 6, 7, 8)] },
        ],
        schema: [
          { name: 'root', num_children: 3 },
          { name: 'instruction', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'output', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'digest', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 4, repetition_type: 'OPTIONAL' },
        ],
      }),
    );
    const items = await readItems(fixed);
    expect(items[1]).toMatchObject({ value: { instruction: 'b', output: 'y' } });
    expect(items[0]).toMatchObject({
      unreadable: { code: 'unmappable_type', path: 'digest' },
      raw: '{"instruction":"a","output":"x"}',
    });
    expect((items[2] as { unreadable: { message: string } }).unreadable.message).toMatchInlineSnapshot(
      `"Parquet file data.parquet, row group 0, column digest, row 2: a binary value (4 bytes) has no JSON form (a BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY column without a string, JSON or other logical type); a record is JSON, so convert the column or drop it"`,
    );
  });

  it('a string value that is not UTF-8 makes its row invalid, as a JSONL line would be', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const text = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'instruction', data: ['a', Uint8Array.of(0x61, 0xff, 0x62)] as never },
          { name: 'output', data: ['x', 'y'] },
        ],
        schema: [
          { name: 'root', num_children: 2 },
          { name: 'instruction', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'output', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        ],
      }),
    );
    const items = await readItems(text);
    expect(items[0]).toMatchObject({ value: { instruction: 'a', output: 'x' } });
    expect(items[1]).toMatchObject({
      unreadable: {
        code: 'invalid_utf8',
        path: 'instruction',
        message:
          'Parquet file data.parquet, row group 0, column instruction, row 1: not valid UTF-8: byte 0xff at byte 1 of the value; a string column must hold UTF-8',
      },
    });
  });
});
